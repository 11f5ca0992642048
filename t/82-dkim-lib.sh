# t/82-dkim-lib.sh: helpers of the DKIM tests (t/8201, t/8202), sourced
# after lib.sh and 5-lib.sh (dns_start, the resolver wrapper).
#   dkim_dns DNSMASQ-ARGS...: dns_start on a 127.82.N.1 that this test
#       really holds (N from the PID; another address if one is taken)
#   make_key NAME BITS: $T/NAME.pem (openssl genrsa) and $T/NAME.pub, its
#       public key as one base64 line (DER SubjectPublicKeyInfo)
#   txt_arg NAME SELECTOR DOMAIN: a dnsmasq --txt-record for the key's
#       record, cut into strings of at most 200 octets (RFC 6376 3.6.2.2)
#   record NAME: the record as one string, in $T/NAME.rec
#   verify ARGS...: postel dkim-verify through the fake resolver
#   peer ARGS...: t/82-dkim-peer.py (dkimpy)
#   edge_msgs: $T/edge1..5, the bodies canonicalization has corners for:
#       empty, none (no blank line), blank lines only, no final LF, and a
#       field whose value starts on a fold
$PY -c 'import dkim' 2>/dev/null ||
    skip_all "python3-dkim (dkimpy) not installed"
command -v openssl >/dev/null 2>&1 || skip_all "openssl not installed"
# Under SAN=1 the sanitizer runtime must come before the wrapper; 5-lib.sh
# looks at remote, which a partial build may lack.
_pa=$(ldd "$B/postel" 2>/dev/null | awk '/libasan/ {print $3}')
case "$WRAP" in *libasan*) ;; *) [ -z "$_pa" ] || WRAP="$_pa $WRAP" ;; esac

make_key() {
	openssl genrsa -out "$T/$1.pem" "$2" 2>/dev/null &&
	openssl rsa -in "$T/$1.pem" -pubout -outform DER 2>/dev/null |
	    base64 -w0 >"$T/$1.pub" || echo "# openssl genrsa $2 failed"
	printf 'v=DKIM1; k=rsa; p=%s\n' "$(cat "$T/$1.pub")" >"$T/$1.rec"
}

txt_arg() {
	_r=$(cat "$T/$1.rec"); _a="--txt-record=$2._domainkey.$3"
	while [ ${#_r} -gt 200 ]; do
		_a="$_a,$(printf '%s' "$_r" | cut -c1-200)"
		_r=$(printf '%s' "$_r" | cut -c201-)
	done
	printf '%s,%s' "$_a" "$_r"
}

verify() {
	LD_PRELOAD=$WRAP RESOLV_WRAPPER_CONF=$T/resolv.conf \
	    "$B/postel" dkim-verify "$@"
}

peer() {
	$PY "$TOP/t/82-dkim-peer.py" "$@"
}

edge_msgs() {
	_h='From: a@example.test\nDate: Thu, 03 Dec 2026 12:00:00 +0000\n'
	printf "$_h\n" >"$T/edge1"
	printf "$_h" >"$T/edge2"
	printf "$_h\n  \t\n\n" >"$T/edge3"
	printf "$_h\nno final newline" >"$T/edge4"
	printf "${_h}Subject:\n\tfolded-start\n\n x \n" >"$T/edge5"
}

dkim_dns() {
	_k=0
	while [ $_k -lt 20 ]; do
		_ip=127.82.$(( ($$ + _k * 37) % 250 + 1 )).1
		_k=$((_k + 1))
		! _udp_busy "$_ip" || continue
		dns_start "$_ip" "$@"
		_dp=$!
		wait_for 5 grep -qE 'started, version|failed' "$T/dnsmasq.log"
		if kill -0 "$_dp" 2>/dev/null &&
		    grep -q 'started, version' "$T/dnsmasq.log"; then
			return 0
		fi
		kill "$_dp" 2>/dev/null
	done
	echo "# found no loopback address for dnsmasq"
	return 1
}
