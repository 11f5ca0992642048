# t/82-dkim-lib.sh: helpers of the DKIM tests (t/8201, t/8202), sourced
# after lib.sh and 5-lib.sh (dns_start, the resolver wrapper).
#   make_key NAME BITS: $T/NAME.pem (openssl genrsa) and $T/NAME.pub, its
#       public key as one base64 line (DER SubjectPublicKeyInfo)
#   txt_arg NAME SELECTOR DOMAIN: a dnsmasq --txt-record for the key's
#       record, cut into strings of at most 200 octets (RFC 6376 3.6.2.2)
#   record NAME: the record as one string, in $T/NAME.rec
#   verify ARGS...: postel dkim-verify through the fake resolver
#   peer ARGS...: t/82-dkim-peer.py (dkimpy)
$PY -c 'import dkim' 2>/dev/null || skip_all "python3-dkim (dkimpy) not installed"
command -v openssl >/dev/null 2>&1 || skip_all "openssl not installed"

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
