#!/bin/sh
# 3003-smtpd-smuggling.t: only CRLF.CRLF ends DATA (postel(7), invariant
# 4). A bare CR or LF, alone or around a dot, never ends a line: the message is
# refused with 554 5.6.0 at the real end of data, the "smuggled" commands
# after the fake end are message text, and nothing is queued. Also NUL,
# long lines, a connection dropped mid-DATA and smtpd killed mid-DATA.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/3smtpd.sh"
plan 28
setup_instance
start_smtpd

H='EHLO client.example.org\r\n'
M='MAIL FROM:<sender@example.org>\r\nRCPT TO:<alice@example.test>\r\n'
S='MAIL FROM:<evil@example.org>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nx\r\n'
for v in '\n.\n' '\n.\r\n' '\r\n.\n' '\r.\r' '\r\n.\r' '\n.\r' '\r.\r\n' '\r\n.\r\r\n'; do
	is "$(talk "${H}${M}DATA\r\nSubject: s\r\n\r\nhello${v}${S}.\r\nQUIT\r\n")" "220 250 250 250 354 554 221" "fake end $v: one 554 at the real end, smuggled commands are text"
done
is "$(queue_count)" 0 "nothing queued"
talk -v "${H}${M}DATA\r\nhello\n.\n${S}.\r\nQUIT\r\n" | grep -q '^554 5.6.0 '; ok $? "the refusal is 554 5.6.0"
grep -q 'rejected .*result="554 5.6.0' "$T/smtpd.log"; ok $? "logged as rejected"

is "$(talk "${H}${M}DATA\r\nbare\nLF inside\r\n.\r\nQUIT\r\n")" "220 250 250 250 354 554 221" "bare LF inside a line"
is "$(talk "${H}${M}DATA\r\nbare\rCR inside\r\n.\r\nQUIT\r\n")" "220 250 250 250 354 554 221" "bare CR inside a line"
is "$(talk "${H}${M}BDAT 9 LAST\r\nbare\nLF\r\nQUIT\r\n")" "220 250 250 250 554 221" "bare LF in BDAT"
is "$(talk "${H}${M}BDAT 4 LAST\r\nabc\rQUIT\r\n")" "220 250 250 250 554 221" "message ending in a bare CR in BDAT"
is "$(talk "${H}${M}DATA\r\nnul\x00byte\r\n.\r\nQUIT\r\n")" "220 250 250 250 354 554 221" "NUL in DATA is 554"
long=$($PY -c 'print("y" * 1001, end="")')
is "$(talk "${H}${M}DATA\r\n${long}\r\n.\r\nQUIT\r\n")" "220 250 250 250 354 554 221" "a text line over 1000 octets is 554"
ok998=$($PY -c 'print("y" * 998, end="")')
is "$(talk "${H}${M}DATA\r\n${ok998}\r\n.\r\nQUIT\r\n")" "220 250 250 250 354 250 221" "998 octets plus CRLF are fine"
# RFC 5321 4.5.3.1.6: the limit does not count the stuffing dot
is "$(talk "${H}${M}DATA\r\n.${ok998}\r\n.\r\nQUIT\r\n")" "220 250 250 250 354 250 221" "a line of 998 stuffed to 999 octets is fine"
is "$(talk "${H}${M}DATA\r\n..${ok998}\r\n.\r\nQUIT\r\n")" "220 250 250 250 354 554 221" "a dot and 998 octets, stuffed, are one too many: 554"
is "$(talk "${H}${M}DATA\r\n\xff\xfe\x01\x02\x7f\xc0garbage\r\n.\r\nQUIT\r\n")" "220 250 250 250 354 250 221" "binary octets other than NUL/CR/LF pass"
is "$(queue_count)" 3 "only the three good messages queued"

# dropped connection mid-DATA: no entry, no spool file
n0=$(queue_count)
talk "${H}${M}DATA\r\nSubject: cut\r\n\r\nhalf a message\r\n" >/dev/null
talk "${H}${M}DATA\r\nSubject: cut\r\n\r\nhalf a message\r\n.\r" >/dev/null
is "$(queue_count)" "$n0" "a connection dropped mid-DATA queues nothing"
grep -q 'disconnect .*result=eof' "$T/smtpd.log"; ok $? "logged as eof"

# smtpd killed mid-DATA
$PY - "$port" <<'PYEOF' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\nSubject: killed\r\n\r\n" + b"x" * 70000 + b"\r\n")
time.sleep(10)
PYEOF
cl=$!
reap $cl
smtpd_pid() { pgrep -f -n -x "$B/smtpd" -P "$(pgrep -n -f "tcpserver -q -HRl0 127.0.0.1 $port ")"; }
wait_for 5 smtpd_pid >/dev/null
pid=$(smtpd_pid)
ok "$([ -n "$pid" ]; echo $?)" "found the smtpd serving the DATA"
if [ -n "$pid" ]; then
	wait_for 5 sh -c "ls -l /proc/$pid/fd | grep -q 'queue/tmp/.*(deleted)'"
	ok $? "it spools to an unnamed file in queue/tmp"
	kill -9 "$pid"
	wait_for 5 sh -c "! kill -0 $pid 2>/dev/null"
else
	ok 1 "it spools to an unnamed file in queue/tmp"
fi
kill "$cl" 2>/dev/null
is "$(queue_count)" "$n0" "smtpd killed mid-DATA queues nothing"
is "$(ls -A "$POSTEL_ROOT/queue/tmp" | wc -l | tr -d ' ')" 0 "and leaves nothing in queue/tmp"
done_testing
