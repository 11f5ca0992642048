#!/bin/sh
# 4404-qrun-dsn-delay.t: delay warnings honour NOTIFY (RFC 3461 4.1): a
# warning lists the recipients still to do whose NOTIFY has DELAY or is
# not given; with none of those no warning is sent, and none is recorded
# as sent. A fake remote always fails for now; delay-warning is 10 s and
# the messages are made a minute old.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
plan 6
setup_instance
as_recipients
echo "delay-warning 10" >>"$POSTEL_ROOT/conf/postel.conf"
libexec_without_remote
printf '#!/bin/sh\ncat >/dev/null; echo "msg temp 4.4.1 fake said: 421 busy"\n' >"$L/remote"
chmod +x "$L/remote"
A=$POSTEL_ROOT/mail/alice
diag_on_fail "$T/qrun.log"
Q=$POSTEL_ROOT/queue
# send ARGS...: queue a message a minute old, run twice; its ID in $id
send() {
	id=$(printf 'Subject: slow\n\nBODYMARK\n' |
	    "$B/enqueue" -f alice@example.test "$@" 2>/dev/null)
	sed "s/^arrival .*/arrival $(( $(date +%s) - 60 ))/" "$Q/new/$id" >"$T/q" &&
	    cat "$T/q" >"$Q/new/$id"
	pass; pass
}
warnings() {
	$PY "$TOP/t/44-dsn-read.py" "$A/Maildir" |
	    sed -n 's/^rcpt Final-Recipient: //p;s/^rcpt Action: //p;s/^report //p;s/^other //p' | tr '\n' ' '
	rm -f "$A"/Maildir/new/* "$A"/Maildir/cur/*
}

send -N failure x@remote.example
is "$(warnings)" "0 " "NOTIFY=FAILURE: no delay warning"
grep -q '^rcpt 1 todo ' "$Q/state/$id" && ! grep -q '^warned ' "$Q/state/$id"
ok $? "and none recorded as sent"
rm -f "$Q/cur/$id" "$Q/state/$id"

send -N delay x@remote.example
is "$(warnings)" "Delivery delayed: still trying rfc822; x@remote.example delayed 0 " \
    "NOTIFY=DELAY: a delay warning"
grep -q '^warned ' "$Q/state/$id"
ok $? "recorded as sent"
rm -f "$Q/cur/$id" "$Q/state/$id"

send -d '1 notify=failure' -d '2 notify=delay' x@remote.example y@remote.example
is "$(warnings)" "Delivery delayed: still trying rfc822; y@remote.example delayed 0 " \
    "one recipient without DELAY, one with: the warning lists the second"
rm -f "$Q/cur/$id" "$Q/state/$id"

send x@remote.example
is "$(warnings)" "Delivery delayed: still trying rfc822; x@remote.example delayed 0 " \
    "no NOTIFY: a warning, as before"
