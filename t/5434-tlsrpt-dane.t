#!/bin/sh
# 5434-tlsrpt-dane.t: remote records TLSRPT sessions (RFC 8460) under
# DANE (the DNSSEC world of t/5-dnssec.sh, t/5-sink.py with STARTTLS): a
# domain whose first MX has a TLSA record that does not match its
# certificate (validation-failure), whose second matches (success, the
# records kept in the line), and one whose MX offers no STARTTLS
# (starttls-not-supported). postel tlsrpt reports them as policy-type
# tlsa with the records as policy-string.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/5-lib.sh"
. "$TOP/t/5-dnssec.sh"
command -v openssl >/dev/null 2>&1 || skip_all "openssl not installed"
plan 7
setup_instance

cd "$T" || exit 1
req() {
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	    -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
}
spki256() {
	openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform DER |
	    openssl dgst -sha256 -r | cut -d' ' -f1
}
req ee mx-ee.rpt.test && openssl x509 -req -in ee.csr -signkey ee.key \
    -days 2 -out ee.pem 2>/dev/null &&
req other other.example && openssl x509 -req -in other.csr \
    -signkey other.key -days 2 -out other.pem 2>/dev/null
ok $? "certificates made"
EE=$(spki256 ee.pem); OTHER=$(spki256 other.pem)
cd "$TOP" || exit 1

dnssec_zone rpt.test signed <<EOF
mis MX 10 mx-bad
mis MX 20 mx-ee
mx-bad A 127.0.66.41
_25._tcp.mx-bad TLSA 3 1 1 $OTHER
mx-ee A 127.0.66.42
_25._tcp.mx-ee TLSA 3 1 1 $EE
strip MX 10 mx-strip
mx-strip A 127.0.66.43
_25._tcp.mx-strip TLSA 3 1 1 $EE
EOF
dnssec_start 127.0.66.7 127.0.66.8
ok $? "nsd and unbound serve the signed zone"
sink_start bad 127.0.66.41:25 --tls "$T/ee.pem" "$T/ee.key"
sink_start ee 127.0.66.42:25 --tls "$T/ee.pem" "$T/ee.key"
sink_start strip 127.0.66.43:25

printf 'Subject: dane\n\nsecret\n' >"$T/msg"
D=$(date -u +%Y-%m-%d)
F=$POSTEL_ROOT/queue/tlsrpt/$D
remote mis.rpt.test a@example.org ok@mis.rpt.test >"$T/out" 2>"$T/err"
diag_on_fail "$T/err"
is "$(cut -d' ' -f1-3 "$T/out" | head -1)" "rcpt 1 ok" "delivered by the second MX"
remote strip.rpt.test a@example.org ok@strip.rpt.test >"$T/out" 2>>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out" | head -1)" "rcpt 1 temp" "the stripping MX: deferred"
is "$(cat "$F")" "mis.rpt.test	tlsa	validation-failure	mx-bad.rpt.test	127.0.66.41	3 1 1 $OTHER
mis.rpt.test	tlsa	success	mx-ee.rpt.test	127.0.66.42	3 1 1 $EE
strip.rpt.test	tlsa	starttls-not-supported	mx-strip.rpt.test	127.0.66.43	3 1 1 $EE" \
    "one line per session, the result type and the TLSA records"

"$B/postel" tlsrpt --day "$D" > "$T/rep" 2>"$T/rerr"
diag_on_fail "$T/rerr"
is "$($PY "$TOP/t/543-check.py" json "$T/rep" mis.rpt.test 1 1 2>&1)" \
    "tlsa 3 1 1 $OTHER
validation-failure mx-bad.rpt.test 127.0.66.41 1" "mis.rpt.test: counted, the first records seen as policy-string"
is "$($PY "$TOP/t/543-check.py" json "$T/rep" strip.rpt.test 0 1 2>&1)" \
    "tlsa 3 1 1 $EE
starttls-not-supported mx-strip.rpt.test 127.0.66.43 1" "strip.rpt.test: counted"
done_testing
