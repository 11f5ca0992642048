#!/bin/sh
# 5402-remote-dane.t: DANE for SMTP in remote (RFC 7672) against the
# DNSSEC world of t/5-dnssec.sh and t/5-sink.py with STARTTLS: DANE-EE
# 3 1 1 matches whatever the name and dates; a TLSA that does not match
# sends nothing to that MX and the next one gets it; a peer without
# STARTTLS under usable TLSA is deferred; DANE-TA 2 0 1 of a test CA
# with the MX name checked; an insecure delegation is opportunistic as
# before; PKIX-only TLSA make TLS mandatory but unchecked; a TLSA lookup
# that fails (bogus) defers that MX; tls=dane in conf/routes.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/5-lib.sh"
. "$TOP/t/5-dnssec.sh"
command -v openssl >/dev/null 2>&1 || skip_all "openssl not installed"
plan 55
setup_instance

cd "$T" || exit 1
# key NAME: an EC key and a request for CN=$2
req() {
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	    -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
}
# leaf NAME CN: a certificate for CN (and its SAN) from the test CA;
# NAME.chain is it and the CA, as a server sends them
leaf() {
	req "$1" "$2" &&
	printf 'subjectAltName=DNS:%s\n' "$2" >"$1.ext" &&
	openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key \
	    -CAcreateserial -days 2 -extfile "$1.ext" -out "$1.pem" \
	    2>/dev/null &&
	cat "$1.pem" ca.pem >"$1.chain"
}
# spki256 PEM: the SHA-256 of its SubjectPublicKeyInfo (TLSA x 1 1)
spki256() {
	openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform DER |
	    openssl dgst -sha256 -r | cut -d' ' -f1
}
# cert256 PEM: the SHA-256 of the whole certificate (TLSA x 0 1)
cert256() {
	openssl x509 -in "$1" -outform DER | openssl dgst -sha256 -r |
	    cut -d' ' -f1
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -days 2 -keyout ca.key -out ca.pem -subj /CN=postel-dane-ca 2>/dev/null &&
# an expired self-signed certificate for another name: DANE-EE ignores both
printf '%s\n' '[ca]' default_ca=c '[c]' database=index.txt \
    new_certs_dir=. serial=serial policy=p default_md=sha256 '[p]' \
    commonName=supplied >ee.cnf && : >index.txt && echo 01 >serial &&
req ee elsewhere.example &&
openssl ca -batch -notext -config ee.cnf -selfsign -keyfile ee.key \
    -in ee.csr -startdate 20200101000000Z -enddate 20200102000000Z \
    -out ee.pem 2>/dev/null &&
req other other.example &&
openssl x509 -req -in other.csr -signkey other.key -days 2 -out other.pem \
    2>/dev/null &&
leaf ta mx-ta.dane.test && leaf taw wrong.example
ok $? "test CA and certificates made"
EE=$(spki256 ee.pem); OTHER=$(spki256 other.pem); CA=$(cert256 ca.pem)
cd "$TOP" || exit 1

dnssec_zone dane.test signed <<EOF
ee MX 10 mx-ee
mx-ee A 127.0.64.11
_25._tcp.mx-ee TLSA 3 1 1 $EE
mis MX 10 mx-bad
mis MX 20 mx-ee2
mx-bad A 127.0.64.12
_25._tcp.mx-bad TLSA 3 1 1 $OTHER
mx-ee2 A 127.0.64.13
_25._tcp.mx-ee2 TLSA 3 1 1 $EE
bad MX 10 mx-bad
strip MX 10 mx-strip
mx-strip A 127.0.64.14
_25._tcp.mx-strip TLSA 3 1 1 $EE
ta MX 10 mx-ta
mx-ta A 127.0.64.15
_25._tcp.mx-ta TLSA 2 0 1 $CA
taw MX 10 mx-taw
mx-taw A 127.0.64.16
_25._tcp.mx-taw TLSA 2 0 1 $CA
pkix MX 10 mx-pkix
mx-pkix A 127.0.64.18
_25._tcp.mx-pkix TLSA 1 1 1 $OTHER
pkixs MX 10 mx-pkixs
mx-pkixs A 127.0.64.19
_25._tcp.mx-pkixs TLSA 1 1 1 $OTHER
sf MX 10 mx-sf
sf MX 20 mx-ee2
mx-sf A 127.0.64.20
_25._tcp.mx-sf CNAME _25._tcp.mx.bogus.test.
plain MX 10 mx-plain
mx-plain A 127.0.64.21
cn MX 10 alias
alias CNAME mx-ee
insecure NS ns.insecure
ns.insecure A 127.0.64.1
EOF
dnssec_zone insecure.dane.test unsigned <<EOF
@ MX 10 mx
mx A 127.0.64.17
_25._tcp.mx TLSA 3 1 1 $OTHER
EOF
dnssec_zone bogus.test bogus <<EOF
mx A 127.0.64.30
_25._tcp.mx TLSA 3 1 1 $EE
EOF
dnssec_start 127.0.64.1 127.0.64.2
ok $? "nsd and unbound serve the signed zones"

sink_start ee 127.0.64.11:25 --tls "$T/ee.pem" "$T/ee.key"
sink_start bad 127.0.64.12:25 --tls "$T/ee.pem" "$T/ee.key"
sink_start ee2 127.0.64.13:25 --tls "$T/ee.pem" "$T/ee.key"
sink_start strip 127.0.64.14:25
sink_start ta 127.0.64.15:25 --tls "$T/ta.chain" "$T/ta.key"
sink_start taw 127.0.64.16:25 --tls "$T/taw.chain" "$T/taw.key"
sink_start ins 127.0.64.17:25 --tls "$T/ee.pem" "$T/ee.key"
sink_start pkix 127.0.64.18:25 --tls "$T/ee.pem" "$T/ee.key"
sink_start pkixs 127.0.64.19:25
sink_start sf 127.0.64.20:25 --tls "$T/ee.pem" "$T/ee.key"
sink_start plain 127.0.64.21:25

diag_on_fail "$T/log"
printf 'Subject: dane\n\nsecret\n' >"$T/msg"
raws() { set -- "$T/$1"/*.raw; [ -e "$1" ] && echo $# || echo 0; }
mails() { grep -c '^MAIL' "$T/$1/verbs" 2>/dev/null; }
run() { remote "$1" a@example.org "ok@$1" >"$T/out" 2>"$T/err"; cat "$T/err" >>"$T/log"; }
res() { cut -d' ' -f1-4 "$T/out" | head -n 1; }
delivered="rcpt 1 ok
action 1 relayed"

# DANE-EE: the key matches; an expired certificate for another name
run ee.dane.test
is "$(cut -d' ' -f1-3 "$T/out")" "$delivered" "DANE-EE 3 1 1: delivered"
grep -q '"tls": true' "$T/ee/1.env"; ok $? "over TLS"
grep -q 'remote: tls .*host=mx-ee.dane.test .*dane=verified tlsa=dane-ee' \
    "$T/err"; ok $? "the tls line says dane=verified by DANE-EE"
grep -q 'remote: sent .*ok=1 .*dane=verified' "$T/err"
ok $? "the sent line says dane=verified"

# a TLSA that does not match: nothing to that MX, the next one has it
run mis.dane.test
is "$(cut -d' ' -f1-3 "$T/out")" "$delivered" \
    "the second MX, whose TLSA matches, gets the message"
is "$(raws bad)" 0 "nothing sent to the MX whose TLSA does not match"
is "$(mails bad)" 0 "not even MAIL"
grep -q '^STARTTLS' "$T/bad/verbs"; ok $? "it was asked for STARTTLS"
is "$(raws ee2)" 1 "the next MX received it"
grep -q '"tls": true' "$T/ee2/1.env"; ok $? "over TLS"
grep -q 'remote: fail .*host=mx-bad.dane.test .*TLS handshake with mx-bad.dane.test \[127.0.64.12\] failed: DANE: no TLSA record matches the certificate" dane=failed' \
    "$T/err"; ok $? "the failure is logged with dane=failed and why"

run bad.dane.test
is "$(res)" "rcpt 1 temp 4.7.5" "only that MX: temporary"
grep -q 'failed: DANE: no TLSA record matches the certificate' "$T/out"
ok $? "the result says why"
is "$(raws bad)" 0 "never in plaintext"
is "$(mails bad)" 0 "no MAIL either"

# a peer that does not offer STARTTLS under usable TLSA: stripped
run strip.dane.test
is "$(res)" "rcpt 1 temp 4.7.4" "no STARTTLS under DANE: temporary"
grep -q 'does not offer STARTTLS, which its DANE TLSA records require' \
    "$T/out"; ok $? "the result says why"
is "$(raws strip)" 0 "nothing sent in plaintext"
is "$(mails strip)" 0 "no MAIL"

# DANE-TA 2 0 1 of the test CA
run ta.dane.test
is "$(cut -d' ' -f1-3 "$T/out")" "$delivered" \
    "DANE-TA: a certificate for the MX name from the CA: delivered"
grep -q 'remote: tls .*host=mx-ta.dane.test .*dane=verified tlsa=dane-ta' \
    "$T/err"; ok $? "dane=verified by DANE-TA"
run taw.dane.test
is "$(res)" "rcpt 1 temp 4.7.5" "DANE-TA: a certificate for another name: temporary"
grep -q 'DANE: DANE-TA: the certificate does not name the host' "$T/out"
ok $? "the result says the name does not match"
grep -q 'remote: fail .*host=mx-taw.dane.test .*dane=failed' "$T/err"
ok $? "dane=failed logged"
is "$(mails taw)" 0 "nothing sent to it"

# an insecure delegation: TLSA served but not secure, no DANE
run insecure.dane.test
is "$(cut -d' ' -f1-3 "$T/out")" "$delivered" \
    "insecure zone: delivered although its TLSA does not match"
grep -q 'remote: tls .*host=mx.insecure.dane.test .*dane=none' "$T/err"
ok $? "the tls line says dane=none"
grep 'remote: sent ' "$T/err" | grep -qv dane=; ok $? "the sent line as before DANE"

# a secure zone without TLSA: as today, plaintext allowed
run plain.dane.test
is "$(cut -d' ' -f1-3 "$T/out")" "$delivered" "no TLSA: delivered in plaintext"
grep 'remote: sent ' "$T/err" | grep -qv dane=; ok $? "no DANE on the sent line"

# only PKIX-EE records: TLS mandatory, the certificate not checked
run pkix.dane.test
is "$(cut -d' ' -f1-3 "$T/out")" "$delivered" \
    "PKIX-EE only: delivered over TLS with any certificate"
grep -q '"tls": true' "$T/pkix/1.env"; ok $? "over TLS"
grep -q 'remote: tls .*host=mx-pkix.dane.test .*dane=unusable' "$T/err"
ok $? "the tls line says dane=unusable"
grep -q 'remote: sent .*host=mx-pkix.dane.test .*dane=unusable dsn=relayed$' "$T/err"
ok $? "the sent line too"
run pkixs.dane.test
is "$(res)" "rcpt 1 temp 4.7.4" "PKIX-EE only, no STARTTLS: temporary"
is "$(mails pkixs)" 0 "nothing sent in plaintext"

# the TLSA lookup fails (its answer is bogus): that MX is deferred
run sf.dane.test
is "$(cut -d' ' -f1-3 "$T/out")" "$delivered" \
    "TLSA lookup SERVFAIL: the next MX gets it"
test -e "$T/sf/sessions"; ok $((! $?)) "the MX whose TLSA failed is not contacted"
grep -q 'remote: fail .*host=mx-sf.dane.test .*the lookup of its TLSA records (_25._tcp.mx-sf.dane.test) failed' \
    "$T/err"; ok $? "the failed lookup is logged"
is "$(raws ee2)" 2 "the second MX received it"

# an MX host that is an alias: its target's TLSA (RFC 7672 2.2.2)
run cn.dane.test
is "$(cut -d' ' -f1-3 "$T/out")" "$delivered" \
    "MX host a CNAME: the expanded name's TLSA match"
grep -q 'remote: tls .*host=alias.dane.test .*dane=verified' "$T/err"
ok $? "dane=verified"

# tls=dane: DANE or nothing
printf '%s mx tls=dane\n' insecure.dane.test plain.dane.test ee.dane.test \
    pkix.dane.test >"$POSTEL_ROOT/conf/routes"
n=$(cat "$T/ins/sessions")
run insecure.dane.test
is "$(res)" "rcpt 1 temp 4.7.5" "tls=dane, insecure zone: temporary"
grep -q 'has no usable DNSSEC-secured TLSA records, which the route requires (tls=dane)' \
    "$T/out"; ok $? "the result says why"
is "$(cat "$T/ins/sessions")" "$n" "not contacted"
run plain.dane.test
is "$(res)" "rcpt 1 temp 4.7.5" "tls=dane, secure zone without TLSA: temporary"
is "$(raws plain)" 1 "not contacted again"
run pkix.dane.test
is "$(res)" "rcpt 1 temp 4.7.5" "tls=dane, PKIX-EE records only: temporary"
is "$(raws pkix)" 1 "no TLS without authentication: not contacted again"
run ee.dane.test
is "$(cut -d' ' -f1-3 "$T/out")" "$delivered" "tls=dane with DANE-EE: delivered"
grep -q 'remote: sent .*dane=verified' "$T/err"; ok $? "dane=verified"

printf 'ee.dane.test mx tls=none\n' >"$POSTEL_ROOT/conf/routes"
run ee.dane.test
grep -q '"tls": false' "$T/ee/4.env"; ok $? "tls=none: no TLS, no DANE"
grep 'remote: sent ' "$T/err" | grep -qv dane=; ok $? "no DANE on the sent line"

done_testing
