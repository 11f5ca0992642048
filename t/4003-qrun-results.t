#!/bin/sh
# 4003-qrun-results.t: qrun against a fake remote: grouping by domain,
# ok/perm/temp, garbage, a crash, a hang, a missing program; queue
# lifetime, delay warnings, bounces and double bounces.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
plan 40
setup_instance
as_recipients
cat >"$POSTEL_ROOT/conf/postel.conf" <<EOF
me mx.example.test
delivery-timeout 2
postmaster bob@example.test
EOF
[ "$(id -u)" -eq 0 ] && chmod a+r "$POSTEL_ROOT/conf/postel.conf"
libexec_without_remote
# The fake remote does what $T/mode says and records its arguments.
cat >"$L/remote" <<EOF
#!/bin/sh
echo "\$*" >> "$T/remote.args"
cat >/dev/null
case \$(cat "$T/mode") in
ok)	echo "msg ok 2.0.0 fake said: 250 ok" ;;
rcpt)	echo "rcpt 2 perm 5.1.1 fake said: 550 no such user"
	echo "msg ok 2.0.0 fake said: 250 ok" ;;
garbage) echo "hello there"; echo "rcpt x ok"; echo "rcpt 1 ok 9.9.9 bad" ;;
crash)	kill -SEGV \$\$ ;;
hang)	sleep 30 ;;
esac
EOF
chmod +x "$L/remote"
state() { cat "$POSTEL_ROOT/queue/state/$1" 2>/dev/null; }

echo ok >"$T/mode"
id=$(printf 'Subject: x\n\nb\n' | "$B/enqueue" -f alice@example.test \
    u1@remote.example u2@REMOTE.example alice@example.test u3@other.example 2>/dev/null)
pass
is "$(grep -c "^-q $id -- remote.example alice@example.test u1@remote.example u2@REMOTE.example\$" "$T/remote.args")" 1 \
    "one remote run for the domain, with both of its recipients"
is "$(grep -c "^-q $id -- other.example " "$T/remote.args")" 1 "another run for the other domain"
is "$(count_new alice)" 1 "the local recipient went to local"
printf 'Subject: dash\n\nb\n' | "$B/enqueue" -f -dash@example.org alice@example.test >/dev/null 2>&1
pass
is "$(count_new alice)" 2 "a sender that starts with - is an address, not an option"
is "$(queue_count)" 0 "all done, message removed"

many=$(i=1; while [ $i -le 150 ]; do printf 'm%s@big.example ' $i; i=$((i + 1)); done)
id=$(printf 'Subject: x\n\nb\n' | "$B/enqueue" -f alice@example.test $many 2>/dev/null)
pass
is "$(grep "^-q $id -- big.example " "$T/remote.args" | awk '{ print NF - 5 }' | sort -n | tr '\n' ' ')" "50 100 " \
    "150 recipients of one domain: runs of at most 100"
is "$(queue_count)" 0 "all 150 delivered"

id=$(printf 'Subject: x\n\n\303\251\n' | "$B/enqueue" -u -8 -f alice@example.test u@flags.example 2>/dev/null)
pass
is "$(grep -c "^-u -8 -q $id -- flags.example " "$T/remote.args")" 1 "envelope flags utf8 and 8bit become -u -8"

echo rcpt >"$T/mode"
printf 'Subject: partial\n\nb\n' | "$B/enqueue" -f alice@example.test \
    v1@remote.example v2@remote.example >/dev/null 2>&1
pass
grep -q 'rcpt=<v2@remote.example> channel=remote status=perm dsn=5.1.1 attempt=1' "$T/qrun.log"
ok $? "a rcpt line fails one recipient"
grep -q 'rcpt=<v1@remote.example> channel=remote status=ok dsn=2.0.0' "$T/qrun.log"
ok $? "the msg line covers the others"
pass
is "$(count_new alice)" 3 "one bounce for the failed recipient"
grep -l 'Final-Recipient: rfc822; v2@remote.example' "$POSTEL_ROOT"/mail/alice/Maildir/new/* >/dev/null 2>&1
ok $? "the bounce names v2"

for mode in garbage crash hang; do
	echo $mode >"$T/mode"
	id=$(printf 'Subject: %s\n\nb\n' $mode | "$B/enqueue" -f alice@example.test w@remote.example 2>/dev/null)
	pass
	is "$(state "$id" | sed -n 's/^rcpt 1 \(todo 1\) .*/\1/p')" "todo 1" "$mode: recorded as a temporary failure"
done
grep -q 'qrun: garbage .*line="hello there"' "$T/qrun.log"; ok $? "garbage lines are logged"
grep -q 'died by signal 11' "$T/qrun.log"; ok $? "a crash is logged with its signal"
grep -q 'qrun: killed .*why=timeout' "$T/qrun.log"; ok $? "a hang is killed at delivery-timeout"

rm "$L/remote"
id=$(printf 'Subject: x\n\nb\n' | "$B/enqueue" -f alice@example.test y@remote.example 2>/dev/null)
pass
state "$id" | grep -q '^rcpt 1 todo 1 [0-9]* 4.3.0 unable to run remote'
ok $? "a missing remote program is a temporary failure"
pass
is "$(state "$id" | grep "^rcpt 1" | cut -d" " -f3-4)" "todo 2" "retried with -f: attempt 2"
is "$(count_new alice)" 3 "no bounce for temporary failures"

# A message past queue-lifetime: its temporary failure becomes final.
old() {   # old ID ARRIVAL FROM ORIGIN RCPT: a queue file written by hand
	printf 'postel 1\narrival %s\nfrom <%s>\nrcpt <%s>\norigin %s\n\nSubject: old\n\nb\n' \
	    "$2" "$3" "$5" "$4" > "$POSTEL_ROOT/queue/new/$1"
}
old 1000.000001.1 1000 alice@example.test test z@remote.example
pass
grep -q 'qid=1000.000001.1 rcpt=<z@remote.example> channel=remote status=perm .*gave up after 1 attempts' "$T/qrun.log"
ok $? "past queue-lifetime a temporary failure is permanent"
pass
is "$(count_new alice)" 4 "and bounces"

# Delay warning: still trying, and the sender hears it once.
echo "delay-warning 10" >>"$POSTEL_ROOT/conf/postel.conf"
printf '#!/bin/sh\ncat >/dev/null; echo "msg temp 4.4.1 fake said: 421 busy"\n' >"$L/remote"
chmod +x "$L/remote"
old 1000.000002.1 $(( $(date +%s) - 60 )) alice@example.test test d@remote.example
# the first warning cannot be queued (enqueue fails): it is not lost
mv "$L/enqueue" "$L/enqueue.real"
printf '#!/bin/sh\ncat >/dev/null; exit 111\n' >"$L/enqueue"
chmod +x "$L/enqueue"
pass
state 1000.000002.1 | grep -q '^warned '; ok $((! $?)) "a warning that enqueue refused is not recorded as sent"
mv "$L/enqueue.real" "$L/enqueue"
pass
pass
is "$(grep -l 'Action: delayed' "$POSTEL_ROOT"/mail/alice/Maildir/new/* 2>/dev/null | wc -l | tr -d ' ')" 1 \
    "one delay warning (Action: delayed) over three attempts"
state 1000.000002.1 | grep -q '^warned '; ok $? "the warning is recorded in the state file"
rm "$POSTEL_ROOT/queue/cur/1000.000002.1"

# Bounces of bounces: to the postmaster, and a failed double bounce is
# dropped with a log line.
printf '#!/bin/sh\ncat >/dev/null; echo "msg perm 5.1.1 fake said: 550 no"\n' >"$L/remote"
old 1000.000003.1 $(date +%s) '' 'qrun bounce 1' gone@remote.example
pass
pass
is "$(count_new bob)" 1 "a failed bounce goes to the postmaster"
old 1000.000004.1 $(date +%s) '' 'qrun double-bounce 1' gone@remote.example
pass
grep -q 'qrun: dropped qid=1000.000004.1 why="double bounce failed"' "$T/qrun.log"
ok $? "a failed double bounce is dropped with a log line"
is "$(count_new bob)" 1 "and not sent anywhere"
pass

# RFC 6533: a message that needed SMTPUTF8 bounces as message/global-*
# (the fake remote still answers 550)
U=$(printf 'j\303\274rgen@remote.example')
id=$(printf 'Subject: \303\274ber\n\nb\n' |
    "$B/enqueue" -u -f alice@example.test "$U" 2>/dev/null)
before=$(count_new alice)
pass
f=$(grep -l "^origin qrun bounce $id\$" "$POSTEL_ROOT"/queue/new/* 2>/dev/null | head -1)
grep -q '^flags utf8' "$f" 2>/dev/null
ok $? "the bounce of an SMTPUTF8 message is queued as SMTPUTF8"
pass
is "$(count_new alice)" $((before + 1)) "and is delivered"
f=$(ls -t "$POSTEL_ROOT"/mail/alice/Maildir/new/* | head -1)
grep -q 'report-type=global-delivery-status;' "$f" &&
    grep -q '^Content-Type: message/global-delivery-status' "$f" &&
    grep -q '^Content-Type: message/global-headers' "$f"
ok $? "as message/global-delivery-status (also its report-type) and message/global-headers"
grep -q "^Final-Recipient: utf-8; $U\$" "$f"
ok $? "the UTF-8 recipient has the utf-8 address type"
grep -q '^Content-Type: message/delivery-status' "$POSTEL_ROOT"/mail/alice/Maildir/new/*
ok $? "while ASCII messages keep message/delivery-status"

# A crash after the last result was recorded, before the bounce: the
# message is in cur/ with every recipient final. qrun starts no job for
# it, only bounces and removes it (under ASan this caught a use after free).
old 1000.000005.1 $(date +%s) alice@example.test test x1@remote.example
mv "$POSTEL_ROOT/queue/new/1000.000005.1" "$POSTEL_ROOT/queue/cur/"
printf 'postel-state 1\nrcpt 1 fail 1 0 5.1.1 fake said: 550 no\n' \
    >"$POSTEL_ROOT/queue/state/1000.000005.1"
before=$(count_new alice)
expect_exit 0 "qrun -1 finishes a message with nothing left to try" \
    "$B/qrun" -1 -f
ok "$([ ! -e "$POSTEL_ROOT/queue/cur/1000.000005.1" ]; echo $?)" "the message is removed"
pass    # delivers the bounce it queued
is "$(count_new alice)" $((before + 1)) "and its bounce is sent"
is "$(queue_count)" 0 "queue empty at the end"

# An ID that came back (a clock set back): new/ID while cur/ID, another
# message, still waits. qrun must not move the new one over the old.
echo "temp 4.4.1" >"$T/mode"
printf '#!/bin/sh\ncat >/dev/null; echo "msg temp 4.4.1 fake said: later"\n' >"$L/remote"
old 1000.000006.1 $(date +%s) alice@example.test test first@remote.example
mv "$POSTEL_ROOT/queue/new/1000.000006.1" "$POSTEL_ROOT/queue/cur/"
old 1000.000006.1 $(date +%s) alice@example.test test second@remote.example
pass
grep -q '^rcpt <first@remote.example>$' "$POSTEL_ROOT/queue/cur/1000.000006.1" &&
    grep -q '^rcpt <second@remote.example>$' "$POSTEL_ROOT/queue/new/1000.000006.1"
ok $? "a message in new/ never replaces one of the same ID in cur/"
grep -q 'unable to move new/1000.000006.1 to cur/: File exists' "$T/qrun.log"
ok $? "qrun says so"
rm -f "$POSTEL_ROOT"/queue/new/1000.000006.1 "$POSTEL_ROOT"/queue/cur/1000.000006.1 \
    "$POSTEL_ROOT"/queue/state/1000.000006.1
done_testing
