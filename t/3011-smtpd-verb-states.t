#!/bin/sh
# 3011-smtpd-verb-states.t: the verb table's state column: which reply a
# verb gets before and after the states it is allowed in, and the checks
# that come before the state (argument, configuration).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/3smtpd.sh"
plan 10
setup_instance
start_smtpd

H='EHLO client.example.org\r\n'
M='MAIL FROM:<a@b.org>\r\n'
R='RCPT TO:<alice@example.test>\r\n'
# the replies but the greeting, EHLO's and QUIT's, joined by "|"
replies() {
	talk -v "$1" | sed '/^220 /d;/^221 /d;/^250-/d;/^250 CHUNKING$/d' |
	    tr '\n' '|'
}

is "$(replies "${M}QUIT\r\n")" "503 5.5.1 Send EHLO or HELO first|" \
    "MAIL before any greeting: too early"
is "$(replies "${H}${M}${M}QUIT\r\n")" \
    "250 2.1.0 Ok|503 5.5.1 Nested MAIL command|" "MAIL inside MAIL: too late"
is "$(replies "${H}${R}DATA\r\nQUIT\r\n")" \
    "503 5.5.1 Need MAIL before RCPT|503 5.5.1 Need MAIL before DATA|" \
    "RCPT and DATA before MAIL"
is "$(replies "DATA x\r\nSTARTTLS x\r\nQUIT\r\n")" \
    "501 5.5.4 Syntax: DATA takes no argument|501 5.5.4 Syntax: STARTTLS takes no argument|" \
    "an argument where none is taken is 501 in any state"
is "$(replies "${H}BDAT 4\r\nNOOPNOOP\r\nQUIT\r\n")" \
    "503 5.5.1 Need MAIL and RCPT before BDAT|250 2.0.0 Ok|" \
    "a refused BDAT's chunk is read all the same"
is "$(replies "${H}${M}${R}BDAT 1\r\nx${R}DATA\r\nMAIL FROM:<c@d.org>\r\nQUIT\r\n")" \
    "250 2.1.0 Ok|250 2.1.5 Ok|250 2.0.0 1 octets received|503 5.5.1 RCPT inside BDAT|503 5.5.1 DATA inside BDAT|503 5.5.1 Nested MAIL command|" \
    "RCPT, DATA and MAIL inside BDAT"
is "$(replies "${H}${M}BDAT 2 LAST\r\nxyNOOP\r\nQUIT\r\n")" \
    "250 2.1.0 Ok|554 5.5.1 No valid recipients|250 2.0.0 Ok|" \
    "BDAT without a recipient: 554 after its chunk"
is "$(replies "${H}${M}STARTTLS\r\nQUIT\r\n")" \
    "250 2.1.0 Ok|502 5.5.1 Command not implemented|" \
    "STARTTLS without TLS configured: 502 even in a transaction"
is "$(replies "AUTH PLAIN\r\nQUIT\r\n")" \
    "502 5.5.1 Command not implemented|" "AUTH without AUTH configured: 502"
is "$(replies "${H}${M}RSET\r\n${R}QUIT\r\n")" \
    "250 2.1.0 Ok|250 2.0.0 Ok|503 5.5.1 Need MAIL before RCPT|" \
    "RSET ends the transaction"
