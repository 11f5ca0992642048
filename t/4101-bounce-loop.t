#!/bin/sh
# 4101-bounce-loop.t: bounces never loop, whatever path the postmaster's
# mail takes (postel-qrun(8), BOUNCES). The postmaster is an alias of
# alice (as setup makes it) and every delivery to alice fails for good:
# a failed bounce makes one double bounce, sent from double-bounce@ME;
# its forwarded copy fails too and is dropped, not bounced again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
plan 9
setup_instance
as_recipients queue
A=$POSTEL_ROOT/mail/alice
Bo=$POSTEL_ROOT/mail/bob
printf '|exit 100\n' >"$A/.postel"
own "$A/.postel"
grep -q '^postmaster alice@example.test' "$POSTEL_ROOT/conf/aliases"
ok $? "setup made the postmaster an alias of the first user"

qrun_start || echo "# qrun did not start"
dbl() { grep -c '^qrun: double-bounce ' "$T/qrun.log"; }
drops() { test "$(grep -c 'why="double bounce failed"' "$T/qrun.log")" = "$1"; }

# 1. a bounce (null sender) to alice fails
id=$(printf 'Subject: a bounce\n\nb\n' | "$B/enqueue" -f '' alice@example.test 2>/dev/null)
wait_for 20 drops 1
ok $? "the forwarded double bounce that failed is dropped"
wait_for 10 queue_empty
ok $? "and the queue empties"
is "$(dbl)" 1 "one double bounce, no more"
grep -q "qrun: double-bounce qid=$id to=postmaster@example.test" "$T/qrun.log"
ok $? "the double bounce went to the postmaster"
grep -q 'qrun: new .*from=<double-bounce@mx.example.test> .*origin="local forward ' "$T/qrun.log"
ok $? "its forwarded copy keeps the sender double-bounce@ME"

# 2. a message from bob to alice bounces to bob, whose mail fails too:
# one bounce, one double bounce, then silence
printf '|exit 100\n' >"$Bo/.postel"
own "$Bo/.postel"
printf 'Subject: to alice\n\nb\n' | "$B/enqueue" -f bob@example.test alice@example.test >/dev/null 2>&1
wait_for 20 drops 2
ok $? "the bounce to bob fails, its double bounce fails and is dropped"
wait_for 10 queue_empty
ok $? "the queue empties"
is "$(dbl)" 2 "one more double bounce in all"
