#!/bin/sh
# 5101-remote-faults.t: remote against faulty peers (t/5-fault.py):
# replies sent byte by byte, reply lines over 512 bytes (tolerated), a reply of 5000
# lines, garbage, mixed codes, a reply cut by a close, half a reply then
# silence, 250 then a drop before QUIT, a reset in the middle of DATA;
# DNS servers that time out, answer truncated or answer garbage. Each run ends within its bound (timeout
# kills it otherwise, and that fails), keeps its peak RSS small, and
# reports the right result: ok, or temporary -- never permanent for a
# fault of the peer or the network.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/5-lib.sh"
plan 26
setup_instance
printf 'remote-timeout-greeting 2\nremote-timeout-command 2\nremote-timeout-connect 2\nremote-timeout-data 2\n' \
    > "$POSTEL_ROOT/conf/postel.conf"
MAXKB=65536
case $B in *build-san*) MAXKB=1048576 ;; esac

args="--mx-host=nomx.test,mx.nomx.test,10 --host-record=mx.nomx.test,127.0.7.99"
i=11
for m in bytewise longline longok manylines garbage mixed closemid hangmid quitdrop datadrop; do
	args="$args --mx-host=$m.test,mx.$m.test,10 --host-record=mx.$m.test,127.0.7.$i"
	mkdir "$T/$m"
	$PY "$TOP/t/5-fault.py" smtp 127.0.7.$i $m "$T/$m" 2>"$T/$m.log" &
	reap $!
	i=$((i + 1))
done
# shellcheck disable=SC2086
dns_start 127.0.7.10 $args
i=30
for m in timeout truncated garbage; do
	mkdir "$T/dns-$m"
	$PY "$TOP/t/5-fault.py" dns 127.0.7.$i $m "$T/dns-$m" 2>"$T/dns-$m.log" &
	reap $!
	echo "nameserver 127.0.7.$i" >"$T/resolv-$m.conf"
	i=$((i + 1))
done
for m in bytewise longline longok manylines garbage mixed closemid hangmid \
    quitdrop datadrop dns-timeout dns-truncated dns-garbage; do
	wait_for 10 test -e "$T/$m/ready" || echo "# $m did not start"
done
printf 'Subject: fault\n\nbody\n' >"$T/msg"

# run RESOLVCONF DOMAIN: remote for x@DOMAIN, at most 60 s; prints the
# result line's first four words and its peak RSS in kB on line 2
run() {
	LD_PRELOAD=$WRAP RESOLV_WRAPPER_CONF=$1 timeout -s KILL 60 $PY -c '
import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdin=open("'"${MSG:-$T/msg}"'"),
                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
out = r.stdout.decode("latin-1").splitlines()
print(" ".join(out[0].split()[:4]) if out and r.returncode == 0 else "exit %d" % r.returncode)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(out[0] if out else "")
' "$B/remote" "$2" a@example.org "x@$2" >"$T/out" 2>"$T/err"
	sed -n 1p "$T/out"
}
rss() { sed -n 2p "$T/out"; }
check() {       # check DOMAIN WANT NAME [RESOLVCONF]
	is "$(run "${4:-$T/resolv.conf}" "$1")" "$2" "$3"
	sed -n 3p "$T/out" | cut -c1-200 | sed 's/^/# /'
	ok "$([ "$(rss)" -le $MAXKB ]; echo $?)" "$1: peak RSS $(rss) kB is bounded"
}
check bytewise.test "rcpt 1 ok 2.0.0" "replies one byte at a time: delivered"
check longline.test "rcpt 1 temp 4.4.2" "a 600-byte greeting, then the peer leaves: temporary"
check longok.test "rcpt 1 ok 2.0.0" "a 600-byte EHLO line (RFC 5321 says 512) is read and tolerated"
check manylines.test "rcpt 1 temp 4.4.2" "an EHLO reply of 5000 lines: temporary"
check garbage.test "rcpt 1 temp 4.4.2" "a greeting without a code: temporary"
check mixed.test "rcpt 1 temp 4.4.2" "a reply whose lines' codes differ: temporary"
check closemid.test "rcpt 1 temp 4.4.2" "a reply cut by a close: temporary"
check hangmid.test "rcpt 1 temp 4.4.2" "half a reply, then silence: temporary"
check quitdrop.test "rcpt 1 ok 2.0.0" "250 after the dot, then a drop before QUIT: delivered"
# 2 MB of data: the reset reaches remote while it still writes
i=0; { printf 'Subject: big\n\n'; while [ $i -lt 30000 ]; do
	echo "a line of about seventy characters, more than a socket buffer holds"
	i=$((i + 1)); done; } > "$T/big"
MSG=$T/big
check datadrop.test "rcpt 1 temp 4.4.2" "a reset in the middle of DATA: temporary, remote not killed by SIGPIPE"
MSG=
check example.test "rcpt 1 temp 4.4.3" "DNS that never answers: temporary" "$T/resolv-timeout.conf"
check example.test "rcpt 1 temp 4.4.3" "DNS answers truncated, no TCP: temporary" "$T/resolv-truncated.conf"
check example.test "rcpt 1 temp 4.4.3" "DNS answers garbage: temporary" "$T/resolv-garbage.conf"
done_testing
