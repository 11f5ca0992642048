#!/bin/sh
# 5007-remote-fatal-text.t: when remote (or local) dies of a fatal error,
# its reason is the recipients' result (postel-result(5)): in qrun's
# result line with the qid, in mailq, and in the bounce when the message
# expires; not "delivery program gave no result".
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
plan 6
setup_instance
as_recipients
echo 'far.test [127.0.0.1]:2525 bogus=1' >"$POSTEL_ROOT/conf/routes"
[ "$(id -u)" -eq 0 ] && chmod a+r "$POSTEL_ROOT/conf/routes"
why='conf/routes:1: unknown option'

id=$(printf 'Subject: x\n\nb\n' | "$B/enqueue" -f alice@example.test x@far.test 2>/dev/null)
pass
grep "qrun: result qid=$id rcpt=<x@far.test> channel=remote status=temp" "$T/qrun.log" |
    grep -q "text=\"$why"
ok $? "the result line with the qid carries remote's fatal error"
grep -q 'gave no result' "$T/qrun.log"
ok $((! $?)) "not 'gave no result'"
"$B/sendmail" -bp >"$T/mailq" 2>&1
grep -q "todo, 1 attempt.*4.3.0 $why" "$T/mailq"
ok $? "mailq shows the reason"

# the same error, on a message past its lifetime: the bounce says why
{
	printf 'postel 1\narrival 1000\nfrom <alice@example.test>\n'
	printf 'rcpt <y@far.test>\n\nSubject: old\n\nb\n'
} >"$POSTEL_ROOT/queue/cur/1000.000001.1"
pass
pass
f=$(grep -l 'Action: failed' "$POSTEL_ROOT"/mail/alice/Maildir/new/* 2>/dev/null | head -1)
ok "$([ -n "$f" ]; echo $?)" "the expired message bounced to alice"
grep -q "$why" "${f:-/dev/null}"
ok $? "the bounce names the fatal error"

# local too: its fatal error (a usage error here) is a result line
out=$("$B/local" -x 2>/dev/null </dev/null)
is "$out" "msg perm 5.3.0 usage: local [-8u] [-q qid] sender recipient" \
    "local writes its fatal error as a msg line"
