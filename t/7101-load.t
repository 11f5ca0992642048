#!/bin/sh
# 7101-load.t: a few hundred concurrent SMTP sessions (t/7-load.py)
# deliver a few thousand messages through smtpd, qrun, local and remote to
# two Maildirs and a loopback sink (conf/routes to 127.0.7.1). Every
# message that got 250 is delivered exactly once per recipient and
# byte-exact (t/7-verify.py); the long-lived qrun holds as many fds after
# the load as before it, and its RSS stays bounded.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
. "$(dirname "$0")/3smtpd.sh"
SESS=${LOAD_SESSIONS:-200} PAR=${LOAD_PARALLEL:-50} PER=${LOAD_PER:-10}
# sanitizer builds run each program about three times slower
case $B in *build-san*) SESS=${LOAD_SESSIONS:-40} PER=${LOAD_PER:-3} ;; esac
no_leak_checks
export POSTEL_ALLOW_ROOT=1
plan 9
setup_instance
as_recipients
SINK=127.0.7.1
remote_sink "$SINK"

qrun_start
ok $? "qrun started"
port=$(free_port)
tcpserver -q -c "$PAR" -HRl0 127.0.0.1 "$port" env RELAYCLIENT= "$B/smtpd" \
    2>>"$T/smtpd.log" &
reap $!
wait_for 5 $PY -c "import socket; socket.create_connection(('127.0.0.1', $port)).close()"

fds() { ls "/proc/$qpid/fd" | wc -l | tr -d ' '; }
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$qpid/status"; }
# a warm-up batch, so that the first numbers include what qrun allocates
# once (the heap, the schedule)
$PY "$TOP/t/7-load.py" --port "$port" --sessions 4 --parallel 4 --per 5 \
    --seed 7 --prefix w >"$T/warm" 2>/dev/null
wait_for 60 queue_empty
fd0=$(fds) rss0=$(rss)

$PY "$TOP/t/7-load.py" --port "$port" --sessions "$SESS" --parallel "$PAR" \
    --per "$PER" >"$T/accepted" 2>"$T/load.err"
sed 's/^/# client: /' "$T/load.err"
n=$(wc -l <"$T/accepted")
is "$n" $((SESS * PER)) "every one of $((SESS * PER)) messages got 250"
wait_for 200 queue_empty
ok $? "qrun emptied the queue"
fd1=$(fds) rss1=$(rss)
echo "# qrun fds before=$fd0 after=$fd1; VmRSS before=${rss0}kB after=${rss1}kB"
is "$fd1" "$fd0" "qrun holds as many fds as before the load"
ok "$([ "$rss1" -le $((rss0 * 2 + 4096)) ]; echo $?)" \
    "qrun's RSS stays bounded (${rss1}kB after, ${rss0}kB before)"

cat "$T/warm" "$T/accepted" >"$T/all"
$PY "$TOP/t/7-verify.py" "$T/all" "$POSTEL_ROOT" "$T/sink" >"$T/counts"
sed 's/^/# /' "$T/counts"
c() { tr ' ' '\n' <"$T/counts" | sed -n "s/^$1=//p"; }
is "$(c missing)" 0 "no accepted message is lost"
is "$(c duplicates)" 0 "none is delivered twice"
is "$(c corrupt)" 0 "each copy is byte-exact"
is "$(c unexpected)" 0 "nothing is delivered that was not accepted"
kill -TERM $qpid
done_testing
