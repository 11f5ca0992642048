#!/bin/sh
# 6002-smtpd-auth.t: AUTH PLAIN and LOGIN (RFC 4954) over STARTTLS with
# Python smtplib, swaks and raw exchanges: refused before TLS, bad and
# good passwords, relay only after AUTH, cancel, bad base64, sequence
# errors, the error limit, MAIL AUTH=, temporary checker failures, the
# built-in users file, auth-plaintext, no password in the log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/3smtpd.sh"
. "$(dirname "$0")/6tls.sh"
plan 37
setup_instance
make_certs || { echo "Bail out! openssl could not make certificates"; exit 1; }
TLS1="tls-cert $T/pki/mx.pem"
TLS2="tls-key $T/pki/mx.key"
conf "$TLS1" "$TLS2" "auth-checkpassword $T/checkpw" "auth-fail-delay 0"
start_smtpd
E='EHLO c.example.org\r\n'
P=$(printf '\0alice\0secret' | base64)
BAD=$(printf '\0alice\0wrong' | base64)

out=$(talk -v "${E}AUTH PLAIN $P\r\nQUIT\r\n")
echo "$out" | grep -q '^250-AUTH'; ok $((! $?)) "AUTH not offered before TLS"
echo "$out" | grep -q '^538 5.7.11'; ok $? "AUTH before TLS is 538 5.7.11"
out=$(tls_talk -v "${E}QUIT\r\n")
echo "$out" | grep -q '^250-AUTH PLAIN LOGIN$'; ok $? "AUTH PLAIN LOGIN offered after STARTTLS"

# Python smtplib: starttls() + login(), then relay
cat > "$T/client.py" <<'PYEOF'
import smtplib, ssl, sys
port, ca, user, pw = sys.argv[1:5]
s = smtplib.SMTP("127.0.0.1", int(port), timeout=10)
ctx = ssl.create_default_context(cafile=ca)
ctx.check_hostname = False      # connected by address; 6001 checks the name
s.starttls(context=ctx)
try:
    s.login(user, pw)
    print("login ok")
except smtplib.SMTPAuthenticationError as e:
    print("login %d" % e.smtp_code)
try:
    s.sendmail("a@b.org", ["bob@elsewhere.org"], "Subject: relay\r\n\r\nhi\r\n")
    print("relay ok")
except smtplib.SMTPRecipientsRefused as e:
    print("relay %d" % list(e.recipients.values())[0][0])
s.quit()
PYEOF
smtplib() { $PY "$T/client.py" "$port" "$T/pki/ca.pem" "$@" 2>&1 | tr '\n' ' '; }
is "$(smtplib alice secret)" "login ok relay ok " "smtplib: login, then relaying is allowed"
f=$(last_msg)
msg_body "$f" | sed -n 3p | grep -q 'with ESMTPSA id '; ok $? "Received: says ESMTPSA"
grep -q '^smtpd: auth sid=.* user=alice result=ok tls=TLSv1.2$' "$T/smtpd.log"; ok $? "logs the authenticated user"
grep -q '^smtpd: accepted .* tls=TLSv1.2 auth=alice$' "$T/smtpd.log"; ok $? "the accepted line names the user"
is "$(smtplib alice wrong)" "login 535 relay 550 " "smtplib: bad password is 535, then relaying is refused"
grep -q '^smtpd: auth sid=.* user=alice result=failed' "$T/smtpd.log"; ok $? "logs the failure"
is "$(tls_talk "${E}MAIL FROM:<a@b.org>\r\nRCPT TO:<bob@elsewhere.org>\r\nRCPT TO:<alice@example.test>\r\nQUIT\r\n")" "250 250 550 250 221" "without AUTH: relay refused, local delivery fine"
grep -q secret "$T/smtpd.log"; ok $((! $?)) "no password in the log"
grep -q '^alice$' "$T/checkpw.log"; ok $? "checkpassword got the user on fd 3"

# raw exchanges over TLS
is "$(tls_talk "${E}AUTH LOGIN\r\n$(printf alice | base64)\r\n$(printf secret | base64)\r\nQUIT\r\n")" "250 334 334 235 221" "AUTH LOGIN"
is "$(tls_talk "${E}AUTH LOGIN $(printf alice | base64)\r\n$(printf secret | base64)\r\nQUIT\r\n")" "250 334 235 221" "AUTH LOGIN with the user name as initial response"
is "$(tls_talk "${E}AUTH PLAIN\r\n$P\r\nQUIT\r\n")" "250 334 235 221" "AUTH PLAIN without initial response"
is "$(tls_talk "${E}AUTH PLAIN\r\n*\r\nAUTH LOGIN\r\n*\r\nQUIT\r\n")" "250 334 501 334 501 221" "* cancels with 501"
is "$(tls_talk "${E}AUTH PLAIN AGFsaWNl!!!\r\nAUTH PLAIN =\r\nQUIT\r\n")" "250 501 501 221" "bad base64 and an empty response are 501"
is "$(tls_talk "${E}AUTH CRAM-MD5\r\nAUTH\r\nQUIT\r\n")" "250 504 504 221" "unknown mechanism is 504"
is "$(tls_talk "${E}AUTH PLAIN $P\r\nAUTH PLAIN $P\r\nQUIT\r\n")" "250 235 503 221" "AUTH twice is 503"
is "$(tls_talk "${E}MAIL FROM:<a@b.org>\r\nAUTH PLAIN $P\r\nQUIT\r\n")" "250 250 503 221" "AUTH in a transaction is 503"
is "$(tls_talk "AUTH PLAIN $P\r\nQUIT\r\n")" "503 221" "AUTH before EHLO is 503"
is "$(tls_talk "HELO c.example.org\r\nAUTH PLAIN $P\r\nQUIT\r\n")" "250 503 221" "AUTH after HELO is 503: an ESMTP extension"
tls_talk "HELO c.example.org\r\nMAIL FROM:<a@b.org>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\nSubject: helo-tls\r\n\r\nx\r\n.\r\nQUIT\r\n" >/dev/null
f=$(grep -l '^Subject: helo-tls$' "$POSTEL_ROOT/queue/new/"*)
msg_body "$f" | grep -q '^	by mx.example.test (postel) with SMTP id '; ok $? "HELO over TLS: Received: says SMTP, no unregistered SMTPS"
tls_talk "${E}AUTH PLAIN $P\r\nHELO c.example.org\r\nMAIL FROM:<a@b.org>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\nSubject: auth-helo\r\n\r\nx\r\n.\r\nQUIT\r\n" >/dev/null
f=$(grep -l '^Subject: auth-helo$' "$POSTEL_ROOT/queue/new/"*)
msg_body "$f" | grep -q '^	by mx.example.test (postel) with SMTP id '; ok $? "AUTH, then HELO: Received: says SMTP, not SMTPA"
is "$(tls_talk "${E}AUTH PLAIN $P\r\nMAIL FROM:<a@b.org> AUTH=<>\r\nRSET\r\nMAIL FROM:<a@b.org> AUTH=a+2Bb@b.org\r\nRSET\r\nMAIL FROM:<a@b.org> AUTH=a=b\r\nQUIT\r\n")" "250 235 250 250 250 250 501 221" "MAIL AUTH= in xtext accepted, bad xtext 501"
T2=$(printf '\0tempfail\0x' | base64)
is "$(tls_talk "${E}AUTH PLAIN $T2\r\nQUIT\r\n")" "250 454 221" "checker exit 111 is 454 4.7.0"
is "$(tls_talk "${E}AUTH PLAIN $BAD\r\nAUTH PLAIN $BAD\r\nAUTH PLAIN $BAD\r\nAUTH PLAIN $P\r\nQUIT\r\n")" "250 535 535 535 235 221" "failures are 535 5.7.8 and a later good one works"
conf "$TLS1" "$TLS2" "auth-checkpassword $T/checkpw" "auth-fail-delay 0" "max-errors 3"
is "$(tls_talk "${E}AUTH PLAIN $BAD\r\nAUTH PLAIN $BAD\r\nAUTH PLAIN $BAD\r\nAUTH PLAIN $P\r\nQUIT\r\n")" "250 535 535 535 421" "failed AUTHs count towards max-errors: 421"

# swaks --tls --auth
if command -v swaks >/dev/null 2>&1; then
	conf "$TLS1" "$TLS2" "auth-checkpassword $T/checkpw" "auth-fail-delay 0"
	timeout 20 swaks --server "127.0.0.1:$port" --tls --auth LOGIN \
	    --auth-user alice --auth-password secret --from a@b.org \
	    --to carol@elsewhere.org >"$T/swaks.out" 2>&1
	is "$?" 0 "swaks --tls --auth LOGIN relays"
	timeout 20 swaks --server "127.0.0.1:$port" --tls --auth PLAIN \
	    --auth-user alice --auth-password nope --from a@b.org \
	    --to carol@elsewhere.org >"$T/swaks.out" 2>&1
	grep -q '^<~\* *535 5.7.8' "$T/swaks.out"; ok $? "swaks with a bad password sees 535 5.7.8"
else
	skip "swaks not installed"
	skip "swaks not installed"
fi

# the built-in users file (crypt(3), SHA-512 here)
h=$(openssl passwd -6 -salt abcdefgh secret)
printf '# test users\nalice:%s\n' "$h" > "$POSTEL_ROOT/conf/smtpd-users"
conf "$TLS1" "$TLS2" "auth-users smtpd-users" "auth-fail-delay 0"
is "$(smtplib alice secret)" "login ok relay ok " "auth-users: good password"
is "$(smtplib alice Secret)" "login 535 relay 550 " "auth-users: bad password"
# yescrypt, Debian 12's default for passwd(1) and mkpasswd(1); the hash is
# made here by the system's libcrypt through Python's crypt module
h=$(/usr/bin/python3 -W ignore -c 'import crypt; print(crypt.crypt("secret", "$y$j9T$F5Jx5fExrKuJdjzLw7.Wd1"))')
case $h in '$y$'*) ;; *) h="";; esac
if [ -n "$h" ]; then
	printf 'alice:%s\n' "$h" > "$POSTEL_ROOT/conf/smtpd-users"
	is "$(smtplib alice secret)" "login ok relay ok " "auth-users: good yescrypt password"
	is "$(smtplib alice Secret)" "login 535 relay 550 " "auth-users: bad yescrypt password"
else
	skip "no yescrypt hash from Python's crypt module"
	skip "no yescrypt hash from Python's crypt module"
fi
conf "$TLS1" "$TLS2" "auth-users no-such-file" "auth-fail-delay 0"
is "$(tls_talk "${E}AUTH PLAIN $P\r\nQUIT\r\n")" "250 454 221" "auth-users unreadable: 454"

# auth-plaintext, for loopback tests only
conf "auth-checkpassword $T/checkpw" "auth-plaintext 1" "auth-fail-delay 0"
out=$(talk -v "${E}AUTH PLAIN $P\r\nQUIT\r\n")
echo "$out" | grep -q '^250-AUTH PLAIN LOGIN$'; ok $? "auth-plaintext: offered without TLS"
echo "$out" | grep -q '^235 2.7.0'; ok $? "auth-plaintext: accepted without TLS"
done_testing
