#!/bin/sh
# 4014-local-batch-syncs.t: the syncs a Maildir delivery costs, counted
# with strace: one message alone, its file and new/ (2 fsyncs); a batch
# of five (local -m), each file and new/ once for the batch (6 fsyncs),
# with every result line written after that one directory sync.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
strace_needs
plan 9
setup_instance
as_recipients
A=$POSTEL_ROOT/mail/alice
Q=$POSTEL_ROOT/queue/new
diag_on_fail "$T/err" "$T/trace"

queue() {
	printf 'Subject: %s\n\nbody\n' "$1" |
	    "$B/enqueue" -f carol@example.org alice@example.test 2>&1 >/dev/null |
	    sed -n 's/.*queued qid=\([^ ]*\) .*/\1/p'
}
# count WHAT: fsync/fdatasync calls in $T/trace on a Maildir's new/
# (dir) or on a message file under tmp/ (file); -y names the descriptors
count() {
	case $1 in
	dir) grep -E '^[0-9]+ +f(data)?sync\(.*/Maildir/new>\) += 0' "$T/trace" ;;
	file) grep -E '^[0-9]+ +f(data)?sync\(.*/Maildir/tmp/[^>]*>\) += 0' "$T/trace" ;;
	all) grep -E '^[0-9]+ +f(data)?sync\(' "$T/trace" ;;
	esac | wc -l | tr -d ' '
}

q=$(queue alone)
sed '1,/^$/d' "$Q/$q" >"$T/body"
strace -f -y -e trace=fsync,fdatasync -o "$T/trace" \
    "$B/local" -q "$q" carol@example.org alice@example.test \
    <"$T/body" >"$T/res" 2>"$T/err"
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-3)" "rcpt 1 ok" "one message: delivered"
is "$(count file)/$(count dir)/$(count all)" "1/1/2" \
    "one message: its file and new/ synced, nothing else"
rm -f "$A"/Maildir/new/*

set --
for s in 1 2 3 4 5; do set -- "$@" "$(queue "m$s")"; done
# fd 0 for the first, 3, 4, 5, 6 for the others; -e write too, to see
# the order of the directory sync and the result lines
strace -f -y -e trace=fsync,fdatasync,write -o "$T/trace" \
    "$B/local" -m -- alice@example.test "$@" \
    <"$Q/$1" 3<"$Q/$2" 4<"$Q/$3" 5<"$Q/$4" 6<"$Q/$5" >"$T/res" 2>"$T/err"
ok $? "a batch of five: exit 0"
is "$(grep -c '^rcpt [1-5] ok 2.0.0 ' "$T/res")" 5 "five ok lines"
is "$(count_new alice)" 5 "five messages in Maildir/new"
is "$(count file)" 5 "five file fsyncs, one per message"
is "$(count dir)" 1 "one fsync of Maildir/new for the batch"
is "$(count all)" 6 "no other sync"
# the first line that writes a result comes after the directory sync
first_rcpt=$(grep -n 'write(1[<,].*"rcpt ' "$T/trace" | head -1 | cut -d: -f1)
dir_sync=$(grep -n 'sync(.*/Maildir/new>)' "$T/trace" | head -1 | cut -d: -f1)
ok "$([ -n "$first_rcpt" ] && [ -n "$dir_sync" ] &&
    [ "$dir_sync" -lt "$first_rcpt" ]; echo $?)" \
    "no result line before new/ is synced"
