#!/bin/sh
# 6001-smtpd-starttls.t: STARTTLS (RFC 3207) with real clients: offered
# only with a readable key, handshake and certificate as configured (EC
# and RSA), no answer to plaintext pipelined after STARTTLS, state reset,
# second STARTTLS refused, broken handshakes, tls-require, Received:.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/3smtpd.sh"
. "$(dirname "$0")/6tls.sh"
plan 34
setup_instance
make_certs || { echo "Bail out! openssl could not make certificates"; exit 1; }
TLSCONF="tls-cert $T/pki/mx.pem"
conf "$TLSCONF" "tls-key $T/pki/mx.key"
start_smtpd

out=$(talk -v 'EHLO c.example.org\r\nQUIT\r\n')
echo "$out" | grep -q '^250-STARTTLS$'; ok $? "EHLO offers STARTTLS with a key"
echo "$out" | grep -q 'AUTH'; ok $((! $?)) "no AUTH without a checker"

# openssl s_client: handshake and the certificate as configured
sclient() {
	printf 'EHLO x\r\nQUIT\r\n' | timeout 10 openssl s_client -brief \
	    -starttls smtp -connect "127.0.0.1:$port" -CAfile "$T/pki/ca.pem" \
	    -servername mx.example.test -verify_return_error \
	    -verify_hostname mx.example.test -ign_eof "$@" 2>&1
}
out=$(sclient)
is "$?" 0 "openssl s_client -starttls smtp completes"
echo "$out" | grep -q '^Protocol version: TLSv1.2$'; ok $? "TLS 1.2"
echo "$out" | grep -q '^Ciphersuite: ECDHE-ECDSA-AES256-GCM-SHA384$'; ok $? "ECDHE AEAD suite, the server's first choice"
echo "$out" | grep -q '^Verification: OK$'; ok $? "chain verifies against the test CA"
echo "$out" | grep -q 'Peer certificate: CN *= *mx.example.test'; ok $? "the configured certificate"
echo "$out" | grep -q '^221 '; ok $? "SMTP goes on inside TLS"
out=$(printf 'QUIT\r\n' | timeout 10 openssl s_client -brief -starttls smtp \
    -connect "127.0.0.1:$port" -tls1_1 2>&1)
echo "$out" | grep -q '^Protocol version: TLSv1.1'; ok $((! $?)) "TLS 1.1 refused"
grep -q '^smtpd: starttls sid=.* result=ok tls=TLSv1.2 cipher=ECDHE-ECDSA-AES256-GCM-SHA384 sni=mx.example.test discarded=0$' "$T/smtpd.log"; ok $? "logs protocol, cipher and SNI"

# after STARTTLS: a fresh EHLO is needed, STARTTLS is not offered again
out=$(tls_talk -v 'MAIL FROM:<a@b.org>\r\nEHLO c.example.org\r\nSTARTTLS\r\nQUIT\r\n')
is "$(echo "$out" | sed '1,/^===/d' | grep '^[0-9][0-9][0-9] ' | cut -c1-3 | tr '\n' ' ')" "503 250 554 221 " "state reset: MAIL needs EHLO again; second STARTTLS is 554"
echo "$out" | sed '1,/^===/d' | grep -q STARTTLS; ok $((! $?)) "EHLO after TLS does not offer STARTTLS"

# CVE-2011-0411: a command pipelined with STARTTLS gets no answer
$PY - "$port" "$T/pki/ca.pem" > "$T/inject.out" <<'PYEOF'
import socket, ssl, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
f = s.makefile("rb")
def reply():
    r = []
    while True:
        l = f.readline().decode()
        r.append(l.strip())
        if l[3:4] != "-":
            return r
reply()
s.sendall(b"EHLO c.example.org\r\n"); reply()
s.sendall(b"STARTTLS\r\nRSET\r\nMAIL FROM:<evil@example.org>\r\n")
print(reply()[-1][:3])
t = ssl.create_default_context(cafile=sys.argv[2]).wrap_socket(
    s, server_hostname="mx.example.test")
t.sendall(b"QUIT\r\n")
got = b""
while True:
    b = t.recv(4096)
    if not b:
        break
    got += b
print(" ".join(l[:3] for l in got.decode().split("\r\n") if l))
PYEOF
is "$(tr '\n' ' ' < "$T/inject.out")" "220 221 " "injected RSET and MAIL get no answer, inside or outside TLS"
grep -q 'result=ok .* discarded=36$' "$T/smtpd.log"; ok $? "the discarded octets are logged"

# a message over TLS: Received: says ESMTPS and names the cipher
out=$(tls_talk 'EHLO c.example.org\r\nMAIL FROM:<a@b.org>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\nSubject: tls\r\n\r\nhi\r\n.\r\nQUIT\r\n')
is "$out" "250 250 250 354 250 221" "mail over TLS is queued"
f=$(last_msg)
msg_body "$f" | sed -n 2p | grep -q '^	(using TLSv1.2 with cipher ECDHE-ECDSA-AES256-GCM-SHA384)$'; ok $? "Received: names protocol and cipher"
msg_body "$f" | sed -n 3p | grep -q '^	by mx.example.test (postel) with ESMTPS id [0-9.]*;$'; ok $? "Received: says ESMTPS"
grep -q '^smtpd: accepted .* tls=TLSv1.2$' "$T/smtpd.log"; ok $? "accepted line says tls=TLSv1.2"

# broken handshakes end the session, never in plaintext
$PY - "$port" <<'PYEOF' > "$T/broken.out"
import socket, sys
def session(after):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
    s.recv(1024)
    s.sendall(b"STARTTLS\r\n")
    s.recv(1024)
    s.sendall(after)
    if after.startswith(b"\x16"):
        s.close()           # closes in the middle of the handshake
        return "closed"
    got = b""
    while True:
        try:
            b = s.recv(4096)
        except OSError:
            break
        if not b:
            break
        got += b
    return "eof-plaintext" if b"250" in got or b"500" in got else "eof"
print(session(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"))
print(session(b"EHLO garbage.example.org\r\nMAIL FROM:<a@b.org>\r\n"))
PYEOF
is "$(tr '\n' ' ' < "$T/broken.out")" "closed eof " "garbage instead of a ClientHello: no plaintext answer, connection closed"
wait_for 5 sh -c "[ \$(grep -c '^smtpd: disconnect .*result=tls-error tls=no' '$T/smtpd.log') -ge 2 ]"
ok $? "both sessions end with result=tls-error"
grep -q '^smtpd: starttls .*result=failed error=' "$T/smtpd.log"; ok $? "a failed handshake is logged with its reason"

# RSA key
conf "tls-cert $T/pki/rsa.pem" "tls-key $T/pki/rsa.key"
out=$(sclient)
echo "$out" | grep -q '^Ciphersuite: ECDHE-RSA-AES256-GCM-SHA384$'; ok $? "RSA key: ECDHE-RSA suite"
echo "$out" | grep -q '^Verification: OK$'; ok $? "RSA certificate verifies"

# no key, a bad key, a key of another certificate: no STARTTLS, one line why
for k in "$T/pki/nonexistent.key" "$T/pki/ca.pem" "$T/pki/mx.key"; do
	: > "$T/smtpd.log"
	conf "tls-cert $T/pki/rsa.pem" "tls-key $k"
	out=$(talk -v 'EHLO c.example.org\r\nSTARTTLS\r\nQUIT\r\n')
	echo "$out" | grep -q STARTTLS; ok $((! $?)) "$(basename "$k"): STARTTLS not offered"
	is "$(echo "$out" | grep -c '^454 4.7.0')" 1 "$(basename "$k"): STARTTLS answers 454"
	grep -q '^smtpd: notls sid=.* reason=' "$T/smtpd.log"; ok $? "$(basename "$k"): logged why"
done

# tls-require: 530 before TLS, fine after
conf "$TLSCONF" "tls-key $T/pki/mx.key" "tls-require 1"
is "$(talk 'EHLO c.example.org\r\nMAIL FROM:<a@b.org>\r\nQUIT\r\n')" "220 250 530 221" "tls-require: MAIL before STARTTLS is 530"
is "$(tls_talk 'EHLO c.example.org\r\nMAIL FROM:<a@b.org>\r\nQUIT\r\n')" "250 250 221" "tls-require: MAIL after STARTTLS is 250"
done_testing
