#!/bin/sh
# 1004-enqueue-instance-race.t: the setgid enqueue checks the instance
# root it then writes through (postel-security(7)). On a `setup --system`
# instance (queue user daemon), the ordinary user nobody plays the
# attacker, with a directory of its own holding symbolic links and a fake
# instance. A root that is a symbolic link is refused, even written with
# a trailing slash or "/."; links among the parent directories still
# work; and a link flipped after the check cannot move the queue: the
# real instance's conf/postel.conf is made a FIFO, so enqueue waits in
# the middle of its work while the link is flipped to the attacker's
# instance, then the message must land in the real queue, not the
# attacker's.
. "$(dirname "$0")/lib.sh"
system_needs
plan 14
system_instance
export POSTEL_LIBEXEC=$L
diag_on_fail "$T/setup.out" "$T/race.err" "$T/race.py.err"
nob() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
files() { find "$@" -type f 2>/dev/null | wc -l | tr -d ' '; }

# the attacker's directory: links to the real instance and to its parent,
# and an instance of its own whose queue it can read
E=$T/eve
mkdir -p "$E/own/sys/conf" "$E/own/sys/queue/tmp" "$E/own/sys/queue/new" \
    "$E/own/sys/queue/cur" "$E/own/sys/queue/state"
echo "max-size 2048" >"$E/own/sys/conf/postel.conf"
chown -R nobody:nogroup "$E"
nob ln -s "$R" "$E/r"
nob ln -s "$T" "$E/link"
nob ln -s "$E/own" "$E/flip"

q() { echo x | POSTEL_ROOT=$1 nob "$L/enqueue" -f a@example.org alice@example.test; }
expect_exit 111 "a root that is a link is refused" q "$E/r"
expect_exit 111 "... also with a trailing slash" q "$E/r/"
grep -q "unable to open instance $E/r/" "$T/.err"; ok $? "... saying why"
expect_exit 111 "... also as r/." q "$E/r/."
is "$(files "$R/queue/new" "$R/queue/tmp")" 0 "nothing was queued through the link"
expect_exit 0 "the real root with a trailing slash works" q "$R/"
expect_exit 0 "a link among the parent directories works" q "$E/link/sys"
is "$(files "$R/queue/new")" 2 "both in the real queue"

# the flip after the check
mv "$R/conf/postel.conf" "$T/postel.conf"
mkfifo -m 644 "$R/conf/postel.conf"
echo x | POSTEL_ROOT=$E/link/sys nob "$L/enqueue" -f a@example.org alice@example.test \
    >"$T/race.id" 2>"$T/race.err" &
pid=$!
reap $pid
# wait (bounded) for enqueue to open the FIFO, then, while it reads,
# make the link point to the attacker's instance, and let it go on
$PY - "$R/conf/postel.conf" "$E/flip" "$E/link" "$T/postel.conf" 2>"$T/race.py.err" <<'EOF'
import errno, os, sys, time
fifo, flip, link, conf = sys.argv[1:]
for i in range(200):
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        break
    except OSError as e:
        if e.errno != errno.ENXIO:
            raise
        time.sleep(0.05)
else:
    sys.exit("enqueue never opened conf/postel.conf")
os.rename(flip, link)
with open(conf, "rb") as f:
    os.write(fd, f.read())
os.close(fd)
EOF
rc=$?
ok $rc "enqueue read the FIFO while the link was flipped"
[ $rc -eq 0 ] || kill $pid 2>/dev/null   # else wait could hang
wait $pid
is "$?" 0 "enqueue went on after the flip"
rm -f "$R/conf/postel.conf" && mv "$T/postel.conf" "$R/conf/postel.conf"
is "$(files "$E/own/sys/queue")" 0 "nothing in the attacker's queue"
id=$(cat "$T/race.id")
[ -n "$id" ] && [ -f "$R/queue/new/$id" ]
ok $? "the message is in the real queue, the one that was checked"
done_testing
