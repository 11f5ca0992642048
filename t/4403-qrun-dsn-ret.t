#!/bin/sh
# 4403-qrun-dsn-ret.t: what a report returns of the message (RFC 3461
# 4.3, postel-qrun(8) BOUNCES): RET=HDRS and no RET the header section
# (text/rfc822-headers), as postel always did; RET=FULL the whole
# message (message/rfc822) with a failure, but a success notice only the
# header section.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
plan 5
setup_instance
as_recipients queue
A=$POSTEL_ROOT/mail/alice
diag_on_fail "$T/qrun.log"
shape() {
	$PY "$TOP/t/44-dsn-read.py" "$A/Maildir" |
	    sed -n 's/^parts //p;s/^returned //p;s/^other //p' | tr '\n' ' '
	rm -f "$A"/Maildir/new/* "$A"/Maildir/cur/*
}
send() {
	printf 'Subject: ret\n\nBODYMARK\n' |
	    "$B/enqueue" -f alice@example.test "$@" >/dev/null 2>&1
	pass; pass
}

send -R hdrs nosuch@example.test
is "$(shape)" "text/plain message/delivery-status text/rfc822-headers no-body subject 0 " \
    "RET=HDRS: the header section only, no body"
send nosuch@example.test
is "$(shape)" "text/plain message/delivery-status text/rfc822-headers no-body subject 0 " \
    "no RET: the header section, as before"
send -R full nosuch@example.test
is "$(shape)" "text/plain message/delivery-status message/rfc822 body subject 0 " \
    "RET=FULL: the whole message"
send -R full -N success bob@example.test
is "$(shape)" "text/plain message/delivery-status text/rfc822-headers no-body subject 0 " \
    "RET=FULL and a success notice: the header section only"
# sendmail -R full
printf 'Subject: ret\n\nBODYMARK\n' |
    "$B/sendmail" -f alice@example.test -R full nosuch@example.test 2>"$T/sendmail.err"
pass; pass
is "$(shape)" "text/plain message/delivery-status message/rfc822 body subject 0 " \
    "sendmail -R full: the whole message"
