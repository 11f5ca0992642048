#!/bin/sh
# 1003-queue-no-tmpfile.t: where an unnamed queue file cannot be linked
# (no /proc; the same path serves file systems without O_TMPFILE), enqueue
# and smtpd fall back to a named tmp/ID (postel-queue(5)): the message is
# queued the same way, a refused one leaves no tmp name, and a killed
# writer leaves one that qrun -c removes once stale. /proc is hidden in a
# private mount namespace, which needs root and unshare(1).
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || skip_all "hiding /proc needs root (a mount namespace)"
command -v unshare >/dev/null 2>&1 || skip_all "unshare(1) not installed"
case $B in *build-san*) skip_all "ASan cannot start without /proc (it reads /proc/self/maps)" ;; esac
unshare -m sh -c 'mount -t tmpfs none /proc' 2>/dev/null ||
    skip_all "cannot make a mount namespace here"
export POSTEL_ALLOW_ROOT=1
plan 11
setup_instance

# noproc CMD...: CMD with an empty /proc
noproc() { unshare -m sh -c 'mount -t tmpfs none /proc && exec "$@"' sh "$@"; }
tmp_count() { ls -A "$POSTEL_ROOT/queue/tmp" | wc -l | tr -d ' '; }

id=$(printf 'Subject: fb\n\nhello\n' | noproc "$B/enqueue" -f a@example.org bob@example.test 2>/dev/null)
ok $? "enqueue queues without /proc"
is "$(sed '1,/^$/d' "$POSTEL_ROOT/queue/new/$id")" "$(printf 'Subject: fb\n\nhello')" "the message is whole"
is "$(tmp_count)" 0 "and its tmp name is gone"

# the strace of a fallback run shows the named file (when strace is there)
if command -v strace >/dev/null 2>&1; then
	printf 'x\n' | noproc strace -f -e trace=openat -o "$T/st" "$B/enqueue" \
	    -f a@example.org bob@example.test >/dev/null 2>&1
	grep -q 'openat([^"]*"tmp/[0-9.]*", O_WRONLY|O_CREAT|O_EXCL' "$T/st"
	ok $? "it wrote a named tmp/ID file"
else
	skip "strace not installed: cannot see which file was written"
fi

S="EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n"
printf "${S}Subject: fb2\r\n\r\nhi\r\n.\r\nQUIT\r\n" |
    TCPREMOTEIP=127.0.0.1 noproc "$B/smtpd" >"$T/out" 2>/dev/null
grep -q '^250 2.0.0 Ok: queued as' "$T/out"; ok $? "smtpd queues without /proc"
f=$(grep -l '^Subject: fb2$' "$POSTEL_ROOT/queue/new/"*)
ok "$([ -n "$f" ]; echo $?)" "the message is in new/"
n=$(queue_count)
printf "${S}Subject: bare\nLF\r\n.\r\nQUIT\r\n" |
    TCPREMOTEIP=127.0.0.1 noproc "$B/smtpd" >"$T/out" 2>/dev/null
is "$(queue_count) $(tmp_count)" "$n 0" "a refused message leaves neither an entry nor a tmp name"
# refused as the last error allowed: the 421 ends the session at once
cp "$POSTEL_ROOT/conf/postel.conf" "$T/conf.orig"
echo "max-errors 3" >>"$POSTEL_ROOT/conf/postel.conf"
printf "EHLO c\r\nXX\r\nXX\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\nSubject: bare\nLF\r\n.\r\n" |
    TCPREMOTEIP=127.0.0.1 noproc "$B/smtpd" >"$T/out" 2>/dev/null
cp "$T/conf.orig" "$POSTEL_ROOT/conf/postel.conf"
grep -q '^421' "$T/out"; ok $? "the third error ends the session with 421"
is "$(queue_count) $(tmp_count)" "$n 0" "and the refused message leaves no tmp name either"

# a writer killed mid-message leaves tmp/ID; qrun -c removes it once stale
mkfifo "$T/in"
TCPREMOTEIP=127.0.0.1 noproc "$B/smtpd" <"$T/in" >/dev/null 2>&1 &
reap $!
exec 7>"$T/in"
printf "${S}Subject: killed\r\n\r\nhalf" >&7
wait_for 5 sh -c "[ \$(ls -A '$POSTEL_ROOT/queue/tmp' | wc -l) -gt 0 ]"
ok $? "a message being written has a tmp name"
# the ID ends in the writer's PID
pid=$(ls "$POSTEL_ROOT/queue/tmp" | sed -n '1s/.*\.//p')
[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
exec 7>&-
wait_for 5 sh -c "! kill -0 ${pid:-0} 2>/dev/null"
touch -d '2 days ago' "$POSTEL_ROOT"/queue/tmp/*
"$B/qrun" -c >/dev/null 2>&1
is "$(tmp_count) $(queue_count)" "0 $n" "killed: qrun -c removes the stale tmp file, nothing was queued"
done_testing
