#!/bin/sh
# 4407-qrun-dsn-crash.t: a runner killed after a delivery and before its
# success notice is queued (postel-qrun(8) BOUNCES): the message is still
# in the queue, and the next runner repeats the delivery that was in
# flight and then sends the notice, once; nothing is lost. The enqueue qrun runs hangs for the
# notice while $T/hang exists, and the runner is killed then.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
plan 4
setup_instance
as_recipients queue
no_leak_checks
L=$T/libexec
mkdir "$L"
for p in local remote qrun; do ln -s "$B/$p" "$L/$p"; done
cat >"$L/enqueue" <<EOF
#!/bin/sh
case "\$*" in
*"qrun notice "*) [ -e "$T/hang" ] && { echo \$\$ >"$T/hung"; exec sleep 30; } ;;
esac
exec "$B/enqueue" "\$@"
EOF
chmod +x "$L/enqueue"
[ "$(id -u)" -eq 0 ] && chmod 755 "$L" "$L/enqueue"
POSTEL_LIBEXEC=$L
A=$POSTEL_ROOT/mail/alice
diag_on_fail "$T/qrun.log"
touch "$T/hang"
id=$(printf 'Subject: crash\n\nBODYMARK\n' | "$B/enqueue" -f alice@example.test -N success \
    bob@example.test 2>/dev/null)
"$B/qrun" -1 -f >>"$T/qrun.log" 2>&1 &
qpid=$!
reap $qpid
wait_for 10 test -s "$T/hung"
ok $? "delivered, and the notice is being queued"
hung=$(cat "$T/hung")
reap "$hung"
kill -9 $qpid "$hung" 2>/dev/null
wait $qpid 2>/dev/null
is "$(count_new bob) $(queue_count)" "1 1" "killed then: the message is still queued"
rm "$T/hang"
pass; pass
is "$(grep -c "result qid=$id rcpt=<bob@example.test> .*status=ok" "$T/qrun.log") $(queue_count)" "2 0" \
    "the next runner delivers it again and removes it"
is "$($PY "$TOP/t/44-dsn-read.py" "$A/Maildir" | sed -n 's/^rcpt Action: //p;s/^other //p' | tr '\n' ' ')" \
    "delivered 0 " "and sends the notice, once"
