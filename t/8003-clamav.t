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

start_smtpd
conf "filters filter-clamav -s -- -d $D"
n=$(queue_count)
clam_verdicts
is "$(queue_count)" "$((n + 1))" "only the clean one was queued"
conf "filters filter-clamav -s -- -d $T/nonexistent"
is "$(clam_send broken "Hello" | cut -c1-9)" "451 4.7.1" "a scanner error is 451"
done_testing
