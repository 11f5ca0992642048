#!/bin/sh
# 5424-remote-requiretls-sts.t: REQUIRETLS (RFC 8689 4.2.1) over MTA-STS.
# dnsmasq serves the MX, A and _mta-sts TXT records; t/541-policy.py the
# policies over HTTPS on 127.0.65.50:443 (test CA, remote-ca-file); the MX
# hosts are t/5-sink.py with STARTTLS and REQUIRETLS. An MX admitted by an
# enforce policy whose certificate verified counts as authenticated: the
# message goes with MAIL ... REQUIRETLS. A testing policy does not: 5.7.30.
# TLS-Required: No on a message without the flag waives an enforce
# policy's certificate check.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/5-lib.sh"
command -v openssl >/dev/null || skip_all "openssl not installed"
[ "$(id -u)" = 0 ] || skip_all "needs root to listen on port 443"
[ -x "$B/enqueue" ] || skip_all "enqueue not built"
plan 11
setup_instance
Q=$POSTEL_ROOT/queue/new

cd "$T" || exit 1
mkcert() { # NAME SAN...: a certificate for the names from the test CA
	_nm=$1; shift
	_san=$(printf 'DNS:%s,' "$@"); _san=${_san%,}
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	    -keyout "$_nm.key" -out "$_nm.csr" -subj "/CN=$1" 2>/dev/null &&
	printf 'subjectAltName=%s\n' "$_san" > "$_nm.ext" &&
	openssl x509 -req -in "$_nm.csr" -CA ca.pem -CAkey ca.key \
	    -CAcreateserial -days 2 -extfile "$_nm.ext" -out "$_nm.pem" 2>/dev/null
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -nodes -days 2 -keyout ca.key -out ca.pem -subj "/CN=postel-rt-ca" \
    2>/dev/null &&
mkcert web mta-sts.enf.test mta-sts.tst.test mta-sts.bad.test mta-sts.miss.test &&
mkcert mx mx.enf.test mx.tst.test && mkcert wrong wrong.test
ok $? "test certificates made"
cd "$TOP" || exit 1

mkdir "$T/pol"
for d in enf:enforce tst:testing bad:enforce; do
	printf 'version: STSv1\r\nmode: %s\r\nmx: mx.%s.test\r\nmax_age: 86400\r\n' \
	    "${d#*:}" "${d%:*}" >"$T/pol/mta-sts.${d%:*}.test"
done
# miss.test's policy names no MX of its own: enforce refuses them all
printf 'version: STSv1\r\nmode: enforce\r\nmx: mx.elsewhere.test\r\nmax_age: 86400\r\n' \
    >"$T/pol/mta-sts.miss.test"
$PY "$TOP/t/541-policy.py" 127.0.65.50 "$T/web.pem" "$T/web.key" \
    "$T/pol" "$T/web.log" "$T/web.ready" 2>"$T/web.err" &
reap $!
diag_on_fail "$T/web.err"
wait_for 10 test -e "$T/web.ready" || echo "# policy server did not start"
dns_start 127.0.65.49 \
    --mx-host=enf.test,mx.enf.test,10 --host-record=mx.enf.test,127.0.65.51 \
    --txt-record=_mta-sts.enf.test,"v=STSv1; id=e1;" \
    --host-record=mta-sts.enf.test,127.0.65.50 \
    --mx-host=tst.test,mx.tst.test,10 --host-record=mx.tst.test,127.0.65.52 \
    --txt-record=_mta-sts.tst.test,"v=STSv1; id=t1;" \
    --host-record=mta-sts.tst.test,127.0.65.50 \
    --mx-host=bad.test,mx.bad.test,10 --host-record=mx.bad.test,127.0.65.53 \
    --txt-record=_mta-sts.bad.test,"v=STSv1; id=b1;" \
    --host-record=mta-sts.bad.test,127.0.65.50 \
    --mx-host=miss.test,mx.miss.test,10 --host-record=mx.miss.test,127.0.65.51 \
    --txt-record=_mta-sts.miss.test,"v=STSv1; id=m1;" \
    --host-record=mta-sts.miss.test,127.0.65.50
sink_start enf 127.0.65.51:25 --tls "$T/mx.pem" "$T/mx.key" --requiretls
sink_start tst 127.0.65.52:25 --tls "$T/mx.pem" "$T/mx.key" --requiretls
sink_start bad 127.0.65.53:25 --tls "$T/wrong.pem" "$T/wrong.key" --requiretls
printf 'remote-ca-file %s\n' "$T/ca.pem" >>"$POSTEL_ROOT/conf/postel.conf"
diag_on_fail "$T/log"

enq() {
	_t=""; [ "${1-}" = -T ] && { _t=-T; shift; }
	printf '%sSubject: rt\n\nsecret\n' "${1-}" |
	    "$B/enqueue" $_t -f a@example.org x@example.net 2>>"$T/log"
}
run() { # ID DOMAIN: remote with the queue file at its message
	LD_PRELOAD=$WRAP RESOLV_WRAPPER_CONF=$T/resolv.conf $PY -c '
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.lseek(fd, open(sys.argv[1], "rb").read().index(b"\n\n") + 2, 0)
os.dup2(fd, 0)
os.execv(sys.argv[2], sys.argv[2:])' "$Q/$1" "$B/remote" "$2" a@example.org \
	    "ok@$2" >"$T/out" 2>"$T/err"
	cat "$T/err" >>"$T/log"
}
mailarg() { $PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["mail"])' "$T/$1/$2.env"; }
delivered="rcpt 1 ok
action 1 relayed"

m=$(enq -T)
run "$m" enf.test
is "$(cut -d' ' -f1-3 "$T/out")" "$delivered" "MTA-STS enforce, verified: delivered"
case "$(mailarg enf 1)" in
*" REQUIRETLS") ok 0 "with REQUIRETLS" ;; *) ok 1 "with REQUIRETLS" ;; esac
grep -q 'remote: requiretls .*host=mx.enf.test .*auth=sts' "$T/err"
ok $? "logged: auth=sts"

run "$m" tst.test
is "$(cut -d' ' -f1-4 "$T/out")" "rcpt 1 perm 5.7.30" "MTA-STS testing: 5.7.30"
is "$(grep -c '^MAIL' "$T/tst/verbs" 2>/dev/null)" 0 "no MAIL to it"

run "$m" bad.test
is "$(cut -d' ' -f1-4 "$T/out")" "rcpt 1 temp 4.7.5" \
    "enforce, a certificate that does not verify: not delivered"

n=$(enq "TLS-Required: No
")
run "$n" bad.test
is "$(cut -d' ' -f1-3 "$T/out")" "$delivered" \
    "TLS-Required: No waives the enforce policy's check"
grep -q 'remote: tls-required .*host=mx.bad.test .*policy=relaxed' "$T/err"
ok $? "logged"

# the waiver also gives back the MX hosts an enforce policy leaves out
run "$(enq)" miss.test
is "$(cut -d' ' -f1-4 "$T/out")" "rcpt 1 temp 4.7.5" \
    "enforce naming none of the MX hosts: not delivered"
run "$n" miss.test
is "$(cut -d' ' -f1-3 "$T/out")" "$delivered" \
    "TLS-Required: No: the MX hosts the policy leaves out are tried"
done_testing
