#!/bin/sh
# 5413-remote-mta-sts-dane.t: DANE wins over MTA-STS where both apply
# (RFC 8461 2). In a signed zone (t/5-dnssec.sh), both.test has an
# enforce policy that does not name its MX host, which has a DANE-EE
# TLSA record matching an expired certificate for another name: only
# DANE can take it, and it gets the mail with dane=verified and no sts=
# on the sent line. dn.test, whose policy names its MX and which has no
# TLSA record, gets MTA-STS as usual.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/5-lib.sh"
. "$TOP/t/5-dnssec.sh"
command -v openssl >/dev/null 2>&1 || skip_all "openssl not installed"
plan 9
setup_instance

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
mkcert web mta-sts.both.test mta-sts.dn.test &&
mkcert mx mx.dn.test &&
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -days 2 -keyout ee.key -out ee.pem -subj /CN=elsewhere.example 2>/dev/null
ok $? "test CA and certificates made"
EE=$(openssl x509 -in ee.pem -pubkey -noout | openssl pkey -pubin -outform DER |
    openssl dgst -sha256 -r | cut -d' ' -f1)
cd "$TOP" || exit 1

dnssec_zone both.test signed <<ZONE
@ MX 10 mx-ee
mx-ee A 127.0.58.41
_25._tcp.mx-ee TLSA 3 1 1 $EE
_mta-sts TXT "v=STSv1; id=b1;"
mta-sts A 127.0.58.50
ZONE
dnssec_zone dn.test signed <<ZONE
@ MX 10 mx
mx A 127.0.58.42
_mta-sts TXT "v=STSv1; id=d1;"
mta-sts A 127.0.58.50
ZONE
dnssec_start 127.0.58.31 127.0.58.32
ok $? "nsd and unbound serve the signed zones"

mkdir "$T/pol"
printf 'version: STSv1\nmode: enforce\nmx: other.both.test\nmax_age: 86400\n' \
    > "$T/pol/mta-sts.both.test"
printf 'version: STSv1\nmode: enforce\nmx: mx.dn.test\nmax_age: 86400\n' \
    > "$T/pol/mta-sts.dn.test"
$PY "$TOP/t/541-policy.py" 127.0.58.50 "$T/web.pem" "$T/web.key" \
    "$T/pol" "$T/web.log" "$T/web.ready" 2>"$T/web.err" &
reap $!
diag_on_fail "$T/web.err"
wait_for 10 test -e "$T/web.ready" || echo "# policy server did not start"

sink_start ee 127.0.58.41:25 --tls "$T/ee.pem" "$T/ee.key"
sink_start dn 127.0.58.42:25 --tls "$T/mx.pem" "$T/mx.key"
printf 'Subject: both\n\nsecret\n' > "$T/msg"
printf 'remote-ca-file %s\n' "$T/ca.pem" > "$POSTEL_ROOT/conf/postel.conf"

remote both.test a@example.org ok@both.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" "DANE host outside an enforce policy: delivered"
grep -q '"tls": true' "$T/ee/1.env"; ok $? "over TLS"
grep -q 'remote: sts domain=both.test mode=enforce id=b1 policy=fetched$' "$T/err"
ok $? "the policy was found"
grep -q 'remote: sent .* dane=verified dsn=relayed$' "$T/err"
ok $? "DANE decided: dane=verified, no sts= on the sent line"
grep -q 'result=skip' "$T/err"; is $? 1 "the host was not skipped"

remote dn.test a@example.org ok@dn.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" "no TLSA: the policy applies"
grep -q 'remote: sent .* sts=enforce sts_result=verified dsn=relayed$' "$T/err"
ok $? "sts=enforce on the sent line"
done_testing
