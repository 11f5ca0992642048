#!/bin/sh
# 5404-remote-dane-batch.t: DANE in remote's batch mode (remote -m):
# the TLSA of the first MX does not match, so no message of the batch
# goes to it; the second MX, whose DANE-EE record matches, takes them
# all over one session, and each sent line says dane=verified.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/5-lib.sh"
. "$TOP/t/5-dnssec.sh"
command -v openssl >/dev/null 2>&1 || skip_all "openssl not installed"
[ -x "$B/enqueue" ] || skip_all "enqueue not built"
plan 9
setup_instance
Q=$POSTEL_ROOT/queue/new

mk() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -days 2 -keyout "$T/$1.key" -out "$T/$1.pem" \
	    -subj "/CN=$1.example" 2>/dev/null
}
mk good && mk bad
ok $? "certificates made"
spki() {
	openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform DER |
	    openssl dgst -sha256 -r | cut -d' ' -f1
}
dnssec_zone batch.test signed <<EOF
@ MX 10 mx1
@ MX 20 mx2
mx1 A 127.0.64.201
_25._tcp.mx1 TLSA 3 1 1 $(spki "$T/good.pem")
mx2 A 127.0.64.202
_25._tcp.mx2 TLSA 3 1 1 $(spki "$T/good.pem")
EOF
dnssec_start 127.0.64.199 127.0.64.200
ok $? "nsd and unbound serve the signed zone"
# mx1 presents a certificate its TLSA does not name
sink_start one 127.0.64.201:25 --tls "$T/bad.pem" "$T/bad.key"
sink_start two 127.0.64.202:25 --tls "$T/good.pem" "$T/good.key"

enq() {
	printf 'Subject: %s\n\n%s\n' "$1" "$1" | "$B/enqueue" -f "$2" "$3" \
	    2>>"$T/enqueue.log"
}
m1=$(enq one a@example.org ok1@batch.test)
m2=$(enq two b@example.org ok2@batch.test)
LD_PRELOAD=$WRAP RESOLV_WRAPPER_CONF=$T/resolv.conf \
    "$B/remote" -m -- batch.test "$m1:1" "$m2:1" <"$Q/$m1" 3<"$Q/$m2" \
    >"$T/out" 2>"$T/err"
diag_on_fail "$T/err"
is "$(cut -d' ' -f1-4 "$T/out" | tr '\n' /)" \
    "rcpt 1 ok 2.0.0/action 1 relayed/rcpt 2 ok 2.0.0/action 2 relayed/" \
    "both messages delivered"
grep -c '^MAIL' "$T/one/verbs" >"$T/n"
is "$(cat "$T/n")" 0 "no MAIL to the MX whose TLSA does not match"
is "$(cat "$T/two/sessions")" 1 "both over one session to the next MX"
raws() { set -- "$T/$1"/*.raw; [ -e "$1" ] && echo $# || echo 0; }
is "$(raws two)" 2 "two transactions there"
grep -q "^remote: fail session=[0-9]*\.1 host=mx1.batch.test .*dane=failed$" \
    "$T/err"; ok $? "the first session's failure: dane=failed"
grep -q '^remote: tls session=[0-9]*\.2 host=mx2.batch.test .* dane=verified tlsa=dane-ee$' \
    "$T/err"; ok $? "the second session's tls line: dane=verified"
is "$(grep -c '^remote: sent qid=.* session=[0-9]*\.2 .* dane=verified dsn=relayed$' "$T/err")" 2 \
    "a sent line per message, each dane=verified"
done_testing
