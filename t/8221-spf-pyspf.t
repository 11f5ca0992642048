#!/bin/sh
# 8221-spf-pyspf.t: `postel spf` and Debian's pyspf give the same SPF
# result for each case of t/82-spf-cases, over one zone served by dnsmasq
# (t/82-spf-zone.conf, more than 60 SPF records exercising RFC 7208's
# mechanisms, modifiers, macros, limits and errors). postel reads it
# through libresolv-wrapper, pyspf through dnspython aimed at the same
# server. Cases where pyspf departs from the RFC are marked "rfc" in the
# cases file, with the section; there only postel is held to the RFC.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/5-lib.sh"
$PY -c 'import spf, dns.resolver' 2>/dev/null ||
    skip_all "python3-spf (pyspf) not installed"
[ "$(id -u)" -eq 0 ] || skip_all "not root (dnsmasq listens on port 53)"
_udp_busy 127.82.21.53 && skip_all "127.82.21.53:53 is in use"

CASES=$TOP/t/82-spf-cases
n=$(grep -vc '^#\|^$' "$CASES")
plan $((n + 6))

dns_start 127.82.21.53 --conf-file="$TOP/t/82-spf-zone.conf"
$PY "$TOP/t/82-spf-pyspf.py" 127.82.21.53 "$CASES" >"$T/pyspf.out" \
    2>"$T/pyspf.err"
ok $? "pyspf ran over the cases"
diag_on_fail "$T/pyspf.err"

spf() {
	LD_PRELOAD=$WRAP RESOLV_WRAPPER_CONF=$T/resolv.conf \
	    "$B/postel" spf "$@"
}

i=0
grep -v '^#\|^$' "$CASES" | while read -r ip sender helo want rfc; do
	i=$((i + 1))
	py=$(sed -n "${i}p" "$T/pyspf.out" | cut -f1)
	got=$(spf "$ip" "$sender" "$helo" 2>&1 | head -n 1)
	got=${got#spf=}
	got=${got%% *}
	name="$ip $sender: $want"
	if [ -n "$rfc" ]; then
		# pyspf deviates from the RFC here (see the cases file)
		if [ "$got" = "$want" ]; then
			echo "ok $((i + 1)) - $name (RFC 7208; pyspf says $py)"
		else
			echo "not ok $((i + 1)) - $name (RFC 7208)"
			echo "#   postel: $got"
		fi
	elif [ "$got" = "$want" ] && [ "$py" = "$want" ]; then
		echo "ok $((i + 1)) - $name"
	else
		echo "not ok $((i + 1)) - $name"
		echo "#   postel: $got, pyspf: $py"
	fi
done | tee "$T/cases.tap"
_n=$((n + 1))
grep -q '^not ok' "$T/cases.tap" && _fail=1

# the explanation (6.2) both expand, and the HELO line
k=$(grep -v '^#\|^$' "$CASES" | grep -n '^192.0.2.1 a@exp.spf.test ' |
    cut -d: -f1)
out=$(spf 192.0.2.1 a@exp.spf.test helo1.spf.test)
is "$(echo "$out" | sed -n 's/.*explanation: \(.*\))$/\1/p')" \
    "$(sed -n "${k}p" "$T/pyspf.out" | cut -f2)" "exp= text as pyspf expands it"
is "$(echo "$out" | sed -n 2p)" \
    "spf=pass smtp.helo=helo1.spf.test (helo1.spf.test: mechanism ip4:192.0.2.1 matched)" \
    "the HELO identity on its own line"
expect_exit 0 "a temperror is still an answer" spf 192.0.2.1 a@temp.invalid
is "$(cat "$T/.out")" \
    "spf=temperror smtp.mailfrom=a@temp.invalid (temp.invalid: DNS failure for TXT)" \
    "temperror printed"
expect_exit 100 "a bad address is a usage error" spf 192.0.2.300 a@pass.spf.test
done_testing
