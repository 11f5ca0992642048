#!/bin/sh
# 4205-qrun-flush-one.t: qrun -1 -F SELECTOR is one forced pass over the
# selected messages only: 'id ID' delivers that message and leaves the
# others queued, a recipient waiting for its retry time included; with a
# daemon running it becomes a flush request; a bad selector is refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
plan 12
setup_instance
as_recipients
deferring_sink
send() {
	printf 'Subject: %s\n\nb\n' "$3" |
	    "$B/enqueue" -f "$1" "$2" 2>&1 | sed -n 's/.*queued qid=\([0-9.]*\) .*/\1/p'
}
F() { "$B/qrun" -1 -F "$@" >>"$T/qrun.log" 2>&1; }

t=$(send alice@example.test temp1@remote.test four)
F "to remote.test"
grep -q "result qid=$t .*status=temp" "$T/qrun.log"; ok $? "-F 'to DOMAIN' tries a message the sink defers"
"$B/qrun" -1 >>"$T/qrun.log" 2>&1
got 0; ok $? "a plain pass does not retry it before its time"

a=$(send carol@example.org alice@example.test one)
b=$(send carol@example.org alice@example.test two)
c=$(send carol@example.org bob@example.test three)
F "id $b"
is "$?" 0 "qrun -1 -F 'id ID' exits 0"
is "$(count_new alice) $(count_new bob)" "1 0" "it delivered one message"
grep -q '^Subject: two' "$POSTEL_ROOT"/mail/alice/Maildir/new/*; ok $? "the one selected"
is "$(queue_count)" 3 "the others stay queued"

F "to bob@example.test"
is "$(count_new alice) $(count_new bob)" "1 1" "-F 'to ADDRESS' delivers the matching one"
F "id $t"
got 1; ok $? "qrun -1 -F 'id ID' forces the deferred one"
is "$(queue_count)" 1 "and only it: the unselected one is still queued"

expect_exit 100 "a bad selector is refused" "$B/qrun" -1 -F "id ../x"
expect_exit 100 "-F without -1 is refused" "$B/qrun" -F all

qrun_start
F "id $a"
wait_for 10 grep -q "flush select=\"id $a\"" "$T/qrun.log"
ok $? "with a daemon running, -1 -F becomes a flush request"
kill -TERM "$qpid"
done_testing
