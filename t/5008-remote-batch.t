#!/bin/sh
# 5008-remote-batch.t: remote -m delivers a batch of queued messages over
# one SMTP session per host (postel-result(5)): results numbered across the
# batch, RSET after a transaction left open, a connection dropped mid-batch,
# the next MX for what is left, unreadable envelopes, the batch limits.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/5-lib.sh"
[ -x "$B/enqueue" ] || skip_all "enqueue not built"
plan 33
setup_instance
Q=$POSTEL_ROOT/queue/new

dns_start 127.0.5.80 \
    --mx-host=batch.test,mx.batch.test,10 --host-record=mx.batch.test,127.0.5.81 \
    --mx-host=drop.test,mx.drop.test,10 --host-record=mx.drop.test,127.0.5.82 \
    --mx-host=two.test,mx1.two.test,10 --host-record=mx1.two.test,127.0.5.83 \
    --mx-host=two.test,mx2.two.test,20 --host-record=mx2.two.test,127.0.5.84
sink_start bat 127.0.5.81:25
sink_start drop 127.0.5.82:25 --drop-at 2
sink_start two 127.0.5.84:25            # nothing listens on mx1 (.83)

# enq BODY SENDER RCPT...: queue a message, print its queue id
enq() {
	_b=$1; shift
	printf 'Subject: %s\n\n%s\n' "$_b" "$_b" | "$B/enqueue" -f "$@" 2>>"$T/enqueue.log"
}
# rb ARGS...: remote -m with the fake resolver; the caller sets the fds
rb() {
	LD_PRELOAD=$WRAP RESOLV_WRAPPER_CONF=$T/resolv.conf \
	    "$B/remote" -m -- "$@"
}
words() { cut -d' ' -f1-4 "$1" | tr '\n' /; }
sessions() { cat "$T/$1/sessions" 2>/dev/null || echo 0; }
envs() { ls "$T/$1" | grep -c '\.env$'; }
diag_on_fail "$T/err"

m1=$(enq one a@example.org ok1@batch.test perm1@batch.test ok2@batch.test)
m2=$(enq two b@example.org x@other.test ok3@batch.test)
m3=$(enq three '' ok4@batch.test)
rb batch.test "$m1:1,2,3" "$m2:2" "$m3:1" <"$Q/$m1" 3<"$Q/$m2" 4<"$Q/$m3" \
    >"$T/out" 2>"$T/err"
is "$?" 0 "a batch of three messages: exit 0"
is "$(words "$T/out")" \
    "rcpt 1 ok 2.0.0/action 1 relayed/rcpt 2 perm 5.1.1/rcpt 3 ok 2.0.0/action 3 relayed/rcpt 4 ok 2.0.0/action 4 relayed/rcpt 5 ok 2.0.0/action 5 relayed/" \
    "one result per named recipient, K counted across the batch"
is "$(sessions bat)" 1 "all three over one connection"
is "$(envs bat)" 3 "three transactions"
$PY -c 'import json,sys
d=sys.argv[1]
e=[json.load(open("%s/%d.env" % (d, i))) for i in (1, 2, 3)]
ok = [x["rcpt"] for x in e] == [["<ok1@batch.test>", "<ok2@batch.test>"],
    ["<ok3@batch.test>"], ["<ok4@batch.test>"]]
ok = ok and e[0]["mail"].startswith("<a@example.org>")
ok = ok and e[1]["mail"].startswith("<b@example.org>")
ok = ok and e[2]["mail"].startswith("<>")
sys.exit(0 if ok else 1)' "$T/bat"
ok $? "each transaction has its own sender and only its named recipients"
tr -d '\r' <"$T/bat/2.raw" | grep -q '^two$' && ! grep -q 'one\|three' "$T/bat/2.raw"
ok $? "each message's body, read from its own descriptor"
grep -q RSET "$T/bat/verbs"; ok $((! $?)) "no RSET between finished transactions"
is "$(grep -c '^remote: sent ' "$T/err")" 3 "one sent line per message"
sid=$(sed -n 's/^remote: sent .*session=\([0-9.]*\) .*/\1/p' "$T/err" | sort -u)
is "$(echo "$sid" | wc -l)" 1 "naming one session"
for q in "$m1" "$m2" "$m3"; do
	grep "^remote: sent qid=$q session=$sid host=mx.batch.test ip=127.0.5.81 " "$T/err" >/dev/null ||
	    echo "# no sent line for $q"
done | grep -q . ; ok $((! $?)) "the sent lines name qid, session, host and ip"
grep -q "^remote: connect session=$sid host=mx.batch.test" "$T/err"
ok $? "the connect line names the session"

# A message whose only recipient is refused leaves its transaction open:
# RSET, and the next message goes on over the same connection.
m4=$(enq four a@example.org ok5@batch.test)
m5=$(enq five a@example.org perm2@batch.test)
m6=$(enq six a@example.org ok6@batch.test)
rb batch.test "$m4:1" "$m5:1" "$m6:1" <"$Q/$m4" 3<"$Q/$m5" 4<"$Q/$m6" \
    >"$T/out" 2>"$T/err"
is "$(words "$T/out")" "rcpt 1 ok 2.0.0/action 1 relayed/rcpt 2 perm 5.1.1/rcpt 3 ok 2.0.0/action 3 relayed/" \
    "a refused recipient in the middle: its own 5xx, the others delivered"
is "$(sessions bat)" 2 "over one more connection"
is "$(envs bat)" 5 "two more transactions"
is "$(grep -c RSET "$T/bat/verbs")" 1 "RSET once, after the open transaction"
grep -q '"rcpt": \["<ok6@batch.test>"\]' "$T/bat/5.env"; ok $? "the message after it was delivered"

# The connection drops after the second message's final dot: the first
# stays delivered, the second and third are temporary, none claimed ok.
m7=$(enq seven a@example.org ok7@drop.test)
rb drop.test "$m7:1" "$m1:1" "$m2:2" <"$Q/$m7" 3<"$Q/$m1" 4<"$Q/$m2" \
    >"$T/out" 2>"$T/err"
is "$?" 0 "dropped mid-batch: exit 0"
is "$(words "$T/out")" "rcpt 1 ok 2.0.0/action 1 relayed/rcpt 2 temp 4.4.2/rcpt 3 temp 4.4.2/" \
    "delivered before the drop: ok; the rest temporary"
grep -q '^rcpt 2 temp 4.4.2 .*after sending the message' "$T/out"
ok $? "the one in flight says so"
grep -q '^rcpt 3 temp 4.4.2 session ended before this message' "$T/out"
ok $? "the one never sent says so"
is "$(sessions drop)" 1 "one connection: no other host to try"
is "$(envs drop)" 2 "the third message was never sent"

# The first MX refuses connections: the whole batch goes to the next one,
# in one session there.
rb two.test "$m1:1" "$m3:1" <"$Q/$m1" 3<"$Q/$m3" >"$T/out" 2>"$T/err"
is "$(words "$T/out")" "rcpt 1 ok 2.0.0/action 1 relayed/rcpt 2 ok 2.0.0/action 2 relayed/" "delivered by the second MX"
is "$(sessions two)" 1 "in one session"
grep -q "^remote: fail session=$$\\|^remote: fail session=[0-9]*\.1 host=mx1.two.test" "$T/err"
ok $? "the failed first session logged with its own number"
is "$(grep -c '^remote: sent .*session=[0-9]*\.2 host=mx2.two.test' "$T/err")" 2 \
    "both messages carried by the second session"

# An envelope that cannot be read (no descriptor 3) and a recipient
# number beyond the envelope: temporary for those, the rest delivered.
rb batch.test "$m3:1" "$m4:1" "$m6:1,2" <"$Q/$m3" 3<&- 4<"$Q/$m6" \
    >"$T/out" 2>"$T/err"
# (a line goes out as soon as its result is settled: in any order)
is "$(sort "$T/out" | words /dev/stdin)" "action 1 relayed/action 3 relayed/rcpt 1 ok 2.0.0/rcpt 2 temp 4.3.0/rcpt 3 ok 2.0.0/rcpt 4 temp 4.3.0/" \
    "unreadable envelope and a missing recipient: 4.3.0, the others delivered"

# arguments qrun would never make: its fault, not the sender's, so 111
# (postel(7), invariant 6); misused flags are usage errors, 100
args=""; i=0
while [ $i -lt 65 ]; do args="$args $m1:1"; i=$((i + 1)); done
# shellcheck disable=SC2086
expect_exit 111 "more than 64 messages" rb batch.test $args </dev/null
n=$(seq -s, 1 101)
expect_exit 111 "more than 100 recipients" rb batch.test "$m1:$n" </dev/null
expect_exit 111 "a message argument without :N" rb batch.test "$m1" </dev/null
expect_exit 111 "a bad recipient number" rb batch.test "$m1:0" </dev/null
expect_exit 100 "-q with -m" "$B/remote" -m -q 1.2 -- batch.test "$m1:1" </dev/null
expect_exit 100 "no message" rb batch.test </dev/null
done_testing
