#!/bin/sh
# 8241-filter-dmarc.t: filter-dmarc in smtpd's chain (postel-filter-dmarc(8))
# against hermetic DNS (dnsmasq): a forged message from a p=reject domain
# gets 550 and is not queued, a legitimate one signed by dkimpy arrives
# with spf=pass, dkim=pass and dmarc=pass, p=quarantine marks, -S rejects
# SPF fail with 550 5.7.23, DNS trouble defers, forged results of our
# authserv-id are removed, and relay clients are not checked.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/3smtpd.sh"
. "$(dirname "$0")/5-lib.sh"
$PY -c 'import dkim' 2>/dev/null || skip_all "python3-dkim (dkimpy) not installed"
command -v openssl >/dev/null 2>&1 || skip_all "openssl not installed"
[ -e /usr/share/publicsuffix/public_suffix_list.dat ] || [ -e "$TOP/conf/public-suffix-list.dat" ] ||
    skip_all "no public suffix list"
_asan=$(ldd "$B/filter-dmarc" 2>/dev/null | awk '/libasan/ {print $3}')
WRAP=$(echo "$WRAP" | sed 's/^[^ ]*libasan[^ ]* //')
[ -z "$_asan" ] || WRAP="$_asan $WRAP"
plan 39

setup_instance
cp "$TOP/conf/public-suffix-list.dat" "$POSTEL_ROOT/conf/" 2>/dev/null ||
    cp /usr/share/publicsuffix/public_suffix_list.dat "$POSTEL_ROOT/conf/public-suffix-list.dat"
openssl genrsa -out "$T/dkim.key" 2048 2>/dev/null
p=$(openssl rsa -in "$T/dkim.key" -pubout -outform DER 2>/dev/null | base64 -w0)
p1=$(printf %s "$p" | cut -c1-200)
p2=$(printf %s "$p" | cut -c201-)
GOOD=127.0.8.42 EVIL=127.0.8.43
dns_start 127.0.8.41 \
    --txt-record=good.test,"v=spf1 ip4:$GOOD -all" \
    --txt-record=_dmarc.good.test,"v=DMARC1; p=reject; rua=mailto:d@good.test" \
    --txt-record=sel._domainkey.good.test,"v=DKIM1; k=rsa; p=$p1","$p2" \
    --txt-record=quar.test,"v=spf1 ip4:$GOOD -all" \
    --txt-record=_dmarc.quar.test,"v=DMARC1; p=quarantine" \
    --txt-record=none.test,"v=spf1 ip4:$GOOD -all" \
    --txt-record=_dmarc.none.test,"v=DMARC1; p=none" \
    --txt-record=client.good.test,"v=spf1 ip4:$GOOD -all" \
    --txt-record=_dmarc.xn--bnk-qla.test,"v=DMARC1; p=reject" \
    --txt-record=xn--bnk-qla.test,"v=spf1 ip4:$GOOD -all"

cat > "$T/send.py" <<'PYEOF'
# send.py SRC PORT MAILFROM FROM [sign|tamper] [extra header lines...]:
# one message to alice@example.test from source address SRC; prints the
# reply code and text to the final dot (or to the refused command).
import smtplib, sys, dkim
src, port, mailfrom, hfrom, how = sys.argv[1:6]
extra = "".join(h + "\r\n" for h in sys.argv[6:])
msg = ("%sFrom: Ann <%s>\r\nTo: alice@example.test\r\nSubject: test %s\r\n"
       "Message-ID: <%s.%s@t>\r\n\r\nHello,\r\nthis is a test.\r\n" %
       (extra, hfrom, how, how, src)).encode()
if how in ("sign", "tamper"):
    key = open(sys.argv[0].replace("send.py", "dkim.key"), "rb").read()
    sig = dkim.sign(msg, b"sel", b"good.test", key,
                    include_headers=[b"from", b"to", b"subject", b"message-id"])
    msg = sig + msg
    if how == "tamper":
        msg = msg.replace(b"this is a test", b"this is a tesT")
s = smtplib.SMTP(timeout=30, source_address=(src, 0))
s.connect("127.0.0.1", int(port))
s.ehlo("client.good.test")
try:
    s.sendmail(mailfrom, ["alice@example.test"], msg)
    print("250")
except smtplib.SMTPDataError as e:
    print(e.smtp_code, e.smtp_error.decode())
except smtplib.SMTPException as e:
    print("error", e)
s.quit()
PYEOF
send() { $PY "$T/send.py" "$@"; }
newest() { ls -t "$POSTEL_ROOT"/queue/new/* 2>/dev/null | head -1; }
hdr() { sed '1,/^$/d' "$1" | sed '/^$/q'; }    # the message's header

conf "filters filter-dmarc -i mx.example.test"
start_smtpd LD_PRELOAD="$WRAP" RESOLV_WRAPPER_CONF="$T/resolv.conf"
spid=$!

# 1. legitimate: SPF pass from $GOOD, a dkimpy signature
n0=$(queue_count)
is "$(send $GOOD "$port" ann@good.test ann@good.test sign)" 250 "a signed message from an SPF-allowed address: 250"
f=$(newest)
h=$(hdr "$f")
first=$(printf '%s\n' "$h" | sed -n 1p)
is "$first" "Authentication-Results: mx.example.test;" "Authentication-Results is the first field, with our authserv-id"
ar=$(printf '%s\n' "$h" | awk '/^Authentication-Results:/ {p=1; print; next} p && /^[ \t]/ {print; next} {p=0}')
echo "$ar" | grep -q 'spf=pass .*smtp.mailfrom=ann@good.test'
ok $? "spf=pass smtp.mailfrom"
echo "$ar" | grep -q 'spf=pass .*smtp.helo=client.good.test'
ok $? "spf=pass smtp.helo"
echo "$ar" | grep -q 'dkim=pass header.d=good.test header.s=sel header.b='
ok $? "dkim=pass header.d=good.test"
echo "$ar" | grep -q 'dmarc=pass (p=reject.*header.from=good.test'
ok $? "dmarc=pass header.from=good.test"
grep -q 'result=pass stage=[^ ]*filter-dmarc note="filter-dmarc: spf=pass helo=pass dkim=pass dmarc=pass from=good.test"' "$T/smtpd.log"
ok $? "smtpd logs the results"

# 2. forged: From: good.test from another address, unsigned
n1=$(queue_count)
r=$(send $EVIL "$port" ann@good.test ann@good.test none)
case $r in "550 5.7.1 Rejected by the DMARC policy of good.test"*) ok 0 "a forged p=reject sender: 550 5.7.1";; *) ok 1 "a forged p=reject sender: 550 5.7.1 (got: $r)";; esac
is "$(queue_count)" "$n1" "and nothing is queued"

# 3. a signature broken by one changed body byte does not save it
r=$(send $EVIL "$port" ann@good.test ann@good.test tamper)
case $r in 550*) ok 0 "a tampered signed body from elsewhere: 550";; *) ok 1 "a tampered signed body: 550 (got: $r)";; esac
is "$(queue_count)" "$n1" "nothing queued"

# 4. DKIM alone aligns: envelope of another domain, From: good.test signed
is "$(send $EVIL "$port" list@other.test ann@good.test sign)" 250 "an aligned DKIM pass from any address: 250"
ar=$(hdr "$(newest)" | awk '/^Authentication-Results:/ {p=1; print; next} p && /^[ \t]/ {print; next} {p=0}')
echo "$ar" | grep -q 'dmarc=pass' && echo "$ar" | grep -q 'dkim=pass' && echo "$ar" | grep -q 'spf=none'
ok $? "dmarc=pass through DKIM, spf=none for other.test"

# 5. p=quarantine: accepted and marked
is "$(send $EVIL "$port" ann@quar.test ann@quar.test none)" 250 "a p=quarantine failure is accepted"
hdr "$(newest)" | grep -q '^X-Postel-Quarantine: dmarc=fail policy=quarantine header.from=quar.test$'
ok $? "and marked X-Postel-Quarantine"

# 6. forged results claiming our authserv-id go; others stay
is "$(send $GOOD "$port" ann@good.test ann@good.test none \
    'Authentication-Results: mx.example.test; dkim=pass header.d=bank.test' \
    'Authentication-Results: (c) MX.Example.Test (x); spf=pass' \
    'Authentication-Results: other.example; spf=pass smtp.mailfrom=x@y.test' \
    'X-Postel-Quarantine: no')" 250 "a message with forged results: 250"
h=$(hdr "$(newest)")
is "$(printf '%s\n' "$h" | grep -ci '^Authentication-Results: *\(([^)]*)\)* *mx.example.test')" 1 "only our own Authentication-Results of our id is left"
printf '%s\n' "$h" | grep -q '^Authentication-Results: other.example; spf=pass'
ok $? "another authserv-id's field is kept"
printf '%s\n' "$h" | grep -q 'bank.test'
ok $((! $?)) "the forged dkim=pass is gone"
printf '%s\n' "$h" | grep -q '^X-Postel-Quarantine'
ok $((! $?)) "and so is a forged quarantine mark"

# 7. -S for one recipient: SPF fail is 550 5.7.23; without, only reported
echo "bob@example.test filter-dmarc -S -i mx.example.test" > "$POSTEL_ROOT/conf/filters"
r=$($PY - "$EVIL" "$port" <<'PYEOF'
import smtplib, sys
s = smtplib.SMTP(timeout=30, source_address=(sys.argv[1], 0))
s.connect("127.0.0.1", int(sys.argv[2]))
try:
    s.sendmail("x@none.test", ["bob@example.test"], b"From: x@none.test\r\nSubject: s\r\n\r\nbody\r\n")
    print("250")
except smtplib.SMTPDataError as e:
    print(e.smtp_code, e.smtp_error.decode())
PYEOF
)
case $r in "550 5.7.23 SPF check of none.test failed"*) ok 0 "-S: SPF fail is 550 5.7.23";; *) ok 1 "-S: SPF fail is 550 5.7.23 (got: $r)";; esac
is "$(send $EVIL "$port" x@none.test x@none.test none)" 250 "without -S an SPF fail under p=none passes"
hdr "$(newest)" | grep -q 'spf=fail'
ok $? "reported as spf=fail"

# 8. DNS trouble: a temporary answer, nothing queued
n1=$(queue_count)
r=$(send $EVIL "$port" ann@tempfail.example ann@tempfail.example none)
case $r in 451*) ok 0 "a DMARC lookup that fails for now: 451";; *) ok 1 "DNS trouble: 451 (got: $r)";; esac
is "$(queue_count)" "$n1" "nothing queued"

# 9. ways to hide the From: domain are refused, not waved through
r=$(send $EVIL "$port" x@evil.test ann@good.test none 'X-Foo : bar')
case $r in "550 5.7.1 Rejected by the DMARC policy of good.test"*) ok 0 "a line with a blank before its colon hides no From:";; *) ok 1 "X-Foo : bar then From: (got: $r)";; esac
r=$(send $EVIL "$port" x@evil.test ann@quar.test none 'X-Foo : bar' \
    'Authentication-Results: mx.example.test; dmarc=pass header.from=quar.test')
is "${r%% *}" 250 "a p=quarantine forgery after such a line is accepted"
h=$(hdr "$(newest)")
printf '%s\n' "$h" | grep -q 'dmarc=pass header.from=quar.test'
ok $((! $?)) "and its forged results below that line are removed"
r=$(send $EVIL "$port" x@evil.test 'ann@good.test>' none 'From: x@evil.test')
case $r in "550 5.7.1 A message needs exactly one From: address"*) ok 0 "two From: fields: 550";; *) ok 1 "two From: fields: 550 (got: $r)";; esac
r=$($PY "$T/send.py" $EVIL "$port" x@evil.test 'ann@good.test>, <x@evil.test' none)
case $r in "550 5.7.1 A message needs exactly one From: address"*) ok 0 "two From: addresses: 550";; *) ok 1 "two From: addresses: 550 (got: $r)";; esac
r=$(send $EVIL "$port" ann@good.test ann@good.test none \
    'DKIM-Signature: v=1; a=rsa-sha256; d=tempfail.example; s=s; h=from; bh=AAAA; b=AAAA')
case $r in "550 5.7.1 Rejected by the DMARC policy of good.test"*) ok 0 "a signature of another domain that fails for now does not defer a forgery";; *) ok 1 "unaligned temperror: 550 (got: $r)";; esac
n1=$(queue_count)
r=$(send $EVIL "$port" ann@good.test ann@good.test none \
    'DKIM-Signature: v=1; a=rsa-sha256; d=good.test; s=gone; h=from; bh=AAAA; b=AAAA')
case $r in 550*) ok 0 "a signature of the From: domain without a key: still 550";; *) ok 1 "no key: 550 (got: $r)";; esac

r=$($PY - "$EVIL" "$port" <<'PYEOF'
import smtplib, sys
s = smtplib.SMTP(timeout=30, source_address=(sys.argv[1], 0))
s.connect("127.0.0.1", int(sys.argv[2]))
s.ehlo("client.good.test")
msg = "From: ceo@b\u00e4nk.test\r\nSubject: idn\r\n\r\nbody\r\n".encode()
try:
    s.sendmail("x@evil.test", ["alice@example.test"], msg, mail_options=["SMTPUTF8"])
    print("250")
except smtplib.SMTPDataError as e:
    print(e.smtp_code, e.smtp_error.decode())
except smtplib.SMTPException as e:
    print("error", e)
PYEOF
)
case $r in "550 5.7.1 Rejected by the DMARC policy of xn--bnk-qla.test"*) ok 0 "a UTF-8 From: domain is checked under its A-labels";; *) ok 1 "UTF-8 From: domain (got: $r)";; esac
# the same domain in MAIL FROM, from its own address: SPF is looked up
# and aligned under the A-labels too (RFC 8616 3), so DMARC passes
r=$($PY - "$GOOD" "$port" <<'PYEOF'
import smtplib, sys
s = smtplib.SMTP(timeout=30, source_address=(sys.argv[1], 0))
s.connect("127.0.0.1", int(sys.argv[2]))
s.ehlo("client.good.test")
msg = "From: ceo@b\u00e4nk.test\r\nSubject: idn ok\r\n\r\nbody\r\n".encode()
try:
    s.sendmail("ceo@b\u00e4nk.test", ["alice@example.test"], msg,
               mail_options=["SMTPUTF8"])
    print("250")
except smtplib.SMTPException as e:
    print("error", e)
PYEOF
)
is "$r" 250 "a UTF-8 MAIL FROM domain: SPF under its A-labels, aligned"
h=$(hdr "$(newest)")
echo "$h" | grep -q 'spf=pass (xn--bnk-qla.test: mechanism ip4:' &&
    echo "$h" | grep -q 'dmarc=pass (p=reject; spf aligned) header.from=xn--bnk-qla.test'
ok $? "its results: spf=pass for the A-labels, dmarc=pass by SPF alignment"
is "$(send $EVIL "$port" x@evil.test ann@quar.test none 'X-A: 1' \
    "$(printf 'Authentication-Results\r\n : mx.example.test; dmarc=pass')")" 250 \
    "a p=quarantine forgery with a folded field name"
hdr "$(newest)" | grep -q '^ : mx.example.test; dmarc=pass'
ok $((! $?)) "its forged results are removed all the same"

# 10. a relay client is this site's own: not checked
kill "$spid"
start_smtpd RELAYCLIENT= LD_PRELOAD="$WRAP" RESOLV_WRAPPER_CONF="$T/resolv.conf"
is "$(send $EVIL "$port" ann@good.test ann@good.test none)" 250 "a relay client's mail is not checked"
hdr "$(newest)" | grep -q '^Authentication-Results'
ok $((! $?)) "and gets no Authentication-Results"
