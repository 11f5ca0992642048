#!/bin/sh
# 5006-remote-auth-verify.t: a route with auth= sends its credentials only
# over TLS whose certificate verifies (postel-routes(5)): to a relay with a
# certificate that does not (an attacker in the middle), remote defers and
# the password never goes out, even with tls=require written in the route;
# auth-unverified is the opt-out, and remote logs verified=no.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/5-lib.sh"
command -v openssl >/dev/null || skip_all "openssl not installed"
plan 17
setup_instance

cd "$T" || exit 1
# the provider's certificate, from a CA remote trusts, and a self-signed
# one for the same name, as an attacker would present
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -days 2 -keyout ca.key -out ca.pem -subj /CN=postel-test-ca 2>/dev/null &&
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout relay.key -out relay.csr -subj /CN=relay.auth.test 2>/dev/null &&
printf 'subjectAltName=DNS:relay.auth.test\n' > relay.ext &&
openssl x509 -req -in relay.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
    -days 2 -extfile relay.ext -out relay.pem 2>/dev/null &&
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -days 2 -keyout rogue.key -out rogue.pem -subj /CN=rogue.auth.test \
    -addext subjectAltName=DNS:rogue.auth.test 2>/dev/null
ok $? "test certificates made"
cd "$TOP" || exit 1

P1=$(free_port); P2=$(free_port)
dns_start 127.0.5.60 --host-record=relay.auth.test,127.0.5.61 \
    --host-record=rogue.auth.test,127.0.5.62
sink_start good 127.0.5.61:$P1 --tls "$T/relay.pem" "$T/relay.key" --auth 'u:Zq8pass'
sink_start rogue 127.0.5.62:$P2 --tls "$T/rogue.pem" "$T/rogue.key" --auth 'u:Zq8pass'
printf 'Subject: a\n\nrelayed\n' > "$T/msg"
printf 'remote-ca-file %s\n' "$T/ca.pem" > "$POSTEL_ROOT/conf/postel.conf"
cat > "$POSTEL_ROOT/conf/routes" <<EOR
good.test       relay.auth.test:$P1     auth=u:Zq8pass
mitm.test       rogue.auth.test:$P2     auth=u:Zq8pass
explicit.test   rogue.auth.test:$P2     auth=u:Zq8pass tls=require
optout.test     rogue.auth.test:$P2     auth=u:Zq8pass auth-unverified
EOR
diag_on_fail "$T/err"
nverbs() { # SINK VERB: how many times the sink got VERB
	grep -cx "$2" "$T/$1/verbs" 2>/dev/null
}

remote good.test a@example.org x@good.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" "auth= alone: delivered to a relay whose certificate verifies"
grep -q '"auth": "u"' "$T/good/1.env" && grep -q '"tls": true' "$T/good/1.env"
ok $? "authenticated over TLS"
grep -q '^remote: auth .*user=u verified=yes' "$T/err"; ok $? "logged verified=yes"

remote mitm.test a@example.org x@mitm.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/out")" "rcpt 1 temp 4.7.5" "auth= alone, certificate does not verify: temporary"
grep -q 'auth-unverified' "$T/out"; ok $? "the result names the opt-out"
is "$(nverbs rogue STARTTLS)" 1 "remote asked for TLS"
is "$(nverbs rogue AUTH)" 0 "and never sent AUTH: the password did not go out"
is "$(nverbs rogue MAIL)" 0 "nor the message"

remote explicit.test a@example.org x@explicit.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/out")" "rcpt 1 temp 4.7.5" "auth= with tls=require written: still a verified certificate"
is "$(nverbs rogue STARTTLS) $(nverbs rogue AUTH)" "2 0" "no AUTH sent either"

remote optout.test a@example.org x@optout.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" "auth-unverified: delivered over unverified TLS"
grep -q '"auth": "u"' "$T/rogue/1.env" && grep -q '"tls": true' "$T/rogue/1.env"
ok $? "with AUTH, after STARTTLS"
grep -q '^remote: auth .*user=u verified=no' "$T/err"; ok $? "logged verified=no"
grep -q 'Zq8pass' "$T/err" "$T/out"; ok $((! $?)) "the password is never logged"

echo "* [127.0.5.62]:$P2 auth-unverified" > "$POSTEL_ROOT/conf/routes"
expect_exit 111 "auth-unverified without auth= is a configuration error, temporary" \
    remote example.test a@example.org x@example.test
grep -q 'conf/routes:1: auth-unverified without auth=' "$T/.err"; ok $? "and says why"
done_testing
