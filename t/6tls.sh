# t/6tls.sh: helpers for the TLS/AUTH tests (family 6), sourced after lib.sh
# and 3smtpd.sh. make_certs: a throw-away CA in $T/pki signing an EC P-256
# certificate (mx.pem, mx.key) and an RSA 2048 one (rsa.pem, rsa.key) for
# mx.example.test. checker: $T/checkpw, a checkpassword program that takes
# alice/secret (exit 0), refuses anything else (exit 1), answers 111 for
# user "tempfail", and logs each user name to $T/checkpw.log.
command -v openssl >/dev/null 2>&1 || skip_all "openssl not installed"

make_certs() {
	mkdir -p "$T/pki"
	(
	cd "$T/pki" || exit 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -days 2 -keyout ca.key -out ca.pem -subj /CN=postel-test-ca
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	    -keyout mx.key -out mx.csr -subj /CN=mx.example.test
	printf 'subjectAltName=DNS:mx.example.test\n' > san.ext
	openssl x509 -req -in mx.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
	    -days 2 -extfile san.ext -out mx.pem
	openssl req -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.csr \
	    -subj /CN=mx.example.test
	openssl x509 -req -in rsa.csr -CA ca.pem -CAkey ca.key \
	    -CAcreateserial -days 2 -extfile san.ext -out rsa.pem
	) >"$T/pki.log" 2>&1 || { cat "$T/pki.log" >&2; return 1; }
}

cat > "$T/checkpw" <<'EOF2'
#!/bin/sh
# checkpassword: fd 3 holds user\0password\0timestamp\0
data=$(od -An -c <&3 | tr -d ' \n')
user=${data%%\\0*}
rest=${data#*\\0}
pass=${rest%%\\0*}
echo "$user" >> "$(dirname "$0")/checkpw.log"
[ "$user" = tempfail ] && exit 111
[ "$user" = alice ] && [ "$pass" = secret ] && exit 0
exit 1
EOF2
chmod +x "$T/checkpw"

# tls_talk [-v] BYTES: like talk, but STARTTLS first with Python's ssl
# (trusting $T/pki/ca.pem, SNI mx.example.test); BYTES go in one write
# after the handshake. Prints the reply codes after the 220 of STARTTLS.
cat > "$T/tls_talk.py" <<'PYEOF'
import codecs, socket, ssl, sys
verbose = sys.argv[1] == "-v"
port, ca, data = sys.argv[2], sys.argv[3], sys.argv[4]
s = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
f = s.makefile("rb")
def reply():
    lines = []
    while True:
        l = f.readline().decode("latin-1").rstrip("\r\n")
        if not l:
            return lines
        lines.append(l)
        if len(l) < 4 or l[3] != "-":
            return lines
out = []
out += reply()
s.sendall(b"EHLO c.example.org\r\n")
out += reply()
s.sendall(b"STARTTLS\r\n")
out += reply()
ctx = ssl.create_default_context(cafile=ca)
t = ctx.wrap_socket(s, server_hostname="mx.example.test")
out.append("=== %s %s" % (t.version(), t.cipher()[0]))
t.sendall(codecs.escape_decode(data.encode())[0])
got = b""
while True:
    try:
        b = t.recv(65536)
    except (socket.timeout, ConnectionResetError, ssl.SSLError):
        break
    if not b:
        break
    got += b
out += [l for l in got.decode("latin-1").split("\r\n") if l]
if verbose:
    print("\n".join(out))
else:
    i = [n for n, l in enumerate(out) if l.startswith("===")][0]
    print(" ".join(l[:3] for l in out[i + 1:] if len(l) > 3 and l[3] == " "))
PYEOF

tls_talk() {
	if [ "$1" = -v ]; then
		$PY "$T/tls_talk.py" -v "$port" "$T/pki/ca.pem" "$2"
	else
		$PY "$T/tls_talk.py" - "$port" "$T/pki/ca.pem" "$1"
	fi
}
