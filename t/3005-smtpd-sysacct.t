#!/bin/sh
# 3005-smtpd-sysacct.t: a system account (daemon, www-data, nobody: below
# UID_MIN or a nologin shell) that no alias names is refused at RCPT from
# the network with 550 5.1.1, never taken and bounced later; with or
# without an admin address. The roles root, postmaster, mailer-daemon
# and abuse, the admin's built in (setup writes no alias for them), and
# an alias for a system account in the aliases-system file are taken,
# 250; without an admin root is a system account again; an
# aliases-system entry with a problem (:include:) is a 451 for that name
# alone. Local submission (smtpd -l, sendmail -bs) reaches the admin.
# Driven by Python's smtplib; as root, an ordinary user made by useradd
# is taken too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/3smtpd.sh"
for a in daemon www-data nobody; do
	id "$a" >/dev/null 2>&1 || skip_all "no $a account"
done
plan 18
setup_instance
diag_on_fail "$T/rcpt.out"
U=pt3005u
if [ "$(id -u)" -eq 0 ] && command -v useradd >/dev/null 2>&1; then
	userdel -r "$U" >/dev/null 2>&1
	useradd -m -s /bin/sh "$U" >/dev/null 2>&1 && made=1 || made=0
else
	made=0
fi
# the user goes with the test, whatever happens to it
trap '[ "$made" = 1 ] && userdel -r "$U" >/dev/null 2>&1; _cleanup' EXIT
start_smtpd

# rcpts ADDR...: "ADDR CODE ENHANCED" for each, one transaction, smtplib
rcpts() {
	$PY - "$port" "$@" >"$T/rcpt.out" 2>&1 <<'PYEOF'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
s.ehlo("smtplib.example.org")
s.mail("a@example.org")
taken = 0
for a in sys.argv[2:]:
    code, text = s.rcpt(a)
    print(a, code, text.decode().split(" ")[0])
    taken += code == 250
if not taken:
    print("data", s.docmd("DATA")[0])
s.quit()
PYEOF
	cat "$T/rcpt.out"
}
code() { grep "^$1 " "$T/rcpt.out" | cut -d' ' -f2-; }

rcpts daemon@example.test www-data@mx.example.test nobody@localhost >/dev/null
is "$(code daemon@example.test)" "550 5.1.1" "daemon@ a local domain: 550 5.1.1 at RCPT"
is "$(code www-data@mx.example.test)" "550 5.1.1" "www-data@ the host's name (me): 550 5.1.1"
is "$(code nobody@localhost)" "550 5.1.1" "nobody@localhost: 550 5.1.1"
is "$(code data)" 554 "no recipient taken: DATA is refused, nothing to bounce"
is "$(queue_count)" 0 "nothing queued"

grep -Ei '^(root|mailer-daemon|abuse)[[:space:]]' "$POSTEL_ROOT/conf/aliases"
ok "$([ $? -eq 1 ]; echo $?)" "setup wrote no role alias"
# postmaster by its role, not by the line setup writes for the first user
sed -i '/^postmaster[[:space:]]/d' "$POSTEL_ROOT/conf/aliases"
rcpts postmaster@example.test root@example.test alice@example.test \
    daemon+x@example.test abuse@mx.example.test mailer-daemon@localhost >/dev/null
is "$(code postmaster@example.test)" "250 2.1.5" "postmaster@: a role, the admin's, 250"
is "$(code root@example.test)" "250 2.1.5" "root@: a role, the admin's, 250"
is "$(code abuse@mx.example.test) $(code mailer-daemon@localhost)" \
    "250 2.1.5 250 2.1.5" "abuse@ and mailer-daemon@ too"
is "$(code alice@example.test)" "250 2.1.5" "an ordinary (virtual) user: 250"
is "$(code daemon+x@example.test)" "550 5.1.1" "a system account with an extension: 550"
if [ "$made" = 1 ]; then
	rcpts "$U@example.test" >/dev/null
	is "$(code "$U@example.test")" "250 2.1.5" "a user made by useradd: 250"
else
	skip "not root or no useradd: no ordinary system user made"
fi

# aliases-system: an explicit alias makes a system account a recipient;
# an entry with a problem is a temporary failure of that name alone
cat >"$T/aliases" <<'EOF'
# as /etc/aliases
daemon: alice@example.test
lists:	:include:/etc/postel-lists
EOF
conf "aliases-system $T/aliases"
rcpts daemon@example.test lists@example.test www-data@example.test >/dev/null
is "$(code daemon@example.test)" "250 2.1.5" "daemon with an alias in aliases-system: 250"
is "$(code lists@example.test)" "451 4.3.0" "an :include: entry: 451 for that name"
is "$(code www-data@example.test)" "550 5.1.1" "other system accounts still 550"

# no admin (an instance set up before it existed): still refused
conf
sed -i '/^admin /d' "$POSTEL_ROOT/conf/postel.conf"
rcpts daemon@example.test root@example.test abuse@example.test >/dev/null
is "$(code daemon@example.test)" "550 5.1.1" "without an admin address: still 550"
is "$(code root@example.test) $(code abuse@example.test)" "550 5.1.1 550 5.1.1" \
    "... and root is a system account again, abuse unknown"

# local submission: the caller is on this host, its mail reaches admin
conf
r=$(printf 'HELO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<daemon@example.test>\r\nQUIT\r\n' |
    "$B/smtpd" -l 2>/dev/null | sed -n 4p | cut -c1-9)
is "$r" "250 2.1.5" "smtpd -l (sendmail -bs): a system account is taken"
done_testing
