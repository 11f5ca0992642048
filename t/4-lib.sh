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

# libexec_without_remote: POSTEL_LIBEXEC=$L=$T/libexec, holding the real
# local, enqueue and qrun; the test writes its own fake $L/remote
libexec_without_remote() {
	L=$T/libexec
	mkdir "$L"
	for p in local enqueue qrun; do ln -s "$B/$p" "$L/$p"; done
	POSTEL_LIBEXEC=$L
}

# cur_msg ID ARRIVAL SUBJECT RCPT...: a message from carol@example.org
# written straight into cur/, as a runner that died left it
cur_msg() {
	_id=$1 _arr=$2 _subj=$3
	shift 3
	{
		printf 'postel 1\narrival %s\nfrom <carol@example.org>\n' "$_arr"
		for _r in "$@"; do printf 'rcpt <%s>\n' "$_r"; done
		printf '\nSubject: %s\n\nb\n' "$_subj"
	} >"$POSTEL_ROOT/queue/cur/$_id"
}

# count_new USER: messages in USER's Maildir/new
count_new() {
	ls "$POSTEL_ROOT/mail/$1/Maildir/new" | wc -l | tr -d ' '
}

# pass: one forced qrun pass, its log in $T/qrun.log
pass() {
	diag_on_fail "$T/qrun.log"
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

# qrun_start: run the daemon (log in $T/qrun.log, PID in $qpid) until it
# says it started; a killed runner's half-forked child may hold the lock
# for a moment, so try again, at most 50 times
qrun_start() {
	_tries=0
	while [ $_tries -lt 50 ]; do
		diag_on_fail "$T/qrun.log"
		"$B/qrun" 2>>"$T/qrun.log" &
		qpid=$!
		reap $qpid
		wait_for 2 grep -q "start mode=daemon pid=$qpid\$" "$T/qrun.log" &&
		    return 0
		kill -9 $qpid 2>/dev/null
		_tries=$((_tries + 1))
	done
	return 1
}

# strace_needs: skip the whole test unless strace can trace here; and,
# since LeakSanitizer cannot run under a tracer (the sanitizer build), no
# leak checks: the same programs are checked for leaks by other tests
strace_needs() {
	command -v strace >/dev/null 2>&1 || skip_all "strace not installed"
	strace -f -o /dev/null true >/dev/null 2>&1 ||
	    skip_all "strace cannot trace here (ptrace not allowed)"
	no_leak_checks
}

# no_leak_checks: for the load and kill runs. LeakSanitizer checks for
# leaks at exit with a tracer process that has the program's own name; a
# SIGKILL that hits the tracer (a kill by name, or of a process group)
# leaves the program spinning in StopTheWorld forever. Leaks are checked
# by every other test.
no_leak_checks() {
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
}

# remote_sink IP: t/5-sink.py on IP and a free port, files in $T/sink;
# conf/routes sends remote.test there, and local and remote run ten at once
remote_sink() {
	_sp=$(free_port)
	mkdir "$T/sink"
	$PY "$TOP/t/5-sink.py" --listen "$1:$_sp" --dir "$T/sink" 2>"$T/sink.log" &
	reap $!
	diag_on_fail "$T/sink.log"
	wait_for 10 test -e "$T/sink/ready" || echo "# the sink did not start"
	echo "remote.test [$1]:$_sp tls=none" >"$POSTEL_ROOT/conf/routes"
	printf 'concurrency-local 10\nconcurrency-remote 10\n' \
	    >>"$POSTEL_ROOT/conf/postel.conf"
}

# deferring_sink: for flush and hold tests, a sink that answers 450 to
# the first RCPT of each temp* local part and 250 after, as remote.test in
# conf/routes; an hour between attempts, so only a flush retries sooner.
# Sets port; got N: the sink holds N messages.
deferring_sink() {
	printf 'me mx.example.test\nretry-schedule 3600\n' >"$POSTEL_ROOT/conf/postel.conf"
	chmod a+r "$POSTEL_ROOT/conf/postel.conf"
	port=$(free_port)
	mkdir "$T/sink"
	$PY "$TOP/t/5-sink.py" --listen "127.0.0.1:$port" --dir "$T/sink" --temp-once \
	    2>"$T/sink.log" &
	reap $!
	diag_on_fail "$T/sink.log" "$T/qrun.log"
	wait_for 10 test -e "$T/sink/ready" || echo "# the sink did not start"
	echo "remote.test [127.0.0.1]:$port tls=none" >"$POSTEL_ROOT/conf/routes"
	chmod a+r "$POSTEL_ROOT/conf/routes"
}
got() { test "$(ls "$T/sink" | grep -c 'raw$')" = "$1"; }
