#!/bin/sh
# 8003-clamav.t: filter-clamav with the real clamscan and a signature
# database the test builds (an .ndb body signature of the EICAR test
# string; the official databases cannot be downloaded here): EICAR is
# rejected 554 5.7.1 naming the signature, a clean message is queued
# unchanged, and a scanner error is 451.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/3smtpd.sh"
. "$(dirname "$0")/8clam.sh"
command -v clamscan >/dev/null 2>&1 || skip_all "clamscan (Debian clamav) not installed"
plan 5
setup_instance
D=$T/clamdb
clam_db "$D"
printf '%s%s\n' "$E1" "$E2" > "$T/eicar.txt"
clamscan --no-summary -d "$D" "$T/eicar.txt" >"$T/probe" 2>&1
[ $? = 1 ] || skip_all "clamscan cannot use a test database: $(head -1 "$T/probe")"

send() { clam_send "$@"; }
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
