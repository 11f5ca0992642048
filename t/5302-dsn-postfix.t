#!/bin/sh
# 5302-dsn-postfix.t: DSN end to end with Debian's Postfix as the next hop
# (issue 21). A client asks postel's smtpd for NOTIFY=SUCCESS with an ORCPT
# (and none for a second recipient), RET=HDRS and an ENVID; remote passes
# the requests to Postfix, which offers DSN, and says "action N passed";
# Postfix delivers and sends its success report back through postel to
# the sender's Maildir, naming the ORCPT postel received and the ENVID;
# remote adds an ORCPT where none came (RFC 3461 5.2); postel sends no
# notice of its own. Needs root (for Postfix) and tcpserver.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/4-lib.sh"
. "$TOP/t/5-postfix.sh"
command -v tcpserver >/dev/null 2>&1 || skip_all "tcpserver (ucspi-tcp) not installed"
for p in smtpd qrun remote local enqueue; do
	[ -x "$B/$p" ] || skip_all "$p not built"
done
pf_prepare
plan 16
setup_instance
as_recipients queue

# remote as qrun runs it, its result lines also kept in $T/remote.out
L=$T/libexec
mkdir "$L"
for p in local enqueue qrun smtpd; do ln -s "$B/$p" "$L/$p"; done
cat >"$L/remote" <<EOF
#!/bin/sh
{ "$B/remote" "\$@"; echo \$? >"$T/remote.rc.\$\$"; } | tee -a "$T/remote.out"
rc=\$(cat "$T/remote.rc.\$\$"); rm -f "$T/remote.rc.\$\$"
exit "\$rc"
EOF
chmod 755 "$L/remote"
POSTEL_LIBEXEC=$L
: >"$T/remote.out"

PFIP=127.0.0.21
pfport=$(pf_free_port $PFIP)
sp=$(free_port)
echo "pf.test [$PFIP]:$pfport tls=none" >"$POSTEL_ROOT/conf/routes"
chmod a+r "$POSTEL_ROOT/conf/routes"

# Postfix delivers pf.test and sends all else (its reports) to postel
# (its log shows the commands of any loopback client: remote's source
# address is the kernel's pick)
PF_DEBUG_PEER=127.0.0.0/8
pf_start "$T/pf" "$PFIP:$pfport" pf.test "127.0.0.1:$sp" bob carol
ok $? "Postfix runs on $PFIP:$pfport"

qrun_start
diag_on_fail "$T/smtpd.log" "$T/remote.out"
RELAYCLIENT='' tcpserver -q -HRl0 127.0.0.1 "$sp" "$B/smtpd" 2>"$T/smtpd.log" &
reap $!
wait_for 5 $PY -c "import socket; socket.create_connection(('127.0.0.1', $sp)).close()"
ok $? "postel's smtpd listens on 127.0.0.1:$sp"

printf 'From: alice@example.test\r\nTo: bob@pf.test, carol@pf.test\r\nSubject: receipt please\r\nMessage-ID: <r.1@example.test>\r\n\r\nthe secret body\r\n' |
    $PY "$TOP/t/53-postfix-send.py" 127.0.0.1 "$sp" alice@example.test \
    'bob@pf.test NOTIFY=SUCCESS ORCPT=rfc822;orig@example.org' \
    'carol@pf.test NOTIFY=SUCCESS' \
    --mail RET=HDRS --mail ENVID=abc+2Bdef >"$T/send.out" 2>&1
is "$(tail -n 1 "$T/send.out")" "sent" "postel's smtpd took the DSN requests"

both_got() { pf_has_mail bob 1 && pf_has_mail carol 1; }
wait_for 30 both_got
ok $? "Postfix's virtual Maildirs got the message, for bob and carol"
grep -q '^Subject: receipt please' "$(pf_mail bob)" 2>/dev/null
ok $? "the message itself"

# what postel's remote said on the wire, parameters sorted
words() { tr ' ' '\n' | sort | tr '\n' ' '; }
is "$(pf_commands | grep -i '^mail from:' | tr ' ' '\n' | grep -E '^(FROM|RET|ENVID)' | words)" \
    "ENVID=abc+2Bdef FROM:<alice@example.test> RET=HDRS " "remote passed RET and ENVID"
is "$(pf_commands | grep -i '^rcpt to:<bob@' | cut -d' ' -f2- | words)" \
    "NOTIFY=SUCCESS ORCPT=rfc822;orig@example.org TO:<bob@pf.test> " \
    "remote passed NOTIFY and the ORCPT it received"
is "$(pf_commands | grep -i '^rcpt to:<carol@' | cut -d' ' -f2- | words)" \
    "NOTIFY=SUCCESS ORCPT=rfc822;carol@pf.test TO:<carol@pf.test> " \
    "remote added an ORCPT where none was given (RFC 3461 5.2)"
wait_for 10 grep -q '^action' "$T/remote.out"
is "$(grep '^action' "$T/remote.out" | sort | tr '\n' /)" "action 1 passed/action 2 passed/" \
    "remote's results: action passed for both, no notice owed here"
is "$(grep -c '^remote: sent qid=[0-9.]* host=127.0.0.21 ip=127.0.0.21 ok=2 temp=0 perm=0 pending=0 dsn=passed$' "$T/qrun.log")" 1 \
    "remote's log: the requests went on (dsn=passed)"

# Postfix's report comes back through postel's smtpd to alice
wait_for 30 sh -c "grep -q 'to=<alice@example.test>, relay=127.0.0.1.*status=sent' '$T/pf/maillog'"
ok $? "Postfix sent its report to postel"
wait_for 30 has_new alice 1
wait_for 30 queue_empty
ok $? "postel's queue is empty (message, report and any notice done)"
for f in "$POSTEL_ROOT"/mail/alice/Maildir/new/*; do
	$PY "$TOP/t/53-postfix-dsn.py" "$f" "the secret body"
done >"$T/dsn" 2>&1
diag_on_fail "$T/dsn" "$T/qrun.log"
is "$(grep -c '^type' "$T/dsn"):$(grep -c '^msg Reporting-MTA: dns; pf.pf.test$' "$T/dsn")" "1:1" \
    "alice got one report, Postfix's: postel sent no notice of its own"
is "$(grep -E '^msg Original-Envelope-Id:|^part' "$T/dsn" | tr '\n' /)" \
    "part text/plain/part message/delivery-status/msg Original-Envelope-Id: abc+def/part text/rfc822-headers/" \
    "the ENVID (Postfix shows it decoded), headers only (RET=HDRS)"
is "$(grep -E '^rcpt (Final-Recipient|Original-Recipient|Action):' "$T/dsn" | tr '\n' /)" \
    "rcpt Final-Recipient: rfc822; bob@pf.test/rcpt Original-Recipient: rfc822;orig@example.org/rcpt Action: delivered/rcpt Final-Recipient: rfc822; carol@pf.test/rcpt Original-Recipient: rfc822;carol@pf.test/rcpt Action: delivered/" \
    "delivered, with the ORCPT postel received"
grep -qx 'returned-body no' "$T/dsn"
ok $? "the body is not returned"
done_testing
