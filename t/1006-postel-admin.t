#!/bin/sh
# 1006-postel-admin.t: the postel command. help lists the subcommands;
# postel queue shows each recipient's state, attempts, next attempt and
# last result, and which messages are held; postel cat prints a queued
# message; check and log run the programs of those names; reload with no
# runner says so; as root, hold works as the queue's owner and makes a
# missing hold/ as that owner, mode 0750.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
plan 26
setup_instance
libexec_without_remote
printf 'me mx.example.test\nretry-schedule 600\n' >"$POSTEL_ROOT/conf/postel.conf"
cat >"$L/remote" <<'EOF2'
#!/bin/sh
cat >/dev/null
echo "msg temp 4.4.1 fake said: not now"
EOF2
printf '#!/bin/sh\necho "check ran: $*"\nexit 3\n' >"$L/check"
printf '#!/bin/sh\necho "logsum ran: $*"\n' >"$L/logsum"
chmod +x "$L/remote" "$L/check" "$L/logsum"
P="$B/postel"

expect_exit 0 "postel help" "$P" help
grep -q '^  postel hold ' "$T/.out" && grep -q '^  postel delete ' "$T/.out"
ok $? "lists the subcommands"
expect_exit 100 "postel with no command is a usage error" "$P"
expect_exit 100 "an unknown command is refused" "$P" frobnicate
grep -q 'unknown command frobnicate' "$T/.err"; ok $? "and named"

expect_exit 0 "postel queue, empty" "$P" queue
grep -q '^-- no messages' "$T/.out"; ok $? "says there is nothing"

printf 'Subject: one\n\nbody line\n' >"$T/msg"
id=$("$B/enqueue" -f alice@example.test x@far.example <"$T/msg" 2>&1 |
    sed -n 's/.*queued qid=\([0-9.]*\) .*/\1/p')
"$B/qrun" -1 2>>"$T/qrun.log"
diag_on_fail "$T/qrun.log"
expect_exit 0 "postel queue" "$P" queue
grep -q "^$id  *[0-9]*  *[0-9]*s  *<alice@example.test>\$" "$T/.out"
ok $? "a line per message: ID, size, age, sender"
grep -q "^    <x@far.example> todo, 1 attempt, next in [0-9]*[sm]: 4.4.1 fake said: not now\$" "$T/.out"
ok $? "a line per recipient: state, attempts, next attempt, last result"
expect_exit 0 "postel queue --kv" "$P" queue --kv
grep -q "^msg qid=$id .* held=0\$" "$T/.out" &&
    grep -q "^rcpt rcpt=<x@far.example> status=todo attempts=1 next=[1-9][0-9]* dsn=4.4.1 text=\"fake said: not now\"\$" "$T/.out"
ok $? "key=value lines for programs"

"$P" hold "$id" 2>/dev/null
"$P" queue >"$T/q"
grep -q "^$id .* HELD <alice@example.test>\$" "$T/q" && grep -q '1 message, 1 held' "$T/q"
ok $? "a held message is marked HELD"
"$P" queue --kv | grep -q "^msg qid=$id .* held=1\$"; ok $? "and held=1 in --kv"
"$P" queue --to nowhere.example >"$T/q"
grep -q '^-- no messages' "$T/q"; ok $? "postel queue takes the selectors too"

expect_exit 0 "postel cat ID" "$P" cat "$id"
cmp -s "$T/.out" "$T/msg"; ok $? "prints the message as queued"
expect_exit 0 "postel cat -e ID" "$P" cat -e "$id"
head -1 "$T/.out" | grep -qx 'postel 1' && grep -qx 'rcpt <x@far.example>' "$T/.out"
ok $? "-e prints the envelope first"
expect_exit 100 "postel cat of an ID not queued" "$P" cat 1.2.3

expect_exit 111 "postel reload with no runner" "$P" reload
grep -q 'no queue runner is running' "$T/.err"; ok $? "says so"

"$P" check -v >"$T/c.out"
is "$? $(cat "$T/c.out")" "3 check ran: -v" "postel check runs check with its arguments and exit code"
is "$("$P" log -x 2>&1)" "logsum ran: -x" "postel log runs logsum"

if [ "$(id -u)" -ne 0 ]; then
	skip "not root: the drop to the queue owner"
	skip "not root: another user"
else
	rm -rf "$POSTEL_ROOT/queue/hold"
	chmod 711 "$T" "$POSTEL_ROOT"
	chown -R nobody "$POSTEL_ROOT/queue"
	"$P" hold --from alice@example.test 2>/dev/null
	is "$(stat -c '%U %a' "$POSTEL_ROOT/queue/hold") $(stat -c %U "$POSTEL_ROOT/queue/hold/$id")" \
	    "nobody 750 nobody" "as root, hold/ and the marker belong to the queue owner, hold/ 0750"
	expect_exit 100 "another user may not look" \
	    setpriv --reuid=daemon --regid=daemon --clear-groups "$P" queue
fi
done_testing
