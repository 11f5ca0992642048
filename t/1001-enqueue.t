#!/bin/sh
# 1001-enqueue.t: enqueue writes one durable, well-formed entry or exits
# 100/111 leaving nothing.
. "$(dirname "$0")/lib.sh"
plan 27
setup_instance

id=$(printf 'Subject: x\n\nhello\n' | "$B/enqueue" -f a@example.org bob@example.test 2>/dev/null)
ok $? "queues a message"
is "$(queue_count)" 1 "one entry in the queue"
f=$POSTEL_ROOT/queue/new/$id
ok "$([ -f "$f" ]; echo $?)" "entry named by the printed id"
is "$(sed -n 1p "$f")" "postel 1" "format version first"
is "$(grep -c '^rcpt <bob@example.test>$' "$f")" 1 "recipient recorded"
is "$(grep -c '^from <a@example.org>$' "$f")" 1 "sender recorded"
is "$(sed '1,/^$/d' "$f")" "$(printf 'Subject: x\n\nhello')" "message stored byte for byte"

expect_exit 100 "rejects a malformed recipient" sh -c 'echo hi | "$0/enqueue" -f a@example.org "b@@example.net"' "$B"
grep -q "bad recipient address b@@example.net" "$T/.err"; ok $? "names the bad address"
expect_exit 100 "rejects no recipients" sh -c 'echo hi | "$0/enqueue" -f a@example.org' "$B"
expect_exit 0 "null sender is allowed" sh -c 'echo hi | "$0/enqueue" -f "" b@example.test' "$B"
is "$(queue_count)" 2 "failed attempts left nothing"

expect_exit 0 "takes a caller's queue ID" sh -c 'echo hi | "$0/enqueue" -q 1764095996.000001.42 -f a@example.org b@example.test' "$B"
ok "$([ -f "$POSTEL_ROOT/queue/new/1764095996.000001.42" ]; echo $?)" "entry named by that ID"
expect_exit 111 "a taken ID is refused, never replaced" sh -c 'echo other | "$0/enqueue" -q 1764095996.000001.42 -f a@example.org b@example.test' "$B"
is "$(tail -1 "$POSTEL_ROOT/queue/new/1764095996.000001.42")" "hi" "the first message is intact"
# qrun has moved it to cur/ (an ID can come back with a clock set back)
mv "$POSTEL_ROOT/queue/new/1764095996.000001.42" "$POSTEL_ROOT/queue/cur/"
expect_exit 111 "an ID taken in cur/ is refused too" sh -c 'echo other | "$0/enqueue" -q 1764095996.000001.42 -f a@example.org b@example.test' "$B"
is "$(tail -1 "$POSTEL_ROOT/queue/cur/1764095996.000001.42") $(ls "$POSTEL_ROOT/queue/new" | grep -c 1764095996.000001.42)" \
    "hi 0" "the message in cur/ is intact, nothing in new/"
mv "$POSTEL_ROOT/queue/cur/1764095996.000001.42" "$POSTEL_ROOT/queue/new/"
expect_exit 100 "an ID that is not one is refused" sh -c 'echo hi | "$0/enqueue" -q ../new/x -f a@example.org b@example.test' "$B"
# one recipient's own DSN requests (RFC 3461), as its dsn line
id=$(echo hi | "$B/enqueue" -N failure -d '2 notify=success,delay orcpt=rfc822;o+2Bx@example.org' \
    -f a@example.org b@example.test c@example.test 2>/dev/null)
is "$(sed -n '/^notify /p; /^dsn /p' "$POSTEL_ROOT/queue/new/$id")" "notify failure
dsn 2 notify=success,delay orcpt=rfc822;o+2Bx@example.org" "-d writes the recipient's dsn line"
expect_exit 100 "-d naming a recipient that is not there" sh -c 'echo hi | "$0/enqueue" -d "3 notify=never" -f a@example.org b@example.test c@example.test' "$B"
expect_exit 100 "-d with a bad value" sh -c 'echo hi | "$0/enqueue" -d "1 notify=never,success" -f a@example.org b@example.test' "$B"
echo "max-size 1024" > "$POSTEL_ROOT/conf/postel.conf"
# the queue leaves 64 KiB past max-size for the fields postel's own
# programs add on the way (a filter's, Delivered-To: of a forward)
echo hi | "$B/enqueue" -f a@example.org b@example.test >/dev/null 2>&1
n=$(queue_count)
head -c 5000 /dev/zero | "$B/enqueue" -f a@example.org b@example.test >/dev/null 2>&1
is "$? $(queue_count)" "0 $((n + 1))" "takes max-size plus a little (QUEUE_ROOM)"
expect_exit 100 "refuses a message over max-size plus 64 KiB" sh -c 'head -c 66561 /dev/zero | "$0/enqueue" -f a@example.org b@example.test' "$B"
is "$(ls "$POSTEL_ROOT/queue/tmp" | wc -l | tr -d ' ')" 0 "no tmp file left behind"

echo "max-size lots" > "$POSTEL_ROOT/conf/postel.conf"
expect_exit 111 "bad configuration is temporary" sh -c 'echo hi | "$0/enqueue" -f a@example.org b@example.test' "$B"
rm "$POSTEL_ROOT/conf/postel.conf"
chmod 0500 "$POSTEL_ROOT/queue/tmp"
if [ "$(id -u)" -eq 0 ]; then
	# root ignores directory permissions: use a missing queue instead
	rm -rf "$POSTEL_ROOT/queue/tmp"
fi
expect_exit 111 "unwritable queue is temporary" sh -c 'echo hi | "$0/enqueue" -f a@example.org b@example.test' "$B"
done_testing
