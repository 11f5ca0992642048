#!/bin/sh
# 5201-remote-dsn.t: remote passes the RFC 3461 requests of the envelope
# (RET, ENVID, each recipient's NOTIFY and ORCPT) to a next hop that
# offers DSN, adding an ORCPT where none came (rfc822 and xtext, utf-8 for
# an address that is not ASCII), and says so with "action N passed"; a hop
# without DSN gets no parameters and "action N relayed". In the
# one-message form and in batches, with and without PIPELINING, on every
# host tried.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/5-lib.sh"
[ -x "$B/enqueue" ] || skip_all "enqueue not built"
plan 40
setup_instance
Q=$POSTEL_ROOT/queue/new

dns_start 127.0.52.10 \
    --mx-host=dsn.test,mx.dsn.test,10 --host-record=mx.dsn.test,127.0.52.11 \
    --mx-host=plain.test,mx.plain.test,10 --host-record=mx.plain.test,127.0.52.12 \
    --mx-host=lock.test,mx.lock.test,10 --host-record=mx.lock.test,127.0.52.13 \
    --mx-host=two.test,mx1.two.test,10 --host-record=mx1.two.test,127.0.52.14 \
    --mx-host=two.test,mx2.two.test,20 --host-record=mx2.two.test,127.0.52.15 \
    --mx-host=new.test,mx.new.test,10 --host-record=mx.new.test,127.0.52.16
sink_start dsn 127.0.52.11:25 --dsn
sink_start plain 127.0.52.12:25
sink_start lock 127.0.52.13:25 --dsn --no-pipelining
sink_start mx1 127.0.52.14:25 --dsn --mail-reply '451 4.3.0 not now'
sink_start mx2 127.0.52.15:25 --dsn
# TLS 1.3 only: BearSSL's handshake fails, and the opportunistic policy
# tries again in plaintext
tls=0
if command -v openssl >/dev/null &&
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -nodes -days 2 -keyout "$T/new.key" -out "$T/new.pem" \
    -subj /CN=mx.new.test 2>/dev/null; then
	tls=1
	sink_start new 127.0.52.16:25 --dsn --tls13-only \
	    --tls "$T/new.pem" "$T/new.key"
fi
diag_on_fail "$T/err"

# enq ARGS...: queue a message with enqueue's arguments, print its id
enq() {
	printf 'Subject: dsn\n\nbody\n' | "$B/enqueue" "$@" 2>>"$T/enqueue.log"
}
# at_body FILE CMD...: CMD with FILE on standard input at its message, the
# first byte after the envelope, as qrun hands it over
at_body() {
	_f=$1; shift
	LD_PRELOAD=$WRAP RESOLV_WRAPPER_CONF=$T/resolv.conf $PY -c '
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.lseek(fd, open(sys.argv[1], "rb").read().index(b"\n\n") + 2, 0)
os.dup2(fd, 0)
os.execv(sys.argv[2], sys.argv[2:])' "$_f" "$B/remote" "$@"
}
rb() {
	LD_PRELOAD=$WRAP RESOLV_WRAPPER_CONF=$T/resolv.conf \
	    "$B/remote" -m -- "$@"
}
words() { cut -d' ' -f1-4 "$1" | tr '\n' /; }
# params SINK N: MAIL's parameters but SIZE and BODY, then each RCPT as
# sent after "RCPT TO:", one per line
params() {
	$PY -c 'import json,sys
e = json.load(open(sys.argv[1]))
print(" ".join(w for w in e["mail"].split()[1:]
    if not w.startswith(("SIZE=", "BODY="))))
for r in e["rcpt_args"]: print(r)' "$T/$1/$2.env"
}
envs() { ls "$T/$1" | grep -c '\.env$'; }
nl='
'

# The one-message form, to a hop with DSN
m1=$(enq -f a@example.org -R hdrs -V 'x+2By' \
    -d '1 notify=success,failure orcpt=rfc822;orig@example.org' \
    one@dsn.test two@dsn.test)
grep -q '^ret hdrs$' "$Q/$m1" && grep -q '^envid x+2By$' "$Q/$m1" &&
    grep -qx 'dsn 1 notify=success,failure orcpt=rfc822;orig@example.org' "$Q/$m1"
ok $? "the queue file holds the requests"
at_body "$Q/$m1" -q "$m1" dsn.test a@example.org one@dsn.test two@dsn.test \
    >"$T/out" 2>"$T/err"
is "$?" 0 "one message: exit 0"
is "$(words "$T/out")" \
    "rcpt 1 ok 2.0.0/action 1 passed/rcpt 2 ok 2.0.0/action 2 passed/" \
    "each ok line followed by action passed"
is "$(params dsn 1)" "RET=HDRS ENVID=x+2By
<one@dsn.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;orig@example.org
<two@dsn.test> ORCPT=rfc822;two@dsn.test" \
    "RET and ENVID on MAIL; NOTIFY and ORCPT as stored; an ORCPT added, no NOTIFY"
grep -q "^remote: sent qid=$m1 host=mx.dsn.test ip=127.0.52.11 ok=2 temp=0 perm=0 pending=0 dsn=passed\$" "$T/err"
ok $? "the sent line says dsn=passed"

# The same to a hop without DSN
m2=$(enq -f a@example.org -R hdrs -V 'x+2By' \
    -d '1 notify=success,failure orcpt=rfc822;orig@example.org' \
    one@plain.test two@plain.test)
at_body "$Q/$m2" -q "$m2" plain.test a@example.org one@plain.test \
    two@plain.test >"$T/out" 2>"$T/err"
is "$(words "$T/out")" \
    "rcpt 1 ok 2.0.0/action 1 relayed/rcpt 2 ok 2.0.0/action 2 relayed/" \
    "no DSN offered: action relayed"
is "$(params plain 1)" "${nl}<one@plain.test>${nl}<two@plain.test>" \
    "no DSN offered: no parameters at all"
grep -q "^remote: sent qid=$m2 host=mx.plain.test .* dsn=relayed\$" "$T/err"
ok $? "the sent line says dsn=relayed"

# Without PIPELINING, one command at a time: the same parameters
at_body "$Q/$m1" -q "$m1" lock.test a@example.org one@dsn.test two@dsn.test \
    >"$T/out" 2>"$T/err"
is "$(words "$T/out")" \
    "rcpt 1 ok 2.0.0/action 1 passed/rcpt 2 ok 2.0.0/action 2 passed/" \
    "without PIPELINING: action passed"
is "$(params lock 1)" "$(params dsn 1)" "without PIPELINING: the same parameters"
is "$(grep -c '^RCPT TO:.* ORCPT=' "$T/lock/commands")" 2 "each RCPT with its ORCPT"

# The command line names the recipients; each takes the requests of the
# envelope recipient with its address, the first not taken, in order
m3=$(enq -f a@example.org -d '1 notify=success' -d '2 notify=failure' \
    -d '3 notify=delay' dup@dsn.test dup@dsn.test other@dsn.test)
at_body "$Q/$m3" -q "$m3" dsn.test a@example.org other@dsn.test \
    dup@dsn.test dup@dsn.test >"$T/out" 2>"$T/err"
is "$(params dsn 2)" "
<other@dsn.test> NOTIFY=DELAY ORCPT=rfc822;other@dsn.test
<dup@dsn.test> NOTIFY=SUCCESS ORCPT=rfc822;dup@dsn.test
<dup@dsn.test> NOTIFY=FAILURE ORCPT=rfc822;dup@dsn.test" \
    "recipients matched to the envelope by address, not position"
at_body "$Q/$m1" -q "$m1" dsn.test a@example.org two@dsn.test \
    >"$T/out" 2>"$T/err"
is "$(params dsn 3)" "RET=HDRS ENVID=x+2By
<two@dsn.test> ORCPT=rfc822;two@dsn.test" \
    "only the second recipient: its own requests, not the first's"

# Standard input that is not a queue file: no requests, but the ORCPT
printf 'Subject: raw\n\nbody\n' >"$T/msg"
remote dsn.test a@example.org raw@dsn.test >"$T/out" 2>"$T/err"
is "$(params dsn 4)" "
<raw@dsn.test> ORCPT=rfc822;raw@dsn.test" "not a queue file: only the added ORCPT"
is "$(words "$T/out")" "rcpt 1 ok 2.0.0/action 1 passed/" "and action passed"

# A queue file from before DSN: only the added ORCPT
m4=$(enq -f a@example.org old@dsn.test)
grep -q '^ret \|^envid \|^dsn \|^notify ' "$Q/$m4"
ok $((! $?)) "a queue file without DSN lines"
at_body "$Q/$m4" -q "$m4" dsn.test a@example.org old@dsn.test \
    >"$T/out" 2>"$T/err"
is "$(params dsn 5)" "
<old@dsn.test> ORCPT=rfc822;old@dsn.test" "old queue file: only the added ORCPT"
is "$(words "$T/out")" "rcpt 1 ok 2.0.0/action 1 passed/" "old queue file: action passed"

# A refused recipient has no action line; temp and perm as before
m5=$(enq -f a@example.org -N success ok5@dsn.test perm5@dsn.test \
    temp5@dsn.test)
at_body "$Q/$m5" -q "$m5" dsn.test a@example.org ok5@dsn.test \
    perm5@dsn.test temp5@dsn.test >"$T/out" 2>"$T/err"
is "$(words "$T/out")" \
    "rcpt 1 ok 2.0.0/action 1 passed/rcpt 2 perm 5.1.1/rcpt 3 temp 4.2.0/" \
    "refused recipients: their result, no action line"
is "$(params dsn 6)" "
<ok5@dsn.test> NOTIFY=SUCCESS ORCPT=rfc822;ok5@dsn.test
<perm5@dsn.test> NOTIFY=SUCCESS ORCPT=rfc822;perm5@dsn.test
<temp5@dsn.test> NOTIFY=SUCCESS ORCPT=rfc822;temp5@dsn.test" \
    "the message's notify line is every recipient's NOTIFY"
grep -q "^remote: sent qid=$m5 .* ok=1 temp=1 perm=1 pending=0 dsn=passed\$" "$T/err"
ok $? "the sent line counts them"

# xtext: '+', '=' and a quoted space are encoded in the added ORCPT; a
# 500-character ORCPT goes as it is stored
long=$($PY -c 'print("rfc822;" + "x" * 481 + "@example.org")')
m6=$(enq -f a@example.org -d "3 orcpt=$long" 'a+b=c@dsn.test' \
    '"s p"@dsn.test' long@dsn.test)
at_body "$Q/$m6" -q "$m6" dsn.test a@example.org 'a+b=c@dsn.test' \
    '"s p"@dsn.test' long@dsn.test >"$T/out" 2>"$T/err"
is "${#long}" 500 "an ORCPT of 500 characters"
is "$(params dsn 7)" "
<a+b=c@dsn.test> ORCPT=rfc822;a+2Bb+3Dc@dsn.test
<\"s p\"@dsn.test> ORCPT=rfc822;\"s+20p\"@dsn.test
<long@dsn.test> ORCPT=$long" "xtext specials encoded; the long ORCPT whole"
is "$(words "$T/out" | grep -o 'action [0-9] passed' | tr '\n' ' ')" \
    "action 1 passed action 2 passed action 3 passed " "all three passed"

# A recipient that is not ASCII: RFC 6533's utf-8 type, utf-8-addr-xtext
remote dsn.test a@example.org 'ü€😀@dsn.test' >"$T/out" 2>"$T/err"
grep -qxF 'RCPT TO:<ü€😀@dsn.test> ORCPT=utf-8;\x{FC}\x{20AC}\x{1F600}@dsn.test' \
    "$T/dsn/commands"
ok $? "a UTF-8 address: ORCPT=utf-8; with \\x{HEX} code points"
is "$(words "$T/out")" "rcpt 1 ok 2.0.0/action 1 passed/" "and delivered"

# Batches: two messages with their own requests, in one session
n0=$(cat "$T/dsn/sessions")
mA=$(enq -f a@example.org -R full -V envA -d '2 notify=never' \
    x1@dsn.test y1@dsn.test)
mB=$(enq -f b@example.org -N delay -d '1 orcpt=rfc822;b+2Bc@example.org' \
    z1@dsn.test)
rb dsn.test "$mA:1,2" "$mB:1" <"$Q/$mA" 3<"$Q/$mB" >"$T/out" 2>"$T/err"
is "$?" 0 "batch: exit 0"
is "$(words "$T/out")" \
    "rcpt 1 ok 2.0.0/action 1 passed/rcpt 2 ok 2.0.0/action 2 passed/rcpt 3 ok 2.0.0/action 3 passed/" \
    "batch: action passed, K counted across the batch"
is "$(cat "$T/dsn/sessions")" "$((n0 + 1))" "batch: one session"
is "$(params dsn 9)" "RET=FULL ENVID=envA
<x1@dsn.test> ORCPT=rfc822;x1@dsn.test
<y1@dsn.test> NOTIFY=NEVER ORCPT=rfc822;y1@dsn.test" "batch: the first message's requests"
is "$(params dsn 10)" "
<z1@dsn.test> NOTIFY=DELAY ORCPT=rfc822;b+2Bc@example.org" \
    "batch: the second message's own, none of the first's"
is "$(grep -c "^remote: sent .* dsn=passed\$" "$T/err")" 2 "batch: a sent line each, dsn=passed"

# The same batch to a hop without DSN
mC=$(enq -f a@example.org -R full -V envA -d '2 notify=never' \
    x1@plain.test y1@plain.test)
mD=$(enq -f b@example.org -N delay -d '1 orcpt=rfc822;b+2Bc@example.org' \
    z1@plain.test)
rb plain.test "$mC:1,2" "$mD:1" <"$Q/$mC" 3<"$Q/$mD" >"$T/out" 2>"$T/err"
is "$(words "$T/out")" \
    "rcpt 1 ok 2.0.0/action 1 relayed/rcpt 2 ok 2.0.0/action 2 relayed/rcpt 3 ok 2.0.0/action 3 relayed/" \
    "batch without DSN: action relayed"
is "$(params plain 2)${nl}$(params plain 3)" \
    "${nl}<x1@plain.test>${nl}<y1@plain.test>${nl}${nl}<z1@plain.test>" \
    "batch without DSN: no parameters"

# The first MX says 451 to MAIL: the second is tried, with the same
# parameters, as the first was
mE=$(enq -f a@example.org -R hdrs -d '1 notify=success' t1@two.test)
at_body "$Q/$mE" -q "$mE" two.test a@example.org t1@two.test \
    >"$T/out" 2>"$T/err"
is "$(words "$T/out")" "rcpt 1 ok 2.0.0/action 1 passed/" "delivered by the second MX"
grep -qx 'MAIL FROM:<a@example.org> SIZE=[0-9]* RET=HDRS' "$T/mx1/commands" &&
    grep -qxF 'RCPT TO:<t1@two.test> NOTIFY=SUCCESS ORCPT=rfc822;t1@two.test' "$T/mx1/commands"
ok $? "the first MX had the parameters"
is "$(params mx2 1)" "RET=HDRS
<t1@two.test> NOTIFY=SUCCESS ORCPT=rfc822;t1@two.test" "and the second the same"

# A failed TLS handshake, then plaintext on a new connection: the
# parameters go there too
if [ $tls = 1 ]; then
	mF=$(enq -f a@example.org -V envF -d '1 notify=failure' n1@new.test)
	at_body "$Q/$mF" -q "$mF" new.test a@example.org n1@new.test \
	    >"$T/out" 2>"$T/err"
	grep -q '^remote: fail .*TLS handshake with mx.new.test' "$T/err"
	ok $? "the handshake failed"
	is "$(words "$T/out")" "rcpt 1 ok 2.0.0/action 1 passed/" \
	    "TLS failed, plaintext retry: delivered, action passed"
	is "$(params new 1)" "ENVID=envF
<n1@new.test> NOTIFY=FAILURE ORCPT=rfc822;n1@new.test" \
	    "TLS failed, plaintext retry: the parameters"
else
	skip "openssl not installed"
	skip "openssl not installed"
	skip "openssl not installed"
fi
done_testing
