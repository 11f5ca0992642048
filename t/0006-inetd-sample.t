#!/bin/sh
# 0006-inetd-sample.t: the inetd sample in conf/ as inetd runs it: the
# command line of conf/inetd.conf, instance paths substituted, started
# with one accepted TCP connection as fds 0, 1 and 2. The client reads the
# 220 greeting first and no log line ever (postel-smtpd(8)), with the
# sample's syslog-stderr, with syslog unavailable, and with smtpd started
# directly, where lib/log sees that stderr is the connection and logs to
# syslog(3) instead.
. "$(dirname "$0")/lib.sh"
plan 15
setup_instance
export POSTEL_ALLOW_ROOT=1

# inetd.py OUT ARGV...: accept one loopback TCP connection, start ARGV
# with the connection as stdin, stdout and stderr (argv[0] is the program,
# argv[1:] its argv, as in inetd.conf), hold a short session and write
# what the client read to OUT, then the program's exit status. With
# SYSLOG_OUT set, it first binds /dev/log (in a mount namespace of its own,
# see private_dev) and writes the syslog datagrams it got there.
cat > "$T/inetd.py" <<'PYEOF'
import os, socket, subprocess, sys
out, prog, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
log = None
if os.environ.get("SYSLOG_OUT"):
    log = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    log.bind("/dev/log")
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(1)
c = socket.create_connection(ls.getsockname(), timeout=10)
conn, _ = ls.accept()
ls.close()
p = subprocess.Popen(argv, executable=prog, stdin=conn, stdout=conn,
                     stderr=conn)
conn.close()
f = c.makefile("rb")
got = []
def reply():
    while True:
        l = f.readline()
        got.append(l)
        if len(l) < 4 or l[3:4] != b"-":
            return
reply()
for cmd in (b"EHLO client.example.org", b"MAIL FROM:<x@example.org>",
            b"RCPT TO:<alice@example.test>", b"DATA"):
    c.sendall(cmd + b"\r\n")
    reply()
c.sendall(b"Subject: inetd\r\n\r\nhi\r\n.\r\nQUIT\r\n")
while True:
    try:
        b = c.recv(4096)
    except socket.timeout:
        got.append(b"(timeout)\n")
        break
    if not b:
        break
    got.append(b)
try:
    rc = p.wait(timeout=10)
except subprocess.TimeoutExpired:
    p.kill()
    rc = "timeout"
with open(out, "w") as o:
    o.write(b"".join(got).decode("latin-1"))
    o.write("exit %s\n" % rc)
if log:
    log.settimeout(1)                   # logger may still be sending
    with open(os.environ["SYSLOG_OUT"], "w") as o:
        while True:
            try:
                o.write(log.recv(4096).decode("latin-1").rstrip("\n") + "\n")
            except socket.timeout:
                break
PYEOF

# private_dev CMD...: run CMD in a mount namespace whose /dev is a fresh
# tmpfs holding the host's null, zero, random, urandom and full, so that
# CMD may bind /dev/log without touching the host's /dev.
private_dev() {
	unshare -m sh -c '
	t=$1; shift
	h=$(mktemp -d "$t/hostdev.XXXXXX") && mount --bind /dev "$h" &&
	mount -t tmpfs tmpfs /dev || exit 97
	for n in null zero random urandom full; do
		: > "/dev/$n" && mount --bind "$h/$n" "/dev/$n" || exit 97
	done
	exec "$@"' sh "$T" "$@"
}

# The shipped line: service, then "stream tcp nowait user", then the
# program and its argv; syslog-stderr comes from conf/ (make install puts
# it beside smtpd), smtpd from the build, the root is the test's.
line=$(grep -v '^#' "$TOP/conf/inetd.conf" | grep -v '^[[:space:]]*$')
# shellcheck disable=SC2086 # fields, split as inetd splits them
set -- $line
is "$1 $2 $3 $4" "smtp stream tcp nowait" "one line: smtp stream tcp nowait"
shift 5
args=""
for a in "$@"; do
	case $a in
	/usr/local/lib/postel/syslog-stderr) a=$TOP/conf/syslog-stderr ;;
	/usr/local/lib/postel/*) a=$B/${a#/usr/local/lib/postel/} ;;
	*/var/spool/postel*) a=$(printf '%s' "$a" | sed "s|/var/spool/postel|$POSTEL_ROOT|") ;;
	esac
	args="$args $a"
done
case $args in
*"$B/smtpd"*"$POSTEL_ROOT"*|*"$POSTEL_ROOT"*"$B/smtpd"*) r=0 ;;
*) r=1 ;;
esac
ok $r "the line names smtpd and the instance root"
diag_on_fail "$T/sample.out" "$T/nolog.out" "$T/direct.out"

check() { # NAME OUT: the session in OUT went as it should
	is "$(head -1 "$2" | cut -c1-4)" "220 " "$1: the client's first line is the 220 greeting"
	grep -q 'smtpd:' "$2"; ok $((! $?)) "$1: no log line reaches the client"
	is "$(grep -c '^250 2.0.0 .*queued as' "$2") $(tail -1 "$2")" "1 exit 0" \
	    "$1: the message is queued, smtpd exits 0"
}

# shellcheck disable=SC2086
$PY "$T/inetd.py" "$T/sample.out" $args
check "sample" "$T/sample.out"

# syslog unavailable: a logger that is gone at once (the pipe to it is
# closed before smtpd's first line)
mkdir "$T/bin"
printf '#!/bin/sh\nexit 1\n' > "$T/bin/logger"
chmod +x "$T/bin/logger"
# shellcheck disable=SC2086
PATH=$T/bin:$PATH $PY "$T/inetd.py" "$T/nolog.out" $args
check "no syslog" "$T/nolog.out"

# the line of old, smtpd with the connection on fd 2 too
$PY "$T/inetd.py" "$T/direct.out" /usr/bin/env env \
    POSTEL_ROOT="$POSTEL_ROOT" "$B/smtpd"
check "smtpd straight from inetd" "$T/direct.out"

# where the lines went: syslog, facility mail (LOG_MAIL|LOG_INFO = <22>)
skip4() { skip "$1"; skip "$1"; skip "$1"; skip "$1"; }
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null 2>&1; then
	skip4 "needs root and unshare(1) for a private /dev/log"
else
	# shellcheck disable=SC2086
	SYSLOG_OUT=$T/sample.log private_dev $PY "$T/inetd.py" "$T/ns1.out" $args
	r=$?
	SYSLOG_OUT=$T/direct.log private_dev $PY "$T/inetd.py" "$T/ns2.out" \
	    /usr/bin/env env POSTEL_ROOT="$POSTEL_ROOT" "$B/smtpd"
	r2=$?
	if [ $r -eq 97 ] || [ $r2 -eq 97 ]; then
		skip4 "no mount namespace here"
	else
		diag_on_fail "$T/sample.log" "$T/direct.log"
		grep -q '^<22>.* smtpd: connect sid=' "$T/sample.log"
		ok $? "sample: smtpd's log is in syslog, facility mail"
		grep -q '^<22>.* smtpd: disconnect sid=.* result=quit' "$T/sample.log"
		ok $? "sample: up to its last line"
		grep -q '^<22>.*smtpd\[[0-9]*\]: smtpd: connect sid=' "$T/direct.log"
		ok $? "smtpd straight from inetd: lib/log sends its lines to syslog, facility mail, ident smtpd"
		grep -q '^<22>.* smtpd: accepted sid=.* qid=' "$T/direct.log"
		ok $? "smtpd straight from inetd: every line, in lib/log's format"
	fi
fi
done_testing
