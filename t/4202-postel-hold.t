#!/bin/sh
# 4202-postel-hold.t: a held message (queue/hold/ID) is not started by
# the running qrun, not even after a flush, and postel queue says HELD;
# postel release frees it and it is delivered within seconds. hold by
# --to; a qrun started without queue/hold/ runs as before.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
plan 16
setup_instance
as_recipients
deferring_sink

P="$B/postel"
send() {
	printf 'Subject: to %s\n\nb\n' "$2" |
	    "$B/enqueue" -f "$1" "$2" 2>&1 | sed -n 's/.*queued qid=\([0-9.]*\) .*/\1/p'
}

# older queues have no hold/: qrun must not mind, nor make it
rm -rf "$POSTEL_ROOT/queue/hold"
qrun_start
ok $? "qrun started without queue/hold/"
id=$(send alice@example.test temp1@remote.test)
wait_for 10 grep -q "result qid=$id .*status=temp" "$T/qrun.log"
ok $? "the sink deferred the first attempt"
ok "$([ ! -e "$POSTEL_ROOT/queue/hold" ]; echo $?)" "qrun made no hold/"

expect_exit 0 "postel hold ID" "$P" hold "$id"
test -f "$POSTEL_ROOT/queue/hold/$id"; ok $? "makes hold/ and the marker"
grep -q "postel: held qid=$id uid=$(id -u)" "$T/.err"; ok $? "and logs who held it"
"$P" flush "$id"
wait_for 10 grep -q "held qid=$id" "$T/qrun.log"
ok $? "qrun skips the held message after a flush, and says so"
sleep 2
got 0; ok $? "a held message is not delivered, even flushed"
"$P" queue >"$T/q.out"
grep -q "^$id .* HELD <alice@example.test>" "$T/q.out"; ok $? "postel queue shows it HELD"

expect_exit 0 "postel release ID" "$P" release "$id"
ok "$([ ! -e "$POSTEL_ROOT/queue/hold/$id" ]; echo $?)" "removes the marker"
wait_for 10 got 1
ok $? "a released message is delivered within seconds"
wait_for 5 queue_empty
ok $? "and leaves the queue"

# hold by recipient domain: only the matching one waits
id1=$(send alice@example.test temp2@remote.test)
wait_for 10 grep -q "result qid=$id1 .*status=temp" "$T/qrun.log"
"$P" hold --to remote.test 2>/dev/null
printf 'Subject: local\n\nb\n' | "$B/enqueue" -f carol@example.org bob@example.test >/dev/null 2>&1
wait_for 10 has_new bob 1
ok $? "a message not held is delivered meanwhile"
"$P" flush
sleep 2
got 1; ok $? "the one held by --to is not"
"$P" release all 2>/dev/null
wait_for 10 got 2
ok $? "release all frees it"
kill -TERM "$qpid"
done_testing
