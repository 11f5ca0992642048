#!/bin/sh
# 5001-remote-mx.t: MX routing (fallback, implicit MX, null MX, NXDOMAIN,
# SERVFAIL, address literals), per-recipient results and dot-stuffing.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/5-lib.sh"
plan 42
setup_instance

# mx1 (pref 10) refuses connections, mx2 (20) answers 421, mx3 (30) takes it
dns_start 127.0.5.10 \
    --mx-host=example.test,mx1.example.test,10 \
    --mx-host=example.test,mx2.example.test,20 \
    --mx-host=example.test,mx3.example.test,30 \
    --host-record=mx1.example.test,127.0.5.11 \
    --host-record=mx2.example.test,127.0.5.12 \
    --host-record=mx3.example.test,127.0.5.13 \
    --host-record=implicit.test,127.0.5.14 \
    --mx-host=nullmx.test,.,0 \
    --cname=alias.test,implicit.test \
    --mx-host=nopipe.test,mx5.nopipe.test,10 \
    --host-record=mx5.nopipe.test,127.0.5.15 \
    --mx-host=lax.test,mx.lax.test,10 --host-record=mx.lax.test,127.0.5.16 \
    --mx-host=self.test,mx.example.test,10 \
    --mx-host=brokenmx.test,gone.test,10 \
    --mx-host=blocked.test,mx.blocked.test,10 \
    --mx-host=blocked.test,mx3.example.test,20 \
    --host-record=mx.blocked.test,127.0.5.17 \
    --mx-host=blockedonly.test,mx.blocked.test,10 \
    --mx-host=busy.test,mx.busy.test,10 --host-record=mx.busy.test,127.0.5.18
sink_start mx2 127.0.5.12:25 --greeting '421 4.3.2 busy, try later'
sink_start mx3 127.0.5.13:25
sink_start imp 127.0.5.14:25
sink_start nop 127.0.5.15:25 --no-pipelining --no-ehlo
sink_start lax 127.0.5.16:25 --data-always
sink_start blk 127.0.5.17:25 --ehlo-reply '550 5.7.1 your IP is on a block list' \
    --helo-reply '550 5.7.1 your IP is on a block list'
sink_start busy 127.0.5.18:25 --ehlo-reply '451 4.3.2 busy, try later'

printf 'Subject: dots\n\n.leading dot\n..two\nmiddle . dot\n.\nend\n' > "$T/msg"
remote -q 5001.1 example.test a@example.org ok1@example.test \
    temp1@example.test perm1@example.test ok2@example.test >"$T/out" 2>"$T/err"
is "$?" 0 "remote exits 0 after reporting"
is "$(sed -n 1,2p "$T/out" | cut -d' ' -f1-4)" "rcpt 1 ok 2.0.0
action 1 relayed" "first recipient delivered"
is "$(sed -n 3p "$T/out" | cut -d' ' -f1-4)" "rcpt 2 temp 4.2.0" "4xx recipient is temporary"
is "$(sed -n 4p "$T/out" | cut -d' ' -f1-4)" "rcpt 3 perm 5.1.1" "5xx recipient is permanent"
is "$(sed -n 5,6p "$T/out" | cut -d' ' -f1-4)" "rcpt 4 ok 2.0.0
action 4 relayed" "last recipient delivered"
grep -q '^rcpt 3 perm 5.1.1 mx3.example.test \[127.0.5.13\] said: 550 5.1.1 perm1 no such user$' "$T/out"
ok $? "the remote host's own text is carried"
grep -q 'mx1.example.test' "$T/err" && grep -q 'mx2.example.test' "$T/err"
ok $? "tried mx1 and mx2 first (logged)"
is "$(ls "$T/mx2" | grep -c raw)" 0 "nothing delivered to the 421 host"
is "$(printf '%s' "$(cat "$T/mx3/1.raw")" | od -c | head -c 0; cat "$T/mx3/1.raw" | tr '\r' '~')" \
    "$(printf 'Subject: dots~\n~\n..leading dot~\n...two~\nmiddle . dot~\n..~\nend~\n.~\n')" \
    "body in CRLF with dot-stuffing, byte for byte"
$PY -c 'import json,sys; e=json.load(open(sys.argv[1])); sys.exit(0 if e["rcpt"]==["<ok1@example.test>","<ok2@example.test>"] and e["mail"].startswith("<a@example.org>") and "SIZE=" in e["mail"] else 1)' "$T/mx3/1.env"
ok $? "one transaction for the accepted recipients, SIZE declared"
grep -q '"pipelined": true' "$T/mx3/1.env"; ok $? "MAIL and RCPTs sent in one write (PIPELINING)"

# message without a final newline
printf 'Subject: x\n\nno newline' > "$T/msg"
remote example.test a@example.org ok3@example.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" "delivered a message without final LF"
is "$(tail -c 15 "$T/mx3/2.raw" | tr '\r' '~')" "$(printf 'no newline~\n.~\n')" "terminated with CRLF before the dot"

printf 'Subject: y\n\nhi\n' > "$T/msg"
remote implicit.test '' bob@implicit.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" "implicit MX: delivered to the domain's A record"
grep -q '"mail": "<>' "$T/imp/1.env"; ok $? "null sender sent as <>"

remote alias.test a@example.org bob@alias.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" "CNAME followed to the canonical name's address"

remote nullmx.test a@example.org x@nullmx.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/out")" "rcpt 1 perm 5.1.10" "null MX is permanent 5.1.10"
grep -q '556' "$T/out"; ok $? "null MX text carries 556"

remote nxdomain.test a@example.org x@nxdomain.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/out")" "rcpt 1 perm 5.1.2" "NXDOMAIN is permanent"

remote fail.example a@example.org x@fail.example >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 temp" "SERVFAIL is temporary"

remote '[127.0.5.13]' a@example.org 'lit@[127.0.5.13]' >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" "address literal honoured"

remote nopipe.test a@example.org ok@nopipe.test perm@nopipe.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/out" | tr '\n' /)" "rcpt 1 ok 2.0.0/action 1 relayed/rcpt 2 perm 5.1.1/" \
    "HELO fallback without PIPELINING, mixed results"
grep -q '"pipelined": false' "$T/nop/1.env"; ok $? "one command at a time without PIPELINING"

remote example.test a@example.org perm1@example.test perm2@example.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/out" | tr '\n' /)" "rcpt 1 perm 5.1.1/rcpt 2 perm 5.1.1/" \
    "every recipient refused: each its own 5xx, DATA refused by the server"
remote lax.test a@example.org perm1@lax.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/out")" "rcpt 1 perm 5.1.1" "a server that says 354 without recipients..."
is "$(tr '\r' '~' < "$T/lax/1.raw")" ".~" "... gets an empty message ended at once"

remote self.test a@example.org x@self.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/out")" "rcpt 1 perm 5.4.6" "mail looping back to myself is refused"

remote brokenmx.test a@example.org x@brokenmx.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 temp" "MX host without address is temporary"

printf 'Subject: caf\303\251\n\n8bit \303\251\n' > "$T/msg"
remote -8 example.test a@example.org "$(printf 'j\303\251r\303\264me@example.test')" >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" "UTF-8 recipient delivered where SMTPUTF8 is offered"
n=$(ls "$T/mx3" | grep -c env)
grep -q 'BODY=8BITMIME SMTPUTF8' "$T/mx3/$n.env"; ok $? "MAIL declares BODY=8BITMIME and SMTPUTF8"
remote -u nopipe.test a@example.org ok@nopipe.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/out")" "rcpt 1 perm 5.6.7" "no SMTPUTF8 at the server: permanent 5.6.7"
grep -q 'does not support SMTPUTF8' "$T/out"; ok $? "clearly worded"

# A refusal to talk to us (EHLO and HELO 5xx: our address on a block
# list) is not the sender's fault: temporary, and the next MX is tried.
printf 'Subject: y\n\nhi\n' > "$T/msg"
remote blocked.test a@example.org ok@blocked.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" "EHLO and HELO refused by the first MX: the next one takes it"
remote blockedonly.test a@example.org ok@blockedonly.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/out")" "rcpt 1 temp 4.7.1" "refused by the only MX: temporary, never a bounce"
# EHLO 4xx: busy, not a server without EHLO; no HELO session in which
# SMTPUTF8 mail would bounce
remote -u busy.test a@example.org ok@busy.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/out")" "rcpt 1 temp 4.3.2" "EHLO answered 451: temporary, not 5.6.7 after a HELO"
# 552 to RCPT (too many recipients) is temporary, RFC 5321 4.5.3.1.10;
# a 3xx there is nonsense, temporary with a 4.x.x code qrun can read
remote example.test a@example.org ok@example.test full1@example.test odd1@example.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/out" | tr '\n' ' ')" "rcpt 1 ok 2.0.0 action 1 relayed rcpt 2 temp 4.5.3 rcpt 3 temp 4.0.0 " \
    "RCPT 552: temp 4.5.3; RCPT 354: temp 4.0.0"
# A CR in the queue (sendmail can queue one) is never sent bare (RFC 5321
# 2.3.8): some servers end a line or the data at it (SMTP smuggling).
printf 'Subject: cr\n\nfoo\r.\r\nMAIL FROM:<x@y>\nend\r\n' > "$T/msg"
remote example.test a@example.org ok@example.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 ok
action 1 relayed" "a message with CRs in it: delivered"
n=$(ls "$T/mx3" | grep -c raw)
is "$(tr '\r' '~' < "$T/mx3/$n.raw")" "$(printf 'Subject: cr~\n~\nfoo . ~\nMAIL FROM:<x@y>~\nend ~\n.~\n')" \
    "each CR went as a space: only CRLF on the wire"

printf 'remote-max-hosts 1\n' > "$POSTEL_ROOT/conf/postel.conf"
printf 'Subject: y\n\nhi\n' > "$T/msg"
remote example.test a@example.org ok@example.test >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f1-3 "$T/out")" "rcpt 1 temp" "remote-max-hosts 1: only the refusing first MX is tried"
grep -q 'mx3' "$T/err"; ok $((! $?)) "mx3 not tried"
rm "$POSTEL_ROOT/conf/postel.conf"

expect_exit 100 "usage error is permanent" "$B/remote" example.test a@example.org
POSTEL_ALLOW_ROOT= expect_exit 111 "refuses to run as root" sh -c '"$0/remote" example.test a@b c@example.test </dev/null' "$B"
done_testing
