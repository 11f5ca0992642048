#!/bin/sh
# 5005-remote-qrun.t: the full path sendmail -> enqueue -> qrun -> remote ->
# a fake MX: delivered recipients are done, a 5xx bounces (RFC 3464) with
# the remote text, a 4xx stays queued and is delivered on a later run.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/5-lib.sh"
for p in qrun sendmail enqueue local; do
	[ -x "$B/$p" ] || skip_all "$p not built"
done
plan 12
setup_instance
if [ "$(id -u)" -eq 0 ]; then   # local runs as the recipient: see t/4-lib.sh
	chmod 711 "$T"; chmod 755 "$POSTEL_ROOT" "$POSTEL_ROOT/mail"
	chown -R nobody:nogroup "$POSTEL_ROOT"/mail/*
fi
echo "me mx.example.test" >"$POSTEL_ROOT/conf/postel.conf"
chmod a+r "$POSTEL_ROOT/conf/postel.conf"

dns_start 127.0.5.50 --mx-host=far.test,mx.far.test,10 \
    --host-record=mx.far.test,127.0.5.51
sink_start far 127.0.5.51:25 --temp-once
diag_on_fail "$T/qrun.log"
qpass() {
	LD_PRELOAD=$WRAP RESOLV_WRAPPER_CONF=$T/resolv.conf \
	    "$B/qrun" -1 -f >>"$T/qrun.log" 2>&1
}
newmail() { ls "$POSTEL_ROOT/mail/alice/Maildir/new" | wc -l | tr -d ' '; }

printf 'Subject: full path\n\n.dot line\nbody\n' |
    "$B/sendmail" -f alice@example.test ok@far.test perm@far.test temp@far.test
is "$?" 0 "sendmail queued the message"
qpass
is "$(ls "$T/far" | grep -c raw)" 1 "one transaction reached the MX"
grep -q '"rcpt": \["<ok@far.test>"\]' "$T/far/1.env"; ok $? "only the accepted recipient was in it"
grep -q '^\.\.dot line' "$T/far/1.raw"; ok $? "dot-stuffed on the wire"
is "$(queue_count)" 1 "the 4xx recipient keeps the message queued"
qpass
grep -q '"rcpt": \["<temp@far.test>"\]' "$T/far/2.env"; ok $? "retried and delivered on the next run"
# qrun bounces once the message is done; the bounce is then delivered locally
for i in 1 2 3; do [ "$(newmail)" -ge 1 ] && break; qpass; done
is "$(newmail)" 1 "the 5xx recipient bounced to the sender"
f=$(ls "$POSTEL_ROOT"/mail/alice/Maildir/new/* 2>/dev/null | head -1)
grep -q 'Final-Recipient: rfc822; *perm@far.test' "$f" && grep -q 'Status: 5.1.1' "$f"
ok $? "the bounce is a delivery status notification for perm@far.test"
grep -q '^Diagnostic-Code: smtp; 550 5.1.1 perm no such user' "$f"; ok $? "the bounce quotes the remote server as an smtp diagnostic"
grep -q '^Remote-MTA: dns; ' "$f"; ok $? "and names the remote MTA"
grep -q 'Final-Recipient: rfc822; *ok@far.test' "$f"; ok $((! $?)) "delivered recipients are not in the bounce"
is "$(queue_count)" 0 "queue empty afterwards"
done_testing
