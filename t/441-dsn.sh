# t/441-dsn.sh: helpers for the tests of local's DSN requests (t/441x),
# sourced after t/lib.sh and t/4-lib.sh.
# Q: the queue's new/, where enqueue puts a message and a forward its copy.
Q=$POSTEL_ROOT/queue/new

# take FILE ARGS...: enqueue the message "Subject: FILE" with enqueue ARGS
# (options, then recipients), and move its queue file out of the queue to
# $T/FILE, so that what local re-queues is all the queue holds
take() {
	_name=$1
	shift
	printf 'Subject: %s\n\nbody\n' "$_name" |
	    "$B/enqueue" -f carol@example.org "$@" >/dev/null 2>"$T/enqueue.err" ||
	    echo "# enqueue failed: $(cat "$T/enqueue.err")"
	for _f in "$Q"/*; do mv "$_f" "$T/$_name"; done
}

# run_local FILE RCPT: local as qrun runs it, standard input the queue
# file FILE positioned at the message (its envelope read past, line by
# line); the result lines, cut to their first four words, in $T/res
run_local() {
	{
		while IFS= read -r _l && [ -n "$_l" ]; do :; done
		"$B/local" -q "$(basename "$1")" carol@example.org "$2" \
		    >"$T/res.full" 2>"$T/err"
	} <"$1"
	cut -d' ' -f1-4 "$T/res.full" >"$T/res"
}

# lines: $T/res as one line, the lines ending in commas
lines() {
	tr '\n' , <"$T/res"
}

# new_env [SUBJECT]: the recipients and DSN lines (ret, envid, notify,
# dsn) of the one message in the queue (with SUBJECT, if given), as one
# line with commas; "none" when there is no such message, "several"
# when there is more than one
new_env() {
	if [ $# -gt 0 ]; then
		set -- $(grep -l "^Subject: $1\$" "$Q"/* 2>/dev/null)
	else
		set -- "$Q"/*
	fi
	if [ $# -eq 0 ] || [ ! -e "$1" ]; then
		echo none
	elif [ $# -gt 1 ]; then
		echo several
	else
		sed '/^$/q' "$1" | grep -E '^(rcpt|ret|envid|notify|dsn) ' |
		    tr '\n' ,
	fi
}

# empty_queue: empty the queue's new/
empty_queue() {
	rm -f "$Q"/*
}
