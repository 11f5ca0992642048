#!/bin/sh
# 4005-smtp-to-maildir.t: the whole inbound path: SMTP (Python smtplib)
# -> smtpd under tcpserver -> enqueue -> qrun daemon -> local -> Maildir.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
command -v tcpserver >/dev/null 2>&1 || skip_all "tcpserver (ucspi-tcp) not installed"
[ -x "$B/smtpd" ] || skip_all "smtpd not built"
plan 4
setup_instance
as_recipients queue

"$B/qrun" 2>"$T/qrun.log" &
reap $!
port=$(free_port)
tcpserver -q -HRl0 127.0.0.1 "$port" "$B/smtpd" 2>"$T/smtpd.log" &
reap $!
wait_for 5 $PY -c "import socket; socket.create_connection(('127.0.0.1', $port)).close()"
ok $? "smtpd listens"

$PY - "$port" >"$T/smtp.out" 2>&1 <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
s.sendmail("carol@example.org", ["alice@example.test", "bob@example.test"],
           b"From: carol@example.org\r\nSubject: over smtp\r\n\r\n"
           b"line one\r\n.dot line\r\n")
s.quit()
print("sent")
PY
is "$(cat "$T/smtp.out")" "sent" "smtplib sent the message"
wait_for 10 sh -c '[ "$(ls "$0/alice/Maildir/new" "$0/bob/Maildir/new" | grep -c ,S=)" = 2 ]' "$POSTEL_ROOT/mail"
ok $? "delivered to alice and bob"
out=$($PY - "$POSTEL_ROOT/mail/alice/Maildir" <<'PY'
import mailbox, sys
for m in mailbox.Maildir(sys.argv[1], factory=None, create=False):
    print(m["Subject"], m["Delivered-To"], repr(m.get_payload()), sep="|")
PY
)
is "$out" "over smtp|alice@example.test|'line one\\n.dot line\\n'" \
    "headers and dot-unstuffed body in LF form"
done_testing
