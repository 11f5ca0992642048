#!/bin/sh
# 3203-smtpd-requiretls.t: REQUIRETLS (RFC 8689 2) in smtpd. Offered in
# EHLO only inside TLS, and MAIL ... REQUIRETLS taken only there: in
# plaintext it is refused as a parameter smtpd does not support. A
# duplicate or a value is a syntax error (501). The flag is stored as
# "requiretls" in the envelope's flags line (postel-queue(5)), also next
# to 8bit learnt during DATA, and a message without it keeps the old
# envelope. Python's smtplib with the test CA of t/6tls.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/3smtpd.sh"
. "$(dirname "$0")/6tls.sh"
plan 12
setup_instance
make_certs || { echo "Bail out! openssl could not make certificates"; exit 1; }
conf "tls-cert $T/pki/mx.pem" "tls-key $T/pki/mx.key"
start_smtpd
export CAFILE="$T/pki/ca.pem"

cat > "$T/c.py" <<'PYEOF'
import os, smtplib, ssl, sys
port = int(sys.argv[1])
def flags(text):
    qid = text.split("queued as ")[1].split()[0]
    with open(os.path.join(os.environ["POSTEL_ROOT"], "queue", "new", qid),
              "rb") as f:
        for line in f:
            if line == b"\n":
                return "none"
            if line.startswith(b"flags "):
                # smtpd reserves the line: padded with spaces
                return repr(line[6:].decode().rstrip("\n").rstrip(" "))
def tx(s, params, body):
    code, msg = s.mail("a@example.org", params)
    print("mail %d %s" % (code, msg.decode()))
    if code != 250:
        s.rset()
        return
    s.rcpt("alice@example.test")
    code, msg = s.data(body)
    print("data %d flags %s" % (code, flags(msg.decode())))
s = smtplib.SMTP("127.0.0.1", port, timeout=10)
s.ehlo("client.example.org")
print("plain-ehlo requiretls=%s" % s.has_extn("requiretls"))
code, msg = s.docmd("MAIL", "FROM:<a@example.org> REQUIRETLS")
print("plain-mail %d %s" % (code, msg.decode()))
s.rset()
ctx = ssl.create_default_context(cafile=os.environ["CAFILE"])
ctx.check_hostname = False
s.starttls(context=ctx)
s.ehlo("client.example.org")
print("tls-ehlo requiretls=%s" % s.has_extn("requiretls"))
for p in (["REQUIRETLS", "REQUIRETLS"], ["REQUIRETLS=YES"]):
    code, msg = s.mail("a@example.org", p)
    print("mail %d %s" % (code, msg.decode()))
    s.rset()
tx(s, ["requiretls"], b"Subject: r\r\n\r\nbody\r\n")
tx(s, ["REQUIRETLS"], b"Subject: r\r\n\r\nb\xc3\xa9dy\r\n")
tx(s, ["SMTPUTF8", "BODY=8BITMIME", "REQUIRETLS"], b"Subject: r\r\n\r\nx\r\n")
tx(s, [], b"Subject: plain\r\n\r\nbody\r\n")
s.quit()
PYEOF
$PY "$T/c.py" "$port" >"$T/out" 2>&1
diag_on_fail "$T/out"
line() { sed -n "${1}p" "$T/out"; }
is "$(line 1)" "plain-ehlo requiretls=False" "not offered in plaintext"
is "$(line 2)" "plain-mail 555 5.5.4 Unsupported parameter" \
    "MAIL ... REQUIRETLS in plaintext refused"
is "$(line 3)" "tls-ehlo requiretls=True" "offered after STARTTLS"
is "$(line 4)" "mail 501 5.5.4 Duplicate REQUIRETLS parameter" "a duplicate: 501"
is "$(line 5)" "mail 501 5.5.4 REQUIRETLS takes no value" "a value: 501"
is "$(line 6) $(line 7)" "mail 250 2.1.0 Ok data 250 flags 'requiretls'" \
    "accepted in TLS (any case) and stored"
is "$(line 8) $(line 9)" "mail 250 2.1.0 Ok data 250 flags '8bit,requiretls'" \
    "with 8-bit octets found in DATA: both flags"
is "$(line 10) $(line 11)" "mail 250 2.1.0 Ok data 250 flags 'utf8,8bit,requiretls'" \
    "with SMTPUTF8 and 8BITMIME: all three"
is "$(line 12) $(line 13)" "mail 250 2.1.0 Ok data 250 flags ''" \
    "without it: the flags line as before"
n=$(grep -c '^smtpd: accepted .* requiretls=yes tls=TLSv1.2$' "$T/smtpd.log")
m=$(grep -c '^smtpd: accepted .* size=[0-9]* tls=TLSv1.2$' "$T/smtpd.log")
is "$n $m" "3 1" "three accepted lines say requiretls=yes, all four came over TLS"

# implicit TLS (RFC 8314): the session is TLS from the start
start_smtpd SMTPS=1
$PY - "$port" >"$T/out2" 2>&1 <<'PYEOF'
import os, smtplib, ssl, sys
ctx = ssl.create_default_context(cafile=os.environ["CAFILE"])
ctx.check_hostname = False
s = smtplib.SMTP_SSL("127.0.0.1", int(sys.argv[1]), timeout=10, context=ctx)
s.ehlo("client.example.org")
print("smtps-ehlo requiretls=%s" % s.has_extn("requiretls"))
s.quit()
PYEOF
is "$(cat "$T/out2")" "smtps-ehlo requiretls=True" "offered on implicit TLS"

# a local submission (smtpd -l, sendmail -bs) is not TLS: not offered
printf 'EHLO x\r\nMAIL FROM:<a@example.test> REQUIRETLS\r\nQUIT\r\n' |
    "$B/smtpd" -l >"$T/out3" 2>&1
if grep -q REQUIRETLS "$T/out3" || ! grep -q '^555 ' "$T/out3"; then
	ok 1 "smtpd -l neither offers nor takes REQUIRETLS"; cat "$T/out3" >&2
else
	ok 0 "smtpd -l neither offers nor takes REQUIRETLS"
fi
done_testing
