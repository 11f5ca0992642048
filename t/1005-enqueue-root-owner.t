#!/bin/sh
# 1005-enqueue-root-owner.t: on an instance that belongs to an
# unprivileged user (what `make run` makes as root: conf/demo gives it to
# nobody), root's sendmail and enqueue leave files the queue's owner can
# read, so qrun running as that user delivers them; the caller is still
# recorded as uid 0. A writer whose file the owner could not read at all
# is refused with a clear error, leaving nothing in the queue.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || skip_all "not root"
command -v setpriv >/dev/null 2>&1 || skip_all "setpriv (util-linux) not installed"
id daemon >/dev/null 2>&1 && id nobody >/dev/null 2>&1 || skip_all "no daemon or nobody account"
plan 12
chmod 711 "$T"
mkdir "$POSTEL_ROOT"
chown nobody:nogroup "$POSTEL_ROOT"
nob() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
nob "$B/setup" "$POSTEL_ROOT" --me localhost --domain example.test --user alice >"$T/setup.out" 2>&1
ok $? "setup as nobody, as conf/demo does it"
diag_on_fail "$T/setup.out" "$T/sm.err" "$T/enq.err" "$T/qrun.log"
Q=$POSTEL_ROOT/queue

printf 'Subject: from root sendmail\n\nhi\n' | "$B/sendmail" -i alice@example.test 2>"$T/sm.err"
ok $? "root's sendmail queues"
f=$(ls "$Q"/new/* 2>/dev/null | head -1)
is "$(stat -c %U "$f" 2>/dev/null)" nobody "the file belongs to the queue's owner"
is "$(sed -n 's/^origin //p' "$f")" "sendmail uid=0" "the origin still names root"
printf 'Subject: from root enqueue\n\nhi\n' |
    "$B/enqueue" -f root@localhost alice@example.test >/dev/null 2>"$T/enq.err"
ok $? "root's enqueue queues"
grep -q '^enqueue: queued .* uid=0$' "$T/enq.err"; ok $? "its log line names uid 0"
nob test -r "$(ls -t "$Q"/new/* | head -1)"; ok $? "nobody can read that one too"

nob "$B/qrun" -1 >"$T/qrun.log" 2>&1
ok $? "qrun -1 as nobody"
md=$POSTEL_ROOT/mail/alice/Maildir/new
is "$(grep -l '^Subject: from root' "$md"/* 2>/dev/null | wc -l | tr -d ' ')" 2 \
    "both reach alice's Maildir"

# daemon may write here (the directories opened to all), but its file,
# daemon:daemon 0640, would be unreadable to nobody: refused, not stuck
chmod 777 "$Q" "$Q/tmp" "$Q/new"
chmod -R a+rX "$POSTEL_ROOT/conf"
n=$(ls "$Q/new" "$Q/tmp" | grep -c '^[0-9]')
echo x | setpriv --reuid=daemon --regid=daemon --clear-groups \
    "$B/enqueue" -f a@example.org alice@example.test >/dev/null 2>"$T/enq.err"
is "$?" 111 "a file the owner could not read is refused (111)"
grep -q "unreadable to the owner of $Q (uid $(id -u nobody)" "$T/enq.err"
ok $? "saying why"
is "$(ls "$Q/new" "$Q/tmp" | grep -c '^[0-9]')" "$n" "and nothing is left in the queue"
chmod 750 "$Q" "$Q/tmp" "$Q/new"
done_testing
