#!/bin/sh
# 5403-remote-dane-records.t: the TLSA records and chains of RFC 7672
# and RFC 6698 that remote meets, against the DNSSEC world of
# t/5-dnssec.sh: DANE-EE with every selector and matching type; DANE-TA
# by the CA's key, by a root or an intermediate above it, not sent by
# the server, over an expired certificate, with the name of the host
# an MX alias points to; a set with a usable record that does not match
# and a PKIX one that would; a STARTTLS refused under DANE; relay routes
# with DANE: tls=dane, tls=verify without a CA file, and auth= over a
# certificate DANE verified.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/5-lib.sh"
. "$TOP/t/5-dnssec.sh"
command -v openssl >/dev/null 2>&1 || skip_all "openssl not installed"
plan 41
setup_instance

Z=rec.test
cd "$T" || exit 1
req() { # NAME CN: a key and a request
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	    -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
}
sign() { # NAME ISSUER EXTENSIONS: NAME.pem signed by ISSUER
	printf '%s\n' "$3" >"$1.ext" &&
	openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" \
	    -CAcreateserial -days 2 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
}
san() { printf 'subjectAltName='; printf 'DNS:%s.'"$Z"',' "$@" | sed 's/,$//'; }
spki() { # PEM DIGEST: the digest of its SubjectPublicKeyInfo
	openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform DER |
	    openssl dgst -"$2" -r | cut -d' ' -f1
}
spkihex() {
	openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform DER |
	    od -An -v -tx1 | tr -d ' \n'
}
cert() { openssl x509 -in "$1" -outform DER | openssl dgst -"$2" -r | cut -d' ' -f1; }
certhex() { openssl x509 -in "$1" -outform DER | od -An -v -tx1 | tr -d ' \n'; }
CAEXT='basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign'
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -days 2 -keyout ca.key -out ca.pem -subj /CN=postel-dane-root 2>/dev/null &&
req inter postel-dane-intermediate && sign inter ca "$CAEXT" &&
# the leaf for every host on 127.0.64.41, with the CA: DANE-EE and -TA
req leaf h.$Z && sign leaf ca "$(san h301 h312 h310 h300 h211 hmix hmulti \
    hnota relay)" && cat leaf.pem ca.pem >leaf.chain &&
# below an intermediate, the whole chain sent
req deep hdeep.$Z && sign deep inter "$(san hroot hinter)" &&
cat deep.pem inter.pem ca.pem >deep.chain &&
# the server sends its certificate alone
req alone halone.$Z && sign alone ca "$(san halone)" &&
# an expired certificate from the CA
printf '%s\n' '[ca]' default_ca=c '[c]' database=index.txt \
    new_certs_dir=. serial=serial policy=p default_md=sha256 \
    copy_extensions=copy '[p]' commonName=supplied >old.cnf &&
: >index.txt && echo 01 >serial &&
req old hold.$Z && openssl ca -batch -notext -config old.cnf -cert ca.pem \
    -keyfile ca.key -in old.csr -startdate 20200101000000Z \
    -enddate 20200102000000Z -out old.pem 2>/dev/null &&
cat old.pem ca.pem >old.chain &&
# for the name an MX alias points to, not the alias
req real real2.$Z && sign real ca "$(san real2)" && cat real.pem ca.pem >real.chain &&
req other other.example &&
openssl x509 -req -in other.csr -signkey other.key -days 2 -out other.pem \
    2>/dev/null
ok $? "certificates made"
cd "$TOP" || exit 1
L=$T/leaf.pem

{
	for h in h301 h312 h310 h300 h211 hmix hmulti hnota hroot hinter \
	    halone hold hstls alias2 relay noTLSA; do
		printf 'd-%s MX 10 %s\n' "$h" "$h"
	done
	for h in h301 h312 h310 h300 h211 hmix hmulti hnota; do
		printf '%s A 127.0.64.141\n' "$h"
	done
	printf 'hroot A 127.0.64.142\nhinter A 127.0.64.142\n'
	printf 'halone A 127.0.64.143\nhold A 127.0.64.144\n'
	printf 'hstls A 127.0.64.145\n'
	printf 'alias2 CNAME real2\nreal2 A 127.0.64.146\n'
	printf 'relay A 127.0.64.147\nnoTLSA A 127.0.64.147\n'
	printf 'relayauth A 127.0.64.148\n'
	printf '_25._tcp.relayauth TLSA 3 1 1 %s\n' "$(spki "$L" sha256)"
	printf '_25._tcp.h301 TLSA 3 0 1 %s\n' "$(cert "$L" sha256)"
	printf '_25._tcp.h312 TLSA 3 1 2 %s\n' "$(spki "$L" sha512)"
	printf '_25._tcp.h310 TLSA 3 1 0 %s\n' "$(spkihex "$L")"
	printf '_25._tcp.h300 TLSA 3 0 0 %s\n' "$(certhex "$L")"
	printf '_25._tcp.h211 TLSA 2 1 1 %s\n' "$(spki "$T/ca.pem" sha256)"
	printf '_25._tcp.hmix TLSA 3 1 1 %s\n' "$(spki "$T/other.pem" sha256)"
	printf '_25._tcp.hmix TLSA 1 1 1 %s\n' "$(spki "$L" sha256)"
	printf '_25._tcp.hmulti TLSA 3 1 1 %s\n' "$(spki "$T/other.pem" sha256)"
	printf '_25._tcp.hmulti TLSA 3 1 1 %s\n' "$(spki "$L" sha256)"
	printf '_25._tcp.hnota TLSA 2 0 1 %s\n' "$(cert "$T/inter.pem" sha256)"
	printf '_25._tcp.hroot TLSA 2 0 1 %s\n' "$(cert "$T/ca.pem" sha256)"
	printf '_25._tcp.hinter TLSA 2 0 1 %s\n' "$(cert "$T/inter.pem" sha256)"
	printf '_25._tcp.halone TLSA 2 0 1 %s\n' "$(cert "$T/ca.pem" sha256)"
	printf '_25._tcp.hold TLSA 2 0 1 %s\n' "$(cert "$T/ca.pem" sha256)"
	printf '_25._tcp.hstls TLSA 3 1 1 %s\n' "$(spki "$L" sha256)"
	printf '_25._tcp.real2 TLSA 2 0 1 %s\n' "$(cert "$T/ca.pem" sha256)"
	printf '_25._tcp.relay TLSA 3 1 1 %s\n' "$(spki "$L" sha256)"
} >"$T/recs"
dnssec_zone $Z signed <"$T/recs"
dnssec_start 127.0.64.101 127.0.64.102
ok $? "nsd and unbound serve the signed zones"

sink_start leaf 127.0.64.141:25 --tls "$T/leaf.chain" "$T/leaf.key"
sink_start deep 127.0.64.142:25 --tls "$T/deep.chain" "$T/deep.key"
sink_start alone 127.0.64.143:25 --tls "$T/alone.pem" "$T/alone.key"
sink_start old 127.0.64.144:25 --tls "$T/old.chain" "$T/old.key"
sink_start stls 127.0.64.145:25 --starttls-reply '454 4.7.0 TLS not available'
sink_start real 127.0.64.146:25 --tls "$T/real.chain" "$T/real.key"
sink_start relay 127.0.64.147:25 --tls "$T/leaf.chain" "$T/leaf.key"
sink_start relayauth 127.0.64.148:25 --tls "$T/leaf.chain" "$T/leaf.key" \
    --auth u:secret

printf 'Subject: dane\n\nsecret\n' >"$T/msg"
: >"$T/log"
diag_on_fail "$T/log"
run() {
	remote "$1" a@example.org "ok@$1" >"$T/out" 2>"$T/err"
	cat "$T/err" >>"$T/log"
}
res() { cut -d' ' -f1-4 "$T/out" | head -n 1; }
tlsline() { grep 'remote: tls ' "$T/err" | sed 's/.* dane=/dane=/'; }
mails() { grep -c '^MAIL' "$T/$1/verbs" 2>/dev/null; }

# verified: DOMAIN HOW WHAT
verified() {
	run "$1"
	is "$(res)" "rcpt 1 ok 2.0.0" "$3: delivered"
	is "$(tlsline)" "dane=verified tlsa=$2" "$3: dane=verified tlsa=$2"
}
# failed: DOMAIN WHY WHAT
failed() {
	run "$1"
	is "$(res)" "rcpt 1 temp 4.7.5" "$3: temporary"
	grep -q "failed: DANE: $2\"* dane=failed" "$T/err"
	ok $? "$3: the fail line says why"
}

verified d-h301.$Z dane-ee "DANE-EE 3 0 1 (certificate, SHA-256)"
verified d-h312.$Z dane-ee "DANE-EE 3 1 2 (key, SHA-512)"
verified d-h310.$Z dane-ee "DANE-EE 3 1 0 (key in full)"
verified d-h300.$Z dane-ee "DANE-EE 3 0 0 (certificate in full)"
verified d-h211.$Z dane-ta "DANE-TA 2 1 1 (the CA's key)"
n=$(mails leaf)
failed d-hmix.$Z "no TLSA record matches the certificate" \
    "a DANE-EE that does not match beside a PKIX-EE that would"
is "$(mails leaf)" "$n" "nothing sent to it"
verified d-hmulti.$Z dane-ee "two DANE-EE, the second matching"
failed d-hnota.$Z "no TLSA record matches the certificate" \
    "DANE-TA of a CA not in the chain"
verified d-hroot.$Z dane-ta "DANE-TA of the root, two certificates below"
verified d-hinter.$Z dane-ta "DANE-TA of the intermediate"
failed d-halone.$Z "no TLSA record matches the certificate" \
    "DANE-TA whose CA the server does not send (RFC 7672 3.2.1)"
failed d-hold.$Z "DANE-TA: a certificate expired or is not yet valid" \
    "DANE-TA over an expired certificate"
run d-hstls.$Z
is "$(res)" "rcpt 1 temp 4.7.5" "STARTTLS refused under DANE: temporary"
grep -q 'remote: fail .*said: 454 4.7.0 TLS not available" dane=failed' \
    "$T/err"; ok $? "the fail line says dane=failed"
is "$(mails stls)" 0 "no MAIL in plaintext"
verified d-alias2.$Z dane-ta \
    "DANE-TA through an MX alias: the certificate names the target"

# relay routes
printf '%s\n' "relay1.test relay.$Z tls=dane" "relay2.test noTLSA.$Z tls=dane" \
    "relay3.test relay.$Z tls=verify" "relay4.test relayauth.$Z auth=u:secret" \
    "relay5.test [127.0.64.141] tls=dane" >"$POSTEL_ROOT/conf/routes"
verified relay1.test dane-ee "tls=dane to a relay host with TLSA"
run relay2.test
is "$(res)" "rcpt 1 temp 4.7.5" "tls=dane to a relay host without TLSA: temporary"
printf 'remote-ca-file /nonexistent\n' >"$POSTEL_ROOT/conf/postel.conf"
verified relay3.test dane-ee "tls=verify: DANE in place of the CA file"
verified relay4.test dane-ee "auth= over DANE"
grep -q 'remote: auth .*user=u verified=yes' "$T/err"
ok $? "the credentials went over a certificate DANE verified"
run relay5.test
grep -q 'tls=dane needs mx or a host name, not an address' "$T/out"
ok $? "tls=dane on an address literal is a configuration error"
done_testing
