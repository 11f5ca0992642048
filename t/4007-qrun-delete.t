#!/bin/sh
# 4007-qrun-delete.t: qrun -d removes messages from the queue: waiting in
# new/ or in cur/ with a state file, with or without a daemon, and while a
# delivery of it runs (that delivery ends, nothing more is tried, no
# bounce); unknown and malformed IDs are refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
plan 22
setup_instance
as_recipients
printf 'me mx.example.test\ndelivery-timeout 20\nretry-schedule 2\n' \
    >"$POSTEL_ROOT/conf/postel.conf"
[ "$(id -u)" -eq 0 ] && chmod a+r "$POSTEL_ROOT/conf/postel.conf"
libexec_without_remote
# a fake remote: records each run, waits $T/delay seconds, fails as $T/mode
cat >"$L/remote" <<EOF
#!/bin/sh
echo "\$*" >> "$T/remote.args"
cat >/dev/null
sleep \$(cat "$T/delay")
echo "msg \$(cat "$T/mode") fake said: no"
EOF
chmod +x "$L/remote"
echo 0 >"$T/delay"
echo "temp 4.4.1" >"$T/mode"
: >"$T/remote.args"
runs() { wc -l <"$T/remote.args" | tr -d ' '; }
ran_more() { test "$(runs)" -gt "$n"; }     # for wait_for: counts anew
queue() {
	printf 'Subject: %s\n\nb\n' "$1" |
	    "$B/enqueue" -f alice@example.test "x@remote.example" 2>/dev/null
}
state_of() { test -e "$POSTEL_ROOT/queue/state/$1"; }
del() { "$B/qrun" -d "$@" 2>>"$T/del.err"; }
diag_on_fail "$T/del.err"

# no daemon: a message still in new/
id=$(queue new)
del "$id"
is "$? $(queue_count)" "0 0" "qrun -d removes a message from new/"
grep -q "qrun: deleted qid=$id uid=$(id -u)\$" "$T/del.err"
ok $? "and logs who removed it"

# no daemon: tried once, in cur/ with a state file
id=$(queue cur)
pass
state_of "$id"; ok $? "a failed attempt leaves a state file"
del "$id"
is "$? $(queue_count)" "0 0" "qrun -d removes a message from cur/"
state_of "$id"; ok $((! $?)) "and its state file"

expect_exit 100 "an ID not in the queue is refused" "$B/qrun" -d 1.2.3
grep -q 'not in the queue' "$T/.err"; ok $? "and says so"
expect_exit 100 "a malformed ID is refused" "$B/qrun" -d ../lock
grep -q 'not a queue ID' "$T/.err"; ok $? "and says so"
ok "$([ -e "$POSTEL_ROOT/queue/lock" ]; echo $?)" "nothing outside the queue is touched"
expect_exit 100 "qrun -d needs an ID" "$B/qrun" -d

# a daemon holds a waiting message in its schedule: it forgets it when due
qrun_start
ok $? "daemon started"
id=$(queue waiting)
wait_for 10 state_of "$id"
ok $? "the daemon tried it and keeps it for a retry"
n=$(runs)
del "$id"
is "$? $(queue_count)" "0 0" "qrun -d removes it under the running daemon"
wait_for 10 grep -q "forgotten qid=$id" "$T/qrun.log"
ok $? "the daemon forgets it when it comes due"
sleep 3         # longer than the retry schedule: no further attempt
is "$(runs)" "$n" "and does not try it again"
state_of "$id"; ok $((! $?)) "no state file is left"

# a delivery of it is running: it ends, and there is no bounce
echo 3 >"$T/delay"
echo "perm 5.1.1" >"$T/mode"
bounces=$(count_new alice)
n=$(runs)
id=$(queue running)
wait_for 10 ran_more
ok $? "a delivery of the message runs"
del "$id"
is "$?" 0 "qrun -d removes it while that runs"
wait_for 15 grep -q "forgotten qid=$id" "$T/qrun.log"
ok $? "the daemon forgets it when the delivery ends"
sleep 1
is "$(count_new alice) $(queue_count)" "$bounces 0" "no bounce for its permanent failure, queue empty"
state_of "$id"; ok $((! $?)) "no state file is left"
kill -TERM "$qpid"
done_testing
