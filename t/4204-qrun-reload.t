#!/bin/sh
# 4204-qrun-reload.t: a running qrun sees a local domain added to
# conf/domains after SIGHUP, after `postel reload`, and after a change it
# notices itself when it scans: mail to that domain then goes to local,
# not remote. A broken postel.conf on reload keeps the old configuration
# (domains too) and logs one line naming file:line.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
plan 16
setup_instance
as_recipients queue
C=$POSTEL_ROOT/conf
printf 'me mx.example.test\n' >"$C/postel.conf"
port=$(free_port)
mkdir "$T/sink"
$PY "$TOP/t/5-sink.py" --listen "127.0.0.1:$port" --dir "$T/sink" \
    2>"$T/sink.log" &
reap $!
diag_on_fail "$T/sink.log" "$T/qrun.log"
wait_for 10 test -e "$T/sink/ready" || echo "# the sink did not start"
# every new domain is routed to the sink while it is not local
for d in one two three four five; do
	echo "$d.test [127.0.0.1]:$port tls=none"
done >"$C/routes"
# alice@<any local domain> is alice@example.test
echo "alice alice@example.test" >"$C/aliases"
chmod a+r "$C"/*

P="$B/postel"
n=0
# mail RCPT: a queue file put into new/ by hand (enqueue would refuse a
# broken postel.conf) and a wake-up byte
mail() {
	n=$((n + 1))
	id=1000.$n.$$
	printf 'postel 1\narrival %s\nfrom <carol@example.org>\nrcpt <%s>\n\nSubject: %s\n\nb\n' \
	    "$(date +%s)" "$1" "$n" >"$POSTEL_ROOT/queue/tmp/$id"
	mv "$POSTEL_ROOT/queue/tmp/$id" "$POSTEL_ROOT/queue/new/$id"
	printf '\0' >"$POSTEL_ROOT/queue/trigger"
}
went() {        # went CHANNEL: the last message's result names it
	wait_for 10 grep -q "result qid=$id .*channel=$1 status=ok" "$T/qrun.log"
}

qrun_start
ok $? "qrun started"
mail alice@one.test
went remote; ok $? "a domain not in conf/domains goes to remote"
got 1; ok $? "the sink got it"

echo one.test >>"$C/domains"
kill -HUP "$qpid"
wait_for 10 grep -q "reloaded by=signal" "$T/qrun.log"
ok $? "SIGHUP reloads"
mail alice@one.test
went local; ok $? "after SIGHUP mail to the new local domain goes to local"

echo two.test >>"$C/domains"
expect_exit 0 "postel reload" "$P" reload
wait_for 10 grep -q "reloaded by=request" "$T/qrun.log"
ok $? "qrun reloads on the request"
mail alice@two.test
went local; ok $? "after postel reload the new domain is local"

echo three.test >>"$C/domains"
mail alice@three.test
went local; ok $? "a changed conf/domains is noticed at the scan"
grep -q "reloaded by=change" "$T/qrun.log"; ok $? "and logged"

cp "$C/postel.conf" "$T/good.conf"
printf 'me mx.example.test\nmax-sise 10\n' >"$C/postel.conf.new"
chmod a+r "$C/postel.conf.new"
mv "$C/postel.conf.new" "$C/postel.conf"
echo four.test >>"$C/domains"
"$P" reload
wait_for 10 grep -q 'reload-failed by=request why=".*/conf/postel.conf:2: unknown key max-sise" kept=old' "$T/qrun.log"
ok $? "a broken postel.conf on reload: one line naming file:line"
grep -c reload-failed "$T/qrun.log" | grep -qx 1; ok $? "only one line, not one per scan"
mail alice@four.test
wait_for 10 grep -q "result qid=$id .*channel=remote" "$T/qrun.log"
ok $? "the old configuration stays, domains included"
kill -HUP "$qpid"
wait_for 10 grep -q 'reload-failed by=signal' "$T/qrun.log"
ok $? "SIGHUP with a broken file fails the same way"
kill -0 "$qpid"; ok $? "and qrun runs on"

cp "$T/good.conf" "$C/postel.conf"
kill -HUP "$qpid"
wait_for 10 test "$(grep -c 'reloaded by=signal' "$T/qrun.log")" = 2
mail alice@four.test
went local; ok $? "once fixed, the reload takes"
kill -TERM "$qpid"
done_testing
