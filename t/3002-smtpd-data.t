#!/bin/sh
# 3002-smtpd-data.t: DATA and BDAT queue the message byte for byte (CRLF
# stored as LF, dots unstuffed, one Received: added); 250 names the queue
# ID only once the entry is in queue/new; pipelined transactions; size,
# hop and 8BITMIME/SMTPUTF8 handling; failures never answer 250 and leave
# nothing in the queue.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/3smtpd.sh"
plan 47
setup_instance
start_smtpd

H='EHLO client.example.org\r\n'
M='MAIL FROM:<sender@example.org>\r\nRCPT TO:<alice@example.test>\r\n'
out=$(talk -v "${H}${M}DATA\r\nSubject: t1\r\n\r\nline one\r\n..leading dot\r\n..\r\n\r\nlast\r\n.\r\nQUIT\r\n")
qid=$(echo "$out" | sed -n 's/^250 2.0.0 Ok: queued as \([0-9.]*\)$/\1/p')
f=$POSTEL_ROOT/queue/new/$qid
ok "$([ -n "$qid" ] && [ -f "$f" ]; echo $?)" "250 names the queue file in new/"
is "$(msg_body "$f" | sed 1,3d)" "$(printf 'Subject: t1\n\nline one\n.leading dot\n.\n\nlast')" "message stored in LF form, dots unstuffed"
is "$(msg_body "$f" | tail -c 5 | od -An -c | tr -d ' ')" 'last\n' "final CRLF kept as LF"
is "$(grep -c "$(printf '\r')" "$f")" 0 "no CR stored"
is "$(grep -c '^from <sender@example.org>$' "$f")" 1 "envelope sender"
is "$(grep -c '^rcpt <alice@example.test>$' "$f")" 1 "envelope recipient"
is "$(grep -c '^origin smtpd 127.0.0.1$' "$f")" 1 "origin names the client"
msg_body "$f" | sed -n 1p | grep -q '^Received: from client.example.org (\[127.0.0.1\])$'; ok $? "Received: names the EHLO and IP"
msg_body "$f" | sed -n 2p | grep -q "^	by mx.example.test (postel) with ESMTP id $qid;\$"; ok $? "Received: names host, protocol and the queue ID"
grep -q "^smtpd: accepted sid=.* qid=$qid from=<sender@example.org> rcpts=1 size=" "$T/smtpd.log"; ok $? "logs accepted with qid"

# two transactions pipelined in one write
n0=$(queue_count)
is "$(talk "${H}${M}DATA\r\nSubject: p1\r\n\r\none\r\n.\r\nMAIL FROM:<>\r\nRCPT TO:<bob@example.test>\r\nRCPT TO:<nouser@example.test>\r\nDATA\r\nSubject: p2\r\n\r\ntwo\r\n.\r\nQUIT\r\n")" "220 250 250 250 354 250 250 250 550 354 250 221" "pipelined transactions answered in order"
is "$(queue_count)" $((n0 + 2)) "both queued"
grep -l '^Subject: p2$' "$POSTEL_ROOT/queue/new/"* | xargs grep -c '^rcpt ' | grep -q '^1$'; ok $? "the refused recipient is not in the envelope"

# the same mailbox twice (local parts of a local domain in any case)
# is one recipient, delivered once
n0=$(queue_count)
is "$(talk "${H}MAIL FROM:<a@example.org>\r\nRCPT TO:<alice@example.test>\r\nRCPT TO:<ALICE@Example.TEST>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\nSubject: dup\r\n\r\nx\r\n.\r\nQUIT\r\n")" \
    "220 250 250 250 250 250 354 250 221" "a recipient twice: 250 both times"
f=$(grep -l '^Subject: dup$' "$POSTEL_ROOT/queue/new/"*)
is "$(grep -c '^rcpt ' "$f")" 2 "but once in the envelope"

# BDAT
n0=$(queue_count)
is "$(talk "${H}${M}BDAT 12\r\nSubject: b\r\nBDAT 9 LAST\r\n\r\nchunk\r\nQUIT\r\n")" "220 250 250 250 250 250 221" "BDAT chunks and LAST"
f=$(grep -l '^Subject: b$' "$POSTEL_ROOT/queue/new/"*)
is "$(msg_body "$f" | sed 1,3d)" "$(printf 'Subject: b\n\nchunk')" "BDAT message stored in LF form, CRLF split across chunks"
is "$(talk "${H}${M}BDAT 15\r\n.\r\nSubject: c\r\nBDAT 0 LAST\r\nQUIT\r\n")" "220 250 250 250 250 250 221" "BDAT takes a dot line as data; BDAT 0 LAST"
f=$(grep -l '^Subject: c$' "$POSTEL_ROOT/queue/new/"*)
is "$(msg_body "$f" | sed -n 4p)" "." "no dot-unstuffing in BDAT"
is "$(talk "${H}${M}DATA\r\nBDAT 3 LAST\r\n\r\nabc\r\n.\r\nQUIT\r\n")" "220 250 250 250 354 250 221" "BDAT inside DATA is data"
is "$(talk "${H}${M}BDAT 3\r\nabcDATA\r\nBDAT 2 LAST\r\nxyQUIT\r\n")" "220 250 250 250 250 503 250 221" "DATA inside a BDAT transaction is 503"
is "$(talk "${H}BDAT 5 LAST\r\nhelloRSET\r\nQUIT\r\n")" "220 250 503 250 221" "BDAT without a transaction: chunk skipped, 503"
is "$(queue_count)" $((n0 + 4)) "BDAT messages queued"

# size
n0=$(queue_count)
conf 'max-size 2000'
is "$(talk "${H}MAIL FROM:<a@example.org> SIZE=2001\r\nMAIL FROM:<a@example.org> SIZE=100\r\nQUIT\r\n")" "220 250 552 250 221" "declared SIZE over max-size is 552 at MAIL"
big=$($PY -c 'print(("x" * 70 + "\\r\\n") * 40, end="")')
is "$(talk "${H}${M}DATA\r\n${big}.\r\nQUIT\r\n")" "220 250 250 250 354 552 221" "a message over max-size is 552 after its end"
is "$(talk "${H}${M}BDAT 5760\r\n${big}${big}BDAT 1 LAST\r\nxQUIT\r\n")" "220 250 250 250 552 503 221" "an oversized BDAT chunk is 552"
n1=$(queue_count)
full=$($PY -c 'print(("x" * 72 + "\\r\\n") * 26 + "x" * 74 + "\\r\\n", end="")')
is "$(printf "$full" | wc -c | tr -d ' ')" 2000 "a message of 2000 octets as sent"
is "$(talk "${H}MAIL FROM:<a@example.org> SIZE=2000\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n${full}.\r\nQUIT\r\n")" "220 250 250 250 354 250 221" "exactly max-size, with the Received: smtpd adds: 250"
is "$(queue_count)" $((n1 + 1)) "and queued"
more=$($PY -c 'print(("x" * 72 + "\\r\\n") * 26 + "x" * 75 + "\\r\\n", end="")')
is "$(talk "${H}${M}DATA\r\n${more}.\r\nQUIT\r\n")" "220 250 250 250 354 552 221" "one octet more: 552"
short=$($PY -c 'print("aa\\r\\n" * 501, end="")')
is "$(talk "${H}${M}DATA\r\n${short}.\r\nQUIT\r\n")" "220 250 250 250 354 552 221" \
    "2004 octets as sent in short lines (1503 stored): 552, CRLF counts two"
is "$(queue_count)" $((n1 + 1)) "neither queued"
n0=$((n0 + 1))
conf
is "$(queue_count)" "$n0" "nothing queued"

# hops
rcv=$($PY -c 'print("Received: from x by y; Thu, 1 Jan 2026 00:00:00 +0000\\r\\n" * 3, end="")')
conf 'max-hops 3'
is "$(talk "${H}${M}DATA\r\n${rcv}Subject: loop\r\n\r\nx\r\n.\r\nQUIT\r\n")" "220 250 250 250 354 554 221" "max-hops Received: fields is 554"
talk -v "${H}${M}DATA\r\n${rcv}Subject: loop\r\n\r\nx\r\n.\r\nQUIT\r\n" | grep -q '^554 5.4.6'; ok $? "with 5.4.6"
conf 'max-hops 4'
is "$(talk "${H}${M}DATA\r\nSubject: x\r\n${rcv}\r\nReceived: in body\r\n.\r\nQUIT\r\n")" "220 250 250 250 354 250 221" "fewer hops, and Received: in the body does not count"
conf

# 8BITMIME and SMTPUTF8
talk "${H}MAIL FROM:<a@example.org> BODY=8BITMIME\r\nRCPT TO:<alice@example.test>\r\nDATA\r\nSubject: 8bit\r\n\r\ncaf\xc3\xa9\r\n.\r\nQUIT\r\n" >/dev/null
f=$(grep -l '^Subject: 8bit$' "$POSTEL_ROOT/queue/new/"*)
grep -q '^flags .*8bit' "$f"; ok $? "BODY=8BITMIME sets the 8bit flag"
# undeclared 8-bit octets are found while writing: the flags line, written
# before the message, is rewritten in place before the commit
talk "${H}${M}DATA\r\nSubject: undeclared\r\n\r\ncaf\xc3\xa9\r\n.\r\nQUIT\r\n" >/dev/null
f=$(grep -l '^Subject: undeclared$' "$POSTEL_ROOT/queue/new/"*)
grep -q '^flags 8bit *$' "$f"; ok $? "undeclared 8-bit data sets the 8bit flag"
talk "${H}${M}DATA\r\nSubject: seven\r\n\r\nplain\r\n.\r\nQUIT\r\n" >/dev/null
f=$(grep -l '^Subject: seven$' "$POSTEL_ROOT/queue/new/"*)
! grep -q '^flags .*8bit' "$f"; ok $? "7-bit data has no 8bit flag"
is "$(talk "${H}MAIL FROM:<j\xc3\xb6rg@example.org>\r\nQUIT\r\n")" "220 250 553 221" "UTF-8 sender without SMTPUTF8 is 553"
is "$(talk "${H}MAIL FROM:<j\xc3\xb6rg@example.org> SMTPUTF8\r\nRCPT TO:<alice@example.test>\r\nDATA\r\nSubject: utf8\r\n\r\nx\r\n.\r\nQUIT\r\n")" "220 250 250 250 354 250 221" "UTF-8 sender with SMTPUTF8 is queued"
f=$(grep -l '^Subject: utf8$' "$POSTEL_ROOT/queue/new/"*)
grep -q '^flags .*utf8' "$f"; ok $? "SMTPUTF8 sets the utf8 flag"
msg_body "$f" | grep -q 'with UTF8SMTP id'; ok $? "Received: says UTF8SMTP"

# queue failures are 451, never 250, and leave nothing
n0=$(queue_count)
chmod 0500 "$POSTEL_ROOT/queue/new"
if [ "$(id -u)" -eq 0 ]; then
	mv "$POSTEL_ROOT/queue/new" "$POSTEL_ROOT/queue/new.off"
fi
talk -v "${H}${M}DATA\r\nSubject: qfail\r\n\r\nx\r\n.\r\nQUIT\r\n" > "$T/qfail.out"
[ -d "$POSTEL_ROOT/queue/new.off" ] && mv "$POSTEL_ROOT/queue/new.off" "$POSTEL_ROOT/queue/new"
chmod 0750 "$POSTEL_ROOT/queue/new"
grep -q '^451 4.3.0' "$T/qfail.out"; ok $? "a queue that cannot be written is 451 4.3.0"
is "$(queue_count)" "$n0" "no queue entry from the failure"
# smtpd writes the queue itself (lib/queue), with no program from LIBEXEC
port0=$port
start_smtpd POSTEL_LIBEXEC="$T/nonexistent"
talk -v "${H}${M}DATA\r\nSubject: nolibexec\r\n\r\nx\r\n.\r\nQUIT\r\n" | grep -q '^250 2.0.0 Ok: queued as'; ok $? "queued without enqueue in LIBEXEC"
port=$port0
n0=$((n0 + 1))
is "$(queue_count)" "$n0" "no queue entry from the failures"
done_testing
