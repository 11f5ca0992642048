#!/bin/sh
# 0013-system-conf-dir.t: the system layout of postel-security(7): the
# instance root holds the queue, and `setup --conf-dir DIR` makes
# ROOT/conf a link to DIR (/etc/postel on a host). The setgid enqueue
# follows that link only in a root that belongs to root and that no one
# else may write; setup keeps the link on a second run and refuses a
# conf/ that is something else. Root only; queue user daemon, ordinary
# user nobody.
. "$(dirname "$0")/lib.sh"
system_needs
plan 13
chmod 711 "$T"
D=$T/dest
make -s -o all -C "$TOP" install DESTDIR="$D" SAN= O=build QUEUE_GROUP= >"$T/make.out" 2>&1
ok $? "make install DESTDIR=..."
L=$D/usr/local/lib/postel
chmod -R go+rX "$D"
R=$T/spool
C=$T/etc
sys() {
	"$L/setup" "$1" --system --conf-dir "$2" --queue-user daemon \
	    --smtpd-user daemon --pop3d-user daemon --libexec "$L" --me mx.example.test \
	    --domain example.test --user alice
}
sys "$R" "$C" >"$T/setup.out" 2>&1
ok $? "setup ROOT --system --conf-dir DIR"
diag_on_fail "$T/setup.out"
is "$(readlink "$R/conf") $(stat -c '%a %U:%G' "$C" "$C/postel.conf" "$R" | tr '\n' ' ')" \
    "$C 755 root:root 644 root:root 755 root:root " "ROOT/conf links to DIR; DIR, its files and ROOT are root's"
grep -q '^me mx.example.test$' "$C/postel.conf" && grep -qx 'example.test' "$C/domains"
ok $? "the configuration is written in DIR"
sys "$R" "$C" >"$T/setup2.out" 2>&1
is "$? $(readlink "$R/conf")" "0 $C" "running it twice is harmless"
export POSTEL_LIBEXEC=$L
nob() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
printf 'Subject: through the link\n\nhi\n' |
    POSTEL_ROOT=$R nob "$L/sendmail" alice@example.test 2>"$T/sm.err"
ok $? "an ordinary user's sendmail queues: setgid enqueue reads conf/ through root's link"
diag_on_fail "$T/sm.err"
POSTEL_ROOT=$R setpriv --reuid=daemon --regid=daemon --clear-groups "$L/qrun" -1 2>"$T/qrun.log"
is "$(grep -l '^Subject: through the link$' "$R"/mail/alice/Maildir/new/* 2>/dev/null | wc -l)" 1 \
    "qrun delivers it to the virtual user in DIR/users"
diag_on_fail "$T/qrun.log"

# the same layout in a root that is not root's: the link could be its
# owner's, so the setgid enqueue refuses it
R2=$T/spool2
sys "$R2" "$T/etc2" >/dev/null 2>&1 && chown daemon "$R2"
printf 'Subject: x\n\nhi\n' | POSTEL_ROOT=$R2 nob "$L/enqueue" -f a@example.org alice@example.test >/dev/null 2>"$T/e2.err"
is "$?" 111 "enqueue refuses conf/ as a link in a root of daemon's"
grep -q 'unable to read configuration' "$T/e2.err"
ok $? "saying it cannot read the configuration"
diag_on_fail "$T/e2.err"

# setup refuses a conf/ it would hide or misplace
R3=$T/spool3
mkdir -p "$R3/conf"
"$L/setup" "$R3" --conf-dir "$T/etc3" >/dev/null 2>"$T/s3.err"
is "$? $(grep -c 'exists and is not a link' "$T/s3.err")" "111 1" "a real conf/ directory stops setup --conf-dir"
R4=$T/spool4
mkdir "$R4" && ln -s "$T/elsewhere" "$R4/conf"
"$L/setup" "$R4" --conf-dir "$T/etc4" >/dev/null 2>"$T/s4.err"
is "$? $(grep -c "links to $T/elsewhere, not to $T/etc4" "$T/s4.err")" "111 1" "so does a link to another directory"
"$L/setup" "$T/spool5" --conf-dir etc5 >/dev/null 2>&1
is "$?" 100 "--conf-dir must be absolute"
"$L/setup" "$T/spool6" --conf-dir "$T/etc6" --me localhost >/dev/null 2>&1
is "$(readlink "$T/spool6/conf") $(cat "$T/etc6/postel.conf")" "$T/etc6 me localhost" \
    "without --system too"
done_testing
