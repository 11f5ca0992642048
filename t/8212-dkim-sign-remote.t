#!/bin/sh
# 8212-dkim-sign-remote.t: remote signs the mail of this host's users as
# it leaves (a sendmail submission, an SMTP AUTH client's message, a
# bounce of qrun's) with the key conf/dkim-sign gives the From: domain,
# exact domain before "*"; dkimpy verifies what the sink received against
# the records dkim-keygen printed. Relayed mail (RELAYCLIENT, no AUTH) and
# local's forwards leave unsigned; a message without one From: address
# leaves unsigned with a log line; a key that cannot be loaded keeps the
# message queued (temporary), never sent unsigned; a queue file from
# before the auth keyword is still delivered.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/82-sign-lib.sh"
. "$TOP/t/5-lib.sh"
. "$TOP/t/3smtpd.sh"
. "$TOP/t/6tls.sh"
for p in qrun sendmail enqueue local postel; do
	[ -x "$B/$p" ] || skip_all "$p not built"
done
$PY -c 'import dkim' 2>/dev/null || skip_all "dkimpy (python3-dkim) not installed"
plan 35
setup_instance
if [ "$(id -u)" -eq 0 ]; then   # local runs as the recipient: see t/4-lib.sh
	chmod 711 "$T"; chmod 755 "$POSTEL_ROOT" "$POSTEL_ROOT/mail"
	chown -R nobody:nogroup "$POSTEL_ROOT"/mail/*
fi
conf "me mx.example.test" "auth-checkpassword $T/checkpw" "auth-plaintext 1" \
    "auth-fail-delay 0"
chmod a+r "$POSTEL_ROOT/conf/postel.conf"

keygen example.test sel1 && keygen example.test sel2
ok $? "two keys made"
cat >"$POSTEL_ROOT/conf/dkim-sign" <<'DEOF'
# the domain's own line wins over *
example.test sel1 dkim/example.test.sel1.key
*            sel2 dkim/example.test.sel2.key example.test
DEOF
R1=$T/example.test.sel1.out R2=$T/example.test.sel2.out
dns_start 127.0.82.21 --mx-host=far.test,mx.far.test,10 \
    --host-record=mx.far.test,127.0.82.22 \
    "--txt-record=sel1._domainkey.example.test,$(txt_strings "$R1")" \
    "--txt-record=sel2._domainkey.example.test,$(txt_strings "$R2")"
sink_start far 127.0.82.22:25
diag_on_fail "$T/qrun.log"
qpass() {
	LD_PRELOAD=$WRAP RESOLV_WRAPPER_CONF=$T/resolv.conf \
	    "$B/qrun" -1 -f >>"$T/qrun.log" 2>&1
}
nsink() { ls "$T/far" | grep -c 'raw$'; }
# the sink's message whose Subject: is $1
bysubj() { grep -l "^Subject: $1[[:space:]]*\$" "$T"/far/*.raw | head -1; }
msg() {
	printf 'From: %s\nTo: %s\nSubject: %s\nDate: Thu, 03 Dec 2026 12:00:00 +0000\nMessage-ID: <%s@example.test>\n\n.dot line\nbody of %s\n' \
	    "$1" "$2" "$3" "$3" "$3"
}

# 1. a local submission
msg 'Alice <alice@example.test>' ok1@far.test sub1 |
    "$B/sendmail" -f alice@example.test ok1@far.test
is "$?" 0 "sendmail queued alice's message"
qpass
f=$(bysubj sub1)
is "$(verify "$f" "$R1" "$R2")" "pass d=example.test s=sel1" "alice's submission left signed with her domain's own key; dkimpy verifies it"
head -1 "$f" | grep -q '^DKIM-Signature: '; ok $? "the signature is the first header field"
grep -q '^\.\.dot line' "$f"; ok $? "the message is still dot-stuffed"
n=${f%.raw}.env
$PY - "$f" "$n" <<'PYEOF'
import json, re, sys
raw = open(sys.argv[1], 'rb').read()[:-3]          # less the final dot
size = len(re.sub(rb'(^|\r\n)\.', rb'\1', raw))
mail = json.load(open(sys.argv[2]))['mail']
sys.exit(0 if re.search(r'SIZE=%d\b' % size, mail) else 1)
PYEOF
ok $? "MAIL FROM's SIZE= counts the signature"
grep -q '^remote: dkim qid=[0-9.]* result=signed d=example.test s=sel1$' "$T/qrun.log"
ok $? "remote logs the signing"

# 2. an authenticated SMTP client
start_smtpd
cat >"$T/client.py" <<'PYEOF'
import smtplib, sys
port, user, pw, frm, to, subj = sys.argv[1:7]
s = smtplib.SMTP("127.0.0.1", int(port), timeout=10)
if user != "-":
    s.login(user, pw)
s.sendmail(frm, [to], "From: %s\r\nTo: %s\r\nSubject: %s\r\n\r\nhello\r\n" % (frm, to, subj))
s.quit()
print("sent")
PYEOF
is "$($PY "$T/client.py" "$port" alice secret alice@example.test ok2@far.test sub2 2>&1)" sent "smtplib logged in and sent"
grep -qx 'auth alice' "$(last_msg)"; ok $? "the queue file says the client authenticated as alice"
qpass
is "$(verify "$(bysubj sub2)" "$R1" "$R2")" "pass d=example.test s=sel1" "the AUTH client's message left signed"

# 3. relayed for a RELAYCLIENT client without AUTH: not ours to sign
start_smtpd RELAYCLIENT=
is "$($PY "$T/client.py" "$port" - - alice@example.test ok3@far.test sub3 2>&1)" sent "a RELAYCLIENT client sent without AUTH"
grep -q '^auth ' "$(last_msg)"; ok $((! $?)) "no auth line in its queue file"
qpass
f=$(bysubj sub3)
[ -n "$f" ]; ok $? "the relayed message was delivered"
is "$(verify "$f")" unsigned "and not signed"

# 4. a bounce of qrun's, From: MAILER-DAEMON@mx.example.test: the * line
msg zed@far.test perm@far.test sub4 | "$B/sendmail" -f zed@far.test perm@far.test
for i in 1 2 3; do qpass; [ -n "$(grep -l '^To: <\?zed@far.test' "$T"/far/*.raw 2>/dev/null)" ] && break; done
f=$(grep -l 'MAILER-DAEMON@mx.example.test' "$T"/far/*.raw | head -1)
[ -n "$f" ]; ok $? "the bounce to zed@far.test was delivered"
is "$(verify "$f" "$R1" "$R2")" "pass d=example.test s=sel2" "the bounce left signed, by the * line's key and signing domain"

# 5. queue files written by hand: forwards are not signed; an old file
# (no auth line, an unknown keyword) is delivered; a message without one
# From: address leaves unsigned
qfile() {       # qfile ID ORIGIN SUBJECT FROM-LINES
	printf 'postel 1\narrival %s\nfrom <alice@example.test>\nrcpt <ok5@far.test>\norigin %s\nsome-future-keyword x\n\n%bSubject: %s\n\nbody\n' \
	    "$(date +%s)" "$2" "$4" "$3" >"$POSTEL_ROOT/queue/tmp/$1"
	mv "$POSTEL_ROOT/queue/tmp/$1" "$POSTEL_ROOT/queue/new/$1"
}
qfile 1764000000.000001.1 "local forward 1764000000.1.9 for bob@example.test" sub5a 'From: alice@example.test\n'
qfile 1764000000.000002.1 "forward uid=1000" sub5b 'From: alice@example.test\n'
qfile 1764000000.000003.1 "sendmail uid=1000" sub5c 'From: alice@example.test\n'
qfile 1764000000.000004.1 "sendmail uid=1000" sub5d ''
qfile 1764000000.000005.1 "sendmail uid=1000" sub5e 'From: alice@example.test, bob@example.test\n'
qpass
is "$(verify "$(bysubj sub5a)")" unsigned "a forward by local (origin local forward) is not signed"
is "$(verify "$(bysubj sub5b)")" unsigned "a forward through the setgid enqueue (forward uid=) is not signed"
is "$(verify "$(bysubj sub5c)" "$R1")" "pass d=example.test s=sel1" "an old queue file without the auth line is delivered (and signed: a submission)"
is "$(verify "$(bysubj sub5d)")" unsigned "a message without From: leaves unsigned"
grep -q '^remote: dkim qid=1764000000.000004.1 result=none why="no From: field"$' "$T/qrun.log"; ok $? "and the log says why"
is "$(verify "$(bysubj sub5e)")" unsigned "a From: with two addresses leaves unsigned"
grep -q '^remote: dkim qid=1764000000.000005.1 result=none why=' "$T/qrun.log"; ok $? "and the log says why"
is "$(queue_count)" 0 "nothing left in the queue"

# 5b. remote -m: each message of a batch signed on its own, in one session
qfile 1764000000.000006.1 "sendmail uid=1000" sub5f 'From: alice@example.test\n'
qfile 1764000000.000007.1 "smtpd 192.0.2.9" sub5g 'From: alice@example.test\n'
qfile 1764000000.000008.1 "qrun bounce 1764000000.1.9" sub5h 'From: MAILER-DAEMON@mx.example.test\n'
Q=$POSTEL_ROOT/queue/new
LD_PRELOAD=$WRAP RESOLV_WRAPPER_CONF=$T/resolv.conf "$B/remote" -m -- far.test \
    1764000000.000006.1:1 1764000000.000007.1:1 1764000000.000008.1:1 \
    <"$Q/1764000000.000006.1" 3<"$Q/1764000000.000007.1" 4<"$Q/1764000000.000008.1" \
    >"$T/batch.out" 2>"$T/batch.err"
diag_on_fail "$T/batch.err"
is "$(grep -c ' ok 2.0.0 ' "$T/batch.out")" 3 "remote -m delivered a batch of three"
is "$(verify "$(bysubj sub5f)" "$R1" "$R2") $(verify "$(bysubj sub5g)" "$R1" "$R2") $(verify "$(bysubj sub5h)" "$R1" "$R2")" \
    "pass d=example.test s=sel1 unsigned pass d=example.test s=sel2" \
    "in the batch the submission and the bounce were signed, each with its key, the received mail not"
rm -f "$Q"/1764000000.00000[678].1

# 6. the key cannot be loaded: the message waits, never leaves unsigned
K=$POSTEL_ROOT/conf/dkim/example.test.sel1.key
n=$(nsink)
if [ "$(id -u)" -eq 0 ]; then
	mv "$K" "$K.away"       # root reads any mode: unreadable as missing
else
	chmod 000 "$K"
fi
msg alice@example.test ok6@far.test sub6 | "$B/sendmail" -f alice@example.test ok6@far.test
qpass
is "$(nsink)" "$n" "with the key unreadable nothing reached the sink"
is "$(queue_count)" 1 "the message stays queued"
grep -q '^remote: dkim qid=[0-9.]* result=temp s=sel1 why=".*example.test.sel1.key: ' "$T/qrun.log"
ok $? "remote logs why"
grep -q 'status=temp dsn=4.7.0' "$T/qrun.log"; ok $? "the recipient's result is temporary 4.7.0"
if [ "$(id -u)" -eq 0 ]; then mv "$K.away" "$K"; else chmod 600 "$K"; fi
echo 'not a key' >"$POSTEL_ROOT/conf/dkim/example.test.sel3.key"
sed -i 's/sel1 dkim\/example.test.sel1.key/sel1 dkim\/example.test.sel3.key/' "$POSTEL_ROOT/conf/dkim-sign"
qpass
is "$(nsink)" "$n" "with a key file that holds no key nothing reached the sink"
is "$(queue_count)" 1 "the message still waits"
sed -i 's/sel3.key/sel1.key/' "$POSTEL_ROOT/conf/dkim-sign"
qpass
is "$(verify "$(bysubj sub6)" "$R1")" "pass d=example.test s=sel1" "with the key back the message left signed"
is "$(queue_count)" 0 "the queue is empty"

# 7. no conf/dkim-sign: nothing is signed
rm "$POSTEL_ROOT/conf/dkim-sign"
msg alice@example.test ok7@far.test sub7 | "$B/sendmail" -f alice@example.test ok7@far.test
qpass
is "$(verify "$(bysubj sub7)")" unsigned "without conf/dkim-sign nothing is signed"
done_testing
