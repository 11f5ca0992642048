# t/3smtpd.sh: helpers for the smtpd tests (family 3), sourced after lib.sh.
# start_smtpd [VAR=value...]: smtpd under tcpserver on a free port ($port);
# its log goes to $T/smtpd.log. talk [-v] BYTES: one connection, BYTES
# (Python escapes: \r \n \x00) sent in one write, then the replies read
# until the server closes (at most 10 s); prints the final reply codes on
# one line, or with -v every reply line.
command -v tcpserver >/dev/null 2>&1 || skip_all "tcpserver (ucspi-tcp) not installed"
# smtpd refuses root (postel-security(7)); the suite may run as root
export POSTEL_ALLOW_ROOT=1

cat > "$T/talk.py" <<'PYEOF'
import codecs, socket, sys, warnings
# escape_decode warns on unknown escapes such as the \P of EICAR's text
warnings.simplefilter("ignore", DeprecationWarning)
verbose = sys.argv[1] == "-v"
port, data = sys.argv[-2], sys.argv[-1]
s = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
s.sendall(codecs.escape_decode(data.encode())[0])
got = b""
while True:
    try:
        b = s.recv(65536)
    except (socket.timeout, ConnectionResetError):
        break
    if not b:
        break
    got += b
lines = got.decode("latin-1").split("\r\n")
if verbose:
    print("\n".join(l for l in lines if l))
else:
    print(" ".join(l[:3] for l in lines if len(l) > 3 and l[3] == " "))
PYEOF

start_smtpd() {
	port=$(free_port)
	tcpserver -q -HRl0 127.0.0.1 "$port" env "$@" "$B/smtpd" \
	    2>>"$T/smtpd.log" &
	reap $!
	diag_on_fail "$T/smtpd.log"
	wait_for 5 $PY -c "import socket; socket.create_connection(('127.0.0.1', $port)).close()"
}

talk() {
	if [ "$1" = -v ]; then
		$PY "$T/talk.py" -v "$port" "$2"
	else
		$PY "$T/talk.py" - "$port" "$1"
	fi
}

# the newest queued message file, "" if none
last_msg() {
	ls -t "$POSTEL_ROOT/queue/new" | head -1 | sed "s|^|$POSTEL_ROOT/queue/new/|;/new\/$/d"
}

# message part (after the envelope) of queue file $1
msg_body() {
	sed '1,/^$/d' "$1"
}

# conf [LINE...]: conf/postel.conf as setup wrote it, plus LINEs
conf() {
	[ -f "$T/postel.conf.orig" ] ||
	    cp "$POSTEL_ROOT/conf/postel.conf" "$T/postel.conf.orig"
	cp "$T/postel.conf.orig" "$POSTEL_ROOT/conf/postel.conf"
	for _l in "$@"; do
		echo "$_l" >> "$POSTEL_ROOT/conf/postel.conf"
	done
}
