#!/bin/sh
# 9010-pop3d-big-mailbox.t: a mailbox of 10 000 messages (files written
# straight into new/ with the names postel-local(8) gives them) is listed
# completely: STAT, LIST and UIDL count 10 000, the last one reads back;
# and the peak memory (VmHWM) of every process of the session stays under
# 16 MB, a bound on memory, not on time. Sanitizer builds skip the bound
# (their shadow memory is counted). Needs root (pop3d's split).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/9-lib.sh"
plan 8
pop_instance "auth-plaintext yes"
pop3d_start
A=alice@example.test
$PY "$POPPY" fill "$(md alice)" 10000 nobody
is "$(msgs alice)" 10000 "10 000 messages in the Maildir"
octets=$(ls "$(md alice)/new" | sed 's/.*,W=//' | awk '{ s += $1 } END { print s }')
out=$(pop "USER $A" "PASS secret" STAT LIST UIDL "RETR 10000" @hwm "$tpid" QUIT)
is "$(echo "$out" | sed -n 4p)" "+OK 10000 $octets" "STAT: 10 000 messages, their W= summed"
is "$(echo "$out" | sed -n '/^+OK scan/,/^\.$/p' | grep -c '^[0-9]* [0-9]*$')" 10000 "LIST: 10 000 lines"
is "$(echo "$out" | sed -n '/^+OK unique/,/^\.$/p' | grep '^[0-9]* ' | cut -d' ' -f2 | sort -u | wc -l)" 10000 \
    "UIDL: 10 000 different unique-ids"
echo "$out" | grep -qx 'Subject: message 9999'; ok $? "RETR 10000 is the newest message"
is "$(ls "$(md alice)/new" | wc -l)" 0 "all moved to cur/"
hwm=$(echo "$out" | sed -n 's/^hwm //p')
echo "# peak VmHWM of the session's processes: ${hwm:-?} kB"
case $B in
*build-san*) skip "sanitizer build: its shadow memory is in VmHWM" ;;
*) test -n "$hwm" && test "$hwm" -gt 0 && test "$hwm" -lt 16384
   ok $? "VmHWM below 16 MB" ;;
esac
grep -q "^pop3d: maildrop sid=[^ ]* user=$A messages=10000 octets=$octets moved=10000$" "$T/pop3d.log"
ok $? "the log: maildrop messages=10000 moved=10000"
done_testing
