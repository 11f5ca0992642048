#!/bin/sh
# 4406-qrun-dsn-sink.t: NOTIFY=SUCCESS through the real remote to a next
# hop that does not offer DSN (t/5-sink.py on loopback): the message is
# relayed and the sender gets a success notice with Action: relayed and
# the next hop's reply (RFC 3461: the last MTA that takes DSN reports).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
plan 3
setup_instance
as_recipients queue
remote_sink 127.0.44.1
A=$POSTEL_ROOT/mail/alice
diag_on_fail "$T/qrun.log"
printf 'Subject: out\n\nBODYMARK\n' | "$B/enqueue" -f alice@example.test -V s1 \
    -d '1 notify=success,failure orcpt=rfc822;x@remote.test' x@remote.test >/dev/null 2>&1
pass; pass
is "$(ls "$T/sink" | grep -c "\.raw$")" 1 "the sink has the message"
is "$($PY "$TOP/t/44-dsn-read.py" "$A/Maildir" |
    sed -n 's/^msg Original-Envelope-Id: //p;s/^rcpt Original-Recipient: //p;s/^rcpt Action: //p;s/^rcpt Status: //p;s/^rcpt Remote-MTA: .*/remote-mta/p;s/^rcpt Diagnostic-Code: smtp; 250 .*/smtp 250/p;s/^other //p' |
    tr '\n' ' ')" "s1 rfc822; x@remote.test relayed 2.0.0 remote-mta smtp 250 0 " \
    "a success notice: relayed, with the sink's reply"
is "$(queue_count)" 0 "nothing left in the queue"
