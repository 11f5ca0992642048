# t/5-lib.sh: helpers for the family-5 (remote) tests, sourced after lib.sh.
# dns_start IP DNSMASQ-ARGS...: a dnsmasq serving the records on IP:53 and
#   $T/resolv.conf pointing at it (unknown names under .test: NXDOMAIN).
# sink_start NAME ADDR:PORT ARGS...: t/5-sink.py recording into $T/NAME.
# remote ARGS...: run build/cmd/remote with the fake resolver, the message
#   from $T/msg, results on stdout (POSTEL_ALLOW_ROOT=1: tests run as root).
[ -x /usr/sbin/dnsmasq ] || skip_all "dnsmasq not installed"
WRAP=$(for d in /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/lib; do
	[ -e "$d/libresolv_wrapper.so" ] && echo "$d/libresolv_wrapper.so" && break; done)
[ -n "$WRAP" ] || skip_all "libresolv-wrapper not installed"
$PY -c 'import ssl' 2>/dev/null || skip_all "python3 with ssl needed"
export POSTEL_ALLOW_ROOT=1
# Under SAN=1 the sanitizer runtime must come before the wrapper.
_asan=$(ldd "$B/remote" 2>/dev/null | awk '/libasan/ {print $3}')
[ -z "$_asan" ] || WRAP="$_asan $WRAP"

_udp_busy() {
	$PY -c "import socket,sys
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
try: s.bind(('$1',53))
except OSError: sys.exit(0)
sys.exit(1)"
}

dns_start() {
	_ip=$1; shift
	/usr/sbin/dnsmasq --keep-in-foreground --no-resolv --no-hosts \
	    --bind-interfaces --listen-address="$_ip" --port=53 \
	    --local=/test/ --pid-file= --log-facility=- "$@" \
	    >"$T/dnsmasq.log" 2>&1 &
	reap $!
	diag_on_fail "$T/dnsmasq.log"
	echo "nameserver $_ip" > "$T/resolv.conf"
	# its own "started" line: a port that answers may be another's
	wait_for 10 grep -qE 'started, version|failed|[Ee]rror' "$T/dnsmasq.log"
	grep -q 'started, version' "$T/dnsmasq.log" && wait_for 10 _udp_busy "$_ip" ||
	    echo "# dnsmasq did not start on $_ip"
}

sink_start() {
	_name=$1; _listen=$2; shift 2
	mkdir -p "$T/$_name"
	$PY "$TOP/t/5-sink.py" --listen "$_listen" --dir "$T/$_name" "$@" \
	    2>"$T/$_name.log" &
	reap $!
	diag_on_fail "$T/$_name.log"
	wait_for 10 test -e "$T/$_name/ready" || echo "# sink $_name did not start"
}

remote() {
	LD_PRELOAD=$WRAP RESOLV_WRAPPER_CONF=$T/resolv.conf \
	    "$B/remote" "$@" <"$T/msg"
}
