#!/bin/sh
# 9004-pop3d-uidl.t: UIDL is the Maildir base name and stays the same
# across sessions and deliveries; the session that reads the Maildir runs
# as its owner, never root; and pop3d started as an ordinary user is one
# process that serves only that user's mailboxes. Needs root.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/9-lib.sh"
plan 12
pop_instance "auth-plaintext yes"
pop3d_start
A=alice@example.test
deliver alice 3 u
deliver bob 1 b
L="USER $A"
P="PASS secret"
# uidls: the unique-ids of a UIDL listing, "N UID" lines
uidls() { pop "$L" "$P" UIDL QUIT | sed -n '/^+OK unique-id/,/^\.$/p' | sed '1d;$d'; }
# bases: the Maildir's base names, oldest first
bases() { ls "$(md alice)/cur" "$(md alice)/new" | grep '^[0-9]' | sed 's/:.*//' | sort -n; }

u1=$(uidls)
is "$(echo "$u1" | wc -l)" 3 "UIDL lists three messages"
is "$(echo "$u1" | cut -d' ' -f2)" "$(bases)" "the unique-ids are the base names"
is "$(uidls)" "$u1" "the same in a second session"
deliver alice 1 v
u2=$(uidls)
is "$(echo "$u2" | head -3)" "$u1" "one more delivered: the old ones keep number and unique-id"
new=$(echo "$u2" | sed -n 4p | cut -d' ' -f2)
is "$(echo "$u2" | wc -l)" 4 "four now"
echo "$u1" | grep -q " $new\$"; ok $((! $?)) "the new message has a new unique-id"
is "$new" "$(bases | tail -1)" "its base name"

# the process that holds the Maildir open runs as its owner
cat >"$T/owner.sh" <<EOF2
#!/bin/sh
# the users of the processes that have the Maildir open
for p in /proc/[0-9]*; do
	ls -l \$p/fd 2>/dev/null | grep -q " $(md alice)/*\$" &&
	    ps -o user= -p \${p#/proc/}
done | sort -u >"$T/owner"
EOF2
chmod 755 "$T/owner.sh"
pop -c "$L" "$P" "@sh" "$T/owner.sh" QUIT >/dev/null
is "$(cat "$T/owner")" nobody "the session holding the Maildir runs as its owner, nobody"

# pop3d as nobody, one process; bob's mailbox belongs to daemon
pop3d_stop
chown -R nobody:nogroup "$POSTEL_ROOT"
chown -R daemon:daemon "$POSTEL_ROOT/mail/bob"
TCPSERVER_OPTS="-u $(id -u nobody) -g $(id -g nobody)" pop3d_start
cat >"$T/procs.sh" <<EOF2
#!/bin/sh
ps -o user= --ppid $tpid >"$T/procs"
pgrep -P \$(pgrep -P $tpid) | wc -l >>"$T/procs"
EOF2
chmod 755 "$T/procs.sh"
is "$(uidls)" "$u2" "pop3d as nobody: the same unique-ids"
pop -c "$L" "$P" "@sh" "$T/procs.sh" QUIT >/dev/null
is "$(cat "$T/procs" | tr '\n' ' ')" "nobody 0 " "as nobody pop3d is one process"
out=$(pop "USER bob@example.test" "PASS bobpass" QUIT)
echo "$out" | sed -n 3p | grep -q '^-ERR \[SYS/PERM\] '; ok $? "a mailbox of another owner: -ERR [SYS/PERM]"
is "$(ls "$(md bob)/new" | wc -l)" 1 "bob's Maildir untouched"
done_testing
