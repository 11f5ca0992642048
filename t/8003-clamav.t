#!/bin/sh
# 8003-clamav.t: filter-clamav with the real clamscan and a signature
# database the test builds (an .ndb body signature of the EICAR test
# string; the official databases cannot be downloaded here): EICAR is
# rejected 554 5.7.1 naming the signature, a clean message is queued
# unchanged, and a scanner error is 451.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/3smtpd.sh"
command -v clamscan >/dev/null 2>&1 || skip_all "clamscan (Debian clamav) not installed"
plan 5
setup_instance
D=$T/clamdb
mkdir "$D"
# EICAR, split so that no scanner flags this file itself
E1='X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR'
E2='-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'
hex=$(printf '%s%s' "$E1" "$E2" | od -An -tx1 | tr -d ' \n')
echo "Postel.Test.EICAR:0:*:$hex" > "$D/postel-test.ndb"
printf '%s%s\n' "$E1" "$E2" > "$T/eicar.txt"
clamscan --no-summary -d "$D" "$T/eicar.txt" >"$T/probe" 2>&1
[ $? = 1 ] || skip_all "clamscan cannot use a test database: $(head -1 "$T/probe")"

send() {    # send SUBJECT BODY: the reply line after the dot
	talk -v "EHLO client.example.org\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\nSubject: $1\r\n\r\n$2\r\n.\r\nQUIT\r\n" |
	    tail -2 | head -1
}
start_smtpd
conf "filters filter-clamav -s -- -d $D"
n=$(queue_count)
is "$(send eicar "$E1$E2")" "554 5.7.1 Virus found: Postel.Test.EICAR.UNOFFICIAL" \
    "EICAR is rejected with 554 5.7.1 and the signature's name"
is "$(send clean "Hello Alice" | cut -c1-9)" "250 2.0.0" "a clean message is accepted"
f=$(grep -l '^Subject: clean$' "$POSTEL_ROOT/queue/new/"* 2>/dev/null)
is "$(msg_body "$f" | sed 1,3d)" "Subject: clean

Hello Alice" "and passed on unchanged"
is "$(queue_count)" "$((n + 1))" "only the clean one was queued"
conf "filters filter-clamav -s -- -d $T/nonexistent"
is "$(send broken "Hello" | cut -c1-9)" "451 4.7.1" "a scanner error is 451"
done_testing
