#!/bin/sh
# 9007-pop3d-not-loopback.t: auth-plaintext allows USER/PASS and AUTH
# PLAIN without TLS only from loopback. The test runs in a network
# namespace of its own (unshare -n) with 10.9.9.1 on a veth (or dummy)
# link: a client there is not on loopback, even when TCPREMOTEIP says
# 127.0.0.1, and must use STLS; on 127.0.0.1, and on a pipe (not a
# socket), the same configuration lets it in. Needs root.
if [ -z "${POP_NETNS:-}" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "1..0 # SKIP not root"; exit 0; }
	unshare -n true 2>/dev/null ||
	    { echo "1..0 # SKIP no network namespaces here (unshare -n failed)"; exit 0; }
	POP_NETNS=1 exec unshare -n "$0" "$@"
fi
ip link set lo up || { echo "1..0 # SKIP cannot set up lo in the namespace"; exit 0; }
if ip link add d0 type dummy 2>/dev/null; then
	ip addr add 10.9.9.1/24 dev d0 && ip link set d0 up
elif ip link add v0 type veth peer name v1 2>/dev/null; then
	ip addr add 10.9.9.1/24 dev v0 && ip link set v0 up && ip link set v1 up
else
	false
fi || { echo "1..0 # SKIP no dummy or veth link in the namespace"; exit 0; }
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/9-lib.sh"
plan 13
pop_instance "auth-plaintext yes"
deliver alice 1 n
A=alice@example.test
L="USER $A"
P="PASS secret"
POP_HOST=10.9.9.1 pop3d_start
out=$(POP_HOST=10.9.9.1 pop CAPA QUIT)
echo "$out" | grep -qx STLS; ok $? "10.9.9.1: STLS offered"
echo "$out" | grep -qx 'USER\|SASL.*'; ok $((! $?)) "10.9.9.1: no USER, no SASL in CAPA"
out=$(POP_HOST=10.9.9.1 pop -c "$L" "$P" STAT QUIT)
case $out in
"+OK +OK -ERR -ERR +OK" | "+OK -ERR -ERR -ERR +OK") ok 0 "10.9.9.1: USER/PASS refused" ;;
*) ok 1 "10.9.9.1: USER/PASS refused: $out" ;;
esac
is "$(POP_HOST=10.9.9.1 pop -c @plain $A secret STAT QUIT)" "+OK -ERR -ERR +OK" \
    "10.9.9.1: AUTH PLAIN refused"
grep -q "^pop3d: login .*result=ok" "$T/pop3d.log"; ok $((! $?)) "no login succeeded"
is "$(POP_HOST=10.9.9.1 pop -c @stls "$L" "$P" STAT QUIT)" "+OK +OK +OK +OK +OK +OK" \
    "10.9.9.1: after STLS, USER/PASS"
pop3d_stop

POP_HOST=10.9.9.1 pop3d_start TCPREMOTEIP=127.0.0.1
out=$(POP_HOST=10.9.9.1 pop -c "$L" "$P" STAT QUIT)
case $out in
"+OK +OK -ERR -ERR +OK" | "+OK -ERR -ERR -ERR +OK") ok 0 "TCPREMOTEIP=127.0.0.1 from 10.9.9.1: still refused" ;;
*) ok 1 "TCPREMOTEIP=127.0.0.1 from 10.9.9.1: still refused: $out" ;;
esac
is "$(POP_HOST=10.9.9.1 pop -c @plain $A secret QUIT)" "+OK -ERR +OK" \
    "TCPREMOTEIP=127.0.0.1 from 10.9.9.1: AUTH PLAIN refused"
pop3d_stop

pop3d_start
is "$(pop -c "$L" "$P" STAT QUIT)" "+OK +OK +OK +OK +OK" "127.0.0.1: USER/PASS without TLS"
pop_conf
is "$(pop -c "$L" "$P" STAT QUIT | cut -d' ' -f3,4)" "-ERR -ERR" \
    "127.0.0.1 without auth-plaintext: refused"

# a pipe is not a socket
printf '#!/bin/sh\nexec timeout 20 "%s" 2>>"%s"\n' "$B/pop3d" "$T/pop3d.log" >"$T/pipe"
chmod 755 "$T/pipe"
pop_conf "auth-plaintext yes"
is "$(pop -c --exec "$T/pipe" "$L" "$P" STAT QUIT)" "+OK +OK +OK +OK +OK" \
    "on a pipe with auth-plaintext: in"
pop_conf
is "$(pop -c --exec "$T/pipe" "$L" "$P" STAT QUIT | cut -d' ' -f3,4)" "-ERR -ERR" \
    "on a pipe without it: refused"
is "$(msgs alice)" 1 "the message is still there"
done_testing
