#!/bin/sh
# 9005-pop3d-nothing-lost.t: only QUIT removes what DELE marked. A client
# that drops the connection after DELE, and a session killed (every
# process of it, SIGKILL) in the middle of a RETR of a 4 MB message,
# lose nothing; QUIT after DELE removes exactly the marked messages.
# Needs root (pop3d's split).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/9-lib.sh"
plan 14
no_leak_checks          # SIGKILL for a session (t/4-lib.sh)
pop_instance "auth-plaintext yes"
pop3d_start
A=alice@example.test
L="USER $A"
P="PASS secret"
deliver alice 3 keep
# a 4 MB message, delivered last: number 4
$PY -c '
import sys
w = sys.stdout.write
w("From: carol@example.org\nTo: alice@example.test\nSubject: big\n\n")
for i in range(4000):
    w("%04d %s\n" % (i, "x" * 995))
' | "$B/enqueue" -f carol@example.org $A >>"$T/enqueue.log" 2>&1
pass
# names: every message's base name and size, one a line
names() { find "$(md alice)/new" "$(md alice)/cur" -type f -printf '%f %s\n' | sed 's/:[^ ]*//' | sort; }
n0=$(names)
is "$(echo "$n0" | wc -l)" 4 "four messages delivered"

is "$(pop -c "$L" "$P" "DELE 1" "DELE 2" "RETR 3" @drop)" "+OK +OK +OK +OK +OK +OK" \
    "DELE 1, DELE 2, RETR 3, then the client drops the connection"
wait_for 5 grep -q "^pop3d: logout sid=[^ ]* user=$A end=drop " "$T/pop3d.log"
ok $? "pop3d logs end=drop"
grep -q "^pop3d: logout sid=[^ ]* user=$A end=drop retrieved=1 deleted=0 " "$T/pop3d.log"
ok $? "... with nothing deleted"
is "$(names)" "$n0" "every message still there"

# a kill in the middle of RETR 4
timeout 30 $PY "$POPPY" retr-kill "$pport" "$A" secret 4 "$T/reading" >"$T/retr-kill.out" &
cpid=$!
reap $cpid
wait_for 10 test -e "$T/reading"
ok $? "the client is reading the big message"
procs=$(tree "$tpid")
test -n "$procs"; ok $? "the session has processes"
# shellcheck disable=SC2086
kill -9 $procs
wait "$cpid"
is "$(cat "$T/retr-kill.out" | tr '\n' ' ')" "+OK +OK +OK +OK EOF " \
    "logged in, DELE 1 and RETR 4 +OK, then the connection ended"
is "$(names)" "$n0" "after the kill every message is still there, whole"
wait_for 5 sh -c "test -z \"\$(pgrep -P $tpid)\""
ok $? "no process of the session is left"

# QUIT after DELE: exactly the marked ones
out=$(pop "$L" "$P" "UIDL 1" "UIDL 3" "DELE 1" "DELE 3" QUIT)
gone=$(echo "$out" | sed -n 's/^+OK [13] //p')
is "$(echo "$gone" | wc -l)" 2 "the unique-ids of messages 1 and 3"
echo "$out" | tail -1 | grep -q '^+OK'; ok $? "QUIT after DELE 1, DELE 3: +OK"
is "$(names | cut -d' ' -f1)" "$(echo "$n0" | cut -d' ' -f1 | grep -vxF "$gone")" \
    "messages 1 and 3 removed, the others there"
grep -q "^pop3d: logout sid=[^ ]* user=$A end=quit retrieved=0 deleted=2 " "$T/pop3d.log"
ok $? "pop3d logs 2 deleted"
done_testing
