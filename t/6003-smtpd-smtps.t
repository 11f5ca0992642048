#!/bin/sh
# 6003-smtpd-smtps.t: implicit TLS for port 465 (SMTPS=1 in the
# environment, or the smtps key), TLSREQUIRE=1 and AUTHREQUIRE=1 (or the
# auth-require key) for a submission port that shares the instance with
# port 25.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/3smtpd.sh"
. "$(dirname "$0")/6tls.sh"
plan 12
setup_instance
make_certs || { echo "Bail out! openssl could not make certificates"; exit 1; }
conf "tls-cert $T/pki/mx.pem" "tls-key $T/pki/mx.key" \
    "auth-checkpassword $T/checkpw" "auth-fail-delay 0"
start_smtpd SMTPS=1
P=$(printf '\0alice\0secret' | base64)

out=$(printf 'EHLO x\r\nQUIT\r\n' | timeout 10 openssl s_client -brief \
    -connect "127.0.0.1:$port" -CAfile "$T/pki/ca.pem" \
    -servername mx.example.test -verify_return_error -ign_eof 2>&1 | tr -d "\r")
echo "$out" | grep -q '^Verification: OK$'; ok $? "SMTPS: TLS handshake before anything"
echo "$out" | grep -q '^220 mx.example.test ESMTP'; ok $? "SMTPS: greeting inside TLS"
echo "$out" | grep -q '^250-AUTH PLAIN LOGIN$'; ok $? "SMTPS: AUTH offered, STARTTLS not"
echo "$out" | grep -q 'STARTTLS'; ok $((! $?)) "SMTPS: no STARTTLS"
out=$(talk 'EHLO x\r\nQUIT\r\n')
is "$out" "" "SMTPS: a plaintext client gets no SMTP reply"

start_smtpd TLSREQUIRE=1
is "$(talk 'EHLO c.example.org\r\nMAIL FROM:<a@b.org>\r\nQUIT\r\n')" "220 250 530 221" "TLSREQUIRE: MAIL before STARTTLS is 530"
is "$(tls_talk "EHLO c.example.org\r\nAUTH PLAIN $P\r\nMAIL FROM:<a@b.org>\r\nRCPT TO:<x@elsewhere.org>\r\nQUIT\r\n")" "250 235 250 250 221" "TLSREQUIRE: after STARTTLS and AUTH, relay"
is "$(tls_talk "EHLO c.example.org\r\nMAIL FROM:<a@b.org>\r\nRCPT TO:<alice@example.test>\r\nQUIT\r\n")" "250 250 250 221" "TLSREQUIRE alone: local mail without AUTH"

# submission (RFC 6409): no mail at all without AUTH, not even local
start_smtpd TLSREQUIRE=1 AUTHREQUIRE=1
is "$(tls_talk "EHLO c.example.org\r\nMAIL FROM:<a@b.org>\r\nRCPT TO:<alice@example.test>\r\nQUIT\r\n")" "250 530 503 221" "AUTHREQUIRE: MAIL before AUTH is 530, even for a local recipient"
B64=$(printf '\0alice\0wrong' | base64)
is "$(tls_talk "EHLO c.example.org\r\nAUTH PLAIN $B64\r\nMAIL FROM:<a@b.org>\r\nQUIT\r\n")" "250 535 530 221" "AUTHREQUIRE: a failed AUTH does not count"
is "$(tls_talk "EHLO c.example.org\r\nAUTH PLAIN $P\r\nMAIL FROM:<a@b.org>\r\nRCPT TO:<alice@example.test>\r\nQUIT\r\n")" "250 235 250 250 221" "AUTHREQUIRE: after AUTH, mail is taken"
conf "tls-cert $T/pki/mx.pem" "tls-key $T/pki/mx.key" \
    "auth-checkpassword $T/checkpw" "auth-fail-delay 0" "auth-require 1"
start_smtpd
is "$(tls_talk "EHLO c.example.org\r\nMAIL FROM:<a@b.org>\r\nQUIT\r\n")" "250 530 221" "auth-require in conf: the same 530"
done_testing
