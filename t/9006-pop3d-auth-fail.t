#!/bin/sh
# 9006-pop3d-auth-fail.t: a wrong password and an unknown user get the
# same -ERR [AUTH] with USER/PASS and with AUTH PLAIN, after the
# configured auth-fail-delay (not timed here: tests measure no time); the
# log names the user and result=failed but never the password; a later
# good login in the same connection works; max-errors failures end the
# connection; an unreadable auth-users is [SYS/TEMP]. Needs root.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/9-lib.sh"
plan 16
pop_instance "auth-plaintext yes" "auth-fail-delay 100"
pop3d_start
A=alice@example.test
W=Wrong-Pass-9006
deliver alice 1 a

# the reply to PASS (line 3) and to AUTH PLAIN (line 2)
pass_reply() { pop "USER $1" "PASS $2" QUIT | sed -n 3p; }
plain_reply() { pop @plain "$1" "$2" QUIT | sed -n 2p; }
r=$(pass_reply $A $W)
case $r in '-ERR [AUTH] '?*) ok 0 "wrong password: -ERR [AUTH] and a text" ;;
*) ok 1 "wrong password: -ERR [AUTH] and a text: $r" ;; esac
is "$(pass_reply nosuch@example.test $W)" "$r" "unknown virtual user: the same reply"
is "$(pass_reply nosuchuser $W)" "$r" "unknown system user: the same reply"
is "$(pass_reply root $W)" "$r" "root: the same reply"
r2=$(plain_reply $A $W)
case $r2 in '-ERR [AUTH] '?*) ok 0 "AUTH PLAIN, wrong password: -ERR [AUTH]" ;;
*) ok 1 "AUTH PLAIN, wrong password: -ERR [AUTH]: $r2" ;; esac
is "$(plain_reply nosuch@example.test $W)" "$r2" "AUTH PLAIN, unknown user: the same reply"
# RFC 4616: alice's password with bob as the authorization identity
z=$(printf 'bob@example.test\0alice@example.test\0secret' | base64)
is "$(pop -c "AUTH PLAIN $z" STAT QUIT)" "+OK -ERR -ERR +OK" "AUTH PLAIN as bob with alice's password: -ERR"
grep -q "^pop3d: login sid=[^ ]* ip=127.0.0.1 user=$A result=failed" "$T/pop3d.log"
ok $? "the log: login user=$A result=failed"
grep -q "^pop3d: login sid=[^ ]* ip=127.0.0.1 user=nosuch@example.test result=failed" "$T/pop3d.log"
ok $? "the log: the unknown user too"
grep -q "$W" "$T/pop3d.log"; ok $((! $?)) "the password is nowhere in the log"
is "$(pop -c "USER $A" "PASS $W" "USER $A" "PASS secret" STAT QUIT)" \
    "+OK +OK -ERR +OK +OK +OK +OK" "after a failure a good login works"
grep -q secret "$T/pop3d.log"; ok $((! $?)) "the good password is not logged either"

# ended OUT PREFIX NAME: OUT is PREFIX, then no +OK, then the end
ended() {
	case $1 in
	"$2"*+OK* | "$2"*OPEN) ok 1 "$3"; echo "#   got: $1" ;;
	"$2"*EOF) ok 0 "$3" ;;
	*) ok 1 "$3"; echo "#   got: $1" ;;
	esac
}
pop_conf "auth-plaintext yes" "auth-fail-delay 100" "max-errors 2"
ended "$(pop -c "USER $A" "PASS $W" "USER $A" "PASS $W" "USER $A" "PASS secret" @eof)" \
    "+OK +OK -ERR +OK -ERR " "max-errors 2: -ERR to the second failure, then the end"
ended "$(pop -c @plain $A $W @plain $A $W @plain $A secret @eof)" "+OK -ERR -ERR " \
    "max-errors 2 with AUTH PLAIN: the same"
pop_conf "auth-plaintext yes" "auth-fail-delay 100" "auth-users no-such-file"
r=$(pass_reply $A secret)
case $r in '-ERR [SYS/TEMP] '?*) ok 0 "auth-users unreadable: -ERR [SYS/TEMP]" ;;
*) ok 1 "auth-users unreadable: -ERR [SYS/TEMP]: $r" ;; esac
grep -q "^pop3d: login sid=[^ ]* ip=127.0.0.1 user=$A result=temp" "$T/pop3d.log"
ok $? "the log: result=temp"
done_testing
