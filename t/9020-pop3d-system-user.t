#!/bin/sh
# 9020-pop3d-system-user.t: pop3d as a host runs it, started as root for
# a system user (postel-pop3d(8), postel-security(7)): a real account
# made by useradd, its password checked by a checkpassword program that
# reads /etc/shadow, mail delivered by postel into ~/Maildir. While the
# session is open, the process that serves the mailbox runs as that user,
# the front as pop3d-user, and only the checker as root; root and a
# system account cannot log in; a wrong password gets [AUTH].
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || skip_all "not root: pop3d splits only as root"
for c in useradd userdel chpasswd tcpserver pgrep; do
	command -v $c >/dev/null 2>&1 || skip_all "$c not installed"
done
id nobody >/dev/null 2>&1 || skip_all "no nobody account"
plan 12
U=pt9020u
userdel -r "$U" >/dev/null 2>&1
useradd -m -s /bin/sh "$U" >/dev/null 2>&1 || skip_all "useradd $U failed"
trap 'userdel -r "$U" >/dev/null 2>&1; _cleanup' EXIT
echo "$U:sesame-9020" | chpasswd || skip_all "chpasswd failed"
chmod 755 "$T"
setup_instance
diag_on_fail "$T/pop3d.log" "$T/qrun.log" "$T/pop.out"

# a checkpassword program as the interface has it: user NUL password NUL
# on fd 3, the shadow hash compared through crypt(3), then exec argv
cat >"$T/checkpw" <<'EOF2'
#!/usr/bin/python3 -W ignore
import crypt, os, spwd, sys
d = os.read(3, 1024).split(b"\0")
with open(os.path.join(os.path.dirname(sys.argv[0]), "cp.log"), "ab") as f:
    f.write(d[0] + b"\n")
try:
    h = spwd.getspnam(d[0].decode()).sp_pwdp
except KeyError:
    sys.exit(1)
if crypt.crypt(d[1].decode(), h) != h:
    sys.exit(1)
os.execv(sys.argv[1], sys.argv[1:])
EOF2
chmod 700 "$T/checkpw"
cat >>"$POSTEL_ROOT/conf/postel.conf" <<EOF2
auth-checkpassword $T/checkpw /bin/true
auth-plaintext yes
auth-fail-delay 10
pop3d-user nobody
EOF2

printf 'Subject: for the user\n\nhello %s\n' "$U" |
    "$B/enqueue" -f carol@example.org "$U@mx.example.test" 2>/dev/null
"$B/qrun" -1 2>"$T/qrun.log"
n=$(ls /home/$U/Maildir/new 2>/dev/null | wc -l)
is "$n" 1 "postel delivered into the user's ~/Maildir"

port=$(free_port)
tcpserver -q -HR -l localhost 127.0.0.1 "$port" "$B/pop3d" 2>"$T/pop3d.log" &
tsp=$!
reap $tsp
wait_for 10 $PY -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),1)' "$port" 2>/dev/null

# the session is held open at STAT while the shell looks at the processes
$PY - "$port" "$U" "$T" >"$T/pop.out" 2>&1 <<'PYEOF' &
import os, poplib, sys, time
port, u, t = int(sys.argv[1]), sys.argv[2], sys.argv[3]
p = poplib.POP3("127.0.0.1", port, timeout=20)
p.user(u)
print("login", p.pass_("sesame-9020").decode())
print("stat", p.stat())
open(t + "/opened", "w").close()
for _ in range(200):
    if os.path.exists(t + "/looked"):
        break
    time.sleep(0.05)
print("retr", b"\n".join(p.retr(1)[1]).decode())
print("quit", p.quit().decode())
PYEOF
cli=$!
reap $cli
wait_for 10 test -e "$T/opened"
# this connection's pop3d processes: the checker, tcpserver's child,
# and its two children, the front and the session
chk=$(pgrep -P "$tsp")
users=$( (ps -o user= -p "$chk"; for p in $(pgrep -P "$chk"); do
	ps -o user= -p "$p"; done) 2>/dev/null | sort | tr '\n' ' ')
: >"$T/looked"
wait $cli
grep -q "^login +OK $U has 1 messages" "$T/pop.out"
ok $? "the system user logs in with the password of /etc/shadow"
grep -q "^hello $U\$" "$T/pop.out"; ok $? "and reads the message postel delivered"
case " $users " in *" $U "*) r=0 ;; *) r=1 ;; esac
ok $r "the session runs as the user ($users)"
case " $users " in *" nobody "*) r=0 ;; *) r=1 ;; esac
ok $r "the front runs as pop3d-user"
is "$(echo "$users" | tr ' ' '\n' | grep -c '^root$')" 1 "one process as root: the checker"

# tries: a user and a password; prints the reply to PASS
try() {
	$PY - "$port" "$1" "$2" <<'PYEOF' 2>&1
import poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=20)
p.user(sys.argv[2])
try:
    print(p.pass_(sys.argv[3]).decode())
except poplib.error_proto as e:
    print(e.args[0].decode() if isinstance(e.args[0], bytes) else e.args[0])
PYEOF
}
is "$(try "$U" wrong)" "-ERR [AUTH] invalid user name or password" "a wrong password: [AUTH]"
is "$(try root sesame-9020)" "-ERR [AUTH] invalid user name or password" \
    "root has no mailbox here"
is "$(try daemon sesame-9020)" "-ERR [AUTH] invalid user name or password" \
    "nor has a system account"
try nosuch9020 x >/dev/null
grep -qx nosuch9020 "$T/cp.log"
ok $? "an unknown login gets the same check as a known one (the same time)"
grep -q "login .*user=$U result=failed reason=\"bad password\"" "$T/pop3d.log"
ok $? "the failure is logged with its reason"
grep -q 'sesame-9020\|wrong' "$T/pop3d.log"
ok $((! $?)) "no password in the log"
done_testing
