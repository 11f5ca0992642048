#!/bin/sh
# 5002-remote-tls.t: STARTTLS policies: verify (good chain, wrong name,
# unknown CA), opportunistic (untrusted certificate, no STARTTLS, failed
# handshake falls back to plaintext), require without STARTTLS.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/5-lib.sh"
command -v openssl >/dev/null || skip_all "openssl not installed"
plan 20
setup_instance

cd "$T" || exit 1
mkcert() { # CA-NAME CN
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	    -keyout "$2.key" -out "$2.csr" -subj "/CN=$2" 2>/dev/null &&
	printf 'subjectAltName=DNS:%s\n' "$2" > "$2.ext" &&
	openssl x509 -req -in "$2.csr" -CA "$1.pem" -CAkey "$1.key" \
	    -CAcreateserial -days 2 -extfile "$2.ext" -out "$2.pem" 2>/dev/null
}
for ca in ca otherca; do
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -days 2 -keyout $ca.key -out $ca.pem -subj "/CN=postel-$ca" \
	    2>/dev/null
done
mkcert ca mx.tls.test && mkcert otherca mx.other.test
ok $? "test certificates made"
cd "$TOP" || exit 1

dns_start 127.0.5.20 \
    --mx-host=tls.test,mx.tls.test,10 --host-record=mx.tls.test,127.0.5.21 \
    --mx-host=wrongname.test,mx.wrongname.test,10 \
    --host-record=mx.wrongname.test,127.0.5.21 \
    --mx-host=other.test,mx.other.test,10 --host-record=mx.other.test,127.0.5.23 \
    --mx-host=plain.test,mx.plain.test,10 --host-record=mx.plain.test,127.0.5.24 \
    --mx-host=new.test,mx.new.test,10 --host-record=mx.new.test,127.0.5.25 \
    --mx-host=mute.test,mx.mute.test,10 --host-record=mx.mute.test,127.0.5.26
sink_start good 127.0.5.21:25 --tls "$T/mx.tls.test.pem" "$T/mx.tls.test.key"
sink_start other 127.0.5.23:25 --tls "$T/mx.other.test.pem" "$T/mx.other.test.key"
sink_start plain 127.0.5.24:25
sink_start mute 127.0.5.26:25 --tls "$T/mx.tls.test.pem" "$T/mx.tls.test.key" --tls-hang
sink_start new 127.0.5.25:25 --tls "$T/mx.tls.test.pem" "$T/mx.tls.test.key" --tls13-only

printf 'Subject: tls\n\nsecret\n' > "$T/msg"
printf 'remote-tls verify\nremote-ca-file %s\n' "$T/ca.pem" > "$POSTEL_ROOT/conf/postel.conf"

remote tls.test a@example.org ok@tls.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" "verify: delivered over a verified chain"
grep -q '"tls": true' "$T/good/1.env"; ok $? "the sink saw TLS"
grep -q '"tls_version": "TLSv1.2"' "$T/good/1.env"; ok $? "TLS 1.2 was used"
grep -q 'remote: tls .*version=TLSv1.2 cipher=ECDHE-ECDSA-' "$T/err"; ok $? "protocol and ECDHE cipher logged"

remote wrongname.test a@example.org ok@wrongname.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/out")" "rcpt 1 temp 4.7.5" "verify: wrong name is temporary"
grep -q 'does not match the host name' "$T/out"; ok $? "says the name does not match"

remote other.test a@example.org ok@other.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/out")" "rcpt 1 temp 4.7.5" "verify: unknown CA is temporary"
grep -q 'not trusted' "$T/out"; ok $? "says the certificate is not trusted"
is "$(ls "$T/other" | grep -c raw)" 0 "nothing sent to the unverified host"

remote plain.test a@example.org ok@plain.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/out")" "rcpt 1 temp 4.7.4" "verify: a host without STARTTLS is temporary"

echo "remote-tls opportunistic" > "$POSTEL_ROOT/conf/postel.conf"
remote other.test a@example.org ok@other.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" "opportunistic: untrusted certificate still encrypts"
grep -q '"tls": true' "$T/other/1.env"; ok $? "over TLS"

remote plain.test a@example.org ok@plain.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" "opportunistic: plaintext when STARTTLS is not offered"
grep -q 'remote: notls .*reason="not offered"' "$T/err"; ok $? "plaintext is logged"

remote new.test a@example.org ok@new.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" "opportunistic: failed handshake falls back to plaintext"

printf 'remote-timeout-command 1\n' >> "$POSTEL_ROOT/conf/postel.conf"
remote mute.test a@example.org ok@mute.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" "opportunistic: a handshake that times out falls back to plaintext"
grep -q 'TLS handshake with .* failed: Connection timed out' "$T/err"; ok $? "the timeout is logged"
printf 'remote-tls require\nremote-timeout-command 1\n' > "$POSTEL_ROOT/conf/postel.conf"
remote mute.test a@example.org ok@mute.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/out")" "rcpt 1 temp 4.7.5" "require: a handshake that times out is temporary"

printf 'example.test mx tls=require\n* mx\nplain.test mx tls=require\n' > "$POSTEL_ROOT/conf/routes"
remote plain.test a@example.org ok@plain.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/out")" "rcpt 1 temp 4.7.4" "route tls=require without STARTTLS is temporary"
done_testing
