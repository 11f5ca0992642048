#!/bin/sh
# 5004-remote-timeout.t: a server that hangs times out (temporary, next MX),
# a connection lost after the final dot is temporary, IPv6 MX hosts.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/5-lib.sh"
plan 14
setup_instance
printf 'remote-timeout-greeting 1\nremote-timeout-command 1\nremote-timeout-connect 2\n' \
    > "$POSTEL_ROOT/conf/postel.conf"

dns_start 127.0.5.40 \
    --mx-host=hang.test,mx.hang.test,10 --host-record=mx.hang.test,127.0.5.41 \
    --mx-host=fallback.test,mx.hang.test,10 \
    --mx-host=fallback.test,mx2.fallback.test,20 \
    --host-record=mx2.fallback.test,127.0.5.42 \
    --mx-host=drop.test,mx.drop.test,10 --host-record=mx.drop.test,127.0.5.43 \
    --mx-host=small.test,mx.small.test,10 --host-record=mx.small.test,127.0.5.44 \
    --mx-host=refuse.test,mx.refuse.test,10 --host-record=mx.refuse.test,127.0.5.45 \
    --mx-host=slow.test,mx.slow.test,10 --host-record=mx.slow.test,127.0.5.46 \
    --mx-host=six.test,mx.six.test,10 --host-record=mx.six.test,::1
sink_start hang 127.0.5.41:25 --hang
sink_start good 127.0.5.42:25
sink_start drop 127.0.5.43:25 --drop-after-data
sink_start slow 127.0.5.46:25 --hang-after-data
sink_start small 127.0.5.44:25 --size 10
sink_start refuse 127.0.5.45:25 --greeting '554 5.7.1 your address is listed'

printf 'Subject: t\n\nwait\n' > "$T/msg"

remote hang.test a@example.org x@hang.test >"$T/out" 2>"$T/err"
is "$?" 0 "remote reports after a timeout"
is "$(cut -d' ' -f1-4 "$T/out")" "rcpt 1 temp 4.4.2" "a hanging server is temporary"
grep -q 'timed out waiting for the greeting' "$T/out"; ok $? "says it timed out"

remote fallback.test a@example.org x@fallback.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" "after a timeout the next MX is tried"

remote drop.test a@example.org x@drop.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/out")" "rcpt 1 temp 4.4.2" "connection lost after the dot is temporary"
grep -q 'after sending the message' "$T/out"; ok $? "says when it was lost"

printf 'remote-timeout-data 1\nremote-timeout-command 1\n' >> "$POSTEL_ROOT/conf/postel.conf"
remote slow.test a@example.org x@slow.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/out")" "rcpt 1 temp 4.4.2" "no reply to the final dot: temporary after remote-timeout-data"
grep -q 'timed out after sending the message' "$T/out"; ok $? "says so"
remote small.test a@example.org x@small.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/out")" "rcpt 1 perm 5.3.4" "a message over the server's SIZE is permanent"
remote refuse.test a@example.org x@refuse.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/out")" "rcpt 1 temp 4.7.1" "a 554 greeting is temporary (not the sender's fault)"
grep -q 'your address is listed' "$T/out"; ok $? "with the server's text"
expect_exit 100 "a sender with CRLF is refused" remote hang.test "$(printf 'a@b\r\nRSET')" x@hang.test

if $PY -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",25))' 2>/dev/null; then
	sink_start six '[::1]:25'
	remote six.test a@example.org x@six.test >"$T/out" 2>"$T/err"
	is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" "AAAA-only MX reached over IPv6"
	grep -q 'ip=::1' "$T/err"; ok $? "connected to ::1"
else
	skip "[::1]:25 busy or IPv6 unavailable"
	skip "[::1]:25 busy or IPv6 unavailable"
fi
done_testing
