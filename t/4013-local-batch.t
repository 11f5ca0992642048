#!/bin/sh
# 4013-local-batch.t: local -m, several queued messages for one recipient
# in one run (postel-local(8)): each envelope read from its descriptor
# (0, 3, 4, ...), one result line per message in argv order, the same
# files a one-message run makes, a bad envelope costing only its own
# message, an instruction file's pipe run once per message.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
plan 35
setup_instance
echo "postmaster alice" > "$POSTEL_ROOT/conf/aliases"
as_recipients queue
own "$POSTEL_ROOT/conf/aliases"     # aliases run as its owner under root
A=$POSTEL_ROOT/mail/alice
Q=$POSTEL_ROOT/queue/new
diag_on_fail "$T/err"

# queue FROM SUBJECT RCPT: enqueue one message, its queue ID on stdout
queue() {
	printf 'From: x\nSubject: %s\n\nbody of %s\n>From here\n' "$2" "$2" |
	    "$B/enqueue" -f "$1" "$3" 2>&1 >/dev/null |
	    sed -n 's/.*queued qid=\([^ ]*\) .*/\1/p'
}

q1=$(queue carol@example.org one alice@example.test)
q2=$(queue dave@example.org two alice@example.test)
q3=$(queue '' three alice@example.test)
"$B/local" -m -- alice@example.test "$q1" "$q2" "$q3" \
    <"$Q/$q1" 3<"$Q/$q2" 4<"$Q/$q3" >"$T/res" 2>"$T/err"
ok $? "local -m exits 0 after reporting"
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4 | tr '\n' ,)" \
    "rcpt 1 ok 2.0.0,rcpt 2 ok 2.0.0,rcpt 3 ok 2.0.0," \
    "one ok line per message, K in argv order"
is "$(count_new alice)" 3 "three messages in Maildir/new"
is "$(ls "$A/Maildir/tmp" | wc -l | tr -d ' ')" 0 "nothing left in Maildir/tmp"
is "$(grep -h '^Return-Path:' "$A"/Maildir/new/* | sort | tr '\n' ,)" \
    "Return-Path: <>,Return-Path: <carol@example.org>,Return-Path: <dave@example.org>," \
    "each message's sender from its own envelope (the null sender too)"

# the same messages delivered one at a time, as qrun does today (the
# queue file at the message), make the same files under the same names
mkdir "$T/batch"
mv "$A"/Maildir/new/* "$T/batch/"
for q in "$q1" "$q2" "$q3"; do
	from=$(sed -n 's/^from <\(.*\)>$/\1/p' "$Q/$q")
	sed '1,/^$/d' "$Q/$q" >"$T/body"
	"$B/local" -q "$q" "$from" alice@example.test <"$T/body" >>"$T/one" 2>>"$T/err"
done
is "$(grep -c '^rcpt 1 ok' "$T/one")" 3 "three one-message runs: ok"
is "$(ls "$A/Maildir/new" | tr '\n' ,)" "$(ls "$T/batch" | tr '\n' ,)" \
    "the one-message runs make the same names"
same=0
for f in "$T"/batch/*; do
	cmp -s "$f" "$A/Maildir/new/${f##*/}" || same=1
done
ok $same "and byte-identical files"
rm -f "$A"/Maildir/new/*

# a queue file whose envelope is garbage: that message temp, the others go on
printf 'not an envelope\n\nSubject: no\n' >"$T/garbage"
q4=$(queue carol@example.org four alice@example.test)
q5=$(queue carol@example.org five alice@example.test)
"$B/local" -m -- alice@example.test "$q4" bad "$q5" \
    <"$Q/$q4" 3<"$T/garbage" 4<"$Q/$q5" >"$T/res" 2>"$T/err"
ok $? "exit 0 with a bad envelope in the batch"
# (a result needing no sync goes out at once: lines come in any order)
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4 | sort | tr '\n' ,)" \
    "rcpt 1 ok 2.0.0,rcpt 2 temp 4.3.0,rcpt 3 ok 2.0.0," \
    "the bad one is temp 4.3.0, the others delivered"
is "$(count_new alice)" 2 "two messages in Maildir/new"
is "$(grep -l '^Subject: \(four\|five\)$' "$A"/Maildir/new/* | wc -l | tr -d ' ')" 2 \
    "they are the two good ones"
# no descriptor at all for the third
"$B/local" -m -- alice@example.test "$q4" "$q5" "$q1" \
    <"$Q/$q4" 3<"$Q/$q5" >"$T/res" 2>"$T/err"
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4 | sort | tr '\n' ,)" \
    "rcpt 1 ok 2.0.0,rcpt 2 ok 2.0.0,rcpt 3 temp 4.3.0," \
    "a missing descriptor: temp for that message"
is "$(count_new alice)" 2 "delivering 4 and 5 again finds their first copies"
rm -f "$A"/Maildir/new/*

# an instruction file with a pipe: the program runs once per message,
# with that message's sender, and sees none of the batch's queue files
printf '|cat >> piped; echo "$SENDER" >> senders; ls -l /proc/$$/fd/ | grep -c queue >> fds; exit 0\n' \
    >"$A/.postel-pipe"
own "$A/.postel-pipe"
"$B/local" -m -- alice+pipe@example.test "$q1" "$q2" "$q3" \
    <"$Q/$q1" 3<"$Q/$q2" 4<"$Q/$q3" >"$T/res" 2>"$T/err"
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4 | tr '\n' ,)" \
    "rcpt 1 ok 2.0.0,rcpt 2 ok 2.0.0,rcpt 3 ok 2.0.0," "piped: three ok lines"
is "$(grep -c '^Delivered-To: alice+pipe@example.test$' "$A/piped")" 3 \
    "the program got three messages"
is "$(grep '^Subject:' "$A/piped" | tr '\n' ,)" \
    "Subject: one,Subject: two,Subject: three," "each once, in order"
is "$(tr '\n' , <"$A/senders")" "carol@example.org,dave@example.org,," \
    "SENDER from each envelope"
is "$(tr '\n' , <"$A/fds")" "0,0,0," "no queue file open in the program"
is "$(count_new alice)" 0 "nothing in the Maildir"

# a pipe failing for one message only
printf '|grep -q "^Subject: two" && exit 100; cat >> piped2\n' >"$A/.postel-pick"
own "$A/.postel-pick"
"$B/local" -m -- alice+pick@example.test "$q1" "$q2" "$q3" \
    <"$Q/$q1" 3<"$Q/$q2" 4<"$Q/$q3" >"$T/res" 2>"$T/err"
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4 | tr '\n' ,)" \
    "rcpt 1 ok 2.0.0,rcpt 2 perm 5.3.0,rcpt 3 ok 2.0.0," \
    "a program failing for one message fails that one only"

# an mbox: each message appended once, From_ lines quoted
printf './mbox\n' >"$A/.postel-box"
own "$A/.postel-box"
"$B/local" -m -- alice+box@example.test "$q1" "$q2" "$q3" \
    <"$Q/$q1" 3<"$Q/$q2" 4<"$Q/$q3" >"$T/res" 2>"$T/err"
is "$(grep -c '^rcpt [1-3] ok 2.0.0 ' "$T/res")" 3 "mbox: three ok lines"
n=$($PY -c 'import mailbox,sys; print(",".join(m["Subject"] for m in mailbox.mbox(sys.argv[1])))' "$A/mbox")
is "$n" "one,two,three" "Python reads the three messages from the mbox, in order"
is "$(grep -c '^>>From here$' "$A/mbox")" 3 "each body quoted once"

# an alias (postmaster -> alice, a forward): each message re-queued once
before=$(queue_count)
"$B/local" -m -- postmaster@example.test "$q1" "$q2" "$q3" \
    <"$Q/$q1" 3<"$Q/$q2" 4<"$Q/$q3" >"$T/res" 2>"$T/err"
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4 | tr '\n' ,)" \
    "rcpt 1 ok 2.0.0,rcpt 2 ok 2.0.0,rcpt 3 ok 2.0.0," \
    "alias forwarding a batch: three ok lines"
is "$(queue_count)" "$((before + 3))" "three forwards queued"

# before any message: one msg line for all
"$B/local" -m -- nosuch@example.test "$q1" "$q2" <"$Q/$q1" 3<"$Q/$q2" \
    >"$T/res" 2>"$T/err"
ok $? "unknown recipient: exit 0 after reporting"
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-3)" "msg perm 5.1.1" "unknown recipient: one msg line for the batch"

# a pipe that hangs on the second message: the first one's result is
# already written when the run is killed (nothing delivered is lost to a
# kill at qrun's deadline), and the second has none
printf './Maildir/\n|cat >/dev/null; if [ -e hung ]; then echo $$ >hung; exec sleep 30; fi; touch hung\n' \
    >"$A/.postel-hang"
own "$A/.postel-hang"
rm -f "$A/hung" "$A"/Maildir/new/*
timeout -s KILL 3 "$B/local" -m -- alice+hang@example.test "$q1" "$q2" \
    <"$Q/$q1" 3<"$Q/$q2" >"$T/res" 2>"$T/err"
is "$?" 137 "the run hangs on the second message and is killed"
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4 | tr '\n' ,)" "rcpt 1 ok 2.0.0," \
    "the first message's result was written before the hang"
is "$(count_new alice)" 2 "both Maildir copies are there (the second in flight)"
kill "$(cat "$A/hung")" 2>/dev/null   # the program local left hanging

# the limits of the form
set --
i=0
while [ $i -lt 65 ]; do set -- "$@" "$q1"; i=$((i + 1)); done
expect_exit 111 "65 messages: temporary (only a fault of qrun makes them)" \
    "$B/local" -m -- alice@example.test "$@"
is "$(cut -d' ' -f1-3 "$T/.out")" "msg temp 4.3.0" "  with a msg line"
expect_exit 100 "no queue ID: usage error" "$B/local" -m -- alice@example.test
expect_exit 100 "-q with -m: usage error" "$B/local" -m -q "$q1" -- alice@example.test "$q1"
