#!/bin/sh
# 4001-deliver-maildir.t: enqueue -> qrun -> local -> Maildir, read back by
# Python's mailbox module (and mutt when installed); unknown users and mail
# loops bounce in RFC 3464 form; the queue is empty afterwards.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
plan 25
setup_instance
as_recipients

printf 'From: carol@example.org\nSubject: first\n\nhello alice\n' |
    "$B/enqueue" -f carol@example.org alice@example.test bob@example.test \
    >/dev/null 2>&1
ok $? "queued for alice and bob"
pass
ok $? "qrun -1 exits 0"
is "$(count_new alice)" 1 "one message in alice's Maildir/new"
is "$(count_new bob)" 1 "one message in bob's Maildir/new"
is "$(queue_count)" 0 "the queue is empty"
is "$(ls "$POSTEL_ROOT/queue/state" | wc -l | tr -d ' ')" 0 "no state file left"
is "$(ls "$POSTEL_ROOT/mail/alice/Maildir/tmp" | wc -l | tr -d ' ')" 0 \
    "nothing left in Maildir/tmp"

out=$($PY - "$POSTEL_ROOT/mail/alice/Maildir" <<'PY'
import mailbox, sys
md = mailbox.Maildir(sys.argv[1], factory=None, create=False)
for key, m in md.items():
    print(m["Return-Path"], m["Delivered-To"], m["Subject"],
          m.get_payload().strip(), sep="|")
PY
)
is "$out" "<carol@example.org>|alice@example.test|first|hello alice" \
    "mailbox reads Return-Path, Delivered-To, headers and body"
grep -q 'qrun: result .*rcpt=<alice@example.test> channel=local status=ok dsn=2.0.0 attempt=1' "$T/qrun.log"
ok $? "one log line for the delivery attempt"

if command -v mutt >/dev/null 2>&1 && command -v script >/dev/null 2>&1; then
	# mutt wants a terminal: script(1) gives it one; its input is a FIFO
	# that stays open and silent, so only the pushed keys drive mutt.
	mkfifo "$T/tty.in"
	exec 3<>"$T/tty.in"
	timeout 20 script -qec "TERM=vt100 HOME=$T mutt -n -F /dev/null \
	    -f $POSTEL_ROOT/mail/bob/Maildir -e 'set quit=yes wait_key=no folder=$T' \
	    -e 'push \"<pipe-message>cat >$T/mutt.out<enter><quit>\"'" \
	    /dev/null <&3 >/dev/null 2>&1
	exec 3>&-
	is "$(grep -c '^Subject: first' "$T/mutt.out" 2>/dev/null)" 1 \
	    "mutt opens the Maildir and pipes the message"
else
	skip "mutt or script not installed"
fi

# an unknown user: permanent, one RFC 3464 bounce back to the sender
printf 'Subject: to nobody\nMessage-ID: <x1@example.test>\n\nlost\n' |
    "$B/enqueue" -f alice@example.test nosuch@example.test >/dev/null 2>&1
pass
grep -q 'rcpt=<nosuch@example.test> channel=local status=perm dsn=5.1.1' "$T/qrun.log"
ok $? "unknown user is a permanent 5.1.1"
pass
is "$(count_new alice)" 2 "the bounce reached the sender"
is "$(queue_count)" 0 "queue empty after the bounce"
$PY - "$POSTEL_ROOT/mail/alice/Maildir" >"$T/dsn.out" <<'PY'
import mailbox, sys
md = mailbox.Maildir(sys.argv[1], factory=None, create=False)
for key, m in md.items():
    if m.get_content_type() != "multipart/report":
        continue
    print("type", m.get_content_type(), m.get_param("report-type"))
    print("rp", m["Return-Path"])
    print("auto", m["Auto-Submitted"])
    parts = m.get_payload()
    print("parts", [p.get_content_type() for p in parts])
    ds = parts[1].get_payload()
    # message/delivery-status: a list of header blocks
    print("mta", ds[0]["Reporting-MTA"])
    print("rcpt", ds[1]["Final-Recipient"], ds[1]["Action"], ds[1]["Status"])
    print("diag", ds[1]["Diagnostic-Code"] is not None)
    print("orig", "x1@example.test" in parts[2].as_string())
PY
is "$(sed -n 's/^type //p' "$T/dsn.out")" "multipart/report delivery-status" "bounce is multipart/report"
is "$(sed -n 's/^rp //p' "$T/dsn.out")" "<>" "bounce has the null sender"
is "$(sed -n 's/^auto //p' "$T/dsn.out")" "auto-replied" "bounce is Auto-Submitted"
is "$(sed -n 's/^parts //p' "$T/dsn.out")" "['text/plain', 'message/delivery-status', 'text/rfc822-headers']" "three parts"
is "$(sed -n 's/^mta //p' "$T/dsn.out")" "dns; mx.example.test" "Reporting-MTA names the host"
is "$(sed -n 's/^rcpt //p' "$T/dsn.out")" "rfc822; nosuch@example.test failed 5.1.1" "Final-Recipient, Action, Status"
is "$(sed -n 's/^diag //p' "$T/dsn.out")" "True" "Diagnostic-Code present"
is "$(sed -n 's/^orig //p' "$T/dsn.out")" "True" "original headers attached"

# a message that was delivered to bob already comes back: a loop, 5.4.6
printf 'Delivered-To: bob@example.test\nSubject: loop\n\nround\n' |
    "$B/enqueue" -f '' bob@example.test >/dev/null 2>&1
pass
grep -q 'rcpt=<bob@example.test> channel=local status=perm dsn=5.4.6' "$T/qrun.log"
ok $? "Delivered-To for the same address is a permanent loop (5.4.6)"
# (mutt above moved bob's message to cur/: count both)
is "$(ls "$POSTEL_ROOT/mail/bob/Maildir/new" "$POSTEL_ROOT/mail/bob/Maildir/cur" |
    grep -c ',S=')" 1 "the looping message was not delivered"

# the name carries the size in octets and the size with CRLF line ends
# (lib/maildir.h), which pop3d and Dovecot list without reading the file
f=$(ls "$POSTEL_ROOT"/mail/alice/Maildir/new/* | head -n 1)
name=${f##*/}
is "$(echo "$name" | sed -n 's/.*,S=\([0-9]*\).*/\1/p')" "$(wc -c < "$f" | tr -d ' ')" \
    "S= is the file's size"
is "$(echo "$name" | sed -n 's/.*,W=\([0-9]*\).*/\1/p')" \
    "$(( $(wc -c < "$f") + $(wc -l < "$f") ))" "W= counts each LF as CRLF"
done_testing
