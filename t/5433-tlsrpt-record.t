#!/bin/sh
# 5433-tlsrpt-record.t: remote records TLSRPT sessions (RFC 8460) under
# an MTA-STS enforce policy (the setup of t/5412: dnsmasq, t/541-policy.py
# on 127.0.66.20:443 with the test CA, t/5-sink.py with STARTTLS). The
# domain's three MX hosts, all in its policy: one without STARTTLS, one
# with a certificate for another name, one good. One delivery leaves
# three lines in queue/tlsrpt/TODAY (starttls-not-supported,
# certificate-host-mismatch, success), and postel tlsrpt counts them with
# the cached policy as policy-string. A domain without a policy leaves
# nothing.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/5-lib.sh"
command -v openssl >/dev/null || skip_all "openssl not installed"
[ "$(id -u)" = 0 ] || skip_all "needs root to listen on port 443"
plan 9
setup_instance

cd "$T" || exit 1
mkcert() { # CA NAME SAN...
	_ca=$1 _nm=$2; shift 2
	_san=$(printf 'DNS:%s,' "$@"); _san=${_san%,}
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	    -keyout "$_nm.key" -out "$_nm.csr" -subj "/CN=$1" 2>/dev/null &&
	printf 'subjectAltName=%s\n' "$_san" > "$_nm.ext" &&
	openssl x509 -req -in "$_nm.csr" -CA "$_ca.pem" -CAkey "$_ca.key" \
	    -CAcreateserial -days 2 -extfile "$_nm.ext" -out "$_nm.pem" 2>/dev/null
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -nodes -days 2 -keyout ca.key -out ca.pem -subj "/CN=postel-rpt-ca" \
    2>/dev/null
mkcert ca web mta-sts.enf.test && mkcert ca mx mx1.enf.test &&
mkcert ca wrong wrong.test
ok $? "test certificates made"
cd "$TOP" || exit 1

mkdir "$T/pol"
printf 'version: STSv1\r\nmode: enforce\r\nmx: *.enf.test\r\nmax_age: 604800\r\n' \
    > "$T/pol/mta-sts.enf.test"
$PY "$TOP/t/541-policy.py" 127.0.66.20 "$T/web.pem" "$T/web.key" \
    "$T/pol" "$T/web.log" "$T/web.ready" 2>"$T/web.err" &
reap $!
diag_on_fail "$T/web.err"
wait_for 10 test -e "$T/web.ready" || echo "# policy server did not start"

dns_start 127.0.66.5 \
    --mx-host=enf.test,mx0.enf.test,5 \
    --mx-host=enf.test,mxw.enf.test,10 \
    --mx-host=enf.test,mx1.enf.test,20 \
    --host-record=mx0.enf.test,127.0.66.10 \
    --host-record=mxw.enf.test,127.0.66.12 \
    --host-record=mx1.enf.test,127.0.66.11 \
    --txt-record=_mta-sts.enf.test,"v=STSv1; id=e1;" \
    --host-record=mta-sts.enf.test,127.0.66.20 \
    --mx-host=nopol.test,mx1.enf.test,10

sink_start plain 127.0.66.10:25
sink_start wrong 127.0.66.12:25 --tls "$T/wrong.pem" "$T/wrong.key"
sink_start good 127.0.66.11:25 --tls "$T/mx.pem" "$T/mx.key"

printf 'Subject: rpt\n\nhello\n' > "$T/msg"
printf 'remote-ca-file %s\n' "$T/ca.pem" > "$POSTEL_ROOT/conf/postel.conf"
D=$(date -u +%Y-%m-%d)
F=$POSTEL_ROOT/queue/tlsrpt/$D

remote nopol.test a@example.org ok@nopol.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out" | head -1)" "rcpt 1 ok" "a domain without a policy: delivered"
ok "$(test ! -e "$F"; echo $?)" "and nothing recorded"

remote enf.test a@example.org ok@enf.test >"$T/out" 2>"$T/err"
diag_on_fail "$T/err" "$T/out"
is "$(cut -d' ' -f1-3 "$T/out" | head -1)" "rcpt 1 ok" "enforce: delivered by the third MX"
is "$(stat -c %a "$POSTEL_ROOT/queue/tlsrpt")" 750 "queue/tlsrpt/ made with mode 0750"
is "$(cat "$F")" "enf.test	sts	starttls-not-supported	mx0.enf.test	127.0.66.10
enf.test	sts	certificate-host-mismatch	mxw.enf.test	127.0.66.12
enf.test	sts	success	mx1.enf.test	127.0.66.11" "one line per session, with its result type"

"$B/postel" tlsrpt --day "$D" > "$T/rep" 2>"$T/rerr"
ok $? "postel tlsrpt reports the day"
diag_on_fail "$T/rerr"
$PY "$TOP/t/543-check.py" json "$T/rep" enf.test 1 2 > "$T/chk" 2>&1
ok $? "enf.test: 1 successful and 2 failed sessions"
diag_on_fail "$T/chk"
is "$(cat "$T/chk")" "sts version: STSv1 mode: enforce mx: *.enf.test max_age: 604800
certificate-host-mismatch mxw.enf.test 127.0.66.12 1
starttls-not-supported mx0.enf.test 127.0.66.10 1" "the cached policy as policy-string, the failures by type"
done_testing
