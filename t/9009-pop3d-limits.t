#!/bin/sh
# 9009-pop3d-limits.t: bad input and limits. An overlong line, a NUL, an
# unknown command, a command in the wrong state, a bad or deleted message
# number: each a -ERR with a text, and the session goes on; max-errors
# errors and pop3d-max-commands commands end it with nothing removed; a
# message delivered during a session is not in it; pipelined commands
# are all answered, also when the client half-closes after them; an
# idle client is disconnected after pop3d-timeout (30 s, its least).
# Needs root (pop3d's split).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/9-lib.sh"
plan 25
pop_instance "auth-plaintext yes"
pop3d_start
A=alice@example.test
L="USER $A"
P="PASS secret"
deliver alice 2 l
X=$($PY -c 'print("x" * 300)')
# texts OUT: the -ERR lines of OUT that say nothing (fewer than 4 characters)
mute() { echo "$1" | grep '^-ERR' | grep -v '^-ERR .\{4,\}'; }

out=$(pop "NOOP $X" CAPA "STAT" "LIST" "RETR 1" "PASS secret" "FOO" 'US\x00ER x' "$L" "$P")
is "$(echo "$out" | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ TOP UIDL .* \. / CAPA /')" \
    "+OK -ERR +OK CAPA -ERR -ERR -ERR -ERR -ERR -ERR +OK +OK " \
    "before login: long line, STAT, LIST, RETR, PASS first, unknown, NUL: -ERR; then a login"
is "$(mute "$out")" "" "each -ERR says what is wrong"

pop_conf "auth-plaintext yes" "max-errors 100"
out=$(pop "$L" "$P" "NOOP $X" NOOP "RETR 99" "RETR 0" "RETR abc" RETR "TOP 1" "TOP 1 x" \
    "LIST 99" "DELE 3" "UIDL -1" "DELE 1" "RETR 1" "DELE 1" "TOP 1 0" "$L" "$P" @plain $A secret STLS \
    "RETR 2 3" "STAT")
is "$(echo "$out" | cut -d' ' -f1 | tr '\n' ' ')" \
    "+OK +OK +OK -ERR +OK -ERR -ERR -ERR -ERR -ERR -ERR -ERR -ERR -ERR +OK -ERR -ERR -ERR -ERR -ERR -ERR -ERR -ERR +OK " \
    "after login: long line, bad numbers, deleted message, login again, STLS: -ERR; the session goes on"
is "$(mute "$out")" "" "each -ERR says what is wrong"
echo "$out" | tail -1 | grep -q '^+OK 1 [0-9]*$'; ok $? "STAT counts one message, the other marked"
is "$(msgs alice)" 2 "no QUIT: nothing removed"
is "$(pop -c "AUTH PLAIN" "$($PY -c 'print("A" * 1100)')" CAPA QUIT | cut -d' ' -f1-3)" "+OK + -ERR" \
    "an AUTH continuation over 1024 octets: -ERR"
is "$(pop -c "AUTH PLAIN" "$($PY -c 'print("A" * 1100)')" CAPA QUIT | cut -d' ' -f4-)" "+OK +OK" \
    "... and the session goes on"

# verbs that take no argument refuse one, before and after login
out=$(pop "QUIT x" "CAPA x" "$L" "$P" "STAT x" "NOOP x" "RSET x" "QUIT x" NOOP)
is "$(echo "$out" | cut -d' ' -f1 | tr '\n' ' ')" "+OK -ERR -ERR +OK +OK -ERR -ERR -ERR -ERR +OK " \
    "QUIT, CAPA, STAT, NOOP, RSET with an argument: -ERR"
is "$(echo "$out" | grep -c '^-ERR [A-Z]* takes no argument$')" 6 "... saying that the verb takes none"

pop_conf "auth-plaintext yes" "max-errors 3"
out=$(pop -c "$L" "$P" "DELE 1" "RETR 9" "RETR 9" "RETR 9" NOOP "DELE 2" QUIT @eof)
case $out in
"+OK +OK +OK +OK -ERR -ERR -ERR"*EOF) rest=${out#"+OK +OK +OK +OK -ERR -ERR -ERR"}
	case $rest in *+OK*) ok 1 "max-errors 3: the third error ends the session: $out" ;;
	*) ok 0 "max-errors 3: the third error ends the session" ;; esac ;;
*) ok 1 "max-errors 3: the third error ends the session: $out" ;;
esac
is "$(msgs alice)" 2 "nothing removed"
wait_for 5 grep -q "^pop3d: logout sid=[^ ]* user=$A end=errors retrieved=0 deleted=0 " "$T/pop3d.log"
ok $? "pop3d logs end=errors"

pop_conf "auth-plaintext yes" "pop3d-max-commands 100"
set -- "$L" "$P" "DELE 1"
i=0
while [ $i -lt 120 ]; do set -- "$@" NOOP; i=$((i + 1)); done
out=$(pop -c "$@" QUIT @eof)
n=$(echo "$out" | tr ' ' '\n' | grep -c '^+OK')
# the greeting and at most 100 commands
test "$n" -le 101 && test "$n" -ge 90; ok $? "pop3d-max-commands 100: at most 100 commands answered (+OK: $n)"
case $out in *EOF) ok 0 "then the connection ends" ;; *) ok 1 "then the connection ends" ;; esac
is "$(msgs alice)" 2 "nothing removed"
wait_for 5 grep -q "^pop3d: logout sid=[^ ]* user=$A end=errors retrieved=0 deleted=0 " "$T/pop3d.log"
ok $? "pop3d logs the end"

pop_conf "auth-plaintext yes"
out=$(pop "$L" "$P" STAT UIDL @sh "$T/deliver-one alice" STAT UIDL "RETR 3" "LIST 3" QUIT)
is "$(echo "$out" | sed -n '/^+OK [0-9]* [0-9]*$/p' | sort -u | wc -l)" 1 \
    "a message delivered during the session: STAT the same"
is "$(echo "$out" | grep -c '^[0-9] ')" 4 "UIDL the same, two lines twice"
is "$(echo "$out" | tail -3 | cut -d' ' -f1 | tr '\n' ' ')" "-ERR -ERR +OK " "RETR 3, LIST 3: -ERR"
is "$(pop -c "$L" "$P" "LIST 3" QUIT)" "+OK +OK +OK +OK +OK" "the next session has it"

# the idle timeout: 30 s, its least; the client waits 60 s at most
pop_conf "auth-plaintext yes" "pop3d-timeout 30"
is "$(pop -c "$L" "$P" "DELE 1" @idle 60)" "+OK +OK +OK +OK EOF" \
    "pop3d-timeout 30: an idle client is disconnected"
wait_for 5 grep -q "^pop3d: logout sid=[^ ]* user=$A end=timeout retrieved=0 deleted=0 " "$T/pop3d.log"
ok $? "pop3d logs end=timeout"
is "$(msgs alice)" 3 "nothing removed"

pop_conf "auth-plaintext yes"
is "$(pop -c @raw "$L\r\n$P\r\nSTAT\r\nNOOP\r\nQUIT\r\n" @shut @replies 5 @eof)" \
    "+OK +OK +OK +OK +OK +OK EOF" "pipelined commands, then a half-close: every one answered"
done_testing
