#!/bin/sh
# 9001-pop3d-poplib.t: Python's poplib reads mail postel delivered, as a
# mail client does: CAPA in each state, USER/PASS and AUTH PLAIN, STAT,
# LIST, UIDL, RETR and TOP byte for byte against the Maildir's files,
# DELE, RSET, NOOP, QUIT; in the clear on loopback (auth-plaintext yes),
# after STLS (also with a command injected behind it), and over implicit
# TLS (POP3S=1). RETR of files local does not write: dots and line ends
# at the 64 KiB boundaries of reads, CRLF files, a 200 000-octet line.
# A password with spaces, commands in lower case. Needs root (pop3d's
# split).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/9-lib.sh"
plan 145
pop_instance "auth-plaintext yes"
pop3d_start
A="alice@example.test"

deliver alice 4 plain-user
checks $PY "$POPPY" poplib plain user "$pport" "$T/pki/ca.pem" "$(md alice)" "$A" secret
deliver alice 2 plain-auth
checks $PY "$POPPY" poplib plain plain "$pport" "$T/pki/ca.pem" "$(md alice)" "$A" secret
grep -q "^pop3d: login sid=[^ ]* ip=127.0.0.1 user=$A result=ok" "$T/pop3d.log"
ok $? "the log names the user of a good login"
grep -q "^pop3d: maildrop sid=[^ ]* user=$A messages=5 octets=[0-9]* moved=2$" "$T/pop3d.log"
ok $? "the maildrop line counts the messages and those taken from new/"
grep -q "^pop3d: logout sid=[^ ]* user=$A end=quit retrieved=5 deleted=1 octets=[0-9]*$" "$T/pop3d.log"
ok $? "the logout line: quit, 5 retrieved, 1 deleted"
is "$(pop -c @plain "$A" secret STAT QUIT)" "+OK +OK +OK +OK" "AUTH PLAIN with an initial response"

# what a Maildir may hold besides what local writes: RETR's conversion
# at the boundaries of its reads, CRLF files, long lines
$PY "$POPPY" fill-edges "$(md bob)" nobody
checks $PY "$POPPY" retr-all "$pport" bob@example.test bobpass "$(md bob)"
# RFC 1939 7: the argument of PASS may contain spaces
_h=$(openssl passwd -6 -salt spaces 'two words ')
printf 'alice@example.test:%s\n' "$_h" >"$POSTEL_ROOT/conf/pop-users"
is "$(pop -c "USER $A" "PASS two words " QUIT)" "+OK +OK +OK +OK" "a password with spaces"
is "$(pop -c "user $A" "pass two words " "stat" "quit")" "+OK +OK +OK +OK +OK" \
    "commands in lower case"
printf 'alice@example.test:%s\n' "$(openssl passwd -6 -salt alicesalt secret)" \
    >"$POSTEL_ROOT/conf/pop-users"

# STLS: no login in the clear without auth-plaintext
pop_conf
deliver alice 1 stls
checks $PY "$POPPY" poplib stls user "$pport" "$T/pki/ca.pem" "$(md alice)" "$A" secret
grep -q '^pop3d: starttls sid=[^ ]* result=ok tls=TLSv1.[23] cipher=' "$T/pop3d.log"
ok $? "the log has the STLS"
out=$(pop CAPA QUIT)
echo "$out" | grep -qx 'STLS'; ok $? "plain CAPA offers STLS"
echo "$out" | grep -qx 'USER\|SASL.*'; ok $((! $?)) "without TLS and auth-plaintext no USER or SASL in CAPA"
out=$(pop -c "USER $A" "PASS secret" STAT QUIT)
# USER alone may be refused or not; PASS must be
case $out in
"+OK +OK -ERR -ERR +OK" | "+OK -ERR -ERR -ERR +OK") ok 0 "USER/PASS refused before STLS" ;;
*) ok 1 "USER/PASS refused before STLS: $out" ;;
esac
is "$(pop -c @stls CAPA "USER $A" "PASS secret" STAT QUIT)" "+OK +OK +OK +OK +OK +OK +OK" "USER/PASS after STLS"
is "$(pop -c @stls @stls QUIT)" "+OK +OK -ERR +OK" "a second STLS is -ERR"
# a command sent with STLS must not be answered inside TLS: NOOP before
# login is -ERR, the injected CAPA would make it +OK
out=$(pop -c @stls-inject CAPA NOOP QUIT)
case $out in
"+OK +OK -ERR +OK" | "+OK +OK TLSFAIL"*) ok 0 "STLS with CAPA in the same write: no CAPA inside TLS" ;;
*) ok 1 "STLS with CAPA in the same write: no CAPA inside TLS: $out" ;;
esac

# implicit TLS
pop3d_stop
pop3d_start POP3S=1
deliver alice 1 ssl
checks $PY "$POPPY" poplib ssl plain "$pport" "$T/pki/ca.pem" "$(md alice)" "$A" secret
out=$(pop --ssl CAPA QUIT)
echo "$out" | grep -qx 'STLS'; ok $((! $?)) "POP3S: no STLS in CAPA"
echo "$out" | grep -qx 'USER'; ok $? "POP3S: USER offered"
is "$(pop -c --ssl STLS QUIT)" "+OK -ERR +OK" "POP3S: STLS is -ERR"
out=$($PY - "$pport" <<'PYEOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"CAPA\r\n")
got = b""
try:
    while True:
        b = s.recv(4096)
        if not b:
            break
        got += b
except socket.timeout:
    print("open")
    sys.exit(0)
except ConnectionResetError:
    pass
print("closed", b"+OK" in got)
PYEOF
)
is "$out" "closed False" "POP3S: a client in the clear gets no +OK, and the end"
grep -q '^pop3d: starttls sid=[^ ]* result=failed' "$T/pop3d.log"; ok $? "... logged as a failed TLS"
grep -q secret "$T/pop3d.log"; ok $((! $?)) "no password in the log"
done_testing
