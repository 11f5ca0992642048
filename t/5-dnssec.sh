# t/5-dnssec.sh: a DNSSEC test world for the family-5 tests, sourced
# after lib.sh: zones signed with ldnsutils (ldns-keygen, ldns-signzone,
# ECDSA P-256, NSEC), served by nsd on one loopback address, and unbound
# on another as the validating resolver, trusting each signed zone
# through its DS as a trust anchor (no root anchor: a zone without one is
# insecure; no domain-insecure).
#
# dnssec_zone ZONE KIND <RECORDS: $T/dns/ZONE.zone from the records on
#   stdin (zone-file lines relative to ZONE; SOA, NS and ns.ZONE are
#   added). KIND: signed (secure), bogus (signed with one key, the
#   anchor names another: unbound answers SERVFAIL), expired (signatures
#   that expired in 2020: SERVFAIL too), unsigned (insecure: no anchor,
#   or a delegation without DS from a signed parent).
# dnssec_start AUTH_IP RESOLVER_IP: signs the zones, starts nsd on
#   AUTH_IP:53 and unbound on RESOLVER_IP:53 (each stopped by its PID
#   from the trap), waits (bounded) until unbound answers, and writes
#   $T/resolv.conf. Call after the last dnssec_zone. Names outside
#   the zones are SERVFAIL: unbound never asks the root servers.
# dnssec_run CMD...: CMD with libresolv-wrapper pointing it at unbound.
#   The wrapper reads only "nameserver" lines from its file (version
#   1.1.8), so "options trust-ad" there is ignored: the program itself
#   must ask glibc to keep the AD bit (RES_TRUSTAD, as lib/dns's _sec
#   lookups do); a program that does not sees AD cleared.
# dnssec_dig ARGS...: drill (ldnsutils) against unbound, for checks of
#   the world itself.
[ -x /usr/sbin/nsd ] || skip_all "nsd not installed"
[ -x /usr/sbin/unbound ] || skip_all "unbound not installed"
command -v ldns-signzone >/dev/null 2>&1 || skip_all "ldnsutils not installed"
command -v drill >/dev/null 2>&1 || skip_all "drill (ldnsutils) not installed"
WRAP=$(for d in /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/lib; do
	[ -e "$d/libresolv_wrapper.so" ] && echo "$d/libresolv_wrapper.so" && break; done)
[ -n "$WRAP" ] || skip_all "libresolv-wrapper not installed"
[ "$(id -u)" -eq 0 ] || skip_all "not root (nsd and unbound bind port 53)"
# Under SAN=1 the sanitizer runtime must come before the wrapper.
_asan=$(ldd "${POSTEL_BUILD:-$TOP/build}/t/drivers/dnssec_probe" 2>/dev/null |
    awk '/libasan/ {print $3}')
[ -z "$_asan" ] || WRAP="$_asan $WRAP"

DNS=$T/dns
mkdir -p "$DNS/keys"
_zones=""

dnssec_zone() {
	_z=$1
	_zones="$_zones $_z:$2"
	{
		printf '$ORIGIN %s.\n$TTL 300\n' "$_z"
		printf '@ SOA ns.%s. hostmaster.%s. 1 3600 600 86400 300\n' "$_z" "$_z"
		printf '@ NS ns.%s.\nns A @AUTH@\n' "$_z"
		cat
	} >"$DNS/$_z.in"
}

# _sign ZONE KIND: $DNS/ZONE.zone for nsd, and the anchor into
# $DNS/anchors
_sign() {
	sed "s/@AUTH@/$_auth/g" "$DNS/$1.in" >"$DNS/$1.zone"
	[ "$2" = unsigned ] && return 0
	(cd "$DNS/keys" && ldns-keygen -a ECDSAP256SHA256 -k "$1") >"$DNS/$1.key" ||
	    return 1
	_k=$DNS/keys/$(cat "$DNS/$1.key")
	_when=
	[ "$2" = expired ] && _when="-i 20200101 -e 20200102"
	# shellcheck disable=SC2086
	ldns-signzone $_when -f "$DNS/$1.signed" "$DNS/$1.zone" "$_k" ||
	    return 1
	mv "$DNS/$1.signed" "$DNS/$1.zone"
	if [ "$2" = bogus ]; then
		# the anchor is a key the zone was never signed with
		(cd "$DNS/keys" && ldns-keygen -a ECDSAP256SHA256 -k "$1") \
		    >"$DNS/$1.key" || return 1
		_k=$DNS/keys/$(cat "$DNS/$1.key")
	fi
	cat "$_k.ds" >>"$DNS/anchors"
}

dnssec_start() {
	_auth=$1; _res=$2
	: >"$DNS/anchors"
	{
		printf 'server:\n  ip-address: %s\n  port: 53\n' "$_auth"
		printf '  username: ""\n  chroot: ""\n  database: ""\n'
		printf '  zonesdir: "%s"\n  pidfile: ""\n' "$DNS"
		printf '  xfrdfile: "%s/xfrd.state"\n  xfrdir: "%s"\n' "$DNS" "$DNS"
		printf '  zonelistfile: "%s/zone.list"\n' "$DNS"
		printf '  server-count: 1\n  verbosity: 1\n  reuseport: no\n'
		printf 'remote-control:\n  control-enable: no\n'
	} >"$DNS/nsd.conf"
	{
		printf 'server:\n  interface: %s\n  port: 53\n' "$_res"
		printf '  do-daemonize: no\n  username: ""\n  chroot: ""\n'
		printf '  directory: "%s"\n  pidfile: ""\n' "$DNS"
		printf '  use-syslog: no\n  logfile: ""\n  verbosity: 1\n'
		printf '  val-log-level: 2\n  do-not-query-localhost: no\n'
		printf '  access-control: 127.0.0.0/8 allow\n'
		printf '  module-config: "validator iterator"\n'
		printf '  trust-anchor-file: "%s/anchors"\n' "$DNS"
		printf '  local-zone: "test." nodefault\n'
		printf '  harden-dnssec-stripped: yes\n'
		printf '  trust-anchor-signaling: no\n'
		# never the root servers: names outside the zones go to nsd,
		# which refuses them (SERVFAIL at once, not a timeout)
		printf 'stub-zone:\n  name: "."\n  stub-addr: %s\n' "$_auth"
		printf 'remote-control:\n  control-enable: no\n'
	} >"$DNS/unbound.conf"
	for _zk in $_zones; do
		_z=${_zk%%:*}
		_sign "$_z" "${_zk#*:}" || { echo "# cannot sign $_z"; return 1; }
		printf 'zone:\n  name: "%s"\n  zonefile: "%s.zone"\n' \
		    "$_z" "$_z" >>"$DNS/nsd.conf"
		printf 'stub-zone:\n  name: "%s"\n  stub-addr: %s\n' \
		    "$_z" "$_auth" >>"$DNS/unbound.conf"
	done
	/usr/sbin/nsd -d -c "$DNS/nsd.conf" -l "$DNS/nsd.log" \
	    >>"$DNS/nsd.log" 2>&1 &
	reap $!
	/usr/sbin/unbound -d -c "$DNS/unbound.conf" >"$DNS/unbound.log" 2>&1 &
	reap $!
	diag_on_fail "$DNS/nsd.log" "$DNS/unbound.log"
	echo "nameserver $_res" >"$T/resolv.conf"
	echo "options trust-ad" >>"$T/resolv.conf"
	# their own "started" lines first: drill waits 15 s for a port that
	# nobody has bound yet, and a port that answers may be another's
	wait_for 10 grep -qsE 'nsd started|error' "$DNS/nsd.log"
	wait_for 10 grep -qsE 'start of service|error' "$DNS/unbound.log"
	_answers "$_auth" || { echo "# nsd does not answer on $_auth"; return 1; }
	_answers "$_res" || { echo "# unbound does not answer on $_res"; return 1; }
}

# _answers IP: an answer to ns.ZONE's A for the first zone
_answers() {
	_z=${_zones# }; _z=${_z%%:*}
	drill -Q -u @"$1" "ns.$_z" A 2>/dev/null | grep -q .
}

dnssec_run() {
	LD_PRELOAD=$WRAP RESOLV_WRAPPER_CONF=$T/resolv.conf "$@"
}

dnssec_dig() {
	drill -u @"$_res" "$@"
}
