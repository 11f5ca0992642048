#!/bin/sh
# 4012-mbox-spool.t: mbox delivery into a spool made like Debian's
# /var/mail (root:mail 2775, each mbox user:mail 0660), for a real Unix
# user, local started as root as qrun's spawner starts it. The recipient
# cannot make the dotlock there, so local goes on under the fcntl lock
# alone; a reader holding that lock makes it wait, and defer when the
# lock is not let go; a dotlock that exists is still respected; a missing
# mbox is a temporary failure that names it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
[ "$(id -u)" -eq 0 ] || skip_all "needs root to add a user and switch to it"
command -v useradd >/dev/null && command -v userdel >/dev/null ||
    skip_all "no useradd/userdel"
getent group mail >/dev/null || skip_all "no mail group"
U=pmbx$$
getent passwd "$U" >/dev/null && skip_all "user $U already exists"
trap 'userdel -r "$U" >/dev/null 2>&1; _cleanup' EXIT
useradd -m -s /bin/sh "$U" >/dev/null 2>&1 || skip_all "useradd $U failed"
plan 22
H=$(getent passwd "$U" | cut -d: -f6)

setup_instance
echo "delivery-timeout 4" > "$POSTEL_ROOT/conf/postel.conf"
# the spool, as Debian makes /var/mail (the real one is not touched)
S=$T/spool
M=$S/$U
chmod 711 "$T"
mkdir "$S"
chown root:mail "$S"
chmod 2775 "$S"
install -m 0660 -o "$U" -g mail /dev/null "$M"
printf '%s\n' "$M" > "$H/.postel"
chown "$U:" "$H/.postel"
chmod 644 "$H/.postel"

printf 'Subject: spool\n\nFrom the spool\nbody\n' > "$T/msg"
# deliver: local as root, as the spawner runs it; result line in $T/res
deliver() {
	"$B/local" -q test.1 carol@example.org "$U@example.test" \
	    <"$T/msg" >"$T/res" 2>"$T/err"
}
diag_on_fail "$T/res" "$T/err" "$T/holder.log"
count() {
	$PY -c 'import mailbox,sys; print(len(mailbox.mbox(sys.argv[1])))' "$M"
}

deliver
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4)" "rcpt 1 ok 2.0.0" \
    "delivered into a root:mail 2775 spool with no dotlock right"
is "$(count)" 1 "the mbox holds one message"
is "$(grep -c '^>From the spool$' "$M")" 1 "quoted as mboxrd"
is "$(grep -c '^Delivered-To: '"$U"'@example.test$' "$M")" 1 "with its Delivered-To"
is "$(stat -c '%U:%G %a' "$M")" "$U:mail 660" "the mbox keeps its owner, group and mode"
ok "$([ ! -e "$M.lock" ]; echo $?)" "no dotlock left in the spool"

# A reader holding the fcntl lock (mutt, mailx) while it writes: local
# waits for it and appends after, never into the middle.
# holder SECONDS: lock the mbox, append a message in two halves, let go
# after SECONDS (0: hold until killed, at most 30 s); "locked" in $T/held
holder() {
	rm -f "$T/held"
	$PY - "$M" "$T/held" "$1" >>"$T/holder.log" 2>&1 <<'PY' &
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_APPEND)
fcntl.lockf(fd, fcntl.LOCK_EX)
os.write(fd, b"From holder@example.org Thu Jan  1 00:00:00 1970\nSubject: held\n\nfirst half\n")
open(sys.argv[2], "w").write("locked\n")
t = float(sys.argv[3]) or 30
time.sleep(t)
os.write(fd, b"second half\n\n")
fcntl.lockf(fd, fcntl.LOCK_UN)
PY
	hpid=$!
	reap $hpid
	wait_for 10 test -s "$T/held"
}

holder 1
ok $? "a reader holds the fcntl lock"
deliver
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4)" "rcpt 1 ok 2.0.0" "local waited for the lock, then delivered"
wait $hpid
is "$(count)" 3 "three messages"
n=$($PY -c '
import mailbox, sys
m = list(mailbox.mbox(sys.argv[1]))
print(m[1]["Subject"], m[1].get_payload().split("\n")[:2], m[2]["Subject"])
' "$M")
is "$n" "held ['first half', 'second half'] spool" \
    "the reader's message is whole, and local's comes after it"

holder 0
ok $? "a reader holds the fcntl lock and does not let go"
size=$(wc -c < "$M")
deliver
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4)" "rcpt 1 temp 4.2.1" "local gives up within delivery-timeout: temporary 4.2.1"
case $(cat "$T/res") in
*"unable to lock $M"*) r=0 ;; *) r=1 ;; esac
ok $r "the result names the mbox"
is "$(wc -c < "$M")" "$size" "nothing of local's is written"
kill $hpid 2>/dev/null
wait $hpid 2>/dev/null

# A dotlock made by someone with the mail group's right (a setgid
# dotlock helper) is waited for, not ignored, although local could not
# have made it.
size=$(wc -c < "$M")
: > "$M.lock"
deliver
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4)" "rcpt 1 temp 4.2.1" "a held dotlock in the spool: temporary 4.2.1"
is "$(wc -c < "$M")" "$size" "and the mbox is untouched"
ok "$([ -e "$M.lock" ]; echo $?)" "the other's dotlock is left alone"
rm -f "$M.lock"

# Where the recipient may write the directory, the dotlock is made (and
# a held one waited for) as before: here the home.
printf './mbox\n' > "$H/.postel-home"
chown "$U:" "$H/.postel-home"
chmod 644 "$H/.postel-home"
install -m 0600 -o "$U" -g "$(id -g "$U")" /dev/null "$H/mbox.lock"
"$B/local" -q test.2 carol@example.org "$U+home@example.test" <"$T/msg" >"$T/res" 2>"$T/err"
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4)" "rcpt 1 temp 4.2.1" "a held dotlock in the home: temporary 4.2.1"
rm -f "$H/mbox.lock"
"$B/local" -q test.2 carol@example.org "$U+home@example.test" <"$T/msg" >"$T/res" 2>"$T/err"
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4)" "rcpt 1 ok 2.0.0" "once it is gone: ok"
ok "$([ ! -e "$H/mbox.lock" ]; echo $?)" "local's own dotlock is removed"

# No mbox yet: the recipient cannot create one in the spool. The mail
# waits, and the text says which file the admin must make.
rm -f "$M"
deliver
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4)" "rcpt 1 temp 4.2.0" "no mbox in the spool: temporary 4.2.0"
case $(cat "$T/res") in
*"unable to create $M: Permission denied"*) r=0 ;; *) r=1 ;; esac
ok $r "the result names the file to make"
done_testing
