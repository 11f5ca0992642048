#!/bin/sh
# 5414-remote-mta-sts-batch.t: MTA-STS in remote's batch mode (remote
# -m): the domain's enforce policy is found once for the batch; its
# better MX, which the policy does not name, gets no connection; the MX
# it names takes both messages over one verified session, and each sent
# line says sts=enforce sts_result=verified.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/5-lib.sh"
command -v openssl >/dev/null || skip_all "openssl not installed"
[ -x "$B/enqueue" ] || skip_all "enqueue not built"
[ "$(id -u)" = 0 ] || skip_all "needs root to listen on port 443"
plan 8
setup_instance
Q=$POSTEL_ROOT/queue/new

cd "$T" || exit 1
mkcert() { # NAME SAN...: a certificate from the test CA
	_nm=$1; shift
	_san=$(printf 'DNS:%s,' "$@"); _san=${_san%,}
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	    -keyout "$_nm.key" -out "$_nm.csr" -subj "/CN=$1" 2>/dev/null &&
	printf 'subjectAltName=%s\n' "$_san" > "$_nm.ext" &&
	openssl x509 -req -in "$_nm.csr" -CA ca.pem -CAkey ca.key \
	    -CAcreateserial -days 2 -extfile "$_nm.ext" -out "$_nm.pem" 2>/dev/null
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -days 2 -keyout ca.key -out ca.pem -subj /CN=postel-sts-ca 2>/dev/null &&
mkcert web mta-sts.batch.test && mkcert mx mx.batch.test rogue.batch.test
ok $? "test CA and certificates made"
cd "$TOP" || exit 1

mkdir "$T/pol"
printf 'version: STSv1\nmode: enforce\nmx: mx.batch.test\nmax_age: 86400\n' \
    > "$T/pol/mta-sts.batch.test"
$PY "$TOP/t/541-policy.py" 127.0.58.70 "$T/web.pem" "$T/web.key" \
    "$T/pol" "$T/web.log" "$T/web.ready" 2>"$T/web.err" &
reap $!
diag_on_fail "$T/web.err"
wait_for 10 test -e "$T/web.ready" || echo "# policy server did not start"

dns_start 127.0.58.61 \
    --mx-host=batch.test,rogue.batch.test,5 \
    --mx-host=batch.test,mx.batch.test,10 \
    --host-record=rogue.batch.test,127.0.58.62 \
    --host-record=mx.batch.test,127.0.58.63 \
    --txt-record=_mta-sts.batch.test,"v=STSv1; id=b1;" \
    --host-record=mta-sts.batch.test,127.0.58.70
sink_start rogue 127.0.58.62:25 --tls "$T/mx.pem" "$T/mx.key"
sink_start two 127.0.58.63:25 --tls "$T/mx.pem" "$T/mx.key"
printf 'remote-ca-file %s\n' "$T/ca.pem" > "$POSTEL_ROOT/conf/postel.conf"

enq() {
	printf 'Subject: %s\n\n%s\n' "$1" "$1" | "$B/enqueue" -f "$2" "$3" \
	    2>>"$T/enqueue.log"
}
m1=$(enq one a@example.org ok1@batch.test)
m2=$(enq two b@example.org ok2@batch.test)
LD_PRELOAD=$WRAP RESOLV_WRAPPER_CONF=$T/resolv.conf \
    "$B/remote" -m -- batch.test "$m1:1" "$m2:1" <"$Q/$m1" 3<"$Q/$m2" \
    >"$T/out" 2>"$T/err"
diag_on_fail "$T/err"
is "$(cut -d' ' -f1-4 "$T/out" | tr '\n' /)" \
    "rcpt 1 ok 2.0.0/action 1 relayed/rcpt 2 ok 2.0.0/action 2 relayed/" \
    "both messages delivered"
test -e "$T/rogue/sessions"; is $? 1 "no connection to the MX outside the policy"
is "$(cat "$T/two/sessions")" 1 "both over one session to the policy's MX"
raws() { set -- "$T/$1"/*.raw; [ -e "$1" ] && echo $# || echo 0; }
is "$(raws two)" 2 "two transactions there"
is "$(grep -c '^/.well-known/mta-sts.txt mta-sts.batch.test$' "$T/web.log")" 1 \
    "the policy fetched once for the batch"
grep -q '^remote: tls session=[0-9]*\.1 host=mx.batch.test .* sts=enforce sts_result=verified$' \
    "$T/err"; ok $? "the session's tls line: sts=enforce, verified"
is "$(grep -c '^remote: sent qid=.* session=[0-9]*\.1 .* sts=enforce sts_result=verified dsn=relayed$' "$T/err")" 2 \
    "a sent line per message, each sts=enforce sts_result=verified"
done_testing
