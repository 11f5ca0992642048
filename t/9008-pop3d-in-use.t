#!/bin/sh
# 9008-pop3d-in-use.t: one POP3 session per mailbox. While a session
# holds alice's Maildir, a second login (USER/PASS or AUTH PLAIN) gets
# -ERR [IN-USE] and changes nothing (mail delivered meanwhile stays in
# new/); the first session goes on unharmed, and after its QUIT the
# mailbox is free again. Another mailbox is not affected. Needs root.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/9-lib.sh"
plan 17
pop_instance "auth-plaintext yes"
pop3d_start
A=alice@example.test
L="USER $A"
P="PASS secret"
deliver alice 2 a
deliver bob 1 b
out=$(pop "$L" "$P" STAT \
    @sh "$T/deliver-one alice" \
    @conn 1 "$L" "$P" STAT @drop \
    @conn 2 @plain $A secret @drop \
    @conn 3 "USER bob@example.test" "PASS bobpass" STAT QUIT \
    @sh "ls $(md alice)/new | wc -l >$T/new" \
    @conn 0 "RETR 1" "DELE 1" STAT QUIT)
echo "$out" | sed 's/^/# /'
echo "$out" | sed -n 4p | grep -q '^+OK 2 [0-9]*$'; ok $? "the first session: STAT"
echo "$out" | sed -n 7p | grep -q '^-ERR \[IN-USE\] .'; ok $? "a second USER/PASS: -ERR [IN-USE] and a text"
# RFC 1939 4: the server may close the connection or stay in AUTHORIZATION
echo "$out" | sed -n 8p | grep -q '^-ERR \|^EOF$'; ok $? "... and no STAT for it"
echo "$out" | sed -n 10p | grep -q '^-ERR \[IN-USE\] .'; ok $? "a second AUTH PLAIN: -ERR [IN-USE]"
is "$(echo "$out" | sed -n 12,15p | cut -d' ' -f1 | tr '\n' ' ')" "+OK +OK +OK +OK " "bob logs in meanwhile"
is "$(cat "$T/new")" 1 "the refused logins moved nothing from new/"
echo "$out" | sed -n 16p | grep -q '^+OK [0-9]* octets$'; ok $? "the first session goes on: RETR 1"
is "$(echo "$out" | sed -n '/^last line of a1$/{n;p;}')" . "... the whole message"
is "$(echo "$out" | tail -3 | sed '/^+OK 1 [0-9]*$/{s/ [0-9]*$//;b;};s/^\(+OK\) .*/\1/' | tr '\n' ' ')" "+OK +OK 1 +OK " \
    "DELE 1, STAT (one left of the two it listed), QUIT"
is "$(msgs alice)" 2 "one removed, one left, the new one there"
is "$(pop -c "$L" "$P" STAT QUIT)" "+OK +OK +OK +OK +OK" "after QUIT the mailbox is free"

# other readers (Dovecot, mutt) work on the Maildir during a session:
# one renames message 1 to flag it seen, another removes message 2
$PY "$POPPY" fill "$(md bob)" 3 nobody
cat >"$T/other.sh" <<EOF2
#!/bin/sh
cd "$(md bob)/cur" || exit 1
set -- \$(ls | sort -n)
basename "\$1" | sed 's/:.*//' >"$T/renamed"
mv "\$1" "\${1}S" && rm "\$2"
EOF2
chmod 755 "$T/other.sh"
out=$(pop "USER bob@example.test" "PASS bobpass" STAT @sh "$T/other.sh" "RETR 1" "RETR 2" "DELE 1" QUIT)
echo "$out" | sed -n 4p | grep -q '^+OK 4 '; ok $? "bob has four messages"
echo "$out" | sed -n '/^+OK [0-9]* octets$/,/^\.$/p' | grep -qx 'Subject: message 0'
ok $? "message 1, renamed by another reader, is found by its base name"
echo "$out" | tail -3 | head -1 | grep -q '^-ERR .'; ok $? "message 2, removed by another reader: RETR -ERR"
is "$(echo "$out" | tail -2 | cut -d' ' -f1 | tr '\n' ' ')" "+OK +OK " "DELE 1 and QUIT"
is "$(ls "$(md bob)/cur" | grep -c "^$(cat "$T/renamed"):")" 0 "the renamed file is removed"
is "$(msgs bob)" 2 "the other two stay"
done_testing
