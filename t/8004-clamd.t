#!/bin/sh
# 8004-clamd.t: filter-clamav in its default mode, through clamdscan and
# the real clamd (Debian clamav-daemon) that the test starts on a Unix
# socket with a test signature database (t/8clam.sh): EICAR is rejected
# 554 5.7.1 naming the signature, a clean message is queued unchanged,
# and with clamd gone the message is deferred 451, never passed unscanned.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/3smtpd.sh"
. "$(dirname "$0")/8clam.sh"
command -v clamdscan >/dev/null 2>&1 || skip_all "clamdscan (Debian clamdscan) not installed"
[ -x /usr/sbin/clamd ] || skip_all "clamd (Debian clamav-daemon) not installed"
plan 6
setup_instance
D=$T/clamdb
clam_db "$D"
# clamd stays in the foreground as the user running the test
cat >"$T/clamd.conf" <<EOF
Foreground yes
DatabaseDirectory $D
LocalSocket $T/clamd.sock
LogFile $T/clamd.log
User $(id -un)
EOF
/usr/sbin/clamd -c "$T/clamd.conf" >"$T/clamd.out" 2>&1 &
cpid=$!
reap $cpid
diag_on_fail "$T/clamd.out" "$T/clamd.log" "$T/smtpd.log"
wait_for 60 test -S "$T/clamd.sock"
ok $? "clamd started with the test database"

start_smtpd
conf "filters filter-clamav -- --config-file=$T/clamd.conf"
n=$(queue_count)
clam_verdicts
kill "$cpid"
wait "$cpid" 2>/dev/null
rm -f "$T/clamd.sock"
is "$(clam_send gone "Hello" | cut -c1-9)" "451 4.7.1" "clamd not running: 451, deferred"
is "$(queue_count)" "$((n + 1))" "only the clean one was queued"
done_testing
