#!/bin/sh
# 5009-remote-pipelining.t: client-side PIPELINING (RFC 2920): MAIL, the
# RCPTs and DATA in one write where it is offered, one command at a time
# where not, with the same results and log lines either way; in a batch
# every transaction is pipelined, and a 354 with no recipient gets only
# the final dot before the next message.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/5-lib.sh"
[ -x "$B/enqueue" ] || skip_all "enqueue not built"
plan 14
setup_instance
Q=$POSTEL_ROOT/queue/new

dns_start 127.0.5.90 \
    --mx-host=pipe.test,mx.pipe.test,10 --host-record=mx.pipe.test,127.0.5.91 \
    --mx-host=lock.test,mx.lock.test,10 --host-record=mx.lock.test,127.0.5.92 \
    --mx-host=lax.test,mx.lax.test,10 --host-record=mx.lax.test,127.0.5.93
sink_start pipe 127.0.5.91:25
sink_start lock 127.0.5.92:25 --no-pipelining
sink_start lax 127.0.5.93:25 --data-always
diag_on_fail "$T/err.pipe" "$T/err.lock"

flag() {        # flag DIR N KEY: the JSON value of KEY in DIR/N.env
	$PY -c 'import json,sys; print(str(json.load(open(sys.argv[1]))[sys.argv[2]]).lower())' \
	    "$T/$1/$2.env" "$3"
}
# what must not differ: the results and log lines with the host made one
same() { sed 's/mx\.[a-z]*\.test/MX/g; s/127\.0\.5\.9[0-9]/IP/g' "$1"; }

printf 'Subject: p\n\n.dot\nbody\n' > "$T/msg"
for d in pipe lock; do
	remote -q 5009.1 $d.test a@example.org ok1@$d.test perm1@$d.test \
	    temp1@$d.test ok2@$d.test >"$T/out.$d" 2>"$T/err.$d"
done
is "$(cut -d' ' -f1-4 "$T/out.pipe" | tr '\n' /)" \
    "rcpt 1 ok 2.0.0/action 1 relayed/rcpt 2 perm 5.1.1/rcpt 3 temp 4.2.0/rcpt 4 ok 2.0.0/action 4 relayed/" \
    "pipelined: each recipient its own result"
is "$(flag pipe 1 pipelined) $(flag pipe 1 data_pipelined)" "true true" \
    "MAIL, the RCPTs and DATA arrived before any reply was sent"
is "$(flag lock 1 pipelined) $(flag lock 1 data_pipelined)" "false false" \
    "without PIPELINING: one command at a time"
is "$(same "$T/out.lock")" "$(same "$T/out.pipe")" "the same results either way"
is "$(same "$T/err.lock")" "$(same "$T/err.pipe")" "the same log lines either way"
is "$(tr -d '\r' <"$T/pipe/1.raw")" "$(tr -d '\r' <"$T/lock/1.raw")" "the same message on the wire"

# all refused: DATA is refused by the server, no message sent
remote pipe.test a@example.org perm2@pipe.test perm3@pipe.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/out" | tr '\n' /)" "rcpt 1 perm 5.1.1/rcpt 2 perm 5.1.1/" \
    "every pipelined RCPT refused: each its own 5xx"
is "$(ls "$T/pipe" | grep -c '\.raw$')" 1 "and no message sent"

# a batch over PIPELINING: every transaction pipelined, one connection
enq() { printf 'Subject: %s\n\n%s\n' "$1" "$1" | "$B/enqueue" -f a@example.org "$2" 2>>"$T/enqueue.log"; }
m1=$(enq one ok3@pipe.test); m2=$(enq two ok4@pipe.test)
LD_PRELOAD=$WRAP RESOLV_WRAPPER_CONF=$T/resolv.conf "$B/remote" -m -- \
    pipe.test "$m1:1" "$m2:1" <"$Q/$m1" 3<"$Q/$m2" >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/out" | tr '\n' /)" "rcpt 1 ok 2.0.0/action 1 relayed/rcpt 2 ok 2.0.0/action 2 relayed/" "batch delivered"
is "$(flag pipe 2 session) $(flag pipe 3 session)" "3 3" "over one connection"
is "$(flag pipe 3 data_pipelined)" "true" "the second transaction pipelined too"

# A server that says 354 to a pipelined DATA with no recipient accepted
# gets just the final dot (RFC 2920 3.1); the next message follows on
# the same connection.
m3=$(enq three perm4@lax.test); m4=$(enq four ok5@lax.test)
LD_PRELOAD=$WRAP RESOLV_WRAPPER_CONF=$T/resolv.conf "$B/remote" -m -- \
    lax.test "$m3:1" "$m4:1" <"$Q/$m3" 3<"$Q/$m4" >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/out" | tr '\n' /)" "rcpt 1 perm 5.1.1/rcpt 2 ok 2.0.0/action 2 relayed/" \
    "354 without recipients: refused recipient perm, the next message delivered"
is "$(tr '\r' '~' <"$T/lax/1.raw")" ".~" "the empty message ended at once"
is "$(cat "$T/lax/sessions") $(flag lax 2 rcpt)" "1 ['<ok5@lax.test>']" \
    "the next message over the same connection"
done_testing
