#!/bin/sh
# 9022-pop3d-odd-files.t: files in a Maildir that pop3d cannot serve do
# not lock the user out (postel-pop3d(8), "Maildir"): a name in new/ too
# long to take ":2,", an unreadable file in cur/ without W=, and a second
# file with the base name of another (one unique-id must name one
# message) wait, logged as skipped, while the rest are served; a TOP of a
# message with CRLF line ends stops at its empty line. Needs root.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/9-lib.sh"
plan 7
pop_instance "auth-plaintext yes"
deliver alice 2 ok
M=$(md alice)
long=$($PY -c 'print("1700000001.M1P1.h" + "x" * 237)')
printf 'Subject: long\n\nx\n' >"$M/new/$long"
printf 'Subject: locked\n\nx\n' >"$M/cur/1700000002.M1P1.h:2,"
chmod 000 "$M/cur/1700000002.M1P1.h:2,"
printf 'Subject: dup\n\nfirst\n' >"$M/cur/1700000003.M1P1.h:2,"
printf 'Subject: dup\n\nsecond\n' >"$M/cur/1700000003.M1P1.h:2,S"
printf 'Subject: crlf\r\nX: y\r\n\r\nbody 1\r\nbody 2\r\n' >"$M/cur/1700000004.M1P1.h:2,"
chown nobody:nogroup "$M"/new/* "$M"/cur/*
pop3d_start
$PY - "$pport" >"$T/out" 2>&1 <<'PYEOF'
import poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=20)
p.user("alice@example.test")
print("login", p.pass_("secret").decode())
uids = [l.split()[1].decode() for l in p.uidl()[1]]
print("uids", len(uids), len(set(uids)))
print("dup", sum(u.startswith("1700000003.") for u in uids))
for i, u in enumerate(uids, 1):
    if u.startswith("1700000004."):
        print("top", "|".join(l.decode() for l in p.top(i, 1)[1]))
print("quit", p.quit().decode()[:3])
PYEOF
diag_on_fail "$T/out"
grep -q '^login +OK alice@example.test has 4 messages' "$T/out"
ok $? "the login works: two delivered, one of the two with one base name, the CRLF one"
is "$(sed -n 's/^uids //p' "$T/out")" "4 4" "every unique-id once"
is "$(sed -n 's/^dup //p' "$T/out")" 1 "one message for the two files with one base name"
is "$(sed -n 's/^top //p' "$T/out")" "Subject: crlf|X: y||body 1" \
    "TOP 1 of a CRLF message: the header, the empty line, one body line"
grep -q "^pop3d: maildrop .* messages=4 .* skipped=3" "$T/pop3d.log"
ok $? "the three that wait are logged as skipped"
[ -e "$M/new/$long" ] && [ -e "$M/cur/1700000003.M1P1.h:2,S" ] && [ -e "$M/cur/1700000002.M1P1.h:2," ]
ok $? "and are still there"
is "$(sed -n 's/^quit //p' "$T/out")" "+OK" "QUIT"
done_testing
