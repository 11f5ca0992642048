#!/bin/sh
# 4411-local-dsn.t: local, run as qrun runs it (standard input the queue
# file at the message), learns the recipient's DSN requests from the
# envelope; a forward or an alias carries them on to the new message
# (RET and ENVID, and NOTIFY and ORCPT for each new recipient, an ORCPT
# added when none came: RFC 3461 4.2, 5.2.7), and each ok line is
# followed by its action line (postel-result(5)): delivered into a
# mailbox or a program, passed for a forward to one address, expanded
# for a recipient that went to several.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
. "$(dirname "$0")/441-dsn.sh"
plan 30
setup_instance
printf 'team alice@example.test, bob@example.test\nsolo bob@example.test\n' \
    >>"$POSTEL_ROOT/conf/aliases"
as_recipients queue
own "$POSTEL_ROOT/conf/aliases"     # aliases run as its owner under root
A=$POSTEL_ROOT/mail/alice
printf '&bob@example.test\n' >"$A/.postel-fwd"
printf './Maildir/\n&bob@example.test\n' >"$A/.postel-copy"
printf '|cat >/dev/null\n' >"$A/.postel-pipe"
printf './mbox\n' >"$A/.postel-mbox"
own "$A/.postel-fwd" "$A/.postel-copy" "$A/.postel-pipe" "$A/.postel-mbox"
diag_on_fail "$T/err" "$T/enqueue.err"

# a .postel forward to one address: everything goes on as it came
take fwd1 -R hdrs -V env+2B1 \
    -d '1 notify=success,failure orcpt=rfc822;orig@example.org' \
    alice+fwd@example.test
run_local "$T/fwd1" alice+fwd@example.test
is "$(lines)" "rcpt 1 ok 2.0.0,action 1 passed," \
    "a forward to one address: ok, action passed"
is "$(new_env)" "rcpt <bob@example.test>,ret hdrs,envid env+2B1,dsn 1 notify=success,failure orcpt=rfc822;orig@example.org," \
    "  the new message has the same ret, envid, notify and orcpt"
empty_queue

# no ORCPT came: the one added is the address local received, as xtext
take fwd2 -N success alice+fwd@example.test
run_local "$T/fwd2" alice+fwd@example.test
is "$(lines)" "rcpt 1 ok 2.0.0,action 1 passed," "a forward without ORCPT: passed"
is "$(new_env)" "rcpt <bob@example.test>,dsn 1 notify=success orcpt=rfc822;alice+2Bfwd@example.test," \
    "  the message's NOTIFY for the recipient, and ORCPT rfc822;alice+2Bfwd"
empty_queue

# the requests of the recipient delivered, not of another one
take two -d '1 notify=failure orcpt=rfc822;b@example.org' \
    -d '2 notify=delay orcpt=rfc822;a@example.org' \
    bob@example.test alice+fwd@example.test
run_local "$T/two" alice+fwd@example.test
is "$(new_env)" "rcpt <bob@example.test>,dsn 1 notify=delay orcpt=rfc822;a@example.org," \
    "the second recipient of a message: its own requests go on"
empty_queue

# RFC 3461 5.2.7.3: an alias to several addresses is expanded; the new
# recipients lose SUCCESS (the one receipt is the expanded notice) and
# keep the rest, RET and ENVID too
take team1 -R full -V list1 \
    -d '1 notify=success,delay orcpt=rfc822;team@example.org' team@example.test
run_local "$T/team1" team@example.test
is "$(lines)" "rcpt 1 ok 2.0.0,action 1 expanded," \
    "an alias to two addresses: ok, action expanded"
is "$(new_env)" "rcpt <alice@example.test>,rcpt <bob@example.test>,ret full,envid list1,dsn 1 notify=delay orcpt=rfc822;team@example.org,dsn 2 notify=delay orcpt=rfc822;team@example.org," \
    "  each new recipient: NOTIFY without SUCCESS, the same ORCPT, RET, ENVID"
empty_queue

take team2 -d '1 notify=success' team@example.test
run_local "$T/team2" team@example.test
is "$(lines)" "rcpt 1 ok 2.0.0,action 1 expanded," "SUCCESS alone to the alias: expanded"
is "$(new_env)" "rcpt <alice@example.test>,rcpt <bob@example.test>,dsn 1 notify=never orcpt=rfc822;team@example.test,dsn 2 notify=never orcpt=rfc822;team@example.test," \
    "  the new recipients get NEVER, and the ORCPT added for the alias"
empty_queue

take team3 -d '1 notify=never' team@example.test
run_local "$T/team3" team@example.test
is "$(new_env)" "rcpt <alice@example.test>,rcpt <bob@example.test>,dsn 1 notify=never orcpt=rfc822;team@example.test,dsn 2 notify=never orcpt=rfc822;team@example.test," \
    "NEVER to the alias stays NEVER"
empty_queue

take team4 team@example.test
run_local "$T/team4" team@example.test
is "$(lines)" "rcpt 1 ok 2.0.0,action 1 expanded," "no request to the alias: still expanded"
is "$(new_env)" "rcpt <alice@example.test>,rcpt <bob@example.test>,dsn 1 orcpt=rfc822;team@example.test,dsn 2 orcpt=rfc822;team@example.test," \
    "  only the ORCPT is added, no NOTIFY made up"
empty_queue

# RFC 3461 5.2.7.2: an alias to one address passes SUCCESS on
take solo1 -d '1 notify=success' solo@example.test
run_local "$T/solo1" solo@example.test
is "$(lines)" "rcpt 1 ok 2.0.0,action 1 passed," "an alias to one address: passed"
is "$(new_env)" "rcpt <bob@example.test>,dsn 1 notify=success orcpt=rfc822;solo@example.test," \
    "  NOTIFY with SUCCESS goes on to the one new recipient"
empty_queue

# a copy kept here and one forwarded: two places, so expanded
take copy1 -d '1 notify=success,failure' alice+copy@example.test
before=$(count_new alice)
run_local "$T/copy1" alice+copy@example.test
is "$(lines)" "rcpt 1 ok 2.0.0,action 1 expanded," \
    "a .postel keeping a copy and forwarding one: expanded"
is "$(count_new alice)" $((before + 1)) "  the copy is in the Maildir"
is "$(new_env)" "rcpt <bob@example.test>,dsn 1 notify=failure orcpt=rfc822;alice+2Bcopy@example.test," \
    "  the forward keeps FAILURE, not SUCCESS"
empty_queue

# deliveries here: delivered, and nothing queued
take plain1 -d '1 notify=success orcpt=rfc822;alice@example.test' alice@example.test
before=$(count_new alice)
run_local "$T/plain1" alice@example.test
is "$(lines)" "rcpt 1 ok 2.0.0,action 1 delivered," "a Maildir delivery: action delivered"
is "$(count_new alice)" $((before + 1)) "  into the Maildir"
is "$(new_env)" none "  and nothing re-queued"
take pipe1 -N success alice+pipe@example.test
run_local "$T/pipe1" alice+pipe@example.test
is "$(lines)" "rcpt 1 ok 2.0.0,action 1 delivered," "a program: action delivered"
take mbox1 alice+mbox@example.test
run_local "$T/mbox1" alice+mbox@example.test
is "$(lines)" "rcpt 1 ok 2.0.0,action 1 delivered," "an mbox: action delivered"
is "$(grep -c '^Subject: mbox1$' "$A/mbox")" 1 "  into the mbox"

# a failure has no action line
take nosuch1 -d '1 notify=success' alice+nosuch@example.test
printf '|exit 100\n' >"$A/.postel-nosuch"
own "$A/.postel-nosuch"
run_local "$T/nosuch1" alice+nosuch@example.test
is "$(lines)" "rcpt 1 perm 5.3.0," "a program that fails: perm, no action line"

# a queue file from before DSN: forwarded as before, with only the ORCPT
# added
{
	printf 'postel 1\narrival 1700000000\nfrom <carol@example.org>\n'
	printf 'rcpt <alice+fwd@example.test>\n\nSubject: old\n\nbody\n'
} >"$T/old"
run_local "$T/old" alice+fwd@example.test
is "$(lines)" "rcpt 1 ok 2.0.0,action 1 passed," "an old queue file forwarded: ok, passed"
is "$(new_env)" "rcpt <bob@example.test>,dsn 1 orcpt=rfc822;alice+2Bfwd@example.test," \
    "  the new message has the added ORCPT and nothing else"
f=$(ls "$POSTEL_ROOT"/queue/new/* 2>/dev/null | head -1)
is "$(grep -c -e '^from <carol@example.org>$' -e '^Delivered-To: alice+fwd@example.test$' -e '^Subject: old$' "$f" 2>/dev/null)" 3 \
    "  with the sender, Delivered-To: and the message as before"
empty_queue

# standard input that is not a queue file: no requests
printf 'Subject: piped\n\nbody\n' |
    "$B/local" -q x.1 carol@example.org alice+fwd@example.test >"$T/res.full" 2>"$T/err"
is "$(cut -d' ' -f1-4 "$T/res.full" | tr '\n' ,)" "rcpt 1 ok 2.0.0,action 1 passed," \
    "a message on a pipe forwarded: passed"
is "$(new_env)" "rcpt <bob@example.test>,dsn 1 orcpt=rfc822;alice+2Bfwd@example.test," \
    "  only the ORCPT added"
empty_queue
# a file at an offset behind something that is no envelope: the same
{ printf 'junk\n\n'; printf 'Subject: junk\n\nbody\n'; } >"$T/junk"
run_local "$T/junk" alice+fwd@example.test
is "$(new_env)" "rcpt <bob@example.test>,dsn 1 orcpt=rfc822;alice+2Bfwd@example.test," \
    "a file behind no envelope: no requests, only the ORCPT"
empty_queue
