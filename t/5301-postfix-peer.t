#!/bin/sh
# 5301-postfix-peer.t: the Postfix harness (t/5-postfix.sh) itself, with no
# postel program: Debian's Postfix, unpacked and run privately on loopback,
# advertises DSN, takes a message with RET/ENVID and NOTIFY/ORCPT for its
# virtual domain into a Maildir, and sends its success DSN with those
# values to the sender's MTA (an aiosmtpd sink) over SMTP. Needs root.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/5-postfix.sh"
$PY -c 'import aiosmtpd' 2>/dev/null || skip_all "python3-aiosmtpd not installed"
pf_prepare
plan 14

PFIP=127.0.0.21
pfport=$(pf_free_port $PFIP)
sinkport=$(free_port)
mkdir "$T/sink"
$PY "$TOP/t/53-postfix-sink.py" --listen "127.0.0.1:$sinkport" --dir "$T/sink" \
    2>"$T/sink.log" &
reap $!
diag_on_fail "$T/sink.log"
wait_for 10 test -e "$T/sink/ready" || echo "# the sink did not start"

PF_DEBUG_PEER=127.0.0.1
pf_start "$T/pf" "$PFIP:$pfport" pf.test "127.0.0.1:$sinkport"
ok $? "Postfix runs from its unpacked .deb on $PFIP"

printf 'From: alice@sender.test\r\nTo: bob@pf.test\r\nSubject: dsn probe\r\nMessage-ID: <probe.1@sender.test>\r\n\r\nthe body line\r\n' |
    $PY "$TOP/t/53-postfix-send.py" $PFIP "$pfport" alice@sender.test bob@pf.test \
    --mail RET=HDRS --mail ENVID=abc+2Bdef \
    --rcpt NOTIFY=SUCCESS --rcpt ORCPT=rfc822\;orig@example.org >"$T/send.out" 2>&1
grep -qx 'ehlo DSN' "$T/send.out"
ok $? "EHLO shows DSN"
is "$(tail -n 1 "$T/send.out")" "sent" "accepted with RET, ENVID, NOTIFY and ORCPT"
is "$(pf_commands | grep -E '^(mail|rcpt) ' | tr '\n' /)" \
    "mail FROM:<alice@sender.test> RET=HDRS ENVID=abc+2Bdef/rcpt TO:<bob@pf.test> NOTIFY=SUCCESS ORCPT=rfc822;orig@example.org/" \
    "its log shows the commands as received"

wait_for 20 pf_has_mail bob 1
ok $? "delivered into the virtual Maildir"
grep -q '^Subject: dsn probe' "$(pf_mail bob)" 2>/dev/null
ok $? "the message itself"

wait_for 20 test -e "$T/sink/1.env"
ok $? "a notice reached the sender's MTA"
is "$($PY -c 'import json,sys; e=json.load(open(sys.argv[1])); print(e["mail_from"], e["rcpt_tos"], [o for o in e["mail_options"] if not o.startswith("SIZE=")], e["rcpt_options"])' "$T/sink/1.env" 2>&1)" \
    "<> ['alice@sender.test'] ['BODY=8BITMIME'] []" "from the null sender to the sender, asking no DSN"

$PY "$TOP/t/53-postfix-dsn.py" "$T/sink/1.eml" "the body line" >"$T/dsn" 2>&1
is "$(sed -n '1,2p' "$T/dsn" | tr '\n' /)" "type multipart/report/report-type delivery-status/" \
    "an RFC 3464 report"
is "$(grep '^part' "$T/dsn" | tr '\n' /)" \
    "part text/plain/part message/delivery-status/part text/rfc822-headers/" \
    "RET=HDRS: headers only are returned"
grep -qx 'returned-body no' "$T/dsn"
ok $? "the body is not returned"
# Postfix prints the ENVID decoded from xtext and ORCPT as received
is "$(grep -E '^msg (Original-Envelope-Id|X-Postfix-Sender):' "$T/dsn" | tr '\n' /)" \
    "msg Original-Envelope-Id: abc+def/msg X-Postfix-Sender: rfc822; alice@sender.test/" \
    "per-message fields: the ENVID"
is "$(grep -E '^rcpt (Final-Recipient|Original-Recipient|Action|Status):' "$T/dsn" | tr '\n' /)" \
    "rcpt Final-Recipient: rfc822; bob@pf.test/rcpt Original-Recipient: rfc822;orig@example.org/rcpt Action: delivered/rcpt Status: 2.0.0/" \
    "per-recipient fields: delivered, with the ORCPT"
diag_on_fail "$T/send.out" "$T/dsn"
pf_stop
is "$(pf_alive)" "" "postfix stop leaves none of its processes"
done_testing
