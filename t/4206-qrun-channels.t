#!/bin/sh
# 4206-qrun-channels.t: local and remote are scheduled apart. With the
# only remote slot held by a hung delivery and 80 messages for 80 other
# domains waiting behind it (more than the 64 a channel keeps loaded),
# local mail still goes out at once; and the waiting remote mail is all
# still queued, nothing lost or bounced.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
plan 5
setup_instance
printf 'concurrency-remote 1\ndelivery-timeout 60\n' >"$POSTEL_ROOT/conf/postel.conf"
as_recipients
libexec_without_remote
export POSTEL_LIBEXEC
# a remote that hangs: it notes that it started, then sleeps without a
# result (qrun kills it when the test stops qrun)
cat >"$L/remote" <<EOF
#!/bin/sh
echo started >>"$T/remote.runs"
exec sleep 60
EOF
chmod 755 "$L/remote"
i=0
while [ $i -lt 80 ]; do
	printf 'Subject: r%s\n\nb\n' $i | "$B/enqueue" -f carol@example.org \
	    "x@d$i.test" >/dev/null 2>&1
	i=$((i + 1))
done
qrun_start || echo "# qrun did not start"
wait_for 10 test -s "$T/remote.runs"
is "$(wc -l <"$T/remote.runs" | tr -d ' ')" 1 "one remote runs, holding the only remote slot"
printf 'Subject: local\n\nb\n' | "$B/enqueue" -f carol@example.org \
    alice@example.test >/dev/null 2>&1
wait_for 15 has_new alice 1
ok $? "a local message is delivered while 80 wait for remote"
grep -q '^Subject: local' "$POSTEL_ROOT"/mail/alice/Maildir/new/* 2>/dev/null
ok $? "the local one"
kill $qpid
wait_for 20 sh -c "! kill -0 $qpid 2>/dev/null"
ok $? "qrun stops"
is "$(queue_count)" 80 "the 80 remote messages are all still queued"
done_testing
