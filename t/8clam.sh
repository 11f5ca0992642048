# t/8clam.sh: for the ClamAV tests (t/8003, t/8004), sourced after lib.sh.
# clam_db DIR: a signature database in DIR with one .ndb body signature of
# the EICAR test string (the official databases cannot be downloaded
# here); sets E1 and E2, the two halves of EICAR, split so that no scanner
# flags this file itself.
clam_db() {
	mkdir "$1"
	E1='X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR'
	E2='-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'
	_hex=$(printf '%s%s' "$E1" "$E2" | od -An -tx1 | tr -d ' \n')
	echo "Postel.Test.EICAR:0:*:$_hex" > "$1/postel-test.ndb"
}

# clam_verdicts: with smtpd started and filter-clamav set up, three tests:
# EICAR rejected naming the signature, a clean message accepted, and
# queued unchanged
clam_verdicts() {
	is "$(clam_send eicar "$E1$E2")" "554 5.7.1 Virus found: Postel.Test.EICAR.UNOFFICIAL" \
	    "EICAR is rejected with 554 5.7.1 and the signature's name"
	is "$(clam_send clean "Hello Alice" | cut -c1-9)" "250 2.0.0" "a clean message is accepted"
	_f=$(grep -l '^Subject: clean$' "$POSTEL_ROOT/queue/new/"* 2>/dev/null)
	is "$(msg_body "$_f" | sed 1,3d)" "Subject: clean

Hello Alice" "and passed on unchanged"
}

# clam_send SUBJECT BODY: one message for alice through smtpd (t/3smtpd.sh
# talk); prints the reply line after the dot
clam_send() {
	talk -v "EHLO client.example.org\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\nSubject: $1\r\n\r\n$2\r\n.\r\nQUIT\r\n" |
	    tail -2 | head -1
}
