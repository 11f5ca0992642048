#!/bin/sh
# 8243-filter-dmarc-system.t: filter-dmarc on a system instance as an
# admin runs it: installed with make install, setup --system, smtpd under
# tcpserver dropping root to the smtpd user, the filter found in the
# installed programs and run as that user, the public suffix list found
# where postel-filter-dmarc(8) says. A signed message that passes SPF,
# DKIM and DMARC is queued with its results; a forgery gets 550.
. "$(dirname "$0")/lib.sh"
system_needs
. "$(dirname "$0")/3smtpd.sh"
. "$(dirname "$0")/5-lib.sh"
$PY -c 'import dkim' 2>/dev/null || skip_all "python3-dkim (dkimpy) not installed"
[ -e /usr/share/publicsuffix/public_suffix_list.dat ] ||
    skip_all "publicsuffix not installed (the list the installed filter finds)"
# the installed programs are the plain build: no sanitizer runtime first
WRAP=$(echo "$WRAP" | sed 's/^[^ ]*libasan[^ ]* //')
plan 8
system_instance
echo "filters filter-dmarc -i mx.example.test" >> "$R/conf/postel.conf"
[ -x "$L/filter-dmarc" ]; ok $? "make install put filter-dmarc among the programs"

openssl genrsa -out "$T/dkim.key" 2048 2>/dev/null
p=$(openssl rsa -in "$T/dkim.key" -pubout -outform DER 2>/dev/null | base64 -w0)
dns_start 127.0.8.51 \
    --txt-record=good.test,"v=spf1 ip4:127.0.8.52 -all" \
    --txt-record=_dmarc.good.test,"v=DMARC1; p=reject" \
    --txt-record=sel._domainkey.good.test,"v=DKIM1; k=rsa; p=$(printf %s "$p" | cut -c1-200)","$(printf %s "$p" | cut -c201-)"

port=$(free_port)
tcpserver -q -HRl0 -u "$(id -u daemon)" -g "$(id -g daemon)" 127.0.0.1 "$port" \
    env POSTEL_ROOT="$R" POSTEL_LIBEXEC="$L" LD_PRELOAD="$WRAP" \
    RESOLV_WRAPPER_CONF="$T/resolv.conf" "$L/smtpd" 2>>"$T/smtpd.log" &
reap $!
diag_on_fail "$T/smtpd.log"
wait_for 5 $PY -c "import socket; socket.create_connection(('127.0.0.1', $port)).close()"

cat > "$T/send.py" <<'PYEOF'
import smtplib, sys, dkim
src, port, how = sys.argv[1:4]
msg = (b"From: Ann <ann@good.test>\r\nTo: alice@example.test\r\n"
       b"Subject: system " + how.encode() + b"\r\n\r\nHello.\r\n")
if how == "sign":
    key = open(sys.argv[4], "rb").read()
    msg = dkim.sign(msg, b"sel", b"good.test", key) + msg
s = smtplib.SMTP(timeout=30, source_address=(src, 0))
s.connect("127.0.0.1", int(port))
s.ehlo("client.good.test")
try:
    s.sendmail("ann@good.test", ["alice@example.test"], msg)
    print("250")
except smtplib.SMTPDataError as e:
    print(e.smtp_code, e.smtp_error.decode())
s.quit()
PYEOF
is "$($PY "$T/send.py" 127.0.8.52 "$port" sign "$T/dkim.key")" 250 "a signed message from the SPF address: 250"
f=$(grep -l '^Subject: system sign' "$R"/queue/new/* 2>/dev/null | head -1)
sed '1,/^$/d' "$f" | grep -q 'dmarc=pass (p=reject'
ok $? "queued with dmarc=pass"
is "$(stat -c %U "$f")" daemon "the queue file belongs to the smtpd user"
grep -q 'note="filter-dmarc: spf=pass helo=[a-z]* dkim=pass dmarc=pass from=good.test"' "$T/smtpd.log"
ok $? "smtpd logs the filter's results"
r=$($PY "$T/send.py" 127.0.8.53 "$port" none)
case $r in "550 5.7.1 Rejected by the DMARC policy of good.test"*) ok 0 "a forgery: 550";; *) ok 1 "a forgery: 550 (got: $r)";; esac
