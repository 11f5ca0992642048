#!/bin/sh
# 5003-remote-routes.t: conf/routes and the smarthost key: [ip]:port routes,
# host:port relays, subdomain and default routes, AUTH PLAIN/LOGIN over
# TLS only, implicit TLS (smtps, port 465), bad configuration is temporary.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/5-lib.sh"
command -v openssl >/dev/null || skip_all "openssl not installed"
plan 27
setup_instance

cd "$T" || exit 1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -days 2 -keyout relay.key -out relay.pem -subj /CN=relay.isp.test \
    -addext subjectAltName=DNS:relay.isp.test 2>/dev/null
ok $? "test certificate made"
cd "$TOP" || exit 1

P1=$(free_port); P2=$(free_port); P3=$(free_port); P4=$(free_port)
dns_start 127.0.5.30 --host-record=relay.isp.test,127.0.5.31
sink_start lit 127.0.5.32:$P1
sink_start relay 127.0.5.31:$P2 --tls "$T/relay.pem" "$T/relay.key" --auth 'me@isp.test:s3cr:t'
sink_start smtps 127.0.5.31:$P4 --smtps "$T/relay.pem" "$T/relay.key" --auth 'me@isp.test:pw'
sink_start s465 127.0.5.35:465 --smtps "$T/relay.pem" "$T/relay.key"
sink_start login 127.0.5.33:$P3 --tls "$T/relay.pem" "$T/relay.key" --auth 'u:p'
printf 'Subject: r\n\nrouted\n' > "$T/msg"

cat > "$POSTEL_ROOT/conf/routes" <<EOR
# domain        relay                   options
lit.test        [127.0.5.32]:$P1
.sub.test       [127.0.5.32]:$P1        tls=none
relay.test      relay.isp.test:$P2      tls=verify auth=me@isp.test:s3cr:t
noauth.test     relay.isp.test:$P2
login.test      [127.0.5.33]:$P3        auth=u:p
badpass.test    [127.0.5.33]:$P3        auth=u:wrong
cleartext.test  [127.0.5.32]:$P1        auth=u:p tls=none
smtps.test      relay.isp.test:$P4      smtps tls=verify auth=me@isp.test:pw
plain.test      [127.0.5.32]:$P1        smtps
p465.test       [127.0.5.35]:465
mxsmtps.test    mx                      smtps
EOR
printf 'remote-ca-file %s\n' "$T/relay.pem" > "$POSTEL_ROOT/conf/postel.conf"

remote lit.test a@example.org x@lit.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" "[ip]:port route skips DNS"
remote deep.sub.test a@example.org x@deep.sub.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" ".domain route covers subdomains"
is "$(ls "$T/lit" | grep -c raw)" 2 "both reached the literal route's host"

remote relay.test a@example.org x@relay.test y@relay.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out" | tr '\n' /)" "rcpt 1 ok/action 1 relayed/rcpt 2 ok/action 2 relayed/" "smarthost with AUTH PLAIN over verified TLS"
grep -q '"auth": "me@isp.test"' "$T/relay/1.env" && grep -q '"tls": true' "$T/relay/1.env"
ok $? "authenticated after STARTTLS"
grep -q 's3cr' "$T/err" "$T/out"; ok $((! $?)) "the password is never logged"

remote noauth.test a@example.org x@noauth.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/out")" "rcpt 1 temp 4.7.0" "a relay's 530 (AUTH required) is temporary: our setup, not the sender's fault"
remote login.test a@example.org x@login.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" "AUTH LOGIN (credentials force TLS)"
grep -q '"auth": "u"' "$T/login/1.env"; ok $? "LOGIN authenticated"

remote badpass.test a@example.org x@badpass.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/out")" "rcpt 1 temp 4.7.0" "rejected credentials are temporary, not a bounce"
grep -q '535' "$T/out"; ok $? "the relay's 535 is quoted"

remote cleartext.test a@example.org x@cleartext.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/out")" "rcpt 1 temp 4.7.4" "credentials and no STARTTLS: not sent, temporary"
is "$(ls "$T/lit" | grep -c raw)" 2 "nothing sent in the clear"

remote smtps.test a@example.org x@smtps.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" "smtps: implicit TLS, verified, with AUTH"
grep -q '"tls": true' "$T/smtps/1.env" && grep -q '"auth": "me@isp.test"' "$T/smtps/1.env"
ok $? "the sink saw TLS from the start and the login"
remote plain.test a@example.org x@plain.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/out")" "rcpt 1 temp 4.7.5" "smtps to a plaintext server: the handshake fails, temporary"
is "$(ls "$T/lit" | grep -c raw)" 2 "and nothing goes in the clear"
remote p465.test a@example.org x@p465.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" "port 465 means implicit TLS without saying smtps"
grep -q '"tls": true' "$T/s465/1.env"; ok $? "over TLS"
expect_exit 111 "smtps with an mx route is a configuration error, temporary" remote mxsmtps.test a@example.org x@mxsmtps.test
grep -q 'smtps needs a relay host' "$T/.err"; ok $? "and says why"

printf 'remote-ca-file %s\nsmarthost [127.0.5.32]:%s\n' "$T/relay.pem" "$P1" > "$POSTEL_ROOT/conf/postel.conf"
rm "$POSTEL_ROOT/conf/routes"
remote anywhere.example a@example.org x@anywhere.example >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" "the smarthost key is the default route"
is "$(ls "$T/lit" | grep -c raw)" 3 "delivered to the smarthost"

echo "example.test relay.isp.test:99999" > "$POSTEL_ROOT/conf/routes"
expect_exit 111 "bad port in conf/routes is temporary" remote example.test a@example.org x@example.test
grep -q 'conf/routes:1: bad port' "$T/.err"; ok $? "names file and line"
echo "* [127.0.5.32] tls=sometimes" > "$POSTEL_ROOT/conf/routes"
expect_exit 111 "bad tls= value is temporary" remote example.test a@example.org x@example.test
done_testing
