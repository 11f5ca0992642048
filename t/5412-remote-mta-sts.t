#!/bin/sh
# 5412-remote-mta-sts.t: remote applies a recipient domain's MTA-STS
# policy (RFC 8461). dnsmasq serves the MX, A and _mta-sts TXT records;
# t/541-policy.py serves the policies over HTTPS on 127.0.58.20:443 with
# a certificate from the test CA, trusted through remote-ca-file; the MX
# hosts are t/5-sink.py with STARTTLS. enforce: a policy MX with a good
# certificate gets the mail (sts logged as verified), an MX outside the
# policy is never tried, only such MX hosts are a temporary failure, as
# are a certificate that does not verify and a server without STARTTLS
# (nothing sent in plaintext). testing: delivered, the failure logged.
# The cache in queue/sts/: used without a fetch while the id holds, a
# new id fetches again, a server that is down leaves the cached policy
# applied. tls=sts: a domain without a policy is a temporary failure.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/5-lib.sh"
command -v openssl >/dev/null || skip_all "openssl not installed"
[ "$(id -u)" = 0 ] || skip_all "needs root to listen on port 443"
plan 43
setup_instance

cd "$T" || exit 1
mkcert() { # CA NAME SAN...: a certificate for the names signed by CA
	_ca=$1 _nm=$2; shift 2
	_san=$(printf 'DNS:%s,' "$@"); _san=${_san%,}
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	    -keyout "$_nm.key" -out "$_nm.csr" -subj "/CN=$1" 2>/dev/null &&
	printf 'subjectAltName=%s\n' "$_san" > "$_nm.ext" &&
	openssl x509 -req -in "$_nm.csr" -CA "$_ca.pem" -CAkey "$_ca.key" \
	    -CAcreateserial -days 2 -extfile "$_nm.ext" -out "$_nm.pem" 2>/dev/null
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -nodes -days 2 -keyout ca.key -out ca.pem -subj "/CN=postel-sts-ca" \
    2>/dev/null
mkcert ca web mta-sts.enf.test mta-sts.skip.test mta-sts.none.test \
    mta-sts.badcert.test mta-sts.plain.test mta-sts.testing.test \
    mta-sts.drop.test mta-sts.testmx.test &&
mkcert ca mx mx1.enf.test mx.skip.test rogue.skip.test rogue.none.test &&
mkcert ca wrong wrong.test
ok $? "test certificates made"
cd "$TOP" || exit 1

mkdir "$T/pol"
pol() { # DOMAIN MODE MAX_AGE MX...: the policy served for DOMAIN
	_d=$1 _m=$2 _a=$3; shift 3
	{ printf 'version: STSv1\r\nmode: %s\r\n' "$_m"
	  for _x; do printf 'mx: %s\r\n' "$_x"; done
	  printf 'max_age: %s\r\n' "$_a"; } > "$T/pol/mta-sts.$_d.tmp" &&
	mv "$T/pol/mta-sts.$_d.tmp" "$T/pol/mta-sts.$_d"
}
pol enf.test enforce 604800 mx1.enf.test
pol skip.test enforce 604800 mx.skip.test
pol none.test enforce 604800 other.none.test
pol badcert.test enforce 604800 mx.badcert.test
pol plain.test enforce 604800 mx.plain.test
pol testing.test testing 86400 mx.testing.test
pol drop.test enforce 86400 mx1.enf.test
pol testmx.test testing 86400 mx.testmx.test

web_start() {
	$PY "$TOP/t/541-policy.py" 127.0.58.20 "$T/web.pem" "$T/web.key" \
	    "$T/pol" "$T/web.log" "$T/web.ready" 2>"$T/web.err" &
	WEB=$!
	reap $WEB
	diag_on_fail "$T/web.err"
	wait_for 10 test -e "$T/web.ready" || echo "# policy server did not start"
}
web_start

dns() { # ENF-ID DROP-ID: enf.test's record, none for "", drop.test's
	_enf=--txt-record=_mta-sts.enf.test,"v=STSv1; id=$1;"
	[ -n "$1" ] || _enf=--txt-record=_mta-sts.other.test,"v=STSv1; id=o1;"
	dns_start 127.0.58.1 \
	    --mx-host=enf.test,mx1.enf.test,10 \
	    --host-record=mx1.enf.test,127.0.58.11 \
	    "$_enf" \
	    --mx-host=drop.test,mx1.enf.test,10 \
	    --txt-record=_mta-sts.drop.test,"v=STSv1; id=$2;" \
	    --host-record=mta-sts.drop.test,127.0.58.20 \
	    --mx-host=testmx.test,mx1.enf.test,10 \
	    --txt-record=_mta-sts.testmx.test,"v=STSv1; id=m1;" \
	    --host-record=mta-sts.testmx.test,127.0.58.20 \
	    --mx-host=skip.test,rogue.skip.test,5 \
	    --mx-host=skip.test,mx.skip.test,10 \
	    --host-record=rogue.skip.test,127.0.58.12 \
	    --host-record=mx.skip.test,127.0.58.13 \
	    --txt-record=_mta-sts.skip.test,"v=STSv1; id=s1;" \
	    --mx-host=none.test,rogue.none.test,10 \
	    --host-record=rogue.none.test,127.0.58.12 \
	    --txt-record=_mta-sts.none.test,"v=STSv1; id=n1;" \
	    --mx-host=badcert.test,mx.badcert.test,10 \
	    --host-record=mx.badcert.test,127.0.58.14 \
	    --txt-record=_mta-sts.badcert.test,"v=STSv1; id=b1;" \
	    --mx-host=plain.test,mx.plain.test,10 \
	    --host-record=mx.plain.test,127.0.58.15 \
	    --txt-record=_mta-sts.plain.test,"v=STSv1; id=p1;" \
	    --mx-host=testing.test,mx.testing.test,10 \
	    --host-record=mx.testing.test,127.0.58.16 \
	    --txt-record=_mta-sts.testing.test,"v=STSv1; id=t1;" \
	    --mx-host=nopol.test,mx1.enf.test,10 \
	    --host-record=mta-sts.enf.test,127.0.58.20 \
	    --host-record=mta-sts.skip.test,127.0.58.20 \
	    --host-record=mta-sts.none.test,127.0.58.20 \
	    --host-record=mta-sts.badcert.test,127.0.58.20 \
	    --host-record=mta-sts.plain.test,127.0.58.20 \
	    --host-record=mta-sts.testing.test,127.0.58.20
	DNS=$!
}
dns e1 d1

sink_start good 127.0.58.11:25 --tls "$T/mx.pem" "$T/mx.key"
sink_start rogue 127.0.58.12:25 --tls "$T/mx.pem" "$T/mx.key"
sink_start skip 127.0.58.13:25 --tls "$T/mx.pem" "$T/mx.key"
sink_start badcert 127.0.58.14:25 --tls "$T/wrong.pem" "$T/wrong.key"
sink_start plain 127.0.58.15:25
sink_start testing 127.0.58.16:25 --tls "$T/wrong.pem" "$T/wrong.key"

printf 'Subject: sts\n\nsecret\n' > "$T/msg"
printf 'remote-ca-file %s\n' "$T/ca.pem" > "$POSTEL_ROOT/conf/postel.conf"
fetches() { grep -c "^/.well-known/mta-sts.txt mta-sts.$1\$" "$T/web.log"; }
raws() { ls "$T/$1" | grep -c 'raw$'; }

# enforce, the policy's MX, a good certificate
remote enf.test a@example.org ok@enf.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" "enforce: delivered to the policy's MX"
grep -q '"tls": true' "$T/good/1.env"; ok $? "over TLS"
grep -q 'remote: sts domain=enf.test mode=enforce id=e1 policy=fetched$' "$T/err"
ok $? "the policy was fetched and logged"
grep -q 'remote: tls .* sts=enforce sts_result=verified$' "$T/err"
ok $? "the tls line says the certificate verified under enforce"
grep -q 'remote: sent .* pending=0 sts=enforce sts_result=verified dsn=relayed$' "$T/err"
ok $? "and so does the sent line"
is "$(stat -c %a "$POSTEL_ROOT/queue/sts")" 750 "queue/sts/ made with mode 0750"
test -s "$POSTEL_ROOT/queue/sts/enf.test"; ok $? "the policy is cached"
cp "$POSTEL_ROOT/queue/sts/enf.test" "$T/cache1"

# enforce: an MX outside the policy is never tried
remote skip.test a@example.org ok@skip.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" "enforce: delivered to the MX the policy names"
test -e "$T/rogue/sessions"; is "$?" 1 "the better MX outside the policy was not tried"
is "$(raws skip)" 1 "the policy's MX got it"
grep -q 'remote: sts host=rogue.skip.test mode=enforce result=skip reason="not an mx of the MTA-STS policy"' "$T/err"
ok $? "the skipped MX is logged"

remote none.test a@example.org ok@none.test >"$T/out" 2>"$T/err"
is "$(cat "$T/out")" "rcpt 1 temp 4.7.5 no MX host of none.test matches its MTA-STS policy (enforce)" \
    "enforce: no MX in the policy is a temporary failure"
test -e "$T/rogue/sessions"; is "$?" 1 "and none was tried"

# enforce: a certificate that does not verify, a server without STARTTLS
remote badcert.test a@example.org ok@badcert.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/out")" "rcpt 1 temp 4.7.5" \
    "enforce: a certificate for another name is a temporary failure"
grep -q 'does not match the host name (MTA-STS)' "$T/out"; ok $? "says why"
is "$(raws badcert)" 0 "nothing sent, not in plaintext either"
grep -q 'remote: sts .*host=mx.badcert.test .*sts=enforce sts_result=failed reason=' "$T/err"
ok $? "the MTA-STS failure is logged"
grep -q 'remote: fail .*host=mx.badcert.test .*(MTA-STS)" sts_result=failed$' "$T/err"
ok $? "and the fail line says so"

remote plain.test a@example.org ok@plain.test >"$T/out" 2>"$T/err"
is "$(cat "$T/out")" "rcpt 1 temp 4.7.4 mx.plain.test [127.0.58.15] does not offer STARTTLS, which the MTA-STS policy of its domain requires" \
    "enforce: a server without STARTTLS is a temporary failure"
is "$(raws plain)" 0 "nothing sent in plaintext"

# testing: delivered as before, the failure logged
remote testing.test a@example.org ok@testing.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" "testing: a certificate that fails still delivers"
is "$(raws testing)" 1 "the MX got it"
grep -q '"tls": true' "$T/testing/1.env"; ok $? "over TLS, unauthenticated, in one session"
grep -q 'remote: sts .*host=mx.testing.test .*sts=testing sts_result=failed reason=".*does not match the host name' "$T/err"
ok $? "the failure enforce would have made is logged"
grep -q 'remote: sent .* sts=testing sts_result=failed dsn=relayed$' "$T/err"
ok $? "the sent line says so"

remote testmx.test a@example.org ok@testmx.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" "testing: an MX outside the policy still gets the mail"
grep -q 'remote: sts host=mx1.enf.test mode=testing result=mismatch reason="not an mx of the MTA-STS policy"' "$T/err"
ok $? "logged as a mismatch"

# mode none: a cached policy is dropped
remote drop.test a@example.org ok@drop.test >"$T/out" 2>"$T/err"
test -s "$POSTEL_ROOT/queue/sts/drop.test"; ok $? "drop.test's enforce policy cached"

# the cache: the same id, no fetch
remote enf.test a@example.org ok@enf.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" "a second delivery"
is "$(fetches enf.test)" 1 "took the cached policy, no fetch"
grep -q 'remote: sts domain=enf.test mode=enforce id=e1 policy=cached$' "$T/err"
ok $? "logged as cached"

# a new id: fetched again, the cache rewritten
{ kill "$DNS"; wait "$DNS"; } 2>/dev/null
pol enf.test enforce 86400 mx1.enf.test mx2.enf.test
pol drop.test none 86400
dns e2 d2
remote enf.test a@example.org ok@enf.test >"$T/out" 2>"$T/err"
is "$(fetches enf.test)" 2 "a new id: the policy fetched again"
remote drop.test a@example.org ok@drop.test >"$T/out" 2>"$T/err"
test -e "$POSTEL_ROOT/queue/sts/drop.test"; is $? 1 "mode none: the cached policy dropped"
grep -q 'remote: sts domain=drop.test mode=none id=d2 policy=fetched$' "$T/err" &&
    ! grep -q 'sts=' "$T/err"
ok $? "and none applied"
grep -q 'mx2.enf.test' "$POSTEL_ROOT/queue/sts/enf.test" &&
    ! cmp -s "$T/cache1" "$POSTEL_ROOT/queue/sts/enf.test"
ok $? "the cache holds the new policy"

# the policy server down, another new id: the cached policy holds
{ kill "$WEB"; wait "$WEB"; } 2>/dev/null
{ kill "$DNS"; wait "$DNS"; } 2>/dev/null
dns e3 d2
remote enf.test a@example.org ok@enf.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" "the policy server down: delivered"
grep -q 'remote: sts domain=enf.test mode=enforce id=e2 policy=cached reason=' "$T/err" &&
    grep -q 'remote: sent .* sts=enforce sts_result=verified' "$T/err"
ok $? "under the cached policy"

# no record any more: the cached policy still holds (RFC 8461 5.1)
{ kill "$DNS"; wait "$DNS"; } 2>/dev/null
dns "" d2
remote enf.test a@example.org ok@enf.test >"$T/out" 2>"$T/err"
grep -q 'remote: sts domain=enf.test mode=enforce id=e2 policy=cached reason="no TXT record"$' "$T/err" &&
    grep -q 'remote: sent .* sts=enforce sts_result=verified' "$T/err"
ok $? "no TXT record: the cached policy applied"

# tls=sts: a domain without a policy
echo 'nopol.test mx tls=sts' > "$POSTEL_ROOT/conf/routes"
remote nopol.test a@example.org ok@nopol.test >"$T/out" 2>"$T/err"
is "$(cat "$T/out")" "rcpt 1 temp 4.7.5 nopol.test has no MTA-STS policy in enforce mode, which the route requires (tls=sts)" \
    "tls=sts: no policy is a temporary failure"
echo 'testing.test mx tls=sts' > "$POSTEL_ROOT/conf/routes"
remote testing.test a@example.org ok@testing.test >"$T/out" 2>"$T/err"
is "$(cat "$T/out")" "rcpt 1 temp 4.7.5 testing.test has no MTA-STS policy in enforce mode, which the route requires (tls=sts)" \
    "tls=sts: a policy in testing mode is not enough"
is "$(raws testing)" 1 "nothing more sent"
echo 'relay.test mx1.enf.test tls=sts' > "$POSTEL_ROOT/conf/routes"
remote relay.test a@example.org ok@relay.test >"$T/out" 2>"$T/err"
grep -q 'conf/routes:1: tls=sts needs mx' "$T/out"
ok $? "tls=sts on a relay host is a configuration error"
done_testing
