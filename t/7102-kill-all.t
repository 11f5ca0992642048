#!/bin/sh
# 7102-kill-all.t: SIGKILL smtpd, qrun, local, remote and the enqueue
# that queues a bounce, at moments that differ each round, while
# t/7-load.py sends mail (one message in 8 also to a recipient the sink
# refuses, so qrun bounces it to alice). Then a fresh qrun finishes the
# queue, and t/7-verify.py counts: nothing that got 250 is lost, every
# bounce arrives, duplicates come only from deliveries in flight at a
# kill (at most one per kill of qrun, local or remote), and the counts are
# printed as TAP comments.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
. "$(dirname "$0")/3smtpd.sh"
SESS=${KILL_SESSIONS:-100} PER=${KILL_PER:-4}
case $B in *build-san*) SESS=${KILL_SESSIONS:-30} PER=${KILL_PER:-3} ;; esac
no_leak_checks
export POSTEL_ALLOW_ROOT=1
plan 8
setup_instance
as_recipients
SINK=127.0.7.2
remote_sink "$SINK"

qrun_start
port=$(free_port)
tcpserver -q -c 50 -HRl0 127.0.0.1 "$port" env RELAYCLIENT= "$B/smtpd" \
    2>>"$T/smtpd.log" &
tcp=$!
reap $tcp
wait_for 5 $PY -c "import socket; socket.create_connection(('127.0.0.1', $port)).close()"

$PY "$TOP/t/7-load.py" --port "$port" --sessions "$SESS" --parallel 25 \
    --per "$PER" --bounce 8 --from alice@example.test \
    >"$T/accepted" 2>"$T/load.err" &
load=$!
reap $load

# descendants NAME: PIDs of processes called NAME below qrun or tcpserver
descendants() {
	ps -e -o pid=,ppid=,comm= | awk -v a=$qpid -v b=$tcp -v n="$1" '
	    { pp[$1] = $2; c[$1] = $3 }
	    END { for (p in pp) { if (c[p] != n) continue
		  for (q = pp[p]; q > 1; q = pp[q])
		    if (q == a || q == b) { print p; break } } }'
}
kills="" nk=0 nq=0 nd=0
round=0
# kill while mail comes in or the queue still holds some: delivery, not
# only reception, must survive the kills
while { kill -0 $load 2>/dev/null || ! queue_empty; } && [ $round -lt 150 ]; do
	round=$((round + 1))
	sleep "$(printf 0.%02d $(( round * 37 % 25 + 5 )))"
	case $((round % 5)) in
	0) v=qrun; kill -9 $qpid; wait $qpid 2>/dev/null; qrun_start; nq=$((nq + 1)) ;;
	1) v=smtpd ;;
	2) v=local ;;
	3) v=remote ;;
	4) v=enqueue ;;
	esac
	[ $v = qrun ] && continue
	p=$(descendants $v | head -1)
	[ -n "$p" ] || continue
	kill -9 $p 2>/dev/null && nk=$((nk + 1)) && kills="$kills $v"
	case $v in local|remote) nd=$((nd + 1)) ;; esac
done
echo "# kills: qrun=$nq$(for v in smtpd local remote enqueue; do
	printf ' %s=%s' $v $(echo "$kills" | tr ' ' '\n' | grep -c "^$v\$"); done)"
wait_for 120 sh -c "! kill -0 $load 2>/dev/null"
ok $? "the load client finished"
sed 's/^/# client: /' "$T/load.err"
ok "$([ "$(wc -l <"$T/accepted")" -gt 0 ]; echo $?)" "some messages were accepted"

# finish: stop the daemon as a supervisor would (SIGTERM: its running
# deliveries finish and are recorded, so this stop duplicates nothing),
# then a fresh runner's forced passes for what the kills made wait
kill -TERM $qpid; wait $qpid 2>/dev/null
i=0
while [ $i -lt 30 ] && ! queue_empty; do
	"$B/qrun" -1 -f >>"$T/qrun.log" 2>&1
	i=$((i + 1))
done
ok "$(queue_empty; echo $?)" "forced passes empty the queue ($i passes)"

$PY "$TOP/t/7-verify.py" "$T/accepted" "$POSTEL_ROOT" "$T/sink" >"$T/counts"
sed 's/^/# /' "$T/counts"
c() { tr ' ' '\n' <"$T/counts" | sed -n "s/^$1=//p"; }
is "$(c missing)" 0 "zero loss: every message that got 250 was delivered"
is "$(c corrupt)" 0 "every copy is byte-exact"
is "$(c bounces-missing)" 0 "every refused recipient was bounced ($(c bounces-expected) bounces)"
d=$(( $(c duplicates) + $(c bounces-duplicated) ))
ok "$([ $d -le $((nq * 20 + nd)) ]; echo $?)" \
    "duplicates ($d) only for deliveries in flight (qrun kills x concurrency + local/remote kills = $((nq * 20 + nd)))"
echo "# unexpected copies (queued, 250 lost with a killed smtpd): $(c unexpected)"
ok "$([ "$(c unexpected)" -le "$(echo "$kills" | tr ' ' '\n' | grep -c '^smtpd$')" ]; echo $?)" \
    "copies without a 250 only for killed smtpd sessions"
done_testing
