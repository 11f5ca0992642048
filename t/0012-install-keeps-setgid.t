#!/bin/sh
# 0012-install-keeps-setgid.t: `make install` over an installed system
# keeps enqueue setgid to the queue group setup chose (it used to reset
# it to 0755 root:root, and every user's sendmail then failed), and a
# first install makes it setgid to QUEUE_GROUP when that group exists.
# Root only; the queue user is daemon, the ordinary user nobody.
. "$(dirname "$0")/lib.sh"
system_needs
plan 8
system_instance
is "$(stat -c '%a %U:%G' "$L/enqueue")" "2755 root:daemon" "setup made enqueue setgid to daemon"
make -s -o all -C "$TOP" install DESTDIR="$D" SAN= O=build >"$T/again.out" 2>&1
ok $? "make install over the installed system"
diag_on_fail "$T/again.out"
is "$(stat -c '%a %U:%G' "$L/enqueue") $(grep -c 'not setgid' "$T/again.out")" \
    "2755 root:daemon 0" "enqueue is still setgid to the queue group, with nothing to say"
export POSTEL_ROOT=$R POSTEL_LIBEXEC=$L
printf 'Subject: after reinstall\n\nhi\n' |
    setpriv --reuid=nobody --regid=nogroup --clear-groups "$L/sendmail" alice@example.test 2>"$T/sm.err"
ok $? "an ordinary user's sendmail still queues"
diag_on_fail "$T/sm.err"
make -s -o all -C "$TOP" install DESTDIR="$T/fresh" SAN= O=build QUEUE_GROUP=daemon >"$T/fresh.out" 2>&1
is "$? $(stat -c '%a %U:%G' "$T/fresh/usr/local/lib/postel/enqueue")" "0 2755 root:daemon" \
    "a first install makes enqueue setgid to an existing QUEUE_GROUP"
make -s -o all -C "$TOP" install DESTDIR="$T/fresh2" SAN= O=build QUEUE_GROUP=postel-t-nogroup >"$T/fresh2.out" 2>&1
is "$? $(stat -c '%a %U:%G' "$T/fresh2/usr/local/lib/postel/enqueue") $(grep -c 'not setgid.*setup' "$T/fresh2.out")" \
    "0 755 root:root 1" "without the group: 0755 and one line naming setup --system"
done_testing
