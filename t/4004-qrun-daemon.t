#!/bin/sh
# 4004-qrun-daemon.t: the daemon owns the queue alone, wakes on the
# trigger, resumes a half-done message from its state file, stops on
# SIGTERM; qrun -c cleans stale files.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
plan 14
setup_instance
as_recipients

# a message taken before a crash: alice done, bob still to do
cur_msg 1000.000001.1 "$(date +%s)" resumed alice@example.test bob@example.test
printf 'postel-state 1\nrcpt 1 ok 1 0 2.0.0 delivered\nrcpt 2 todo 0 0 - \n' \
    >"$POSTEL_ROOT/queue/state/1000.000001.1"
: >"$POSTEL_ROOT/queue/tmp/stale"
touch -d '2000-01-01' "$POSTEL_ROOT/queue/tmp/stale"
: >"$POSTEL_ROOT/queue/state/1000.000009.9"

"$B/qrun" 2>"$T/daemon.log" &
pid=$!
reap $pid
wait_for 5 grep -q 'qrun: start mode=daemon' "$T/daemon.log"
ok $? "daemon starts"
wait_for 5 has_new bob 1
ok $? "a message found in cur/ at start is resumed"
is "$(count_new alice)" 0 "the recipient already done is not delivered again"
ok "$([ ! -e "$POSTEL_ROOT/queue/tmp/stale" ]; echo $?)" "stale tmp file cleaned at start"
ok "$([ ! -e "$POSTEL_ROOT/queue/state/1000.000009.9" ]; echo $?)" "orphan state file cleaned at start"

expect_exit 111 "a second daemon is refused" "$B/qrun"
grep -q 'another qrun owns' "$T/.err"; ok $? "and says why"
expect_exit 0 "qrun -1 wakes the daemon instead of running" "$B/qrun" -1

for i in 1 2 3; do
	printf 'Subject: live %s\n\nb\n' $i | "$B/enqueue" -f carol@example.org alice@example.test 2>/dev/null >/dev/null
done
wait_for 10 has_new alice 3
ok $? "the trigger wakes the daemon for new mail"
wait_for 5 queue_empty
ok $? "and the queue empties"

kill -TERM $pid
i=0
while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
ok "$(kill -0 $pid 2>/dev/null; [ $? -ne 0 ]; echo $?)" "SIGTERM stops the daemon"
wait $pid
is $? 0 "with exit 0"
grep -q 'qrun: stop' "$T/daemon.log"; ok $? "and a stop line"

: >"$POSTEL_ROOT/queue/tmp/stale2"
touch -d '2000-01-01' "$POSTEL_ROOT/queue/tmp/stale2"
"$B/qrun" -c 2>/dev/null
ok "$([ ! -e "$POSTEL_ROOT/queue/tmp/stale2" ]; echo $?)" "qrun -c removes stale tmp files"
done_testing
