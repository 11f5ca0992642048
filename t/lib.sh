# t/lib.sh: shared shell helpers for the TAP integration tests.
# Sourcing it sets T (a fresh temp dir), POSTEL_ROOT=$T/root, B (the
# programs), and a trap that kills every PID registered with `reap`.
# Functions: plan N, ok COND-STATUS NAME, is GOT WANT NAME,
# expect_exit CODE NAME CMD..., skip_all WHY, queue_count, setup_instance,
# free_port, wait_for SECONDS CMD..., reap PID, done_testing,
# diag_on_fail FILE...: if any test failed, the end of each FILE (logs of
# the servers and programs a test ran) goes to the TAP output as comments,
# so a failure in CI explains itself.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=${POSTEL_BUILD:-$TOP/build}/cmd
T=$(mktemp -d "${TMPDIR:-/tmp}/postel-t.XXXXXX")
POSTEL_ROOT=$T/root
export POSTEL_ROOT
POSTEL_LIBEXEC=$B
export POSTEL_LIBEXEC
_n=0
_fail=0
_pids=""
_diag=""
PY=/usr/bin/python3

_cleanup() {
	if [ $_fail -gt 0 ]; then
		for f in $_diag; do
			[ -s "$f" ] || continue
			echo "# --- last lines of ${f#"$T"/}"
			tail -n 25 "$f" | cut -c1-300 | sed 's/^/# /'
		done
	fi
	for p in $_pids; do
		kill "$p" 2>/dev/null
	done
	for p in $_pids; do
		# bounded: give each process 2 s to go, then SIGKILL
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 20 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -9 "$p" 2>/dev/null
	done
	[ -n "${KEEP_T:-}" ] || rm -rf "$T"
}
trap _cleanup EXIT
trap 'exit 1' INT TERM HUP

reap() { _pids="$_pids $*"; }
diag_on_fail() {
	for f in "$@"; do
		case " $_diag " in *" $f "*) ;; *) _diag="$_diag $f" ;; esac
	done
}
plan() { echo "1..$1"; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }

ok() {
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_n - $2"
	else
		echo "not ok $_n - $2"
		_fail=$((_fail + 1))
	fi
}

skip() {
	_n=$((_n + 1))
	echo "ok $_n # SKIP $*"
}

is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#   got:  %s\n#   want: %s\n' "$1" "$2"
	fi
}

# expect_exit CODE NAME CMD...: the command must exit with CODE exactly;
# death by a signal is a failure even when a non-zero code was expected.
expect_exit() {
	_want=$1; _name=$2; shift 2
	"$@" >"$T/.out" 2>"$T/.err"
	_rc=$?
	if [ "$_rc" -eq "$_want" ]; then
		ok 0 "$_name"
	else
		ok 1 "$_name"
		echo "#   exit $_rc, want $_want"
		sed 's/^/#   stderr: /' "$T/.err" | head -5
	fi
}

queue_count() {
	find "$POSTEL_ROOT/queue/new" "$POSTEL_ROOT/queue/cur" -type f | wc -l | tr -d ' '
}

setup_instance() {
	"$B/setup" "$POSTEL_ROOT" --me mx.example.test --domain example.test \
	    --user alice --user bob "$@" >/dev/null
}

# system_needs: skip the whole test unless it can make a system instance
# (root, setpriv, the daemon and nobody accounts, a plain build)
system_needs() {
	[ "$(id -u)" -eq 0 ] || skip_all "not root"
	command -v setpriv >/dev/null 2>&1 || skip_all "setpriv (util-linux) not installed"
	id daemon >/dev/null 2>&1 && id nobody >/dev/null 2>&1 ||
	    skip_all "no daemon or nobody account"
	[ -x "$TOP/build/cmd/enqueue" ] ||
	    skip_all "no plain build in build/ to install (run make first)"
}

# system_instance: `make install` into D=$T/dest and `setup --system` into
# R=$T/sys with daemon as queue and smtpd user, as an admin would
# (postel-security(7)); L is the libexec. Two test points. The plain
# build, even in the sanitizer run: LeakSanitizer cannot work in a setgid
# program, and enqueue is installed setgid.
system_instance() {
	chmod 711 "$T"
	D=$T/dest
	make -s -o all -C "$TOP" install DESTDIR="$D" SAN= O=build >"$T/make.out" 2>&1
	ok $? "make install DESTDIR=..."
	L=$D/usr/local/lib/postel
	chmod -R go+rX "$D"
	R=$T/sys
	"$L/setup" "$R" --system --queue-user daemon --smtpd-user daemon --pop3d-user daemon \
	    --libexec "$L" --me mx.example.test --domain example.test --user alice \
	    >"$T/setup.out" 2>&1
	ok $? "setup --system"
}

free_port() {
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_for SECONDS CMD...: run CMD every 0.05 s until it succeeds or the
# time is up; returns CMD's last status.
wait_for() {
	_limit=$(( $1 * 20 )); shift
	_i=0
	while [ $_i -lt $_limit ]; do
		"$@" && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	"$@"
}

done_testing() {
	[ $_fail -eq 0 ] || exit 1
	exit 0
}
