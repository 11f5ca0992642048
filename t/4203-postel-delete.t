#!/bin/sh
# 4203-postel-delete.t: postel delete --to removes exactly the messages
# with a matching recipient and leaves the others; --from, IDs and all
# likewise; every removal goes through qrun -d and is logged; a hold
# marker goes with its message.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
plan 16
setup_instance
P="$B/postel"
send() {        # send FROM TO...: queue a message, print its ID
	_f=$1; shift
	printf 'Subject: x\n\nb\n' |
	    "$B/enqueue" -f "$_f" "$@" 2>&1 | sed -n 's/.*queued qid=\([0-9.]*\) .*/\1/p'
}
queued() { test -e "$POSTEL_ROOT/queue/new/$1" || test -e "$POSTEL_ROOT/queue/cur/$1"; }

a=$(send alice@example.test x@one.test)
b=$(send alice@example.test y@two.test)
c=$(send bob@example.test y@two.test z@ONE.test)
d=$(send carol@example.org w@three.test)
e=$(send carol@example.org v@two.test)
is "$(queue_count)" 5 "five messages queued"

expect_exit 0 "postel delete --to one.test" "$P" delete --to one.test
queued "$a" || queued "$c"; ok $((! $?)) "removes both messages with a recipient at one.test (any case)"
queued "$b" && queued "$d" && queued "$e"; ok $? "and leaves the others"
grep -q "qrun: deleted qid=$a uid=$(id -u)" "$T/.err" &&
    grep -q "qrun: deleted qid=$c uid=$(id -u)" "$T/.err"
ok $? "each removal is logged by qrun -d"
grep -q "postel: delete qid=$a uid=$(id -u)\$" "$T/.err"; ok $? "and by postel, with the uid that asked"

expect_exit 0 "postel delete --to ADDRESS" "$P" delete --to w@three.test
queued "$d"; ok $((! $?)) "removes the message for that address"
queued "$b" && queued "$e"; ok $? "and only that one"

"$P" hold "$e" 2>/dev/null
expect_exit 0 "postel delete --from" "$P" delete --from carol@example.org
queued "$e"; ok $((! $?)) "removes the sender's message"
ok "$([ ! -e "$POSTEL_ROOT/queue/hold/$e" ]; echo $?)" "and its hold marker"

expect_exit 100 "an ID not in the queue" "$P" delete 1.2.3
expect_exit 100 "a delete with no selector is refused" "$P" delete
queued "$b"; ok $? "and removes nothing"
"$P" delete all 2>/dev/null
is "$(queue_count)" 0 "postel delete all empties the queue"
done_testing
