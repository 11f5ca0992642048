#!/bin/sh
# 4301-sync-budget.t: the syncs a message costs on its way from enqueue to
# a Maildir, counted with strace against the budget of postel-queue(5)
# (The sync budget): enqueue 2 (its file, new/); qrun's take none; local
# one per message file and one per Maildir new/ per run; qrun's removals
# share one sync of cur/ and new/ per batch.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
strace_needs
plan 9
N=40
setup_instance
echo "concurrency-local 10" >"$POSTEL_ROOT/conf/postel.conf"
as_recipients
Q=$POSTEL_ROOT/queue
diag_on_fail "$T/qrun.log" "$T/trace"

# trace CMD...: run CMD under strace, one file per process (-ff, so no
# call is split in two by another's), merged by time into $T/trace
trace() {
	rm -f "$T"/tr.*
	strace -ff -ttt -y -e trace=fsync,fdatasync,execve -o "$T/tr" "$@"
	_rc=$?
	cat "$T"/tr.* | sort -n >"$T/trace"
	return $_rc
}
# count PATH: successful fsync/fdatasync calls in $T/trace on a
# descriptor whose path (strace -y) matches the regular expression PATH
count() {
	grep -E "^[0-9.]+ f(data)?sync\\([0-9]+<$1>.*\\) += 0\$" "$T/trace" |
	    wc -l | tr -d ' '
}

trace "$B/enqueue" -f carol@example.org alice@example.test <<EOF \
    >/dev/null 2>&1
Subject: first

b
EOF
is "$(count "$Q/new")/$(count '.*')" "1/2" \
    "enqueue: the file and new/, nothing else"
i=1
while [ $i -lt $N ]; do
	printf 'Subject: m%s\n\nb\n' $i |
	    "$B/enqueue" -f carol@example.org alice@example.test >/dev/null 2>&1
	i=$((i + 1))
done
is "$(queue_count)" $N "$N messages queued"

trace "$B/qrun" -1 >>"$T/qrun.log" 2>&1
is "$(count_new alice)" $N "qrun -1 delivered all $N"
is "$(queue_count)" 0 "and removed them"
qdir=$(count "$Q/(new|cur)")
mfile=$(count ".*/Maildir/tmp/[^>]*")
mdir=$(count ".*/Maildir/new")
runs=$(grep -c 'execve(".*/local"' "$T/trace")
total=$(count '.*')
echo "# per $N messages: qrun queue dirs $qdir, Maildir files $mfile," \
    "Maildir new/ $mdir, other $((total - qdir - mfile - mdir));" \
    "local ran $runs times"
is "$mfile" $N "local: one sync per message file"
ok "$([ "$mdir" -eq "$runs" ] && [ "$runs" -lt $N ]; echo $?)" \
    "local: one sync of Maildir/new per run, and fewer runs than messages"
# a take costs nothing: the first sync of the queue's directories comes
# after the first delivery's
first_q=$(grep -nE "sync\\([0-9]+<$Q/(new|cur)>" "$T/trace" | head -1 |
    cut -d: -f1)
first_m=$(grep -nE 'sync\([0-9]+<.*/Maildir/' "$T/trace" | head -1 |
    cut -d: -f1)
ok "$([ -n "$first_q" ] && [ -n "$first_m" ] && [ "$first_m" -lt "$first_q" ]
    echo $?)" "qrun: no sync for taking the messages"
# removals share a sync: a commit syncs cur/ and new/, at most one per
# run of local that ended
ok "$([ "$qdir" -le $((2 * runs)) ] && [ "$qdir" -lt $N ]; echo $?)" \
    "qrun: removals share their syncs ($qdir for $N messages)"
is "$((total - qdir - mfile - mdir))" 0 "no other sync (no state file)"
done_testing
