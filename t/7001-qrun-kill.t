#!/bin/sh
# 7001-qrun-kill.t: kill qrun with SIGKILL again and again while a few
# hundred messages flow in, restart it, then count every Maildir delivery:
# nothing lost, and duplicates only for deliveries in flight at a kill
# (at most concurrency-local per kill). Since local names a Maildir file
# after the queue ID, a repeated delivery finds its first copy: none.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
N=${KILL_N:-200}
# sanitizer builds start each program ten times slower: fewer messages
case $B in *build-san*) N=${KILL_N:-60} ;; esac
KILLS=${KILL_K:-8}
plan 6
setup_instance
as_recipients

(
	i=1
	while [ $i -le $N ]; do
		printf 'Subject: m %s\n\nb\n' $i |
		    POSTEL_QUIET=1 "$B/enqueue" -f carol@example.org \
		    alice@example.test bob@example.test >/dev/null || exit 1
		i=$((i + 1))
	done
	: >"$T/injected"
) &
inj=$!
reap $inj

k=0
started=0
while [ $k -lt $KILLS ]; do
	qrun_start && started=$((started + 1))
	# kill at a different moment each time: 0.1 to 0.5 s into the run
	sleep 0.$(( (k * 37 % 5) + 1 ))
	kill -9 $qpid
	wait $qpid 2>/dev/null
	k=$((k + 1))
done
is $started $KILLS "qrun started again after each of $KILLS kills"
wait_for 30 test -e "$T/injected"
ok $? "all $N messages injected"
qrun_start
wait_for 30 queue_empty
ok $? "the restarted runner empties the queue"
kill -TERM $qpid

$PY - "$POSTEL_ROOT/mail" $N >"$T/counts" <<'PY'
import collections, mailbox, os, sys
root, n = sys.argv[1], int(sys.argv[2])
missing = dup = extra = 0
worst = 0
for user in ("alice", "bob"):
    md = mailbox.Maildir(os.path.join(root, user, "Maildir"), factory=None,
                         create=False)
    c = collections.Counter(m["Subject"] for m in md)
    for i in range(1, n + 1):
        k = c.get("m %d" % i, 0)
        if k == 0:
            missing += 1
        dup += max(0, k - 1)
        worst = max(worst, k)
    extra += sum(1 for s in c if not s.startswith("m "))
    print("user %s deliveries=%d distinct=%d" % (user, sum(c.values()), len(c)))
print("missing %d" % missing)
print("duplicates %d" % dup)
print("worst %d" % worst)
PY
sed 's/^/# /' "$T/counts"
echo "# kills=$KILLS messages=$N recipients=2 concurrency-local=10"
is "$(sed -n 's/^missing //p' "$T/counts")" 0 "no delivery lost"
d=$(sed -n 's/^duplicates //p' "$T/counts")
ok "$([ -n "$d" ] && [ "$d" -le $((KILLS * 10)) ]; echo $?)" \
    "duplicates ($d) within the in-flight bound (kills x concurrency-local)"
is "$d" 0 "and in fact none: a repeated Maildir delivery finds its first copy"
done_testing
