#!/bin/sh
# 4008-qrun-robust.t: qrun under conditions that once went wrong: every
# slot busy with a message due (no busy loop), a stop in the middle of a
# delivery (not an attempt, never a bounce), a delivery program whose
# child keeps its stdout open (no hang past the program's exit).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
plan 16
setup_instance
as_recipients queue
libexec_without_remote
export POSTEL_LIBEXEC
no_leak_checks

# ticks PID: user plus system CPU time of PID so far, in clock ticks
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# 1. Every slot (one local, one remote) taken by a slow delivery; a
# third message is due and must wait for a slot without spinning.
cat > "$L/remote" <<'SH'
#!/bin/sh
cat >/dev/null; sleep 6; echo "msg ok 2.0.0 ok"
SH
chmod +x "$L/remote"
rm "$L/local"
cp "$L/remote" "$L/local"
printf 'concurrency-local 1\nconcurrency-remote 1\n' >> "$POSTEL_ROOT/conf/postel.conf"
qrun_start
for to in alice@example.test x@one.test; do
	printf 'Subject: %s\n\nb\n' $to | "$B/enqueue" -f carol@example.org "$to" >/dev/null 2>&1
done
# both slots busy before the third arrives
wait_for 5 sh -c "[ \$(pgrep -c -f '^/bin/sh $L/') -ge 2 ]"
printf 'Subject: third\n\nb\n' | "$B/enqueue" -f carol@example.org x@two.test >/dev/null 2>&1
# taken into cur/, and on the heap while no slot is free
wait_for 5 sh -c "[ -z \"\$(ls '$POSTEL_ROOT/queue/new')\" ]"
t0=$(ticks $qpid); sleep 2; t1=$(ticks $qpid)
ok "$([ $((t1 - t0)) -lt 50 ]; echo $?)" "a due message waiting for a busy slot: qrun sleeps ($((t1 - t0)) ticks in 2 s)"
wait_for 20 queue_empty
ok $? "all three delivered in turn"
kill $qpid; wait $qpid 2>/dev/null
rm "$L/local"
ln -s "$B/local" "$L/local"

# 2. A stop in the middle of a delivery of a message past its lifetime:
# the delivery may have happened, so no attempt is counted and nothing
# bounces (postel(7), invariant 6); the next runner tries again.
cat > "$L/remote" <<'SH'
#!/bin/sh
cat >/dev/null; sleep 30; echo "msg ok 2.0.0 ok"
SH
printf 'queue-lifetime 60\n' >> "$POSTEL_ROOT/conf/postel.conf"
cur_msg 1000.000002.1 $(( $(date +%s) - 3600 )) old x@slow.test
: > "$T/qrun.log"
qrun_start
wait_for 5 grep -q 'qrun: start qid=1000.000002.1\|qrun: job qid=1000.000002.1\|spawned' "$T/qrun.log"
wait_for 5 pgrep -f "$L/remote" >/dev/null
kill -TERM $qpid
printf x > "$POSTEL_ROOT/queue/trigger"     # read by nobody while stopping
t0=$(ticks $qpid); sleep 1.5; t1=$(ticks $qpid)
ok "$([ $((t1 - t0)) -lt 50 ]; echo $?)" "stopping with a trigger byte waiting: no busy loop ($((t1 - t0)) ticks)"
kill -TERM $qpid
wait $qpid 2>/dev/null
grep -q 'qrun: killed qid=1000.000002.1 .*why=stopping' "$T/qrun.log"
ok $? "the delivery was stopped"
is "$(queue_count)" 1 "no bounce was queued"
grep -q '^rcpt 1 todo 0 ' "$POSTEL_ROOT/queue/state/1000.000002.1"
ok $? "the recipient is still to do, with no attempt counted"
rm -f "$POSTEL_ROOT/queue/cur/1000.000002.1" "$POSTEL_ROOT/queue/state/1000.000002.1"

# 3. A delivery program that leaves a child holding its stdout: its exit
# and what it wrote count, within a second or so, not the child's end.
cat > "$L/remote" <<SH
#!/bin/sh
cat >/dev/null
setsid sleep 30 &
echo \$! > "$T/child.pid"
echo "msg temp 4.0.0 try later"
SH
printf 'Subject: held\n\nb\n' | "$B/enqueue" -f carol@example.org x@held.test >/dev/null 2>&1
: > "$T/qrun.log"
timeout 15 "$B/qrun" -1 -f >>"$T/qrun.log" 2>&1
is "$?" 0 "qrun -1 ends though the child holds the pipe"
[ -s "$T/child.pid" ] && reap "$(cat "$T/child.pid")"
grep -q 'qrun: result .*rcpt=<x@held.test> .*status=temp dsn=4.0.0 .*try later' "$T/qrun.log"
ok $? "and the program's result line counts"

# 4. A finished message that cannot be removed (here immutable): its
# state must say so, or every runner delivers and bounces it again.
cat > "$L/remote" <<SH
#!/bin/sh
cat >/dev/null; echo "\$*" >> "$T/tries"
echo "rcpt 1 ok 2.0.0 ok"; echo "rcpt 2 perm 5.1.1 no such user"
SH
cur_msg 1000.000004.1 "$(date +%s)" stuck x@stuck.test y@stuck.test
if chattr +i "$POSTEL_ROOT/queue/cur/1000.000004.1" 2>/dev/null; then
	: > "$T/qrun.log"
	"$B/qrun" -1 -f >>"$T/qrun.log" 2>&1
	grep -q '^finished$' "$POSTEL_ROOT/queue/state/1000.000004.1"
	ok $? "a message that could not be removed keeps a state saying it is finished"
	"$B/qrun" -1 -f >>"$T/qrun.log" 2>&1
	"$B/qrun" -1 -f >>"$T/qrun.log" 2>&1
	is "$(grep -c 'x@stuck.test' "$T/tries") $(grep -c 'qrun: bounce qid=1000.000004.1' "$T/qrun.log")" \
	    "1 1" "the next runners neither deliver nor bounce it again"
	chattr -i "$POSTEL_ROOT/queue/cur/1000.000004.1"
	"$B/qrun" -1 -f >>"$T/qrun.log" 2>&1
	ok "$([ ! -e "$POSTEL_ROOT/queue/cur/1000.000004.1" ] &&
	    [ ! -e "$POSTEL_ROOT/queue/state/1000.000004.1" ]; echo $?)" \
	    "and one removes it once it can"
else
	skip "chattr +i does not work here (needs ext4 and root)"
	skip "chattr +i does not work here (needs ext4 and root)"
	skip "chattr +i does not work here (needs ext4 and root)"
fi

# 5. A hundred recipients in one run, each with a long result line (up to
# 1000 bytes each, postel-result(5)): all of them count.
cat > "$L/remote" <<'SH'
#!/bin/sh
cat >/dev/null
pad=$(head -c 900 /dev/zero | tr '\0' p)
i=1
while [ $i -le 100 ]; do echo "rcpt $i ok 2.0.0 $pad"; i=$((i + 1)); done
SH
rcpts=$(i=1; while [ $i -le 100 ]; do printf 'r%d@big.test ' $i; i=$((i + 1)); done)
printf 'Subject: big\n\nb\n' | "$B/enqueue" -f carol@example.org $rcpts >/dev/null 2>&1
: > "$T/qrun.log"
"$B/qrun" -1 -f >>"$T/qrun.log" 2>&1
is "$(grep -c 'qrun: result .*@big.test> channel=remote status=ok' "$T/qrun.log")" 100 \
    "100 result lines of 900 bytes: every recipient delivered once"

# 6. A retry time far ahead, as a wall clock set back leaves it: a runner
# waits no longer than the longest interval of retry-schedule.
cat > "$L/remote" <<'SH'
#!/bin/sh
cat >/dev/null; echo "msg ok 2.0.0 ok"
SH
printf 'retry-schedule 1\n' >> "$POSTEL_ROOT/conf/postel.conf"
cur_msg 1000.000006.1 "$(date +%s)" ahead x@ahead.test
printf 'postel-state 1\nrcpt 1 todo 1 %s 4.0.0 later\n' $(( $(date +%s) + 864000 )) \
    > "$POSTEL_ROOT/queue/state/1000.000006.1"
: > "$T/qrun.log"
qrun_start
wait_for 10 grep -q 'qrun: result qid=1000.000006.1 .*status=ok' "$T/qrun.log"
ok $? "a retry ten days ahead (a clock set back) is made at once"
kill $qpid; wait $qpid 2>/dev/null
# 7. A state file with a broken line, or empty (no writer leaves one so):
# the message starts over, rather than sit untried for ever.
cur_msg 1000.000007.1 "$(date +%s)" broken x@broken.test
printf 'postel-state 1\nrcpt 1 to\n' > "$POSTEL_ROOT/queue/state/1000.000007.1"
cur_msg 1000.000007.2 "$(date +%s)" empty x@empty.test
: > "$POSTEL_ROOT/queue/state/1000.000007.2"
: > "$T/qrun.log"
"$B/qrun" -1 -f >>"$T/qrun.log" 2>&1
grep -q 'qrun: restarted qid=1000.000007.1 why="malformed state line"' "$T/qrun.log" &&
    grep -q 'qrun: restarted qid=1000.000007.2 why="empty state file"' "$T/qrun.log"
ok $? "logged as restarted, with the reason"
is "$(grep -c 'qrun: result qid=1000.000007.[12] .*status=ok' "$T/qrun.log")" 2 "and both delivered"
printf 'retry-schedule 60 99999999999\n' >> "$POSTEL_ROOT/conf/postel.conf"
expect_exit 111 "a retry interval past a year is a configuration error" "$B/qrun" -1
done_testing
