#!/bin/sh
# 5401-dnssec-harness.t: the DNSSEC test world of t/5-dnssec.sh (nsd
# serving signed zones, unbound validating them) and lib/dns's and
# lib/tlsa's secure lookups through it: a signed zone's MX, addresses
# and TLSA come back secure (AD), a denial in it too; an insecure
# delegation and a zone without an anchor come back insecure; a zone
# whose signatures do not chain to its anchor, or have expired, is
# SERVFAIL, a temporary failure; TLSA records are parsed as served and match the certificate
# they were made from, and only that one.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/5-dnssec.sh"
P=${POSTEL_BUILD:-$TOP/build}/t/drivers/dnssec_probe
[ -x "$P" ] || skip_all "no $P (run make first)"
command -v openssl >/dev/null 2>&1 || skip_all "openssl not installed"
plan 18

# two certificates; the TLSA records name the first one's key
for c in good other; do
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -days 2 -keyout "$T/$c.key" -out "$T/$c.pem" \
	    -subj /CN=mx.sec.test 2>/dev/null &&
	openssl x509 -in "$T/$c.pem" -outform DER -out "$T/$c.der" ||
	    { echo "# openssl failed"; exit 1; }
done
spki256=$(openssl x509 -in "$T/good.pem" -pubkey -noout |
    openssl pkey -pubin -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)
cert512=$(openssl dgst -sha512 -r "$T/good.der" | cut -d' ' -f1)

dnssec_zone sec.test signed <<EOF
@ MX 10 mx
mx A 127.0.54.3
_25._tcp.mx TLSA 3 1 1 $spki256
_25._tcp.mx TLSA 3 0 2 $cert512
mx2 A 127.0.54.5
_25._tcp.mx2 TLSA 1 1 1 $spki256
insecure NS ns.insecure
ns.insecure A 127.0.54.1
EOF
dnssec_zone insecure.sec.test unsigned <<EOF
@ MX 10 mx
mx A 127.0.54.4
_25._tcp.mx TLSA 3 1 1 $spki256
EOF
dnssec_zone plain.test unsigned <<EOF
@ MX 20 mx
mx A 127.0.54.6
EOF
dnssec_zone bogus.test bogus <<EOF
@ MX 10 mx
mx A 127.0.54.7
_25._tcp.mx TLSA 3 1 1 $spki256
EOF
dnssec_zone expired.test expired <<EOF
@ MX 10 mx
mx A 127.0.54.8
EOF
dnssec_start 127.0.54.1 127.0.54.2
ok $? "nsd serves the signed zones and unbound answers"

probe() { dnssec_run "$P" "$@" 2>&1; }
nl='
'
case $(dnssec_dig -D sec.test MX) in
*"flags: qr rd ra ad"*) ok 0 "unbound validates sec.test (drill sees AD)" ;;
*) ok 1 "unbound validates sec.test (drill sees AD)" ;;
esac
is "$(probe mx sec.test)" "status=ok ad=1${nl}10 mx.sec.test" \
    "signed MX: secure"
is "$(probe ip mx.sec.test)" "status=ok ad=1${nl}127.0.54.3" \
    "signed A (and no AAAA, securely denied): secure"
# unbound hands out an RRset's records in any order
is "$(probe tlsa mx.sec.test | LC_ALL=C sort)" \
    "3 0 2 $cert512${nl}3 1 1 $spki256${nl}status=ok ad=1 class=usable" \
    "signed TLSA: secure, usable, parsed as served"
is "$(probe match mx.sec.test "$T/good.der")" "match=2" \
    "the certificate matches both records (SPKI SHA-256, whole SHA-512)"
is "$(probe match mx.sec.test "$T/other.der")" "match=0" \
    "another certificate with the same name matches none"
is "$(probe tlsa mx2.sec.test)" \
    "status=ok ad=1 class=unusable${nl}1 1 1 $spki256" \
    "a PKIX-EE record only: unusable for SMTP"
is "$(probe mx mx.sec.test)" "status=none ad=1" \
    "a name without MX in the signed zone: secure denial"
is "$(probe mx nosuch.sec.test)" "status=nxdomain ad=1" \
    "a name that does not exist in the signed zone: secure NXDOMAIN"
is "$(probe mx insecure.sec.test)" "status=ok ad=0${nl}10 mx.insecure.sec.test" \
    "MX below an insecure delegation: insecure"
is "$(probe tlsa mx.insecure.sec.test)" \
    "status=ok ad=0 class=usable${nl}3 1 1 $spki256" \
    "TLSA below an insecure delegation: served, but insecure"
is "$(probe mx plain.test)" "status=ok ad=0${nl}20 mx.plain.test" \
    "MX of a zone without an anchor: insecure"
is "$(probe mx bogus.test)" "status=temp ad=0" \
    "MX of a zone signed with a key its anchor does not name: temporary"
is "$(probe tlsa mx.bogus.test)" "status=temp ad=0 class=none" \
    "TLSA of that zone: temporary, no records"
is "$(probe ip mx.bogus.test)" "status=temp ad=0" \
    "its addresses: temporary"
is "$(probe mx expired.test)" "status=temp ad=0" \
    "MX of a zone whose signatures expired: temporary"
is "$(probe mx example.org)" "status=temp ad=0" \
    "a name outside the test zones: SERVFAIL from the world itself"
done_testing
