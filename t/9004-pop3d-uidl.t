#!/bin/sh
# 9004-pop3d-uidl.t: UIDL is the Maildir base name and stays the same
# across sessions and deliveries; the session that reads the Maildir runs
# as its owner, never root; and pop3d started as an ordinary user is one
# process that serves only that user's mailboxes. Needs root.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/9-lib.sh"
plan 17
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

# files that local did not write: no W= (sized by reading), no line end
# at the end, a base name too long for a unique-id (RFC 1939: 1 to 70
# octets), a dot file and one in tmp/ (no messages)
pop -c "$L" "$P" "DELE 1" "DELE 2" "DELE 3" "DELE 4" QUIT >/dev/null
is "$(msgs alice)" 0 "alice's mailbox emptied"
$PY - "$(md alice)" >"$T/odd" <<'PYEOF'
import hashlib, os, pwd, sys
md = sys.argv[1]
long = "1700000003.M3P3." + "h" * 60
files = [("new/1700000001.M1P1.host", b"Subject: nw\n\nno W=\n.dot\n"),
         ("new/1700000002.M2P2.host", b"Subject: nl\n\nno line end"),
         ("cur/" + long + ":2,S", b"Subject: lg\n\nlong name\n"),
         ("cur/.1700000004.M4P4.host", b"Subject: dot\n\nx\n"),
         ("tmp/1700000005.M5P5.host", b"Subject: tmp\n\nx\n")]
pw = pwd.getpwnam("nobody")
for name, data in files:
    with open(os.path.join(md, name), "wb") as f:
        f.write(data)
    os.chown(os.path.join(md, name), pw.pw_uid, pw.pw_gid)
# what LIST and UIDL must say
for i, (name, data) in enumerate(files[:3]):
    base = name.split("/")[1].split(":")[0]
    uid = base if len(base) <= 70 else "x" + hashlib.sha256(base.encode()).hexdigest()[:32]
    print(i + 1, len(data) + data.count(b"\n"), uid)
PYEOF
out=$(pop "$L" "$P" LIST UIDL "RETR 2" QUIT)
is "$(echo "$out" | sed -n '/^+OK scan/,/^\.$/p' | sed '1d;$d')" "$(cut -d' ' -f1,2 "$T/odd")" \
    "LIST: three messages; sizes read from the file, the added line end not counted"
is "$(echo "$out" | sed -n '/^+OK unique/,/^\.$/p' | sed '1d;$d')" "$(cut -d' ' -f1,3 "$T/odd")" \
    "UIDL: base names; the long one as x and SHA-256 digits"
is "$(echo "$out" | sed -n '/^+OK 2[0-9] octets$/,/^\.$/p' | sed 1d | tr '\n' '|')" \
    "Subject: nl||no line end|.|" "RETR of a file without a last line end: one added"
is "$(ls -a "$(md alice)/cur" "$(md alice)/tmp" | grep -c '^\.1700000004\|^1700000005')" 2 \
    "the dot file and tmp/ untouched"
done_testing
