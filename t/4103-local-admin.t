#!/bin/sh
# 4103-local-admin.t: on a `setup --system` instance (as root, queue user
# daemon), a host's own mail arrives: `sendmail root`, mail to the roles
# postmaster and abuse and to a system account (daemon) land in the
# admin's Maildir (setup's default admin, the first --user), though setup
# wrote no role alias; an alias in an aliases-system file (the /etc/aliases
# syntax) is honoured, for a role too (mailer-daemon, and a root: bob added
# later takes effect at once), conf/aliases wins over it, and an
# :include: entry waits in the queue instead of bouncing; a user made by
# `useradd -m`, with no ~/Maildir, receives mail in a Maildir that local
# makes as the user, mode 0700. The user is made here and removed on exit.
. "$(dirname "$0")/lib.sh"
system_needs
command -v useradd >/dev/null 2>&1 || skip_all "useradd not installed"
U=pt4103u
id "$U" >/dev/null 2>&1 && skip_all "a user $U exists already: not touching it"
plan 25
made=0
trap '[ "$made" = 1 ] && userdel -r "$U" >/dev/null 2>&1; _cleanup' EXIT
system_instance
export POSTEL_ROOT=$R POSTEL_LIBEXEC=$L
diag_on_fail "$T/setup.out" "$T/qrun.log" "$T/sm.err"
useradd -m -s /bin/sh "$U" && made=1
ok $? "useradd -m $U"
H=$(getent passwd "$U" | cut -d: -f6)
[ -d "$H" ] && [ ! -e "$H/Maildir" ]
ok $? "its home has no Maildir"

# bob for the aliases-system alias; the same setup again, one user more
"$L/setup" "$R" --system --queue-user daemon --smtpd-user daemon --pop3d-user daemon \
    --libexec "$L" --me mx.example.test --domain example.test --user alice \
    --user bob >>"$T/setup.out" 2>&1
ok $? "setup again with bob"
# (no conf/aliases at all where /etc/aliases names postmaster)
is "$(cat "$R/conf/aliases" 2>/dev/null | grep -Eic '^(root|mailer-daemon|abuse)[[:space:]]')" 0 \
    "setup wrote no role alias"
# postmaster by its role, not by the line setup writes for the first user
[ ! -e "$R/conf/aliases" ] || sed -i '/^postmaster[[:space:]]/d' "$R/conf/aliases"
echo "staff alice@example.test" >>"$R/conf/aliases"
cat >"$T/aliases" <<'EOF'
# as /etc/aliases would say it
ops:	bob@example.test,
	"alice@example.test"
mailer-daemon: bob@example.test
staff: bob@example.test
lists: :include:/etc/postel-lists
EOF
sed -i '/^aliases-system /d' "$R/conf/postel.conf"
echo "aliases-system $T/aliases" >>"$R/conf/postel.conf"

send() {        # send RCPT SUBJECT, as root through the installed sendmail
	printf 'Subject: %s\n\nfor %s\n' "$2" "$1" |
	    "$L/sendmail" -f someone@example.org "$1" 2>>"$T/sm.err"
}
send root to-root && send daemon to-daemon && send ops to-ops &&
    send mailer-daemon to-md && send "$U" to-user && send lists to-lists &&
    send postmaster to-pm && send abuse@example.test to-abuse &&
    send staff to-staff
ok $? "sendmail root, daemon, ops, mailer-daemon, $U, lists, postmaster, abuse, staff"

A=$R/mail/alice/Maildir/new
Bm=$R/mail/bob/Maildir/new
subj() { grep -l "^Subject: $2\$" "$1"/* 2>/dev/null | wc -l | tr -d ' '; }
arrived() {
	[ "$(subj "$A" to-root)$(subj "$A" to-daemon)$(subj "$Bm" to-md)" = 111 ] &&
	    [ "$(subj "$A" to-pm)$(subj "$A" to-abuse)$(subj "$A" to-staff)" = 111 ] &&
	    [ "$(subj "$Bm" to-ops)$(subj "$A" to-ops)" = 11 ] && [ "$(subj "$H/Maildir/new" to-user)" = 1 ]
}
# qrun as root (it becomes daemon, with a root spawner for local);
# an alias is a forward, queued again: a few passes, bounded
passes() {      # passes CMD...: qrun until CMD succeeds, at most 6 times
	i=0
	while [ $i -lt 6 ] && ! "$@"; do
		"$L/qrun" -1 -f >>"$T/qrun.log" 2>&1
		i=$((i + 1))
	done
}
passes arrived
is "$(subj "$A" to-root)" 1 "mail to root is in the admin's Maildir"
is "$(subj "$A" to-pm)$(subj "$A" to-abuse)" 11 "so is mail to postmaster and abuse@example.test"
is "$(subj "$A" to-daemon)" 1 "mail to the system account daemon too"
grep -l '^Subject: to-daemon$' "$A"/* 2>/dev/null | xargs grep -q '^Delivered-To: daemon@mx.example.test$'
ok $? "... having passed daemon@me (me is a local domain)"
is "$(subj "$Bm" to-ops)$(subj "$A" to-ops)" 11 "an aliases-system alias (continuation line, quotes) is honoured"
is "$(subj "$Bm" to-md)$(subj "$A" to-md)" 10 \
    "a role an aliases-system file names (mailer-daemon) is that alias's, not the admin's"
is "$(subj "$A" to-staff)$(subj "$Bm" to-staff)" 10 "conf/aliases wins over aliases-system"
is "$(subj "$H/Maildir/new" to-user)" 1 "the useradd user without a Maildir got the mail"
is "$(stat -c '%a %U' "$H/Maildir" 2>/dev/null)" "700 $U" "its Maildir: 0700, the user's"
is "$(stat -c '%U' "$H/Maildir/tmp" "$H/Maildir/new" "$H/Maildir/cur" 2>/dev/null | sort -u)" \
    "$U" "with tmp/ new/ cur/, the user's"
f=$(grep -l '^rcpt <lists@mx.example.test>' "$R/queue/new"/* "$R/queue/cur"/* 2>/dev/null)
[ -n "$f" ]
ok $? "mail to the :include: alias waits in the queue"
is "$(queue_count)" 1 "everything else is delivered"
grep -q 'status=temp.*lists@mx.example.test: its entry in .*aliases has a problem' "$T/qrun.log"
ok $? "a temporary result that names the problem"
is "$(grep -rl 'to-lists' "$A" "$Bm" 2>/dev/null | wc -l | tr -d ' ')" 0 "and no bounce for it"

# the Debian way, after setup: root: bob in /etc/aliases, no newaliases
# needed; conf/aliases must not hide it with a root line of its own (a
# bare name is at the recipient's domain, where bob is a virtual user)
echo "root: bob" >>"$T/aliases"
send root@example.test to-root-bob
ok $? "sendmail root@example.test after root: bob"
bob_got() { [ "$(subj "$Bm" to-root-bob)" = 1 ]; }
passes bob_got
is "$(subj "$Bm" to-root-bob)$(subj "$A" to-root-bob)" 10 \
    "root: bob in the aliases-system file: bob's Maildir, not the admin's"

# a person's account with a nologin shell (a mail-only user): refused
# from the network, but its mail from this host is its own, never the
# admin's
usermod -s /usr/sbin/nologin "$U"
send "$U" to-nologin
ok $? "sendmail to a mail-only user (nologin shell)"
nl_got() { [ "$(subj "$H/Maildir/new" to-nologin)" = 1 ]; }
passes nl_got
is "$(subj "$H/Maildir/new" to-nologin)$(subj "$A" to-nologin)" 10 \
    "it lands in that user's Maildir, not the admin's"
done_testing
