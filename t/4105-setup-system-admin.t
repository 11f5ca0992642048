#!/bin/sh
# 4105-setup-system-admin.t: `setup --system` with no --user and no
# --admin takes the user who ran sudo (SUDO_USER) as the admin, else the
# first account with a uid from UID_MIN on and a login shell; it sets
# aliases-system to /etc/aliases when that exists, writes no role alias
# (root is the admin's built in), and makes queue/hold/ for the queue
# user, 0750; with a --user, the postmaster alias of the first user is
# not written where /etc/aliases names postmaster. Then `sendmail root`
# on that instance reaches the sudo user's own ~/Maildir, which local
# makes. As root; the user is made here and removed on exit, and an
# /etc/aliases the test had to make is removed too.
. "$(dirname "$0")/lib.sh"
system_needs
command -v useradd >/dev/null 2>&1 || skip_all "useradd not installed"
U=pt4105u
id "$U" >/dev/null 2>&1 && skip_all "a user $U exists already: not touching it"
plan 16
made=0 etc=0
trap '[ "$made" = 1 ] && userdel -r "$U" >/dev/null 2>&1
[ "$etc" = 1 ] && rm -f /etc/aliases; _cleanup' EXIT
# noclobber: an /etc/aliases that appears meanwhile is not overwritten
if (set -C; printf '# made by postel t/4105, removed after it\npostmaster: root\n' \
    >/etc/aliases) 2>/dev/null; then
	etc=1
fi
system_instance
diag_on_fail "$T/setup.out" "$T/s2.err" "$T/qrun.log"
useradd -m -s /bin/sh "$U" && made=1
ok $? "useradd -m $U"
is "$(stat -c '%a %U' "$R/queue/hold" 2>/dev/null)" "750 daemon" "queue/hold/: the queue user's, 0750"

sys() {         # sys ROOT [OPTION...]: setup --system as system_instance, no user
	r=$1; shift
	"$L/setup" "$r" --system --queue-user daemon --smtpd-user daemon --pop3d-user daemon \
	    --libexec "$L" --me mx.example.test "$@"
}
R2=$T/s2
SUDO_USER=$U sys "$R2" >/dev/null 2>"$T/s2.err"
ok $? "setup --system under sudo, no --user"
is "$(grep '^admin ' "$R2/conf/postel.conf")" "admin $U@mx.example.test" "admin: the sudo user at me"
[ ! -s "$R2/conf/aliases" ]
ok $? "no role alias written to conf/aliases"
is "$(grep '^aliases-system ' "$R2/conf/postel.conf")" "aliases-system /etc/aliases" \
    "aliases-system is /etc/aliases"
is "$(grep '^pop3d-user ' "$R2/conf/postel.conf")" "pop3d-user daemon" \
    "pop3d-user names the account of --pop3d-user"

# the first person: other tests may make and remove users meanwhile, so
# what is checked is that the admin is a person (uid, shell)
min=$(awk '$1 == "UID_MIN" { print $2 }' /etc/login.defs 2>/dev/null)
SUDO_USER=root sys "$T/s3" >/dev/null 2>&1
a=$(sed -n 's/^admin \(.*\)@mx.example.test$/\1/p' "$T/s3/conf/postel.conf")
getent passwd "${a:-none}" | awk -F: -v min="${min:-1000}" \
    '$3 >= min && $7 !~ /\/(nologin|false)$/ { f = 1 } END { exit !f }'
ok $? "sudo by root: the first person, one with a uid from UID_MIN and a login shell ($a)"
env -u SUDO_USER "$L/setup" "$T/s4" --system --queue-user daemon \
    --smtpd-user daemon --pop3d-user daemon --libexec "$L" --me mx.example.test --admin ops@example.org \
    >/dev/null 2>&1
is "$(grep '^admin ' "$T/s4/conf/postel.conf")" "admin ops@example.org" "--admin wins"

# a postmaster that /etc/aliases names stays in force: no conf/aliases
# line for the first user to hide it
if grep -qi '^postmaster[[:space:]]*:' /etc/aliases 2>/dev/null; then
	SUDO_USER=$U sys "$T/s5" --domain example.test --user carol >/dev/null 2>&1
	is "$(grep -s '^postmaster' "$T/s5/conf/aliases")|$(grep '^postmaster ' "$T/s5/conf/postel.conf")" \
	    "|postmaster postmaster@example.test" \
	    "/etc/aliases names postmaster: conf/aliases does not"
else
	skip "/etc/aliases has no postmaster entry"
fi

# root's mail on that instance: to the sudo user's new ~/Maildir. The
# host's /etc/aliases may name root (t/0020 writes it meanwhile): this
# instance reads an empty one of its own instead
: >"$T/aliases"
sed -i "s|^aliases-system .*|aliases-system $T/aliases|" "$R2/conf/postel.conf"
H=$(getent passwd "$U" | cut -d: -f6)
printf 'Subject: for root\n\nhi\n' | POSTEL_ROOT=$R2 POSTEL_LIBEXEC=$L \
    "$L/sendmail" root
ok $? "sendmail root"
i=0
while [ $i -lt 6 ] && [ "$(ls "$H/Maildir/new" 2>/dev/null | wc -l)" -eq 0 ]; do
	POSTEL_ROOT=$R2 POSTEL_LIBEXEC=$L "$L/qrun" -1 -f >>"$T/qrun.log" 2>&1
	i=$((i + 1))
done
grep -l '^Subject: for root$' "$H/Maildir/new"/* >/dev/null 2>&1
ok $? "root's mail is in the admin's ~/Maildir"
is "$(stat -c '%a %U' "$H/Maildir" 2>/dev/null)" "700 $U" "which local made, 0700, the user's"
sed -i "s|^aliases-system .*|aliases-system /etc/aliases|" "$R2/conf/postel.conf"
before=$(cat "$R2/conf/"* | cksum)
SUDO_USER=$U sys "$R2" >/dev/null 2>&1
is "$(cat "$R2/conf/"* | cksum)" "$before" "setup --system again adds nothing"
done_testing
