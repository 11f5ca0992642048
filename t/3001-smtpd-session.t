#!/bin/sh
# 3001-smtpd-session.t: greeting, EHLO keywords, reply codes for sequence,
# syntax and unknown commands, limits on lines, errors and time.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/3smtpd.sh"
plan 32
setup_instance
start_smtpd

H='EHLO client.example.org\r\n'
out=$(talk -v "${H}QUIT\r\n")
echo "$out" | grep -q '^220 mx.example.test ESMTP'; ok $? "greeting names the host"
for k in PIPELINING 'SIZE 35651584' 8BITMIME SMTPUTF8 ENHANCEDSTATUSCODES CHUNKING; do
	echo "$out" | grep -q "^250[- ]$k\$"; ok $? "EHLO offers $k"
done
echo "$out" | grep -q '^221 2.0.0'; ok $? "QUIT answers 221"

is "$(talk 'HELO c.org\r\nEHLO\r\nQUIT\r\n')" "220 250 501 221" "HELO 250, EHLO without name 501"
is "$(talk 'MAIL FROM:<a@b.org>\r\nQUIT\r\n')" "220 503 221" "MAIL before EHLO is 503"
is "$(talk "${H}RCPT TO:<alice@example.test>\r\nDATA\r\nQUIT\r\n")" "220 250 503 503 221" "RCPT and DATA before MAIL are 503"
is "$(talk "${H}MAIL FROM:<a@b.org>\r\nMAIL FROM:<a@b.org>\r\nQUIT\r\n")" "220 250 250 503 221" "nested MAIL is 503"
is "$(talk "${H}MAIL FROM:<a@b.org>\r\nRCPT TO:<nosuchuser@example.test>\r\nDATA\r\nQUIT\r\n")" "220 250 250 550 554 221" "DATA without a valid recipient is 554"
is "$(talk "${H}MAIL FROM:a@b.org\r\nMAIL FROM:<a@@b.org>\r\nMAIL TO:<a@b.org>\r\nQUIT\r\n")" "220 250 501 501 501 221" "MAIL syntax errors are 501"
is "$(talk "${H}MAIL FROM:<a@b.org> FOO=bar\r\nMAIL FROM:<a@b.org> SIZE=x\r\nMAIL FROM:<a@b.org>\r\nRCPT TO:<alice@example.test> FOO=bar\r\nQUIT\r\n")" "220 250 555 501 250 555 221" "unknown parameters are 555, bad ones 501"
is "$(talk 'HELO c.org\r\nMAIL FROM:<a@b.org> BODY=8BITMIME\r\nQUIT\r\n')" "220 250 555 221" "no ESMTP parameters after HELO"
is "$(talk "${H}FOO\r\nEXPN x\r\nSTARTTLS\r\nVRFY alice\r\nHELP\r\nNOOP\r\nRSET\r\nQUIT\r\n")" "220 250 500 502 502 252 214 250 250 221" "unknown 500, unimplemented 502, VRFY 252, HELP, NOOP, RSET"
is "$(talk "${H}MAIL FROM:<a@b.org>\r\nRSET\r\nMAIL FROM:<a@b.org>\r\nQUIT\r\n")" "220 250 250 250 250 221" "RSET ends the transaction"
is "$(talk -v "${H}VRFY alice\r\nVRFY\r\nQUIT\r\n" | grep -v '^250' | sed -n '2p;3p' | cut -c1-9 | tr '\n' ' ')" "252 2.0.0 501 5.5.4 " "VRFY is 252 2.0.0 (not 2.5.2, a syntax error); without an argument 501"
# RFC 1870: size-value is 1*20DIGIT; past what fits it is only too big
is "$(talk "${H}MAIL FROM:<a@b.org> SIZE=00000000000000000100\r\nRSET\r\nMAIL FROM:<a@b.org> SIZE=99999999999999999999\r\nMAIL FROM:<a@b.org> SIZE=123456789012345678901\r\nQUIT\r\n")" \
    "220 250 250 250 552 501 221" "SIZE= of 20 digits: read, 552 when too big; 21 digits 501"

long=$($PY -c 'print("NOOP " + "x" * 600)')
is "$(talk "${H}${long}\r\nNOOP\r\nQUIT\r\n")" "220 250 500 250 221" "a command over 512 octets is 500 and the session goes on"
is "$(talk "${H}NOOP\nNOOP\r\nQUIT\r\n")" "220 250 500 250 221" "a command ending in bare LF is 500"
is "$(talk "${H}NO\x00OP\r\nNO\rOP\r\nQUIT\r\n")" "220 250 500 500 221" "NUL or CR inside a command is 500"
is "$(talk "${H}\xff\xfe\x01\x02garbage\r\nQUIT\r\n")" "220 250 500 221" "binary garbage is 500"
junk=$($PY -c 'print("BAD\\r\\n" * 12)')
is "$(talk "${H}${junk}")" "220 250 500 500 500 500 500 500 500 500 500 500 421" "the 10th error closes with 421"

conf 'smtpd-timeout 1'
out=$(talk -v "${H}")
echo "$out" | grep -q '^421 4.4.2'; ok $? "an idle client gets 421 4.4.2 after smtpd-timeout"
conf 'smtpd-session-timeout 1'
$PY - "$port" <<'PYEOF' >"$T/sess.out"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
got = b""
s.settimeout(0.1)
for i in range(100):   # a NOOP every 0.1 s keeps the read timeout away
    try:
        s.sendall(b"NOOP\r\n")
        b = s.recv(4096)
        if not b:
            break
        got += b
    except socket.timeout:
        pass
    except OSError:
        break
    if b"421 " in got:
        break
    time.sleep(0.05)
print(got.decode("latin-1"))
PYEOF
grep -q '^421 4.4.2' "$T/sess.out"; ok $? "smtpd-session-timeout ends a busy session"

conf 'max-errors 2'
is "$(talk "${H}BAD\r\nBAD\r\nNOOP\r\n")" "220 250 500 500 421" "max-errors from conf"
conf 'smtpd-greeting Hi there'
talk -v 'QUIT\r\n' | grep -q '^220 mx.example.test Hi there$'; ok $? "smtpd-greeting"
conf 'no-such-key 1'
is "$(talk "${H}MAIL FROM:<a@example.org>\r\nQUIT\r\n")" "220 250 451 221" "a configuration error is 451 to MAIL, not 421 (postel-check(8) for the details)"
conf

grep -q '^smtpd: connect sid=[0-9a-f]*\.[0-9]* ip=127.0.0.1 ' "$T/smtpd.log"; ok $? "logs connect"
grep -q '^smtpd: disconnect .*helo=client.example.org .*result=quit tls=no' "$T/smtpd.log"; ok $? "logs disconnect"
done_testing
