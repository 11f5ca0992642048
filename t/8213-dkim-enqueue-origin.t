#!/bin/sh
# 8213-dkim-enqueue-origin.t: the setgid enqueue, which rewrites the
# origin of an ordinary user's message, keeps a forward a forward
# ("forward uid=N", which remote does not DKIM-sign) and anything else a
# submission ("sendmail uid=N" or "enqueue uid=N", which it signs), on a
# `setup --system` instance with nobody as the caller.
. "$(dirname "$0")/lib.sh"
system_needs
plan 8
system_instance
export POSTEL_LIBEXEC=$L
nob() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
u=$(id -u nobody)
q() { printf 'From: a@example.org\n\nx\n' | POSTEL_ROOT=$R nob "$L/enqueue" "$@" -f a@example.org alice@example.test; }
origin() { sed -n 's/^origin //p;/^$/q' "$R/queue/new/$(cat "$T/.out")"; }

expect_exit 0 "a forward as local asks for it" q -o "local forward 1764000000.1.9 for bob@example.test"
is "$(origin)" "forward uid=$u" "stays a forward, with the caller's uid"
expect_exit 0 "a sendmail submission" q -o "sendmail uid=$u"
is "$(origin)" "sendmail uid=$u" "stays a submission"
expect_exit 0 "an origin the caller made up" q -o "smtpd 192.0.2.1"
is "$(origin)" "enqueue uid=$u" "becomes enqueue uid=N"
done_testing
