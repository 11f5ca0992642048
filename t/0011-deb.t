#!/bin/sh
# 0011-deb.t: `make deb` builds postel_VERSION_ARCH.deb with dpkg-deb
# alone. It takes the MTA slot (Provides, Conflicts, Replaces
# mail-transport-agent) with /usr/sbin/sendmail, mailq, newaliases and
# their man links, keeps /etc/postel/routes as a conffile, runs setup
# --system in its postinst, and holds programs built for /usr/lib/postel
# and /var/spool/postel. lintian, when installed, finds no error. The
# package is not installed here.
. "$(dirname "$0")/lib.sh"
for c in dpkg-deb dpkg-shlibdeps; do
	command -v $c >/dev/null 2>&1 || skip_all "$c not installed (Debian dpkg-dev)"
done
plan 13
make -s -j2 -C "$TOP" deb SAN= DEB_O="$T/b" DEB_OUT="$T/out" >"$T/make.out" 2>&1
ok $? "make deb"
diag_on_fail "$T/make.out"
deb=$(ls "$T"/out/postel_*_"$(dpkg --print-architecture)".deb 2>/dev/null | head -1)
# under make test, the inner make may add its "make[N]: Leaving" lines
[ -n "$deb" ] && [ "$(grep -v '^make\[' "$T/make.out" | tail -1)" = "$deb" ]
ok $? "build/postel_VERSION_ARCH.deb, named on the last line"
dpkg-deb -I "$deb" >"$T/info" 2>&1
diag_on_fail "$T/info"
f() { dpkg-deb -f "$deb" "$1"; }
is "$(f Package) $(f Provides) $(f Conflicts) $(f Replaces)" \
    "postel mail-transport-agent mail-transport-agent mail-transport-agent" \
    "Provides, Conflicts and Replaces mail-transport-agent"
grep -q '^ Provides: mail-transport-agent$' "$T/info"
ok $? "dpkg-deb -I shows the Provides line"
case "$(f Depends)" in *libbearssl0*libc6*) r=0 ;; *) r=1 ;; esac
ok $r "Depends names the shared libraries (dpkg-shlibdeps)"
is "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles)" "/etc/postel/routes" \
    "conffiles: /etc/postel/routes"
dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./postinst >"$T/postinst"
grep -q '^	/usr/lib/postel/setup /var/spool/postel --system' "$T/postinst"
ok $? "the postinst runs setup --system"
dpkg-deb -c "$deb" >"$T/list"
n=0
for l in './usr/sbin/sendmail -> ../lib/postel/sendmail' \
    './usr/bin/mailq -> ../lib/postel/sendmail' \
    './usr/bin/newaliases -> ../lib/postel/sendmail' \
    './usr/share/man/man8/sendmail.8.gz -> postel-sendmail.8.gz' \
    './usr/share/man/man8/mailq.8.gz -> postel-sendmail.8.gz' \
    './usr/share/man/man8/newaliases.8.gz -> postel-sendmail.8.gz' \
    './lib/systemd/system/postel-qrun.service' './etc/postel/routes'; do
	grep -qF " $l" "$T/list" || { n=$((n + 1)); echo "# missing: $l"; }
done
is "$n" 0 "sendmail, mailq, newaliases, their man links, the units, the conffile"
grep -q ' -rwxr-xr-x root/root .* \./usr/lib/postel/enqueue$' "$T/list" ||
    grep -q '^-rwxr-xr-x root/root .* \./usr/lib/postel/enqueue$' "$T/list"
ok $? "enqueue ships 0755 root:root (the postinst makes it setgid)"
dpkg-deb -x "$deb" "$T/x"
grep -q 'ExecStart=/usr/lib/postel/qrun' "$T/x/lib/systemd/system/postel-qrun.service" &&
    grep -q 'POSTEL_ROOT=/var/spool/postel' "$T/x/lib/systemd/system/postel-qrun.service"
ok $? "the units name /usr/lib/postel and /var/spool/postel"
grep -q '/usr/lib/postel' "$T/x/usr/lib/postel/qrun" && ! grep -q '/usr/local/lib/postel' "$T/x/usr/lib/postel/qrun"
ok $? "the programs look for each other in /usr/lib/postel"
if command -v file >/dev/null 2>&1 && [ -d "$T/b/musl" ]; then
	is "$(file -b "$T/x/usr/lib/postel/smtpd" "$T/x/usr/lib/postel/enqueue" | grep -c 'static-pie linked')" 2 \
	    "smtpd and enqueue are static-pie"
else
	skip "file not installed or built without musl"
fi
if command -v lintian >/dev/null 2>&1; then
	lintian "$deb" >"$T/lintian" 2>&1
	diag_on_fail "$T/lintian"
	is "$(grep -c '^E:' "$T/lintian")" 0 "lintian finds no error"
	grep '^[EW]:' "$T/lintian" | sed 's/^/# lintian: /'
else
	skip "lintian not installed"
fi
done_testing
