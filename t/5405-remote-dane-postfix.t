#!/bin/sh
# 5405-remote-dane-postfix.t: DANE against a real receiving MTA: Debian's
# Postfix (t/5-postfix.sh) with STARTTLS and a certificate from a test
# CA, its MX names in a signed zone of t/5-dnssec.sh. DANE-EE 3 1 1 and
# DANE-TA 2 0 1 deliver into its mailbox with dane=verified; a TLSA that
# names another key sends it nothing. Needs root.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/5-lib.sh"
. "$TOP/t/5-dnssec.sh"
. "$TOP/t/5-postfix.sh"
command -v openssl >/dev/null 2>&1 || skip_all "openssl not installed"
pf_prepare
plan 13
setup_instance

cd "$T" || exit 1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -days 2 -keyout ca.key -out ca.pem -subj /CN=postel-dane-ca 2>/dev/null &&
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout pf.key -out pf.csr -subj /CN=mx.pfd.test 2>/dev/null &&
printf 'subjectAltName=DNS:mx.pfd.test,DNS:mxta.pfd.test\n' >pf.ext &&
openssl x509 -req -in pf.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
    -days 2 -extfile pf.ext -out pf.pem 2>/dev/null &&
cat pf.pem ca.pem >pf.chain &&
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -days 2 -keyout other.key -out other.pem -subj /CN=other 2>/dev/null &&
chmod 644 pf.key pf.chain
ok $? "certificates made"
cd "$TOP" || exit 1
spki() {
	openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform DER |
	    openssl dgst -sha256 -r | cut -d' ' -f1
}
PFIP=127.0.64.50
port=$(pf_free_port $PFIP)
dnssec_zone pfd.test signed <<EOF
ee MX 10 mx
ta MX 10 mxta
bad MX 10 mxbad
mx A $PFIP
mxta A $PFIP
mxbad A $PFIP
_25._tcp.mx TLSA 3 1 1 $(spki "$T/pf.pem")
_25._tcp.mxta TLSA 2 0 1 $(openssl x509 -in "$T/ca.pem" -outform DER |
    openssl dgst -sha256 -r | cut -d' ' -f1)
_25._tcp.mxbad TLSA 3 1 1 $(spki "$T/other.pem")
EOF
dnssec_start 127.0.64.51 127.0.64.52
ok $? "nsd and unbound serve the signed zone"

# nothing relays through it: the relay is a port nobody listens on
pf_start "$T/pf" "$PFIP:$port" pfd.test "127.0.64.53:9" bob
ok $? "Postfix runs on $PFIP"
# TLS on, and tlsmgr, without which smtpd has no entropy and no TLS
_pf postconf -c "$PF_DIR/conf" -e smtpd_tls_security_level=may \
    "smtpd_tls_chain_files=$T/pf.key,$T/pf.chain" >/dev/null 2>&1 &&
_pf postconf -c "$PF_DIR/conf" \
    -M "tlsmgr/unix=tlsmgr unix - - n 1000? 1 tlsmgr" >/dev/null 2>&1 &&
_pf postfix -c "$PF_DIR/conf" reload >/dev/null 2>&1
starttls() {
	$PY -c 'import smtplib,sys
s = smtplib.SMTP(sys.argv[1], int(sys.argv[2]), timeout=5)
s.ehlo("probe")
ok = s.has_extn("starttls")
s.quit()
sys.exit(0 if ok else 1)' "$PFIP" "$port" 2>/dev/null
}
wait_for 20 starttls
ok $? "after a reload it offers STARTTLS"

printf 'remote-port %s\n' "$port" >"$POSTEL_ROOT/conf/postel.conf"
printf 'Subject: dane to postfix\n\nsecret\n' >"$T/msg"
: >"$T/log"
diag_on_fail "$T/log"
run() {
	remote "$1" a@example.org bob@pfd.test >"$T/out" 2>"$T/err"
	cat "$T/err" >>"$T/log"
}

run ee.pfd.test
is "$(cut -d' ' -f1-4 "$T/out" | head -n 1)" "rcpt 1 ok 2.0.0" \
    "DANE-EE: Postfix accepted it"
grep -q 'remote: tls host=mx.pfd.test .* dane=verified tlsa=dane-ee$' "$T/err"
ok $? "dane=verified by DANE-EE"
wait_for 20 pf_has_mail bob 1
ok $? "in bob's mailbox"

run ta.pfd.test
grep -q 'remote: tls host=mxta.pfd.test .* dane=verified tlsa=dane-ta$' "$T/err"
ok $? "DANE-TA: dane=verified, the name checked"
wait_for 20 pf_has_mail bob 2
ok $? "in bob's mailbox"

run bad.pfd.test
is "$(cut -d' ' -f1-4 "$T/out" | head -n 1)" "rcpt 1 temp 4.7.5" \
    "a TLSA naming another key: temporary"
sleep 1
pf_has_mail bob 2
ok $? "nothing more reached Postfix"
is "$(grep -c 'disconnect from .* ehlo=2 starttls=1 mail=1 rcpt=1 data=1 quit=1 commands=7$' "$(pf_log)")" 2 \
    "Postfix logged two sessions with STARTTLS and a message each"
is "$(grep -c 'disconnect from .* ehlo=1 starttls=0/1 commands=1/2$' "$(pf_log)")" 1 \
    "and one whose handshake remote broke off, with no MAIL"
done_testing
