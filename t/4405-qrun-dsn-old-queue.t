#!/bin/sh
# 4405-qrun-dsn-old-queue.t: a queue file written before the DSN lines
# (no notify, ret, envid or dsn line) and a state file without notice
# lines are delivered and bounce as before: failures reported with the
# header section, no success notice.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
plan 3
setup_instance
as_recipients
A=$POSTEL_ROOT/mail/alice
diag_on_fail "$T/qrun.log"
Q=$POSTEL_ROOT/queue
printf 'postel 1\narrival %s\nfrom <alice@example.test>\nrcpt <bob@example.test>\nrcpt <nosuch@example.test>\nrcpt <bob+x@example.test>\norigin enqueue uid=0\n\nSubject: old\n\nBODYMARK\n' \
    "$(date +%s)" >"$Q/cur/1000.000001.1"
# the third recipient was delivered by a runner of before
printf 'postel-state 1\nrcpt 3 ok 1 0 2.0.0 delivered to ./Maildir/\n' >"$Q/state/1000.000001.1"
pass; pass
is "$(count_new bob) $(queue_count)" "1 0" "delivered once, removed"
is "$($PY "$TOP/t/44-dsn-read.py" "$A/Maildir")" "report Undelivered mail returned to sender
return-path <>
type multipart/report delivery-status
parts text/plain message/delivery-status text/rfc822-headers
msg Reporting-MTA: dns; mx.example.test
rcpt Final-Recipient: rfc822; nosuch@example.test
rcpt Action: failed
rcpt Status: 5.1.1
rcpt Diagnostic-Code: X-Postel; $(sed -n 's/.*rcpt=<nosuch@example.test> .* text="\(.*\)"$/\1/p' "$T/qrun.log")
returned no-body subject
other 0" "one bounce as before, for the failed recipient alone; no notice"
grep -q 'qrun: bounce qid=1000.000001.1 to=alice@example.test kind=failure rcpts=1 id=' "$T/qrun.log"
ok $? "logged as a bounce"
