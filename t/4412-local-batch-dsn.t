#!/bin/sh
# 4412-local-batch-dsn.t: local -m (postel-result(5), Batches) reads each
# message's DSN requests from its own envelope, carries them on in a
# forward, and writes the action line of each ok message right after its
# ok line; a message that fails has none.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
. "$(dirname "$0")/441-dsn.sh"
plan 9
setup_instance
printf 'team alice@example.test, bob@example.test\n' >>"$POSTEL_ROOT/conf/aliases"
as_recipients queue
own "$POSTEL_ROOT/conf/aliases"
A=$POSTEL_ROOT/mail/alice
printf '&bob@example.test\n' >"$A/.postel-fwd"
own "$A/.postel-fwd"
diag_on_fail "$T/err" "$T/enqueue.err"

# batch RCPT FILE...: local -m for RCPT, the k-th queue file on fd 0, 3,
# 4 (at its envelope); the lines in $T/res, cut to four words
batch() {
	_r=$1
	shift
	"$B/local" -m -- "$_r" "$@" <"$T/$1" 3<"$T/$2" 4<"$T/$3" \
	    >"$T/res.full" 2>"$T/err"
	cut -d' ' -f1-4 "$T/res.full" >"$T/res"
}
# pairs: "K:the line after rcpt K ok" for each ok line, sorted, with
# commas: each action line must follow its own ok line
pairs() {
	awk '/^rcpt [0-9]+ ok /{ k = $2; n = ""; getline n; print k ":" n }' \
	    "$T/res.full" | sort | tr '\n' ,
}

take m1 -d '1 notify=success' alice@example.test
printf 'garbage\n\nSubject: m2\n\nbody\n' >"$T/m2"
take m3 alice@example.test
before=$(count_new alice)
batch alice@example.test m1 m2 m3
is "$(sort "$T/res" | tr '\n' ,)" \
    "action 1 delivered,action 3 delivered,rcpt 1 ok 2.0.0,rcpt 2 temp 4.3.0,rcpt 3 ok 2.0.0," \
    "Maildir batch: an action line for each delivered message, none for the bad one"
is "$(pairs)" "1:action 1 delivered,3:action 3 delivered," \
    "  each right after its ok line"
is "$(count_new alice)" $((before + 2)) "  two in the Maildir"

take f1 -R hdrs -V batch1 -d '1 notify=success,failure orcpt=rfc822;one@example.org' \
    alice+fwd@example.test
take f2 alice+fwd@example.test
take f3 -N delay bob@example.test alice+fwd@example.test
batch alice+fwd@example.test f1 f2 f3
is "$(pairs)" "1:action 1 passed,2:action 2 passed,3:action 3 passed," \
    "forward batch: each message passed"
is "$(new_env f1)" "rcpt <bob@example.test>,ret hdrs,envid batch1,dsn 1 notify=success,failure orcpt=rfc822;one@example.org," \
    "  the first copy carries the first message's requests"
is "$(new_env f2)" "rcpt <bob@example.test>,dsn 1 orcpt=rfc822;alice+2Bfwd@example.test," \
    "  the second, none but the ORCPT added"
is "$(new_env f3)" "rcpt <bob@example.test>,dsn 1 notify=delay orcpt=rfc822;alice+2Bfwd@example.test," \
    "  the third, its message's NOTIFY for the recipient"
empty_queue

take t1 -d '1 notify=success,failure' team@example.test
take t2 -d '1 notify=failure' team@example.test
take t3 team@example.test
batch team@example.test t1 t2 t3
is "$(pairs)" "1:action 1 expanded,2:action 2 expanded,3:action 3 expanded," \
    "alias batch: each message expanded"
is "$(new_env t1)" "rcpt <alice@example.test>,rcpt <bob@example.test>,dsn 1 notify=failure orcpt=rfc822;team@example.test,dsn 2 notify=failure orcpt=rfc822;team@example.test," \
    "  the first message's new recipients: FAILURE without SUCCESS"
