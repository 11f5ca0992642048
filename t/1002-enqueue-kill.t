#!/bin/sh
# 1002-enqueue-kill.t: enqueue killed with SIGKILL at random moments while
# a large message is piped in leaves either the whole message in new/ or
# nothing qrun would read; qrun's cleanup removes the stale tmp files.
. "$(dirname "$0")/lib.sh"
plan 5
setup_instance
$PY - "$B/enqueue" "$POSTEL_ROOT" "$T" <<'PY'
import os, random, signal, subprocess, sys, time
enq, root, t = sys.argv[1:4]
random.seed(os.getpid())
body = b"".join(b"line %07d of a large message, to be queued whole or not at all\n" % i
                for i in range(60000))          # about 4 MB
env = dict(os.environ, POSTEL_ROOT=root, POSTEL_QUIET="1")

def run(kill_after):
    p = subprocess.Popen([enq, "-f", "a@example.org", "bob@example.test"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, env=env)
    start = time.monotonic()
    killed = False
    try:
        for off in range(0, len(body), 65536):
            if kill_after is not None and time.monotonic() - start > kill_after:
                p.kill(); killed = True; break
            p.stdin.write(body[off:off + 65536])
        if not killed:
            p.stdin.close()
            if kill_after is not None:
                left = kill_after - (time.monotonic() - start)
                if left > 0:
                    try:
                        p.wait(timeout=left)
                    except subprocess.TimeoutExpired:
                        pass
                if p.poll() is None:
                    p.kill(); killed = True
    except BrokenPipeError:
        pass
    out = p.stdout.read()
    rc = p.wait(timeout=30)
    return rc, out.strip().decode()

# measure one full run to spread the kills over its whole length
t0 = time.monotonic(); rc, _ = run(None); full = time.monotonic() - t0
assert rc == 0, rc
ok_ids, rounds = set(), 40
for i in range(rounds):
    rc, qid = run(random.uniform(0, full * 1.3))
    if rc == 0:
        ok_ids.add(qid)
new = os.listdir(os.path.join(root, "queue", "new"))
bad = 0
for name in new:
    data = open(os.path.join(root, "queue", "new", name), "rb").read()
    head, sep, msg = data.partition(b"\n\n")
    if not head.startswith(b"postel 1\n") or msg != body:
        bad += 1
with open(os.path.join(t, "result"), "w") as f:
    f.write("%d %d %d %d %d\n" % (len(new), len(ok_ids) + 1, bad,
            len(os.listdir(os.path.join(root, "queue", "tmp"))),
            len(ok_ids - set(new))))
PY
read n_new n_ok n_bad n_tmp n_lost < "$T/result"
echo "# $n_ok of 41 runs exited 0; $n_new entries in new/ (the rest were killed after the commit); $n_tmp stale tmp files"
is "$n_bad" 0 "every entry in new/ holds the whole message"
is "$n_lost" 0 "every run that exited 0 has its entry in new/"
ok "$([ "$n_new" -lt 41 ]; echo $?)" "some runs were really killed"
if [ -x "$B/qrun" ]; then
	touch -d '2 days ago' "$POSTEL_ROOT"/queue/tmp/* 2>/dev/null
	touch "$POSTEL_ROOT/queue/tmp/fresh"
	"$B/qrun" -c >/dev/null 2>&1
	is "$(ls "$POSTEL_ROOT/queue/tmp")" "fresh" "cleanup removes stale tmp files, keeps fresh ones"
	is "$(queue_count)" "$n_new" "cleanup leaves complete messages alone"
else
	skip "qrun not built: no cleanup step to test"
	skip "qrun not built: no cleanup step to test"
fi
done_testing
