#!/bin/sh
# 8211-dkim-keygen.t: postel dkim-keygen makes an RSA key that openssl
# and opendkim-testkey accept, mode 0600 for the queue user, never over
# an existing key, and prints the DNS record of its public key (strings
# of at most 255 octets) and the conf/dkim-sign line.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/82-sign-lib.sh"
command -v openssl >/dev/null 2>&1 || skip_all "openssl not installed"
plan 20
setup_instance
K=$POSTEL_ROOT/conf/dkim/example.test.sel1.key

keygen Example.TEST sel1
is "$?" 0 "dkim-keygen exits 0"
is "$(stat -c %a "$K")" 600 "the key is mode 0600"
is "$(stat -c %a "$POSTEL_ROOT/conf/dkim")" 700 "conf/dkim is mode 0700"
openssl rsa -check -noout -in "$K" >"$T/check.out" 2>&1
ok $? "openssl rsa -check accepts the key"
is "$(openssl rsa -in "$K" -text -noout 2>/dev/null | sed -n 's/.*Private-Key: (\([0-9]*\) bit.*/\1/p')" 2048 "2048 bits by default"
head -1 "$K" | grep -q '^-----BEGIN RSA PRIVATE KEY-----$'; ok $? "PEM RSA PRIVATE KEY"
O=$T/Example.TEST.sel1.out
is "$(txt_name "$O")" sel1._domainkey.example.test "the record's name is SELECTOR._domainkey.DOMAIN"
want=$(openssl rsa -in "$K" -pubout -outform DER 2>/dev/null | base64 -w0)
got=$(txt_strings "$O" | tr -d ',' | sed 's/^v=DKIM1; k=rsa; p=//')
is "$got" "$want" "p= is the key's SubjectPublicKeyInfo in base64"
txt_strings "$O" | grep -q '^v=DKIM1; k=rsa; ,p='; ok $? "v=DKIM1; k=rsa; first"
long=$(txt_strings "$O" | tr ',' '\n' | awk 'length($0) > 255' | wc -l)
n=$(txt_strings "$O" | tr ',' '\n' | wc -l)
[ "$long" -eq 0 ] && [ "$n" -ge 3 ]; ok $? "the record is split into strings of at most 255 octets ($n strings)"
grep -qx 'example.test sel1 dkim/example.test.sel1.key' "$O"; ok $? "prints the conf/dkim-sign line"

sum=$(cksum <"$K")
expect_exit 100 "refuses to overwrite an existing key" "$B/postel" dkim-keygen example.test sel1
grep -q 'exists: not replaced' "$T/.err"; ok $? "and says why"
is "$(cksum <"$K")" "$sum" "the key is unchanged"
expect_exit 100 "-b 512 is refused (RFC 8301: at least 1024)" "$B/postel" dkim-keygen -b 512 example.test sel9
expect_exit 100 "a bad selector is refused" "$B/postel" dkim-keygen example.test 'a/b'
keygen example.test sel2 -b 1024
is "$(openssl rsa -in "$POSTEL_ROOT/conf/dkim/example.test.sel2.key" -text -noout 2>/dev/null | sed -n 's/.*Private-Key: (\([0-9]*\) bit.*/\1/p')" 1024 "-b 1024 makes a 1024-bit key"

if [ "$(id -u)" -eq 0 ]; then
	chown nobody "$POSTEL_ROOT/queue"
	keygen example.test sel3
	is "$(stat -c %U "$POSTEL_ROOT/conf/dkim/example.test.sel3.key")" nobody "as root, the key belongs to the queue's owner"
else
	skip "not root: no key made for another user"
fi

# opendkim-testkey against the record served by dnsmasq (its libunbound
# reads the resolver from a configuration file; .test needs nodefault)
if ! command -v opendkim-testkey >/dev/null 2>&1; then
	skip "opendkim-testkey (opendkim-tools) not installed"
	skip "opendkim-testkey (opendkim-tools) not installed"
elif [ ! -x /usr/sbin/dnsmasq ]; then
	skip "dnsmasq not installed"
	skip "dnsmasq not installed"
else
	/usr/sbin/dnsmasq --keep-in-foreground --no-resolv --no-hosts \
	    --bind-interfaces --listen-address=127.0.82.11 --port=53 \
	    --local=/test/ --pid-file= --log-facility=- \
	    "--txt-record=sel1._domainkey.example.test,$(txt_strings "$O")" \
	    >"$T/dnsmasq.log" 2>&1 &
	reap $!
	diag_on_fail "$T/dnsmasq.log"
	cat >"$T/unbound.conf" <<UEOF
server:
	do-not-query-localhost: no
	module-config: "iterator"
	local-zone: "test." nodefault
forward-zone:
	name: "."
	forward-addr: 127.0.82.11
UEOF
	echo "ResolverConfiguration $T/unbound.conf" >"$T/opendkim.conf"
	tk() {
		timeout 20 opendkim-testkey -x "$T/opendkim.conf" -d example.test \
		    -s sel1 -k "$1" -vvv 2>&1
	}
	wait_for 10 sh -c "grep -qs 'started' '$T/dnsmasq.log'"
	tk "$K" | grep -q 'key OK'; ok $? "opendkim-testkey: the key matches the published record"
	tk "$POSTEL_ROOT/conf/dkim/example.test.sel2.key" | grep -q 'key OK'
	ok $((! $?)) "opendkim-testkey: another key does not"
fi
done_testing
