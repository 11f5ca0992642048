#!/bin/sh
# 4201-postel-flush.t: a message a loopback sink deferred (450) waits for
# its retry time; `postel flush` makes the running qrun try it within
# seconds, and the sink, which now accepts, gets it. Flush by ID, by
# --to, by --from and all; qrun logs each request and ignores an
# unknown line on the trigger.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
plan 18
setup_instance
as_recipients
# an hour between attempts: without a flush nothing is retried here
deferring_sink

P="$B/postel"
deferred() {    # deferred ID: qrun logged the 450 for it
	wait_for 10 grep -q "result qid=$1 .*status=temp" "$T/qrun.log"
}
send() {        # send FROM TO: queue a message, print its ID
	printf 'Subject: to %s\n\nb\n' "$2" |
	    "$B/enqueue" -f "$1" "$2" 2>&1 | sed -n 's/.*queued qid=\([0-9.]*\) .*/\1/p'
}

qrun_start
ok $? "qrun started"
id=$(send alice@example.test temp1@remote.test)
deferred "$id"
ok $? "the sink deferred the first attempt"
sleep 2
got 0; ok $? "without a flush it is not tried again"
grep -q "^rcpt 1 todo 1 " "$POSTEL_ROOT/queue/state/$id"
ok $? "its state says one attempt, still to do"

expect_exit 0 "postel flush ID" "$P" flush "$id"
wait_for 10 got 1
ok $? "the message is delivered within seconds of the flush"
wait_for 5 queue_empty
ok $? "and leaves the queue"
grep -q "flush select=\"id $id\" messages=1" "$T/qrun.log"
ok $? "qrun logs the request and what it matched"

id=$(send alice@example.test temp2@remote.test)
deferred "$id"
"$P" flush --to remote.test
wait_for 10 got 2
ok $? "postel flush --to DOMAIN"

id=$(send bob@example.test temp3@remote.test)
deferred "$id"
"$P" flush --to temp9@remote.test
sleep 2
got 2; ok $? "--to ADDRESS that matches no recipient flushes nothing"
"$P" flush --from bob@example.test
wait_for 10 got 3
ok $? "postel flush --from ADDRESS"

id=$(send alice@example.test temp4@remote.test)
deferred "$id"
"$P" flush
wait_for 10 got 4
ok $? "postel flush with no argument flushes all"

printf 'bogus request\n' >"$POSTEL_ROOT/queue/trigger"
wait_for 5 grep -q 'bad-request line="bogus request"' "$T/qrun.log"
ok $? "an unknown request line is logged"
id=$(send alice@example.test temp5@remote.test)
deferred "$id"
printf '\0\0flush all\n\0' >"$POSTEL_ROOT/queue/trigger"
wait_for 10 got 5
ok $? "a request between wake-up bytes is read"
kill -0 "$qpid"; ok $? "qrun is still running"

# a burst of flushes by recipient, in one write: eight are done, the rest
# dropped with one line, so no local user can hold deliveries up
$PY -c '
import sys
sys.stdout.write("".join("flush to x%d.example\n" % i for i in range(20)))' \
    >"$POSTEL_ROOT/queue/trigger"
wait_for 5 grep -q 'flush-dropped requests=12$' "$T/qrun.log"
ok $? "a burst of 20 flushes by recipient: 12 dropped, logged once"
is "$(grep -c 'flush select="to x[0-9]*.example"' "$T/qrun.log")" 8 "eight were done"

expect_exit 100 "a malformed ID is refused" "$P" flush ../x
kill -TERM "$qpid"
done_testing
