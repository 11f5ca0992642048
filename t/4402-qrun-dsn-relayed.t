#!/bin/sh
# 4402-qrun-dsn-relayed.t: success notices after remote (postel-result(5),
# the action line): "action N relayed" (a next hop without DSN) and no
# action line at all make a notice with Action: relayed for a recipient
# whose NOTIFY asks for success; "action N passed" (the next hop took the
# request) makes none; an action line for a recipient that did not
# succeed is ignored. A fake remote says what $T/mode asks.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
plan 7
setup_instance
as_recipients
libexec_without_remote
cat >"$L/remote" <<EOF
#!/bin/sh
cat >/dev/null
case \$(cat "$T/mode") in
relayed) printf 'rcpt 1 ok 2.0.0 mx.remote.example [192.0.2.1] said: 250 2.0.0 queued as X1\naction 1 relayed\n' ;;
passed)	printf 'rcpt 1 ok 2.0.0 mx.remote.example [192.0.2.1] said: 250 2.0.0 ok\naction 1 passed\n' ;;
none)	printf 'rcpt 1 ok 2.0.0 mx.remote.example [192.0.2.1] said: 250 2.0.0 ok\n' ;;
perm)	printf 'rcpt 1 perm 5.1.1 mx.remote.example [192.0.2.1] said: 550 5.1.1 no\naction 1 relayed\n' ;;
esac
EOF
chmod +x "$L/remote"
A=$POSTEL_ROOT/mail/alice
diag_on_fail "$T/qrun.log"
reports() { $PY "$TOP/t/44-dsn-read.py" "$A/Maildir"; }
clear() { rm -f "$A"/Maildir/new/* "$A"/Maildir/cur/*; }
send() {
	echo "$1" >"$T/mode"
	shift
	printf 'Subject: out\n\nBODYMARK\n' |
	    "$B/enqueue" -f alice@example.test "$@" dest@remote.example >/dev/null 2>&1
	pass; pass
}

send relayed -d '1 notify=success orcpt=rfc822;dest@remote.example' -V r1
is "$(reports)" "report Successful mail delivery report
return-path <>
type multipart/report delivery-status
parts text/plain message/delivery-status text/rfc822-headers
msg Original-Envelope-Id: r1
msg Reporting-MTA: dns; mx.example.test
rcpt Original-Recipient: rfc822; dest@remote.example
rcpt Final-Recipient: rfc822; dest@remote.example
rcpt Action: relayed
rcpt Status: 2.0.0
rcpt Remote-MTA: dns; mx.remote.example
rcpt Diagnostic-Code: smtp; 250 2.0.0 queued as X1
returned no-body subject
other 0" "action relayed: a notice, Action: relayed, with the next hop's reply"
grep -q 'relayed to a system that does not send delivery' "$A"/Maildir/new/*
ok $? "its text says the next hop sends no receipts"
clear

send passed -N success
is "$(queue_count) $(count_new alice)" "0 0" "action passed: no notice here"

send none -N success,failure
is "$(reports | sed -n 's/^rcpt Action: //p;s/^other //p' | tr '\n' ' ')" "relayed 0 " \
    "no action line after remote: relayed"
clear

send relayed -N failure
is "$(queue_count) $(count_new alice)" "0 0" "relayed without NOTIFY=SUCCESS: no notice"

send perm -N success,failure
is "$(reports | sed -n 's/^rcpt Action: //p;s/^report //p;s/^other //p' | tr '\n' ' ')" \
    "Undelivered mail returned to sender failed 0 " "an action line for a failed recipient is ignored: only the bounce"
grep -q 'garbage' "$T/qrun.log"
ok $((! $?)) "action lines are no garbage"
