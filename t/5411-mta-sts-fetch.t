#!/bin/sh
# 5411-mta-sts-fetch.t: postel mta-sts, the sender's view of a domain's
# MTA-STS policy (RFC 8461): the _mta-sts TXT record from a dnsmasq, the
# policy from Python's HTTPS server on 127.0.57.x:443 with a test CA
# trusted through remote-ca-file. Good policies in enforce and testing
# mode, with mx patterns matched; and what makes a sender treat a domain
# as having no policy (a redirect, another status, another media type, a
# certificate that does not name the host, a bad policy, no record, two
# records), and what is only temporary (nothing listening).
. "$(dirname "$0")/lib.sh"
. "$TOP/t/5-lib.sh"
command -v openssl >/dev/null || skip_all "openssl not installed"
[ "$(id -u)" = 0 ] || skip_all "needs root to listen on port 443"
plan 18
setup_instance

cd "$T" || exit 1
mkcert() { # CA NAME: a certificate for NAME signed by CA
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	    -keyout "$2.key" -out "$2.csr" -subj "/CN=$2" 2>/dev/null &&
	printf 'subjectAltName=DNS:%s\n' "$2" > "$2.ext" &&
	openssl x509 -req -in "$2.csr" -CA "$1.pem" -CAkey "$1.key" \
	    -CAcreateserial -days 2 -extfile "$2.ext" -out "$2.pem" 2>/dev/null
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -nodes -days 2 -keyout ca.key -out ca.pem -subj "/CN=postel-sts-ca" \
    2>/dev/null
for d in good testing redirect notfound html badpolicy; do
	mkcert ca mta-sts.$d.test || break
done
mkcert ca mta-sts.other.test
ok $? "test certificates made"
cd "$TOP" || exit 1

# One HTTPS server per domain (its own address, its certificate), each
# serving PATH with the status, type and body given.
cat > "$T/sts.py" <<'PY'
import http.server, ssl, sys
addr, cert, key, status, ctype, bodyfile, ready = sys.argv[1:8]
body = open(bodyfile, 'rb').read()
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(ready + '.log', 'a') as f:
            f.write('%s %s\n' % (self.path, self.headers.get('Host')))
        if self.path != '/.well-known/mta-sts.txt':
            self.send_error(404)
            return
        self.send_response(int(status))
        if int(status) in (301, 302):
            self.send_header('Location', 'https://elsewhere.test/x')
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer((addr, 443), H)
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
c.load_cert_chain(cert, key)
s.socket = c.wrap_socket(s.socket, server_side=True)
open(ready, 'w').close()
s.serve_forever()
PY
sts() { # NAME IP CERTNAME STATUS TYPE BODYFILE
	$PY "$T/sts.py" "$2" "$T/mta-sts.$3.test.pem" "$T/mta-sts.$3.test.key" \
	    "$4" "$5" "$6" "$T/$1.ready" 2>"$T/$1.err" &
	reap $!
	wait_for 10 test -e "$T/$1.ready" || echo "# $1 did not start"
}
printf 'version: STSv1\r\nmode: enforce\r\nmx: mail.good.test\r\nmx: *.mx.good.test\r\nmax_age: 604800\r\n' > "$T/good.txt"
printf 'version: STSv1\nmode: testing\nmx: mx.testing.test\nmax_age: 86400\n' > "$T/testing.txt"
printf 'version: STSv1\nmode: enforce\nmax_age: 86400\n' > "$T/bad.txt"

dns_start 127.0.57.1 \
    --txt-record=_mta-sts.good.test,"v=STSv1; id=20261203T1;" \
    --host-record=mta-sts.good.test,127.0.57.2 \
    --txt-record=_mta-sts.testing.test,"v=STSv1; id=t2" \
    --host-record=mta-sts.testing.test,127.0.57.3 \
    --txt-record=_mta-sts.redirect.test,"v=STSv1; id=r1;" \
    --host-record=mta-sts.redirect.test,127.0.57.4 \
    --txt-record=_mta-sts.notfound.test,"v=STSv1; id=n1;" \
    --host-record=mta-sts.notfound.test,127.0.57.5 \
    --txt-record=_mta-sts.html.test,"v=STSv1; id=h1;" \
    --host-record=mta-sts.html.test,127.0.57.6 \
    --txt-record=_mta-sts.badpolicy.test,"v=STSv1; id=b1;" \
    --host-record=mta-sts.badpolicy.test,127.0.57.7 \
    --txt-record=_mta-sts.wrongcert.test,"v=STSv1; id=w1;" \
    --host-record=mta-sts.wrongcert.test,127.0.57.8 \
    --txt-record=_mta-sts.down.test,"v=STSv1; id=d1;" \
    --host-record=mta-sts.down.test,127.0.57.9 \
    --txt-record=_mta-sts.two.test,"v=STSv1; id=a1;" \
    --txt-record=_mta-sts.two.test,"v=STSv1; id=a2;" \
    --txt-record=_mta-sts.other.test,"v=spf1 -all"
sts good 127.0.57.2 good 200 text/plain "$T/good.txt"
sts testing 127.0.57.3 testing 200 "text/plain; charset=utf-8" "$T/testing.txt"
sts redirect 127.0.57.4 redirect 301 text/plain "$T/good.txt"
sts notfound 127.0.57.5 notfound 404 text/plain "$T/good.txt"
sts html 127.0.57.6 html 200 text/html "$T/good.txt"
sts badpolicy 127.0.57.7 badpolicy 200 text/plain "$T/bad.txt"
sts wrongcert 127.0.57.8 other 200 text/plain "$T/good.txt"

printf 'remote-ca-file %s\n' "$T/ca.pem" > "$POSTEL_ROOT/conf/postel.conf"
mts() {
	LD_PRELOAD=$WRAP RESOLV_WRAPPER_CONF=$T/resolv.conf \
	    "$B/postel" mta-sts "$@" >"$T/out" 2>"$T/err"
}

mts good.test mail.good.test MAIL.good.test. a.mx.good.test mx.good.test \
    b.a.mx.good.test evil.test
is "$?" 0 "enforce: a policy found"
is "$(cat "$T/out")" "id 20261203T1
mode enforce
max_age 604800
mx mail.good.test
mx *.mx.good.test
host mail.good.test allowed
host MAIL.good.test. allowed
host a.mx.good.test allowed
host mx.good.test refused
host b.a.mx.good.test refused
host evil.test refused" "enforce: the record's id, the policy, the mx patterns matched"
is "$(cat "$T/good.ready.log")" "/.well-known/mta-sts.txt mta-sts.good.test" \
    "the well-known path was asked for, with the Host field"

mts testing.test mx.testing.test
is "$?" 0 "testing: a policy found"
is "$(sed -n 2p "$T/out")" "mode testing" "testing: the mode, with a charset parameter on text/plain"

mts redirect.test
is "$?" 100 "a redirect is not followed: no policy"
grep -q 'answered 301' "$T/err"; ok $? "says the server redirected"
mts notfound.test
is "$?" 100 "a 404: no policy"
mts html.test
is "$?" 100 "text/html: no policy"
grep -q 'not text/plain' "$T/err"; ok $? "says the media type is wrong"
mts badpolicy.test
is "$?" 100 "a policy in enforce mode without mx: no policy"
grep -q 'no mx field' "$T/err"; ok $? "says what the policy lacks"
mts wrongcert.test
is "$?" 100 "a certificate for another name: no policy"
grep -q 'does not match the host name' "$T/err" &&
    ! test -e "$T/wrongcert.ready.log"
ok $? "says the name does not match, and asked for nothing"
mts two.test
is "$?" 100 "two STSv1 records: no policy (RFC 8461 3.1)"
mts other.test
is "$?" 100 "no STSv1 record: no policy"
mts down.test
is "$?" 111 "nothing listening: temporary"
done_testing
