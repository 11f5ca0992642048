#!/bin/sh
# 4401-qrun-dsn.t: which reports qrun sends for local deliveries, as the
# recipients' NOTIFY asks (RFC 3461 4.1, postel-qrun(8) BOUNCES): none
# for NOTIFY=NEVER or a NOTIFY without FAILURE, a bounce by default, a
# success notice (RFC 3464, Action: delivered) for NOTIFY=SUCCESS, with
# ENVID and ORCPT returned decoded; from enqueue -N -V -d and from
# sendmail -N -V.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
plan 15
setup_instance
as_recipients queue
A=$POSTEL_ROOT/mail/alice
diag_on_fail "$T/qrun.log"
reports() { $PY "$TOP/t/44-dsn-read.py" "$A/Maildir"; }
clear() { rm -f "$A"/Maildir/new/* "$A"/Maildir/cur/*; }
msg() { printf 'Subject: %s\n\nBODYMARK\n' "$1"; }

# 1. NOTIFY=NEVER to a failing recipient: nothing at all
msg never | "$B/enqueue" -f alice@example.test -N never nosuch@example.test >/dev/null 2>&1
pass; pass
is "$(queue_count) $(count_new alice)" "0 0" "NOTIFY=NEVER: the failure is not reported"
# 2. NOTIFY=SUCCESS only (from -d), and the recipient fails: nothing
msg success-only | "$B/enqueue" -f alice@example.test -d '1 notify=success' \
    nosuch@example.test >/dev/null 2>&1
pass; pass
is "$(queue_count) $(count_new alice)" "0 0" "NOTIFY=SUCCESS: a failure is not reported"
# 3. no NOTIFY: the bounce of before
msg default | "$B/enqueue" -f alice@example.test nosuch@example.test >/dev/null 2>&1
pass; pass
is "$(reports | sed -n 's/^rcpt Action: //p;s/^report //p;s/^other //p' | tr '\n' ' ')" \
    "Undelivered mail returned to sender failed 0 " "no NOTIFY: a bounce, as before"
clear

# 4. NOTIFY=SUCCESS to a local recipient that is delivered
id=$(msg hello | "$B/enqueue" -f alice@example.test -V 'env+2Bid+3D1' \
    -d '1 notify=success,failure orcpt=rfc822;Bob+2Btag@example.test' bob@example.test 2>/dev/null)
pass; pass
is "$(count_new bob)" 1 "the message is delivered"
is "$(reports)" "report Successful mail delivery report
return-path <>
type multipart/report delivery-status
parts text/plain message/delivery-status text/rfc822-headers
msg Original-Envelope-Id: env+id=1
msg Reporting-MTA: dns; mx.example.test
rcpt Original-Recipient: rfc822; Bob+tag@example.test
rcpt Final-Recipient: rfc822; bob@example.test
rcpt Action: delivered
rcpt Status: 2.0.0
returned no-body subject
other 0" "a success notice: delivered, 2.0.0, ENVID and ORCPT decoded, headers only"
! grep -rq 'Maildir' "$POSTEL_ROOT/mail/alice/Maildir/new"
ok $? "the notice names no mailbox: local's text stays here (RFC 3461 5.2.7.4)"
grep -q "^qrun: notice qid=$id to=alice@example.test kind=success rcpts=1 id=" "$T/qrun.log"
ok $? "logged as a notice"
grep -q "^qrun: new qid=[^ ]* from=<> rcpts=1 origin=\"qrun notice $id\"" "$T/qrun.log"
ok $? "queued from the null sender"
grep -q "$(sed -n 's/^.*qrun: notice qid='"$id"' .* id=//p' "$T/qrun.log") rcpt=<alice@example.test> .*status=ok" "$T/qrun.log"
ok $? "and delivered to the sender"
clear

# 5. sendmail -N success -V: the same, and a report for a report: none
printf 'Subject: via sendmail\n\nBODYMARK\n' |
    "$B/sendmail" -f alice@example.test -N success -V sm1 bob@example.test 2>"$T/sendmail.err"
pass; pass
is "$(reports | sed -n 's/^msg Original-Envelope-Id: //p;s/^rcpt Action: //p;s/^rcpt Original-Recipient/orcpt/p;s/^other //p' | tr '\n' ' ')" \
    "sm1 delivered 0 " "sendmail -N success -V: a notice with the envelope id, no ORCPT"
clear

# 6. one message, a recipient asking for success and one failing: a
# notice and a bounce, each listing its recipient alone
msg mixed | "$B/enqueue" -f alice@example.test -d '1 notify=success' \
    -d '2 notify=failure' bob@example.test nosuch@example.test >/dev/null 2>&1
pass; pass
is "$(reports | sed -n 's/^rcpt Final-Recipient: //p;s/^rcpt Action: //p;s/^report //p' | tr '\n' ' ')" \
    "Successful mail delivery report rfc822; bob@example.test delivered Undelivered mail returned to sender rfc822; nosuch@example.test failed " \
    "a notice for the delivered recipient, a bounce for the failed one"
clear

# 7. NOTIFY=FAILURE,DELAY and a delivery: no notice; -N success for a
# message from <>: none either (no one to tell)
msg nosucc | "$B/enqueue" -f alice@example.test -N failure,delay bob@example.test >/dev/null 2>&1
msg fromnull | "$B/enqueue" -f '' -N success bob@example.test >/dev/null 2>&1
pass; pass
is "$(queue_count) $(count_new alice)" "0 0" "no notice without SUCCESS, none for the null sender"

# 8. a state file that owes a notice (a runner stopped after delivering
# and before queueing it): the next runner sends it, then removes
printf 'postel 1\narrival %s\nfrom <alice@example.test>\nrcpt <bob@example.test>\norigin test\ndsn 1 notify=success\n\nSubject: crash\n\nBODYMARK\n' \
    "$(date +%s)" >"$POSTEL_ROOT/queue/cur/1000.000001.1"
printf 'postel-state 1\nrcpt 1 ok 1 0 2.0.0 delivered before the crash\nnotice 1 delivered\n' \
    >"$POSTEL_ROOT/queue/state/1000.000001.1"
n=$(count_new bob)
pass; pass
is "$(count_new bob) $(queue_count)" "$n 0" "not delivered again, and removed"
is "$(reports | sed -n 's/^rcpt Action: //p;s/^rcpt Diagnostic-Code: //p;s/^other //p' | tr '\n' ' ')" \
    "delivered 0 " "the owed notice is sent"
test ! -e "$POSTEL_ROOT/queue/state/1000.000001.1"
ok $? "its state is gone"
