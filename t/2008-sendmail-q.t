#!/bin/sh
# 2008-sendmail-q.t: sendmail -q, -qf, -qI, -qR, -qS become one flush
# request line on queue/trigger, written by enqueue -F in one write()
# (postel-queue(5), Requests); a reader started here stands in for the
# running qrun. -q<time> is ignored and says so; bad selectors are
# refused; with no runner an ordinary user gets one line and 75, and
# root runs one pass of qrun -1 -F when this build's qrun has -F.
. "$(dirname "$0")/lib.sh"
plan 32
setup_instance
SM=$B/sendmail
Q=$POSTEL_ROOT/queue
diag_on_fail "$T/reader.out" "$T/sm.err"

# req WANT NAME CMD...: with a reader on the FIFO, CMD must exit 0 and
# the reader must get exactly WANT, in one read
req() {
	_want=$1; _name=$2; shift 2
	rm -f "$T/ready"
	$PY "$TOP/t/2-fifo-reader.py" "$Q/trigger" "$T/ready" 5 >"$T/reader.out" 2>&1 &
	_r=$!; reap $_r
	wait_for 5 test -e "$T/ready"
	"$@" 2>"$T/sm.err"
	_rc=$?
	wait $_r
	is "$_rc" 0 "$_name: exit 0"
	is "$(cat "$T/reader.out")" "$_want" "$_name: the request line"
}
req "b'flush all\\n'" "sendmail -q" "$SM" -q
req "b'flush all\\n'" "sendmail -qf" "$SM" -qf
req "b'flush id 1764095996.123456.4121\\n'" "sendmail -qI<id>" "$SM" -qI1764095996.123456.4121
req "b'flush id 1764095996.123456.4121\\n'" "sendmail -qI <id>" "$SM" -qI 1764095996.123456.4121
req "b'flush to example.org\\n'" "sendmail -qR<domain>" "$SM" -qRexample.org
req "b'flush to user@example.org\\n'" "sendmail -qR<address>" "$SM" -qRuser@example.org
req "b'flush from a@example.org\\n'" "sendmail -qS<sender>" "$SM" '-qS<a@example.org>'
req "b'flush to example.net\\n'" "enqueue -F 'to example.net'" "$B/enqueue" -F 'to example.net'

# -q<time>: a daemon interval, ignored, and said so; nothing written
rm -f "$T/ready"
$PY "$TOP/t/2-fifo-reader.py" "$Q/trigger" "$T/ready" 1 >"$T/reader.out" 2>&1 &
r=$!; reap $r
wait_for 5 test -e "$T/ready"
expect_exit 0 "sendmail -q15m: exit 0" "$SM" -q15m
wait $r
grep -q 'interval is ignored' "$T/.err"; ok $? "-q15m says the interval is ignored"
is "$(cat "$T/reader.out")" "" "-q15m asks nothing"

# strict selectors
expect_exit 64 "-qI with no queue ID: EX_USAGE" "$SM" -qIabc
expect_exit 64 "-qR with a bad domain: EX_USAGE" "$SM" -qR'a..b'
expect_exit 64 "-qX: EX_USAGE" "$SM" -qX
expect_exit 100 "enqueue -F nonsense: 100" "$B/enqueue" -F 'flush all'
expect_exit 100 "enqueue -F with a line break: 100" "$B/enqueue" -F "$(printf 'all\nreload')"
expect_exit 100 "enqueue -F 'id 1.2': 100" "$B/enqueue" -F 'id 1.2'
expect_exit 100 "enqueue -F with -f: usage, 100" "$B/enqueue" -F all -f a@example.org

# no runner reading the FIFO
expect_exit 111 "enqueue -F with no runner: 111" "$B/enqueue" -F all
is "$(cat "$T/.err")" "enqueue: fatal: no queue runner is running" "one line saying so"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	chmod 755 "$T" "$POSTEL_ROOT" "$POSTEL_ROOT/conf" "$Q"
	chmod 622 "$Q/trigger"; chmod -R o+r "$POSTEL_ROOT/conf"
	expect_exit 75 "an ordinary user's -q with no runner: 75" \
	    setpriv --reuid=nobody --regid=nogroup --clear-groups "$SM" -q
	grep -q 'no queue runner is running' "$T/.err" && [ "$(wc -l <"$T/.err")" -eq 1 ]
	ok $? "one line: no queue runner is running"
	chmod 750 "$Q"
else
	skip "not root or no setpriv: no ordinary user to run as"
	skip "not root or no setpriv: no ordinary user to run as"
fi

# root with no runner: one pass of qrun -1 -F, where qrun has -F
if "$B/qrun" -Z 2>&1 | grep -q -- '-F'; then
	# local delivers as the Maildir's owner, never as root
	[ "$(id -u)" -ne 0 ] || chown -R nobody:nogroup "$POSTEL_ROOT/mail/alice"; chmod 755 "$POSTEL_ROOT/mail"
	echo x | "$SM" -i alice@example.test
	expect_exit 0 "root's sendmail -q with no runner runs qrun -1 -F all" "$SM" -q
	wait_for 10 sh -c '[ "$(find "$0/new" "$0/cur" -type f | wc -l)" -eq 0 ]' "$Q"
	ok $? "the message was delivered by that pass"
else
	skip "this build's qrun has no -F (helper qctl's part of issue 16)"
	skip "this build's qrun has no -F (helper qctl's part of issue 16)"
fi
done_testing
