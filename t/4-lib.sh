# t/4-lib.sh: helpers for the qrun/local tests (families 4 and 7), sourced
# after t/lib.sh.
# POSTEL_ALLOW_ROOT=1: t/4005 runs smtpd, which refuses root without it.
export POSTEL_ALLOW_ROOT=1
# as_recipients: when the suite runs as root, local switches to the
# recipient's uid, so give the Maildirs to nobody and let nobody reach
# them (and, with "queue", read conf and write the queue for forwards,
# as the setgid enqueue of an installed system would). Unprivileged,
# local delivers as the caller and nothing needs changing.
as_recipients() {
	[ "$(id -u)" -eq 0 ] || return 0
	chmod 711 "$T"
	chmod 755 "$POSTEL_ROOT" "$POSTEL_ROOT/mail"
	for u in "$POSTEL_ROOT"/mail/*; do
		chown -R nobody:nogroup "$u"
	done
	if [ "${1:-}" = queue ]; then
		chmod 755 "$POSTEL_ROOT/conf"
		chmod a+r "$POSTEL_ROOT"/conf/*
		chmod 777 "$POSTEL_ROOT/queue" "$POSTEL_ROOT/queue/tmp" \
		    "$POSTEL_ROOT/queue/new"
		chmod 666 "$POSTEL_ROOT/queue/trigger"
	fi
}

# own FILE...: files the test writes into a home must belong to its user
own() {
	[ "$(id -u)" -eq 0 ] || return 0
	chown nobody:nogroup "$@"
}

# count_new USER: messages in USER's Maildir/new
count_new() {
	ls "$POSTEL_ROOT/mail/$1/Maildir/new" | wc -l | tr -d ' '
}

# pass: one forced qrun pass, its log in $T/qrun.log
pass() {
	"$B/qrun" -1 -f >>"$T/qrun.log" 2>&1
}

# has_new USER N: USER's Maildir/new holds N messages (for wait_for)
has_new() {
	test "$(count_new "$1")" = "$2"
}

# queue_empty: nothing in new/ or cur/ (for wait_for)
queue_empty() {
	test "$(queue_count)" = 0
}
