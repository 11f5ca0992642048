#!/bin/sh
# 5422-qrun-requiretls-bounce.t: the report of a REQUIRETLS message that
# could not be delivered (RFC 8689 5), through qrun and remote in the
# DNSSEC world of t/5-dnssec.sh: the recipient fails with 5.7.30, and
# the report goes back with REQUIRETLS itself (to the sender's MX, DANE-
# verified and offering it, with MAIL ... REQUIRETLS) and returns the
# header section only, even when RET=FULL asked for the whole message.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/5-lib.sh"
. "$TOP/t/5-dnssec.sh"
command -v openssl >/dev/null 2>&1 || skip_all "openssl not installed"
for p in qrun enqueue remote; do
	[ -x "$B/$p" ] || skip_all "$p not built"
done
plan 10
setup_instance
echo "me mx.example.test" >"$POSTEL_ROOT/conf/postel.conf"
chmod a+r "$POSTEL_ROOT/conf/postel.conf"

cd "$T" || exit 1
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout ee.key -out ee.csr -subj /CN=mx.example 2>/dev/null &&
openssl x509 -req -in ee.csr -signkey ee.key -days 2 -out ee.pem 2>/dev/null
ok $? "certificate made"
EE=$(openssl x509 -in ee.pem -pubkey -noout | openssl pkey -pubin -outform DER |
    openssl dgst -sha256 -r | cut -d' ' -f1)
cd "$TOP" || exit 1
dnssec_zone rt2.test signed <<EOF
home MX 10 mx-home
mx-home A 127.0.65.31
_25._tcp.mx-home TLSA 3 1 1 $EE
far MX 10 mx-far
mx-far A 127.0.65.32
_25._tcp.mx-far TLSA 3 1 1 $EE
EOF
dnssec_start 127.0.65.21 127.0.65.22
ok $? "nsd and unbound serve the signed zone"
sink_start home 127.0.65.31:25 --tls "$T/ee.pem" "$T/ee.key" --requiretls
sink_start far 127.0.65.32:25 --tls "$T/ee.pem" "$T/ee.key"
diag_on_fail "$T/qrun.log"
qpass() {
	LD_PRELOAD=$WRAP RESOLV_WRAPPER_CONF=$T/resolv.conf \
	    "$B/qrun" -1 -f >>"$T/qrun.log" 2>&1
}

printf 'Subject: private\n\nthe secret body\n' |
    "$B/enqueue" -T -R full -f bob@home.rt2.test x@far.rt2.test \
    >/dev/null 2>>"$T/qrun.log"
is "$?" 0 "queued with REQUIRETLS and RET=FULL"
for i in 1 2 3; do
	[ -e "$T/home/1.raw" ] && break
	qpass
done
grep -q 'status=perm dsn=5.7.30' "$T/qrun.log"; ok $? "the recipient failed with 5.7.30"
is "$(grep -c '^MAIL' "$T/far/verbs" 2>/dev/null)" 0 "nothing sent to the MX without REQUIRETLS"
test -e "$T/home/1.raw"; ok $? "the report reached the sender's MX"
case "$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["mail"])' "$T/home/1.env" 2>/dev/null)" in
"<> "*REQUIRETLS) ok 0 "sent with REQUIRETLS" ;;
*) ok 1 "sent with REQUIRETLS" ;;
esac
grep -q '^Status: 5.7.30' "$T/home/1.raw"; ok $? "the report says 5.7.30"
grep -q '^Content-Type: text/rfc822-headers' "$T/home/1.raw" &&
    grep -q '^Subject: private' "$T/home/1.raw"
ok $? "it returns the header section"
grep -q 'the secret body' "$T/home/1.raw"; ok $((! $?)) "and not the body"
done_testing
