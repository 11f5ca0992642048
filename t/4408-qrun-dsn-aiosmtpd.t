#!/bin/sh
# 4408-qrun-dsn-aiosmtpd.t: the next hop is Debian's aiosmtpd, which
# does not offer DSN: remote relays the message there without DSN
# parameters, and qrun sends the sender a "relayed" notice (RFC 3461
# 5.2.2) for the recipient that asked for success, with the ORCPT and
# ENVID it was given, and none for the one that asked for nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
$PY -c 'import aiosmtpd' 2>/dev/null || skip_all "python3-aiosmtpd not installed"
plan 6
setup_instance
as_recipients queue
A=$POSTEL_ROOT/mail/alice
port=$(free_port)
# aiosmtpd's Mailbox handler keeps each message in a Maildir, with the
# envelope in X-MailFrom and X-RcptTo fields
$PY -m aiosmtpd -n -l "127.0.44.8:$port" -c aiosmtpd.handlers.Mailbox \
    "$T/aio" >"$T/aio.log" 2>&1 &
reap $!
diag_on_fail "$T/aio.log"
listening() {
	$PY -c 'import socket, sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), 1).close()' \
	    127.0.44.8 "$port" 2>/dev/null
}
wait_for 10 listening || echo "# aiosmtpd did not start"
echo "remote.test [127.0.44.8]:$port tls=none" >"$POSTEL_ROOT/conf/routes"
printf 'concurrency-local 10\nconcurrency-remote 10\n' \
    >>"$POSTEL_ROOT/conf/postel.conf"

printf 'Subject: out\n\nBODYMARK\n' | "$B/enqueue" -f alice@example.test \
    -V batch+2B7 -d '1 notify=success,failure orcpt=rfc822;orig@example.org' \
    -d '2 notify=never' x@remote.test y@remote.test >/dev/null 2>&1
pass; pass
is "$(ls "$T/aio/new" 2>/dev/null | wc -l | tr -d ' ')" 1 "aiosmtpd has the message"
is "$(sed -n 's/^X-RcptTo: //p' "$T"/aio/new/* | tr -d '\r')" \
    "x@remote.test, y@remote.test" "for both recipients"
grep -q 'dsn=relayed' "$T/qrun.log"; ok $? "remote logged that no DSN request went on"
is "$($PY "$TOP/t/44-dsn-read.py" "$A/Maildir" |
    sed -n 's/^return-path //p;s/^msg Original-Envelope-Id: //p;s/^rcpt Original-Recipient: //p;s/^rcpt Final-Recipient: //p;s/^rcpt Action: //p;s/^rcpt Status: //p;s/^other //p' |
    tr '\n' '|')" "<>|batch+7|rfc822; orig@example.org|rfc822; x@remote.test|relayed|2.0.0|0|" \
    "one relayed notice, from <>, for x only, with its ORCPT and ENVID"
grep -q 'notice .*kind=success rcpts=1' "$T/qrun.log"; ok $? "qrun logged the notice"
is "$(queue_count)" 0 "nothing left in the queue"
