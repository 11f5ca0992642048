#!/bin/sh
# 0020-host-mta.t: postel as a Debian host's MTA, installed as an admin
# would: its .deb over exim4 (which cron and bsd-mailx pulled in), qrun
# started as root, real users. Root's, cron's (no MAILTO), mailx's and an
# ordinary user's mail arrive; root goes where /etc/aliases says after
# newaliases; a user without ~/Maildir gets one; sendmail -ti, -bv, -bs
# (swaks --pipe, as root and as a user) work; from the network, RCPT to a
# system account gets 550. It changes the machine (packages, users,
# /etc/aliases, /etc/cron.d) and undoes all of it on exit, so it runs only
# as root on a disposable machine, and once per suite run.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || skip_all "not root: this test installs packages and users"
[ "$(cat /proc/1/comm 2>/dev/null)" != systemd ] ||
    skip_all "a systemd host: this test swaps the host's MTA, so it runs on disposable machines (CI containers) only"
[ "${POSTEL_BUILD:-$TOP/build}" = "$TOP/build" ] ||
    skip_all "the package test runs once, in the plain build's suite (this run uses $POSTEL_BUILD)"
for c in apt-get dpkg-deb useradd userdel setpriv swaks tcpserver; do
	command -v $c >/dev/null 2>&1 || skip_all "$c not installed"
done
installed() { dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q 'ok installed'; }
for p in postel postfix; do
	installed $p && skip_all "$p is installed here: not replacing the host's MTA"
done
[ -e /etc/postel ] || [ -e /var/spool/postel ] &&
    skip_all "/etc/postel or /var/spool/postel exists: not touching them"
plan 27
# the host's programs find the host's instance, not the suite's
unset POSTEL_ROOT POSTEL_LIBEXEC

ADMIN=pt0020admin
USR=pt0020user
TOK=t0020-$$-$(date +%s)
CRON=/etc/cron.d/postel-t0020
pkgs() {
	dpkg-query -W -f='${Package} ${Status}\n' |
	    awk '/ installed$/ || / config-files$/ {print $1}' | sort
}
pkgs >"$T/pkgs.before"
had_aliases=0
[ -e /etc/aliases ] && had_aliases=1 && cp -p /etc/aliases "$T/aliases.orig"

undo() {
	# finish even when the harness has gone: no signal stops the undoing
	trap '' PIPE HUP INT TERM
	rm -f "$CRON"
	for p in $_pids; do kill "$p" 2>/dev/null; done
	sleep 0.5
	for p in $_pids; do kill -9 "$p" 2>/dev/null; done
	_pids=""
	# what this test installed goes, bsd-mailx before the MTA it needs
	pkgs >"$T/pkgs.after"
	new=$(comm -13 "$T/pkgs.before" "$T/pkgs.after" | tr '\n' ' ')
	if [ -n "$new" ]; then
		DEBIAN_FRONTEND=noninteractive dpkg --purge bsd-mailx \
		    >>"$T/undo.log" 2>&1 || :
		DEBIAN_FRONTEND=noninteractive dpkg --purge $new \
		    >>"$T/undo.log" 2>&1 || :
	fi
	for u in $ADMIN $USR; do
		id "$u" >/dev/null 2>&1 && userdel -r "$u" >/dev/null 2>&1
	done
	if [ $had_aliases = 1 ]; then
		cp -p "$T/aliases.orig" /etc/aliases
	else
		rm -f /etc/aliases
	fi
	_cleanup
}
trap undo EXIT

# 1. the package
make -s -C "$TOP" deb SAN= DEB_O="$T/b" DEB_OUT="$T/out" >"$T/make.out" 2>&1
ok $? "make deb"
diag_on_fail "$T/make.out" "$T/apt.out" "$T/qrun.log" "$T/undo.log"
DEB=$(ls "$T"/out/postel_*.deb 2>/dev/null | head -1)

# 2. the host as Debian leaves it: cron and mailx bring exim4
export DEBIAN_FRONTEND=noninteractive
{ apt-get update -qq && apt-get install -y -q --no-install-recommends \
    exim4-daemon-light cron bsd-mailx; } >"$T/apt.out" 2>&1
ok $? "exim4, cron and bsd-mailx installed"
is "$(readlink -f /usr/sbin/sendmail)" /usr/sbin/exim4 "exim4 holds /usr/sbin/sendmail"

# 3. postel's .deb takes the MTA slot
apt-get install -y -q "$DEB" >>"$T/apt.out" 2>&1
ok $? "apt-get install ./postel_*.deb"
installed exim4-daemon-light
is $? 1 "exim4-daemon-light was replaced"
is "$(readlink -f /usr/sbin/sendmail)" /usr/lib/postel/sendmail "/usr/sbin/sendmail is postel's"
is "$(stat -c '%a %U %G' /usr/lib/postel/enqueue)" "2755 root postel" "enqueue setgid to the queue group"
/usr/sbin/postel check >"$T/check.out" 2>&1
ok $? "postel check: the installed configuration is clean"

# 4. users and the admin, the Debian way: root in /etc/aliases, newaliases
useradd -m -s /bin/sh $ADMIN && useradd -m -s /bin/sh $USR
ok $? "two users, without Maildirs"
# admin: system accounts' mail, and nothing into other people's homes
sed -i '/^admin /d' /etc/postel/postel.conf && echo "admin $ADMIN" >>/etc/postel/postel.conf
sed -i '/^root:/d' /etc/aliases 2>/dev/null
sed -i '/^abuse:/d' /etc/aliases 2>/dev/null
printf 'root: %s\nabuse: %s\n' $ADMIN $USR >>/etc/aliases
/usr/bin/newaliases >"$T/newaliases.out" 2>&1
ok $? "newaliases"
/usr/sbin/sendmail -bv root >"$T/bv.out" 2>&1
ok $? "sendmail -bv root"
grep -q "$ADMIN" "$T/bv.out"
ok $? "-bv says root goes to $ADMIN"

# 5. the queue runner as an admin starts it without systemd; cron
/usr/lib/postel/qrun >"$T/qrun.log" 2>&1 &
reap $!
echo "* * * * * root echo cron-says-$TOK" >"$CRON"
cron -f >"$T/cron.log" 2>&1 &
reap $!
AM=/home/$ADMIN/Maildir
UM=/home/$USR/Maildir
arrived() { grep -rqs -- "$2" "$1/new" "$1/cur"; }

# 6. mail that a host's programs send
echo "mailx body" | mail -s "mailx-$TOK" root
wait_for 30 arrived "$AM" "mailx-$TOK"
ok $? "mail -s x root (bsd-mailx) reaches the admin"
is "$(stat -c '%a %U' "$AM" 2>/dev/null)" "700 $ADMIN" "the admin's Maildir was made, 0700, the admin's"
printf 'From: root (Cron Daemon)\nTo: root\nSubject: asuser-%s\n\nx\n' "$TOK" |
    setpriv --reuid=$USR --regid=$USR --init-groups \
    /usr/sbin/sendmail -FCronDaemon -i -B8BITMIME -oem root
ok $? "cron's sendmail call as an ordinary user"
wait_for 30 arrived "$AM" "asuser-$TOK"
ok $? "... arrives at the admin"
printf 'To: %s\nSubject: ti-%s\n\nx\n' $USR "$TOK" | /usr/sbin/sendmail -ti
ok $? "sendmail -ti"
wait_for 30 arrived "$UM" "ti-$TOK"
ok $? "... reaches a user who had no ~/Maildir"
printf 'Subject: abuse-%s\n\nx\n' "$TOK" | /usr/sbin/sendmail -i abuse
wait_for 30 arrived "$UM" "abuse-$TOK"
ok $? "abuse: USER in /etc/aliases wins over the admin"
swaks --pipe '/usr/sbin/sendmail -bs' --to root@localhost --from root@localhost \
    --header "Subject: bs-root-$TOK" >"$T/swaks1.out" 2>&1
ok $? "swaks --pipe 'sendmail -bs' as root"
setpriv --reuid=$USR --regid=$USR --init-groups swaks --pipe \
    '/usr/sbin/sendmail -bs' --to root@localhost --from $USR@localhost \
    --header "Subject: bs-user-$TOK" >"$T/swaks2.out" 2>&1
ok $? "swaks --pipe 'sendmail -bs' as a user"
diag_on_fail "$T/swaks1.out" "$T/swaks2.out"
wait_for 30 sh -c "grep -rqs -- bs-root-$TOK $AM && grep -rqs -- bs-user-$TOK $AM"
ok $? "... both arrive"

# 7. from the network: a system account is refused at RCPT
PORT=$(free_port)
su_id=$(id -u postel-smtpd); sg_id=$(id -g postel-smtpd)
tcpserver -q -u "$su_id" -g "$sg_id" 127.0.0.1 "$PORT" /usr/lib/postel/smtpd \
    2>"$T/smtpd.log" &
reap $!
wait_for 10 $PY -c "import socket; socket.create_connection(('127.0.0.1', $PORT)).close()" 2>/dev/null
codes=$($PY - "$PORT" "$ADMIN" <<'PYEOF'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20)
s.ehlo("client.example")
s.mail("someone@example.org")
out = []
for r in ("daemon@localhost", "www-data@localhost", sys.argv[2] + "@localhost"):
    out.append(str(s.rcpt(r)[0]))
s.quit()
print(" ".join(out))
PYEOF
)
is "$codes" "550 550 250" "RCPT daemon@, www-data@ 550; a user 250"

# 8. cron, no MAILTO: the job's output reaches the admin (next minute)
wait_for 130 arrived "$AM" "cron-says-$TOK"
ok $? "cron's mail for root reaches the admin"
f=$(grep -rls -- "cron-says-$TOK" "$AM/new" "$AM/cur" | head -1)
grep -q '^From: root@[^ ]* (Cron Daemon)' "$f" 2>/dev/null
ok $? "its From: is qualified, the comment kept"

# 9. what the test started stops; the package goes
kill $_pids 2>/dev/null
dpkg --purge bsd-mailx >/dev/null 2>&1
dpkg --purge postel >"$T/purge.out" 2>&1
ok $? "dpkg --purge postel"
[ ! -e /etc/postel ] && [ ! -e /var/spool/postel ] && [ ! -e /usr/lib/postel ]
ok $? "purge leaves no /etc/postel, /var/spool/postel, /usr/lib/postel"
done_testing
