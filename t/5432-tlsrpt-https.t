#!/bin/sh
# 5432-tlsrpt-https.t: postel tlsrpt --send POSTs a report to an https:
# rua (RFC 8460 5.4): t/543-post.py, a Python HTTPS server with a
# certificate from a test CA trusted through remote-ca-file, receives
# Content-Type application/tlsrpt+gzip and a body that gunzips to the
# report postel tlsrpt prints. A server that answers 500 leaves the day
# file for the next run, which exits 111.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/5-lib.sh"
command -v openssl >/dev/null || skip_all "openssl not installed"
command -v gzip >/dev/null || skip_all "gzip not installed"
plan 9
setup_instance

cd "$T" || exit 1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -nodes -days 2 -keyout ca.key -out ca.pem -subj "/CN=postel-rpt-ca" \
    2>/dev/null &&
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout web.key -out web.csr -subj "/CN=rpt.test" 2>/dev/null &&
printf 'subjectAltName=DNS:rpt.test,DNS:bad.test\n' > web.ext &&
openssl x509 -req -in web.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
    -days 2 -extfile web.ext -out web.pem 2>/dev/null
ok $? "test certificates made"
cd "$TOP" || exit 1

P=$(free_port)
P2=$(free_port)
post_start() { # NAME PORT STATUS
	mkdir -p "$T/$1"
	$PY "$TOP/t/543-post.py" 127.0.66.30 "$2" "$T/web.pem" "$T/web.key" \
	    "$T/$1" "$3" 2>"$T/$1.err" &
	reap $!
	diag_on_fail "$T/$1.err"
	wait_for 10 test -e "$T/$1/ready" || echo "# $1 server did not start"
}
post_start good "$P" 200
post_start bad "$P2" 500
dns_start 127.0.66.3 \
    --txt-record=_smtp._tls.sts.test,"v=TLSRPTv1; rua=https://rpt.test:$P/v1/tlsrpt" \
    --txt-record=_smtp._tls.fail.test,"v=TLSRPTv1; rua=https://bad.test:$P2/r" \
    --host-record=rpt.test,127.0.66.30 --host-record=bad.test,127.0.66.30
printf 'remote-ca-file %s\n' "$T/ca.pem" > "$POSTEL_ROOT/conf/postel.conf"

R=$POSTEL_ROOT/queue/tlsrpt
mkdir -p "$R"
printf 'sts.test\tsts\tsuccess\tmx1.sts.test\t127.0.66.11\nsts.test\tsts\tcertificate-expired\tmx1.sts.test\t127.0.66.11\n' \
    > "$R/2026-11-06"
printf 'fail.test\tsts\tsuccess\tmx1.fail.test\t127.0.66.11\n' > "$R/2026-11-07"
tlsrpt() {
	LD_PRELOAD=$WRAP RESOLV_WRAPPER_CONF=$T/resolv.conf \
	    "$B/postel" tlsrpt "$@"
}

tlsrpt --day 2026-11-06 > "$T/json" 2>"$T/err"
tlsrpt --day 2026-11-06 --send > "$T/out" 2>>"$T/err"
ok $? "--send to an https rua exits 0"
diag_on_fail "$T/err" "$T/out"
is "$(cat "$T/good/1.head" 2>&1)" "/v1/tlsrpt rpt.test:$P application/tlsrpt+gzip" \
    "POST to the rua's path with Content-Type application/tlsrpt+gzip" 
$PY "$TOP/t/543-check.py" gz "$T/good/1.body" "$T/got" 2>"$T/gzerr"
ok $? "the body gunzips"
diag_on_fail "$T/gzerr"
is "$($PY "$TOP/t/543-check.py" json "$T/got" sts.test 1 1 2>&1)" \
    "$($PY "$TOP/t/543-check.py" json "$T/json" sts.test 1 1 2>&1)" \
    "to the report postel tlsrpt prints"
ok "$(test -e "$R/2026-11-06.sent"; echo $?)" "the day file is marked sent"

tlsrpt --day 2026-11-07 --send > "$T/out" 2>"$T/err"
is $? 111 "a server answering 500: exit 111"
grep -q 'status 500' "$T/err"; ok $? "and says why"
ok "$(test -e "$R/2026-11-07" && test ! -e "$R/2026-11-07.sent"; echo $?)" \
    "the day file stays for the next run"
done_testing
