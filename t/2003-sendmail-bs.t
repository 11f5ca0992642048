#!/bin/sh
# 2003-sendmail-bs.t: `sendmail -bs` (what Symfony Mailer and Laravel run)
# queues on a `setup --system` instance, for root and for an ordinary
# user, through the setgid enqueue: the origin names the caller's uid,
# enqueue's Received: line is on top, and qrun delivers the messages.
# A local submission may send to any domain, as `sendmail rcpt` may, but
# the caller cannot pass for someone else, and the local-submission mode
# is refused on a network connection; smtpd as root still refuses the
# network (postel-security(7)). Queue user "daemon", ordinary user
# "nobody", as in 0003-install.t: the test makes no accounts.
. "$(dirname "$0")/lib.sh"
system_needs
command -v swaks >/dev/null 2>&1 || skip_all "swaks not installed"
plan 24
system_instance
export POSTEL_ROOT=$R POSTEL_LIBEXEC=$L
unset RELAYCLIENT POSTEL_ALLOW_ROOT
NUID=$(id -u nobody)
# the user spools in TMPDIR, which a test harness may have made its own
nob() { TMPDIR=/tmp setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
diag_on_fail "$T/chld.err" "$T/root.out" "$T/nob.out" "$T/far.out" "$T/fake.out" "$T/qrun.log"

# The reply to the final dot, as swaks shows it ("<-  250 ...").
dotreply() {
	sed -n '/^ -> \.$/,$p' "$1" | sed -n 's/^ *<[-*]* *\([0-9][0-9][0-9] .*\)/\1/p' |
	    head -1
}
# The queue file whose envelope holds the line $1.
qfile() {
	grep -lx -- "$1" "$R/queue/new"/* 2>/dev/null | head -1
}

swaks --pipe "$L/sendmail -bs" --to alice@example.test \
    --from root@example.org --header "Subject: from root" \
    --body "sent by root" >"$T/root.out" 2>&1
ok $? "swaks through sendmail -bs as root"
case "$(dotreply "$T/root.out")" in
250\ 2.0.0\ Ok:\ queued\ as\ 1*) ok 0 "root: 250 with the queue ID after DATA" ;;
*) ok 1 "root: 250 with the queue ID after DATA"
   echo "#   got: $(dotreply "$T/root.out")" ;;
esac
f=$(qfile "from <root@example.org>")
is "$(sed -n 's/^origin //p' "$f" 2>/dev/null)" "sendmail uid=0" "root: origin sendmail uid=0"
[ -n "$f" ] && [ "$(basename "$f")" = "$(dotreply "$T/root.out" | sed 's/.* //')" ]
ok $? "root: the 250 names the queued file's ID"

nob swaks --pipe "$L/sendmail -bs" --to alice@example.test \
    --from boss@example.org --header "Subject: from nobody" \
    --body "sent by nobody" >"$T/nob.out" 2>&1
ok $? "swaks through sendmail -bs as an ordinary user"
case "$(dotreply "$T/nob.out")" in
250\ *) ok 0 "user: 250 after DATA" ;;
*) ok 1 "user: 250 after DATA"; echo "#   got: $(dotreply "$T/nob.out")" ;;
esac
f=$(qfile "from <boss@example.org>")
is "$(sed -n 's/^origin //p' "$f" 2>/dev/null)" "sendmail uid=$NUID" "user: origin sendmail uid=$NUID"
is "$(grep -c '^smtpd:' "$T/nob.out")" 0 "no log lines on the caller's stderr, as sendmail"
is "$(sed '1,/^$/d' "$f" 2>/dev/null | head -1)" \
    "Received: (postel enqueue invoked by uid $NUID);" \
    "user: enqueue's Received: line is on top"
is "$(stat -c %G "$f" 2>/dev/null)" daemon "user: the file belongs to the queue group"

# 8-bit data keeps its flag, as smtpd stores it
printf 'Subject: caf\303\251\r\n\r\ncaf\303\251\r\n' >"$T/8bit.eml"
nob swaks --pipe "$L/sendmail -bs" --to alice@example.test \
    --from eight@example.org --data "@$T/8bit.eml" >"$T/8bit.out" 2>&1
is "$(sed -n 's/^flags //p' "$(qfile "from <eight@example.org>")" 2>/dev/null | tr -d ' ')" \
    8bit "8-bit octets in DATA give the 8bit flag"

# a caller that ignores SIGCHLD (swaks does) must not turn a queued
# message into a failure: sendmail waits for enqueue
printf 'Subject: chld\n\nx\n' | $PY -c 'import os, signal, sys
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
os.execv(sys.argv[1], sys.argv[1:])' "$L/sendmail" -f chld@example.org alice@example.test 2>"$T/chld.err"
ok $? "sendmail with SIGCHLD ignored by its caller exits 0"

dd=$R/mail/alice/Maildir/new
setpriv --reuid=daemon --regid=daemon --clear-groups "$L/qrun" -1 2>"$T/qrun.log"
ok $? "qrun -1 as the queue user"
is "$(ls "$dd" 2>/dev/null | wc -l)" 4 "all four messages are in alice's Maildir"
is "$(grep -l '^sent by root' "$dd"/* 2>/dev/null | wc -l)$(grep -l '^sent by nobody' "$dd"/* 2>/dev/null | wc -l)" \
    11 "root's and the user's message delivered"

# Any domain, as `sendmail carol@elsewhere.example` may (no AUTH)
nob swaks --pipe "$L/sendmail -bs" --to carol@elsewhere.example \
    --from boss@example.org --header "Subject: far" >"$T/far.out" 2>&1
case "$(dotreply "$T/far.out")" in
250\ *) ok 0 "user: a remote recipient is accepted" ;;
*) ok 1 "user: a remote recipient is accepted"; echo "#   got: $(dotreply "$T/far.out")" ;;
esac
f=$(qfile "rcpt <carol@elsewhere.example>")
is "$(sed -n 's/^origin //p' "$f" 2>/dev/null)" "sendmail uid=$NUID" "and queued under the user's uid"

# What the caller sets cannot make the queue believe another uid: the
# environment a network smtpd reads, a forged Received: line, smtpd's
# mode flag given directly.
printf 'Received: from trusted.example by mx.example.test\r\nSubject: fake\r\n\r\nx\r\n' >"$T/fake.eml"
nob env RELAYCLIENT= TCPREMOTEIP=192.0.2.1 USER=root LOGNAME=root SUDO_UID=0 \
    swaks --pipe "$L/smtpd -l" --to alice@example.test \
    --from fake@example.org --data "@$T/fake.eml" >"$T/fake.out" 2>&1
f=$(qfile "from <fake@example.org>")
is "$(sed -n 's/^origin //p' "$f" 2>/dev/null)" "sendmail uid=$NUID" \
    "smtpd -l run directly still records the caller's uid"
is "$(sed '1,/^$/d' "$f" 2>/dev/null | head -1)" \
    "Received: (postel enqueue invoked by uid $NUID);" \
    "and the forged Received: stays below enqueue's"

# The mode is for the caller's own stdin: on a TCP connection, smtpd -l
# refuses (it would be an open relay, and as root parse the network).
cat >"$T/tcp.py" <<'EOF'
import socket, subprocess, sys
ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(1)
c = socket.create_connection(ls.getsockname(), timeout=10)
a, _ = ls.accept()
p = subprocess.Popen(sys.argv[1:], stdin=a, stdout=a, stderr=subprocess.DEVNULL)
a.close()
f = c.makefile("rb")
print(f.readline().decode("ascii", "replace").strip())
c.close()
p.wait(timeout=10)
EOF
is "$(nob $PY "$T/tcp.py" "$L/smtpd" -l | cut -c1-3)" 421 "smtpd -l on a TCP connection: 421"
is "$($PY "$T/tcp.py" "$L/smtpd" | cut -c1-9)" "421 4.3.0" "smtpd as root without -l still refuses (invariant 3)"
nob swaks --pipe "$L/smtpd" --to alice@example.test --from plain@example.org \
    >"$T/plain.out" 2>&1
is "$(qfile "from <plain@example.org>")" "" "smtpd without -l as an ordinary user queues nothing"
done_testing
