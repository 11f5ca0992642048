#!/bin/sh
# 0003-install.t: `make install` into a DESTDIR, then `setup --system` as
# an admin would run it (postel-setup(8), postel-security(7)): the queue
# belongs to the queue user and is closed to others; enqueue is setgid to
# the queue group, so an ordinary user's sendmail queues, but cannot
# choose its origin, forge the top Received: line or use -q; its -f is
# logged by qrun beside its uid; qrun as the queue user delivers to a
# virtual user. The queue user here is "daemon" and the ordinary user
# "nobody": the test makes no accounts.
. "$(dirname "$0")/lib.sh"
system_needs
plan 21
system_instance
M=$D/usr/local/share/man
n=0
for p in $(ls "$TOP/cmd"); do [ -x "$L/$p" ] || n=$((n + 1)); done
is "$n" 0 "every program is in PREFIX/lib/postel"
[ -f "$M/man8/postel-smtpd.8" ] && [ -f "$M/man5/postel-queue.5" ] &&
    [ -f "$M/man7/postel-security.7" ]
ok $? "man pages in sections 5, 7 and 8"
[ -f "$D/usr/local/share/postel/conf/postel-smtpd.socket" ]; ok $? "sample conf"
is "$(stat -c '%a %U:%G' "$R/queue" "$R/queue/tmp" "$R/queue/new" \
    "$R/queue/cur" "$R/queue/state" "$R/queue/trigger" | tr '\n' ' ')" \
    "750 daemon:daemon 770 daemon:daemon 770 daemon:daemon 700 daemon:daemon 700 daemon:daemon 620 daemon:daemon " \
    "queue owners and modes"
is "$(stat -c '%a %U:%G' "$L/enqueue")" "2755 root:daemon" "enqueue is setgid to the queue group"
"$L/setup" "$R" --system --queue-user daemon --smtpd-user daemon --pop3d-user daemon \
    --libexec "$L" --me mx.example.test --domain example.test --user alice \
    >/dev/null 2>&1
ok $? "running it twice is harmless"

export POSTEL_ROOT=$R POSTEL_LIBEXEC=$L
nob() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
nob ls "$R/queue" >/dev/null 2>&1
ok "$([ $? -ne 0 ]; echo $?)" "an ordinary user cannot list the queue"
printf 'Received: from forged.example by trusted.example\nSubject: hi\n\nbody\n' |
    nob "$L/sendmail" -f boss@example.org alice@example.test 2>"$T/sm.err"
ok $? "an ordinary user queues through sendmail (setgid enqueue)"
f=$(ls "$R/queue/new"/* 2>/dev/null | head -1)
is "$(sed -n 's/^origin //p' "$f")" "sendmail uid=$(id -u nobody)" "the origin names the user's uid"
is "$(sed '1,/^$/d' "$f" | head -1)" "Received: (postel enqueue invoked by uid $(id -u nobody));" \
    "the top Received: line is enqueue's, naming the uid"
echo x | nob "$L/enqueue" -o "smtpd 192.0.2.1" -f a@example.org alice@example.test >"$T/id" 2>/dev/null
is "$(sed -n 's/^origin //p' "$R/queue/new/$(cat "$T/id")")" "enqueue uid=$(id -u nobody)" \
    "enqueue -o cannot claim another origin"
echo x | nob "$L/enqueue" -q 1700000000.000001.1 -f a@example.org alice@example.test >/dev/null 2>&1
is "$?" 100 "-q is refused to an ordinary user"
mkdir "$T/fake" && mkdir "$T/fake/queue" && chown -R nobody "$T/fake"
echo x | POSTEL_ROOT=$T/fake nob "$L/enqueue" -f a@example.org b@example.test >/dev/null 2>"$T/fake.err"
is "$?" 111 "enqueue refuses an instance of the user's own making"
dd=$R/mail/alice/Maildir/new
setpriv --reuid=daemon --regid=daemon --clear-groups "$L/qrun" -1 2>"$T/qrun.log"
ok $? "qrun -1 as the queue user"
grep -q "^qrun: new qid=.* from=<boss@example.org> rcpts=1 origin=\"sendmail uid=$(id -u nobody)\"" "$T/qrun.log"
ok $? "qrun logs the -f sender beside the uid"
is "$(ls "$dd" | wc -l)" 2 "both messages delivered to the virtual user"
is "$(grep -l '^Received: (postel enqueue invoked by uid' "$dd"/* | wc -l)" 2 "with enqueue's Received: line"
# RFC 5321 4.5.1: setup gave postmaster an address and an alias, unless
# the host's /etc/aliases (an MTA package may have left one) names
# postmaster: that one stays in force (postel-setup(8))
if grep -qs '^postmaster[[:space:]]*:' /etc/aliases; then
	is "$(grep '^postmaster' "$R/conf/postel.conf") $(grep -s '^postmaster' "$R/conf/aliases")" \
	    "postmaster postmaster@example.test " \
	    "setup: postmaster at the first domain; /etc/aliases keeps its postmaster"
	skip "the host's /etc/aliases sends postmaster elsewhere, not to the first user"
	done_testing
	exit
fi
is "$(grep '^postmaster' "$R/conf/postel.conf") $(stat -c '%a %U' "$R/conf/aliases")" \
    "postmaster postmaster@example.test 644 root" "setup: postmaster at the first domain, in root's aliases"
printf 'Subject: for the postmaster\n\nhi\n' | nob "$L/sendmail" -f boss@example.org postmaster@example.test
for pass in 1 2; do
	setpriv --reuid=daemon --regid=daemon --clear-groups "$L/qrun" -1 2>>"$T/qrun.log"
done
is "$(grep -l '^Subject: for the postmaster$' "$dd"/* | wc -l)" 1 "mail to postmaster reaches the first user"
done_testing
