#!/bin/sh
# 5421-remote-requiretls.t: REQUIRETLS (RFC 8689 4.2.1) in remote, in the
# DNSSEC world of t/5-dnssec.sh with t/5-sink.py peers. A message with the
# flag (enqueue -T) goes only over TLS whose certificate DANE verified, or
# a tls=verify route's check passed, and only to a host that offers
# REQUIRETLS, with MAIL ... REQUIRETLS; any other host is not used, and
# with none left the recipient fails with 5.7.30 (a host that could not
# be reached leaves it temporary). TLS-Required: No (RFC 8689 4.2.2) on a
# message without the flag waives DANE: delivered as opportunistic TLS
# would; with the flag the field is ignored.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/5-lib.sh"
. "$TOP/t/5-dnssec.sh"
command -v openssl >/dev/null 2>&1 || skip_all "openssl not installed"
[ -x "$B/enqueue" ] || skip_all "enqueue not built"
plan 34
setup_instance
Q=$POSTEL_ROOT/queue/new

cd "$T" || exit 1
req() {
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	    -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
}
spki256() {
	openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform DER |
	    openssl dgst -sha256 -r | cut -d' ' -f1
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -days 2 -keyout ca.key -out ca.pem -subj /CN=postel-rt-ca 2>/dev/null &&
req ee mx.example && openssl x509 -req -in ee.csr -signkey ee.key -days 2 \
    -out ee.pem 2>/dev/null &&
req other other.example && openssl x509 -req -in other.csr \
    -signkey other.key -days 2 -out other.pem 2>/dev/null &&
req relay mx-relay.rt.test &&
printf 'subjectAltName=DNS:mx-relay.rt.test\n' >relay.ext &&
openssl x509 -req -in relay.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
    -days 2 -extfile relay.ext -out relay.pem 2>/dev/null
ok $? "certificates made"
EE=$(spki256 ee.pem); OTHER=$(spki256 other.pem)
cd "$TOP" || exit 1

dnssec_zone rt.test signed <<EOF
ok MX 10 mx-ok
mx-ok A 127.0.65.11
_25._tcp.mx-ok TLSA 3 1 1 $EE
norq MX 10 mx-norq
mx-norq A 127.0.65.12
_25._tcp.mx-norq TLSA 3 1 1 $EE
nodane MX 10 mx-nodane
mx-nodane A 127.0.65.13
mis MX 10 mx-mis
mx-mis A 127.0.65.14
_25._tcp.mx-mis TLSA 3 1 1 $OTHER
down MX 10 mx-norq
down MX 20 mx-down
mx-down A 127.0.65.19
two MX 10 mx-norq
two MX 20 mx-ok
mx-relay A 127.0.65.15
EOF
dnssec_start 127.0.65.1 127.0.65.2
ok $? "nsd and unbound serve the signed zone"

sink_start ok 127.0.65.11:25 --tls "$T/ee.pem" "$T/ee.key" --requiretls
sink_start norq 127.0.65.12:25 --tls "$T/ee.pem" "$T/ee.key"
sink_start nodane 127.0.65.13:25 --tls "$T/ee.pem" "$T/ee.key" --requiretls
sink_start mis 127.0.65.14:25 --tls "$T/ee.pem" "$T/ee.key" --requiretls
sink_start relay 127.0.65.15:25 --tls "$T/relay.pem" "$T/relay.key" --requiretls
diag_on_fail "$T/log"

# enq [-T] [HEADER]: queue a message, print its id
enq() {
	_t=""; [ "${1-}" = -T ] && { _t=-T; shift; }
	printf '%sSubject: rt\n\nsecret\n' "${1-}" |
	    "$B/enqueue" $_t -f a@example.org x@example.net 2>>"$T/log"
}
# run ID DOMAIN: remote with the queue file at its message, as qrun runs it
run() {
	LD_PRELOAD=$WRAP RESOLV_WRAPPER_CONF=$T/resolv.conf $PY -c '
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.lseek(fd, open(sys.argv[1], "rb").read().index(b"\n\n") + 2, 0)
os.dup2(fd, 0)
os.execv(sys.argv[2], sys.argv[2:])' "$Q/$1" "$B/remote" "$2" a@example.org \
	    "ok@$2" >"$T/out" 2>"$T/err"
	cat "$T/err" >>"$T/log"
}
res() { cut -d' ' -f1-4 "$T/out" | head -n 1; }
mails() { grep -c '^MAIL' "$T/$1/verbs" 2>/dev/null; }
mailarg() { $PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["mail"])' "$T/$1/$2.env"; }
delivered="rcpt 1 ok
action 1 relayed"

m=$(enq -T)
grep -q '^flags requiretls$' "$Q/$m"; ok $? "enqueue -T: the flag in the envelope"

# DANE-verified, offers REQUIRETLS: delivered with the parameter
run "$m" ok.rt.test
is "$(cut -d' ' -f1-3 "$T/out")" "$delivered" "DANE-verified host offering REQUIRETLS: delivered"
case "$(mailarg ok 1)" in
*" REQUIRETLS") ok 0 "MAIL carried REQUIRETLS" ;;
*) ok 1 "MAIL carried REQUIRETLS: $(mailarg ok 1)" ;;
esac
grep -q '"tls": true' "$T/ok/1.env"; ok $? "over TLS"
grep -q 'remote: requiretls .*host=mx-ok.rt.test .*auth=dane' "$T/err"
ok $? "logged: requiretls auth=dane"

# DANE-verified, but REQUIRETLS not offered: 5.7.30, nothing sent
run "$m" norq.rt.test
is "$(res)" "rcpt 1 perm 5.7.30" "a host without REQUIRETLS: 5.7.30"
grep -q 'does not offer REQUIRETLS' "$T/out"; ok $? "the result says why"
is "$(mails norq)" 0 "no MAIL to it"
grep -q 'remote: fail .*host=mx-norq.rt.test .*requiretls=refused' "$T/err"
ok $? "the refusal is logged"

# no DANE (a secure zone without TLSA): TLS, but not authenticated
run "$m" nodane.rt.test
is "$(res)" "rcpt 1 perm 5.7.30" "no DANE: 5.7.30"
grep -q 'was not authenticated by DANE, MTA-STS' "$T/out"; ok $? "the result says why"
is "$(mails nodane)" 0 "no MAIL to it"

# the first MX cannot take it, the second can
run "$m" two.rt.test
is "$(cut -d' ' -f1-3 "$T/out")" "$delivered" "the next MX offering REQUIRETLS gets it"
is "$(mails norq)" 0 "still nothing to the first"
is "$(mails ok)" 2 "the second had MAIL"

# one MX refuses it, the other is down: temporary
run "$m" down.rt.test
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 temp" \
    "an MX that could not be reached keeps it temporary"
grep -q 'Connection refused' "$T/out"; ok $? "with that host's reason"

# a TLSA that does not match: not delivered (DANE's temporary failure)
run "$m" mis.rt.test
is "$(res)" "rcpt 1 temp 4.7.5" "TLSA mismatch: not delivered"
is "$(mails mis)" 0 "no MAIL"

# TLS-Required: No without the flag: DANE waived, opportunistic TLS
n=$(enq "TLS-Required: No
")
run "$n" mis.rt.test
is "$(cut -d' ' -f1-3 "$T/out")" "$delivered" "TLS-Required: No: delivered despite the TLSA"
grep -q 'remote: tls-required .*host=mx-mis.rt.test .*value=no policy=relaxed' "$T/err"
ok $? "the relaxation is logged"
grep -q '"tls": true' "$T/mis/1.env"; ok $? "still over TLS"
case "$(mailarg mis 1)" in *REQUIRETLS*) ok 1 "no REQUIRETLS on MAIL" ;; *) ok 0 "no REQUIRETLS on MAIL" ;; esac

# without the header field: the policy holds
n=$(enq)
run "$n" mis.rt.test
is "$(res)" "rcpt 1 temp 4.7.5" "without TLS-Required: No, DANE stops it"

# with REQUIRETLS too the field is ignored (RFC 8689 4.1)
n=$(enq -T "tls-required:  no
")
run "$n" mis.rt.test
is "$(res)" "rcpt 1 temp 4.7.5" "REQUIRETLS and TLS-Required: No: not delivered"
is "$(mails mis)" 1 "no further MAIL"

# a tls=dane route is the domain's policy too: waived the same way
printf 'nodane.rt.test mx tls=dane\n' >"$POSTEL_ROOT/conf/routes"
n=$(enq)
run "$n" nodane.rt.test
is "$(res)" "rcpt 1 temp 4.7.5" "tls=dane without TLSA: not delivered"
n=$(enq "TLS-Required:
  No
")
run "$n" nodane.rt.test
is "$(cut -d' ' -f1-3 "$T/out")" "$delivered" \
    "tls=dane and TLS-Required: No (folded): delivered"

# a configured relay whose certificate tls=verify checked
printf 'relay.test mx-relay.rt.test tls=verify\n' >"$POSTEL_ROOT/conf/routes"
echo "remote-ca-file $T/ca.pem" >>"$POSTEL_ROOT/conf/postel.conf"
run "$m" relay.test
is "$(cut -d' ' -f1-3 "$T/out")" "$delivered" "a tls=verify relay offering REQUIRETLS: delivered"
case "$(mailarg relay 1)" in
*" REQUIRETLS") ok 0 "with REQUIRETLS" ;; *) ok 1 "with REQUIRETLS" ;; esac
grep -q 'remote: requiretls .*auth=verify' "$T/err"; ok $? "logged: auth=verify"

# batch mode (-m): the flag comes from each envelope
LD_PRELOAD=$WRAP RESOLV_WRAPPER_CONF=$T/resolv.conf \
    "$B/remote" -m -- norq.rt.test "$m:1" <"$Q/$m" >"$T/out" 2>"$T/err"
cat "$T/err" >>"$T/log"
is "$(res)" "rcpt 1 perm 5.7.30" "batch mode: the same refusal"
done_testing
