#!/bin/sh
# 7002-smtpd-root.t: smtpd refuses to run as root (postel(7), invariant 3)
# unless POSTEL_ALLOW_ROOT=1, answering 421 and saying why on stderr; as
# the user its supervisor drops to, it serves.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || skip_all "not root"
command -v setpriv >/dev/null 2>&1 || skip_all "setpriv (util-linux) not installed"
plan 5
setup_instance
printf 'EHLO x\r\nQUIT\r\n' > "$T/in"
POSTEL_ALLOW_ROOT= "$B/smtpd" < "$T/in" > "$T/out" 2> "$T/err"
is "$?" 111 "as root: exit 111"
is "$(cat "$T/out")" "$(printf '421 4.3.0 Server misconfigured, try again later\r')" \
    "as root: the client gets 421 before any command is read"
grep -q '^smtpd: fatal: refusing to run as root' "$T/err"; ok $? "as root: says why on stderr"
POSTEL_ALLOW_ROOT=1 "$B/smtpd" < "$T/in" > "$T/out" 2>/dev/null
grep -q '^221 ' "$T/out"; ok $? "POSTEL_ALLOW_ROOT=1 lets a test run it as root"
chmod 711 "$T"; chmod -R a+rX "$POSTEL_ROOT/conf"; chmod 755 "$POSTEL_ROOT"
POSTEL_ALLOW_ROOT= setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$B/smtpd" < "$T/in" > "$T/out" 2>/dev/null
grep -q '^221 ' "$T/out"; ok $? "as nobody it serves"
done_testing
