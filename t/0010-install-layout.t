#!/bin/sh
# 0010-install-layout.t: `make install` into a DESTDIR, as any user: the
# programs in LIBEXEC, sendmail, mailq and newaliases as links to
# LIBEXEC/sendmail, man sendmail/mailq/newaliases finding
# postel-sendmail(8), the systemd units with the build's own paths, and
# one line saying how to make enqueue setgid when it could not be; the
# paths are those the programs were built with (a PREFIX changed at
# install time rebuilds them, or fails with one line when make may not
# rebuild); `make uninstall` removes exactly what install put there; the
# static smtpd and enqueue are static-pie.
. "$(dirname "$0")/lib.sh"
[ -x "$TOP/build/cmd/enqueue" ] && [ -f "$TOP/build/.config" ] ||
    skip_all "no plain build in build/ to install (run make first)"
plan 21
D=$T/dest
mk() { make -s -j2 -C "$TOP" SAN= "$@"; }
mk -o all install O=build DESTDIR="$D" QUEUE_GROUP=postel-t-nogroup >"$T/make.out" 2>&1
ok $? "make install DESTDIR=..."
diag_on_fail "$T/make.out"
L=$D/usr/local/lib/postel
n=0
for p in "$TOP"/cmd/*/; do p=${p%/}; [ -x "$L/${p##*/}" ] || n=$((n + 1)); done
is "$n" 0 "every program is in PREFIX/lib/postel"
is "$(stat -c %a "$L/enqueue")" 755 "enqueue is not setgid to a group that does not exist"
is "$(grep -c 'enqueue is not setgid' "$T/make.out")" 1 "one line says so"
grep -q "run /usr/local/lib/postel/setup /var/spool/postel --system --conf-dir /etc/postel --libexec /usr/local/lib/postel$" "$T/make.out"
ok $? "and what to run"
links=""
for l in sbin/sendmail bin/mailq bin/newaliases; do
	links="$links $(readlink -f "$D/usr/local/$l")"
done
is "$links" " $L/sendmail $L/sendmail $L/sendmail" "sendmail, mailq, newaliases link to LIBEXEC/sendmail"
is "$(readlink "$D/usr/local/sbin/sendmail")" "../lib/postel/sendmail" "relative links, valid wherever DESTDIR was"
if [ -d "$TOP/cmd/postel" ]; then
	is "$(readlink -f "$D/usr/local/sbin/postel")" "$L/postel" "postel is on PATH, in PREFIX/sbin"
else
	skip "no cmd/postel in this tree"
fi
M=$D/usr/local/share/man
is "$(readlink "$M/man8/sendmail.8") $(readlink "$M/man8/mailq.8") $(readlink "$M/man8/newaliases.8")" \
    "postel-sendmail.8 postel-sendmail.8 postel-sendmail.8" "man links to postel-sendmail.8"
if command -v man >/dev/null 2>&1; then
	is "$(man -M "$M" -w sendmail mailq newaliases 2>&1 | sort -u)" "$M/man8/postel-sendmail.8" \
	    "man sendmail, man mailq, man newaliases find postel-sendmail(8)"
else
	skip "man not installed"
fi
U=$D/usr/local/lib/systemd/system
n=0
for u in "$TOP"/conf/*.service "$TOP"/conf/*.socket; do
	[ -f "$U/${u##*/}" ] || n=$((n + 1))
done
is "$n" 0 "every systemd unit in PREFIX/lib/systemd/system"
is "$(grep -h '^ExecStart=' "$U"/*.service | sort -u | tr '\n' ' ')" \
    "ExecStart=/usr/local/lib/postel/pop3d ExecStart=/usr/local/lib/postel/qrun ExecStart=/usr/local/lib/postel/smtpd " \
    "the units start the installed programs"

# uninstall leaves only what is not its own: a link made by someone else
ln -sf /usr/sbin/exim4 "$D/usr/local/bin/newaliases"
echo "# mine" >"$D/usr/local/share/postel/conf/local-notes"
mk uninstall O=build DESTDIR="$D" >"$T/un.out" 2>&1
ok $? "make uninstall"
diag_on_fail "$T/un.out"
is "$(cd "$D" && find . ! -type d | sort | tr '\n' ' ')" \
    "./usr/local/bin/newaliases ./usr/local/share/postel/conf/local-notes " \
    "uninstall removed every file and link of install's, and nothing else"

# the static programs (musl) are position-independent
if ! command -v file >/dev/null 2>&1; then
	skip "file not installed"
elif [ -d "$TOP/build/musl" ]; then
	is "$(file -b "$TOP/build/cmd/smtpd" "$TOP/build/cmd/enqueue" | grep -c 'static-pie linked')" 2 \
	    "smtpd and enqueue are static-pie"
else
	skip "built without musl (MUSL_CC=)"
fi

# a build for other paths: the units name them; a different PREFIX at
# install time rebuilds, or fails with one line under make -o all
O2=$T/b
mk O="$O2" PREFIX=/opt/pt ROOT=/srv/pt all >"$T/b.out" 2>&1
ok $? "a build for PREFIX=/opt/pt ROOT=/srv/pt"
diag_on_fail "$T/b.out"
mk -o all install O="$O2" PREFIX=/opt/pt ROOT=/srv/pt DESTDIR="$T/d1" QUEUE_GROUP= >"$T/i1.out" 2>&1
is "$(grep -h '^ExecStart=\|^Environment=POSTEL_ROOT' "$T/d1/opt/pt/lib/systemd/system"/*.service | sort -u | tr '\n' ' ')" \
    "Environment=POSTEL_ROOT=/srv/pt ExecStart=/opt/pt/lib/postel/pop3d ExecStart=/opt/pt/lib/postel/qrun ExecStart=/opt/pt/lib/postel/smtpd " \
    "the installed units carry the build's LIBEXEC and ROOT"
mk -o all install O="$O2" PREFIX=/usr DESTDIR="$T/d2" >"$T/i2.out" 2>"$T/i2.err"
# make's own "Error" lines vary with -j; ours is the one "make install:"
is "$? $(grep -c '^make install:' "$T/i2.err") $([ -e "$T/d2" ]; echo $?)" "2 1 1" \
    "make -o all install PREFIX=/usr fails, installing nothing"
grep -q "^make install: .* built for PREFIX=/opt/pt LIBEXEC=/opt/pt/lib/postel ROOT=/srv/pt, not PREFIX=/usr LIBEXEC=/usr/lib/postel" "$T/i2.err"
ok $? "with one line naming both sets of paths"
diag_on_fail "$T/i2.err"
mk install O="$O2" PREFIX=/usr DESTDIR="$T/d3" QUEUE_GROUP= >"$T/i3.out" 2>&1
ok $? "make install PREFIX=/usr rebuilds and installs"
diag_on_fail "$T/i3.out"
q=$T/d3/usr/lib/postel/qrun
grep -q '/usr/lib/postel' "$q" && ! grep -q '/opt/pt/lib/postel' "$q"
ok $? "qrun looks for its helpers in /usr/lib/postel, not /opt/pt/lib/postel"
done_testing
