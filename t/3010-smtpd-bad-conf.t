#!/bin/sh
# 3010-smtpd-bad-conf.t: with a bad configuration (a misspelt key, issue
# 16) smtpd keeps answering: 220, EHLO 250, MAIL/AUTH/STARTTLS/VRFY 451
# 4.3.5, connected until QUIT or its timeouts, errors counted, and one
# log line naming file:line (postel-smtpd(8)).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/3smtpd.sh"
plan 18
setup_instance
start_smtpd
# start_smtpd's probe connection must be over before the conf turns bad,
# or a slow smtpd (ASan) reads the bad file for it too and logs it
wait_for 5 grep -q '^smtpd: disconnect' "$T/smtpd.log"
C=$POSTEL_ROOT/conf/postel.conf
H='EHLO client.example.org\r\n'

conf 'max-sise 10'
line=$(wc -l < "$C" | tr -d ' ')
cat > "$T/client.py" <<'PYEOF'
import smtplib, sys, time
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
code, msg = s.ehlo("client.example.org")
print("ehlo", code)
code, msg = s.docmd("MAIL", "FROM:<a@example.org>")
print("mail", code, msg.decode())
time.sleep(0.5)
print("noop", s.noop()[0])
print("quit", s.quit()[0])
PYEOF
out=$($PY "$T/client.py" "$port" 2>&1)
echo "$out" | sed 's/^/# /'
echo "$out" | grep -qx 'ehlo 250'; ok $? "smtplib: EHLO 250 with a misspelt key"
echo "$out" | grep -qx 'mail 451 4.3.5 configuration error, try again later'; ok $? "smtplib: MAIL 451 4.3.5"
echo "$out" | grep -qx 'noop 250'; ok $? "smtplib: still connected after MAIL (NOOP 250)"
echo "$out" | grep -qx 'quit 221'; ok $? "smtplib: QUIT 221"
# smtpd may write its log line after the client saw 221 (slower under ASan)
wait_for 5 grep -q '^smtpd: conferror' "$T/smtpd.log"
is "$(grep -c "^smtpd: conferror .*error=\"$C:$line: unknown key max-sise\" problems=1\$" "$T/smtpd.log")" 1 \
    "one log line names postel.conf:$line"
is "$(grep -c '^smtpd: conferror' "$T/smtpd.log")" 1 "one conferror line for the session"

out=$(talk -v "HELO c.org\r\nNOOP\r\nRSET\r\nHELP\r\nQUIT\r\n")
is "$(echo "$out" | cut -c1-3 | tr '\n' ' ')" "220 250 250 250 214 221 " "HELO, NOOP, RSET, HELP and QUIT work"
echo "$out" | grep -q '^220 mx.example.test '; ok $? "the greeting names me"
is "$(talk "${H}AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\nSTARTTLS\r\nVRFY alice\r\nQUIT\r\n")" "220 250 451 451 451 221" \
    "AUTH, STARTTLS and VRFY are 451"
echo "$(talk -v "${H}STARTTLS\r\nQUIT\r\n")" | grep -q '^451 4.3.5 configuration error, try again later$'
ok $? "the reply is 451 4.3.5 configuration error"

conf 'max-sise 10' 'no-such 1' 'max-errors 2'
is "$(talk "${H}MAIL FROM:<a@example.org>\r\nMAIL FROM:<a@example.org>\r\nNOOP\r\n")" "220 250 451 451 421" \
    "the 451s count towards max-errors (from a good line of the same file)"
wait_for 5 grep -q "^smtpd: conferror .*unknown key max-sise\" problems=2\$" "$T/smtpd.log"
ok $? "the log line names the first problem and counts them all"

conf 'smtpd-timeout 1' 'max-sise 10'
is "$(talk "${H}")" "220 250 421" "an idle session still ends at smtpd-timeout"

conf
is "$(talk "${H}MAIL FROM:<a@example.org>\r\nQUIT\r\n")" "220 250 250 221" "fixed file: MAIL 250 again"

# the other files smtpd reads count too
printf 'example.test nosuch |\n' > "$POSTEL_ROOT/conf/filters"
is "$(talk "${H}MAIL FROM:<a@example.org>\r\nQUIT\r\n")" "220 250 451 221" "a bad conf/filters line: MAIL 451"
wait_for 5 grep -q '^smtpd: conferror .*error="filters:1: ' "$T/smtpd.log"; ok $? "logged as filters:1"
rm "$POSTEL_ROOT/conf/filters"
$PY -c 'print("a" * 2000)' >> "$POSTEL_ROOT/conf/domains"
d=$(wc -l < "$POSTEL_ROOT/conf/domains" | tr -d ' ')
is "$(talk "${H}MAIL FROM:<a@example.org>\r\nQUIT\r\n")" "220 250 451 221" "an overlong conf/domains line: MAIL 451"
wait_for 5 grep -q "^smtpd: conferror .*error=\"$POSTEL_ROOT/conf/domains:$d: line too long\"" "$T/smtpd.log"; ok $? "logged as domains:$d"
done_testing
