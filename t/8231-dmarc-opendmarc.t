#!/bin/sh
# 8231-dmarc-opendmarc.t: `postel dmarc` (lib/dmarc, lib/psl) on DMARC
# records served by dnsmasq through libresolv-wrapper: pass through SPF
# or DKIM, fail under p=none, quarantine and reject, sp= below the
# organizational domain, relaxed and strict alignment of both
# identifiers, no record, two records, a bad record, a temporary DNS
# failure; and the same cases through Debian's opendmarc on the same
# DNS and the same public suffix list: its library libopendmarc (through
# t/82-dmarc-opendmarc.py) for the whole result, opendmarc-check for the
# records. Where opendmarc departs from RFC 7489 the case says so and
# is not compared (its result is printed).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/5-lib.sh"
plan 61

# The shipped list, with "test" as a public suffix like "com": opendmarc
# gives a name under no rule no organizational domain of its own, where
# RFC 7489 3.2 and postel use the default rule "*" (t/unit/psl.c).
mkdir -p "$POSTEL_ROOT/conf"
{ cat "$TOP/conf/public-suffix-list.dat"; echo test; echo pub.test; } \
    > "$POSTEL_ROOT/conf/public-suffix-list.dat"

dns_start 127.0.0.82 --local=/uk/ \
    --txt-record=_dmarc.reject.test,"v=DMARC1; p=reject" \
    --txt-record=_dmarc.quar.test,"v=DMARC1; p=quarantine; rua=mailto:d@quar.test" \
    --txt-record=_dmarc.none.test,"v=DMARC1; p=none; pct=20" \
    --txt-record=_dmarc.sub.test,"v=DMARC1; p=reject; sp=none" \
    --txt-record=_dmarc.own.sub.test,"v=DMARC1; p=quarantine" \
    --txt-record=_dmarc.strict.test,"v=DMARC1; p=reject; adkim=s; aspf=s" \
    --txt-record=_dmarc.mixed.test,"v=spf1 -all" \
    --txt-record=_dmarc.mixed.test,"v=DMARC1; p=quarantine; sp=reject; aspf=s; pct=100" \
    --txt-record=_dmarc.two.test,"v=DMARC1; p=reject" \
    --txt-record=_dmarc.two.test,"v=DMARC1; p=none" \
    --txt-record=_dmarc.bad.test,"v=DMARC1; p=bogus" \
    --txt-record=_dmarc.badrua.test,"v=DMARC1; p=bogus; rua=mailto:d@badrua.test" \
    --txt-record=_dmarc.example.co.uk,"v=DMARC1; p=quarantine; sp=reject; adkim=s"

# under SAN=1 the sanitizer runtime comes first (5-lib.sh finds it
# through remote, which a partial build may lack)
_asan=$(ldd "$B/postel" 2>/dev/null | awk '/libasan/ {print $3}')
case $WRAP in
*libasan*) ;;
*) [ -z "$_asan" ] || WRAP="$_asan $WRAP" ;;
esac
PYWRAP=${WRAP##* }

pd() {
	LD_PRELOAD=$WRAP RESOLV_WRAPPER_CONF=$T/resolv.conf \
	    "$B/postel" dmarc "$@"
}

# 1-3: one whole answer; where the record was found; the exit codes
pd x.sub.test > "$T/out" 2>"$T/err"; st=$?
is "$st" 0 "a policy was found: exit 0"
is "$(cat "$T/out")" "domain: x.sub.test
organizational-domain: sub.test
record-at: _dmarc.sub.test
record: v=DMARC1; p=reject; sp=none
p: reject
sp: none
adkim: r
aspf: r
pct: 100
policy: none (sp)" "below the org domain, found there: sp= applies"
expect_exit 100 "no record: exit 100" pd nothing.test
# 4-6
pd nothing.test > "$T/out" 2>&1
is "$(cat "$T/out")" "domain: nothing.test
organizational-domain: nothing.test
policy: -
result: none
why: no DMARC record" "no record: what it says"
expect_exit 111 "a temporary DNS failure: exit 111" pd a.temp.example
pd a.temp.example > "$T/out" 2>&1
is "$(sed -n 's/^result: //p' "$T/out")" temperror "its result: temperror"
# 7-10: which list: the instance's (here with a rule pub.test of its
# own), else Debian's, or the one -l names
is "$(pd --org a.b.pub.test x.y.github.io a.b.ide.kyoto.jp)" \
    "a.b.pub.test b.pub.test
x.y.github.io y.github.io
a.b.ide.kyoto.jp b.ide.kyoto.jp" "--org: the instance's list, no DNS"
mv "$POSTEL_ROOT/conf/public-suffix-list.dat" "$T/list"
if [ -r /usr/share/publicsuffix/public_suffix_list.dat ]; then
	is "$(pd --org a.b.pub.test)" "a.b.pub.test pub.test" \
	    "without it, Debian's list"
else
	skip "Debian's publicsuffix not installed"
fi
expect_exit 111 "-l a list that does not exist: exit 111" \
    pd -l "$T/none" reject.test
expect_exit 0 "-l names another list" pd -l "$T/list" reject.test
mv "$T/list" "$POSTEL_ROOT/conf/public-suffix-list.dat"

# The cases: FROM SPF-PASS DKIM-PASSES (comma-separated) EXIT RESULT POLICY,
# then "-" or why opendmarc differs. 2 tests each (postel; opendmarc).
cat > "$T/cases" <<'EOF'
reject.test reject.test - 0 pass reject -
reject.test other.test other.test 0 fail reject -
a.reject.test b.reject.test - 0 pass reject -
quar.test - - 0 fail quarantine -
quar.test - x.y.quar.test 0 pass quarantine -
none.test - - 0 fail none -
x.sub.test - - 0 fail none -
sub.test - - 0 fail reject -
y.own.sub.test - - 0 fail none -
own.sub.test - own.sub.test 0 pass quarantine -
strict.test strict.test - 0 pass reject -
a.strict.test - strict.test 0 fail reject opendmarc's strict mode takes the org domain for a subdomain of it
strict.test - mail.strict.test 0 fail reject opendmarc's strict mode takes a subdomain for the org domain
mixed.test mail.mixed.test - 0 fail quarantine opendmarc's strict mode takes a subdomain for the org domain
mixed.test - mail.mixed.test 0 pass quarantine -
a.mixed.test - - 0 fail reject -
mail.example.co.uk - example.co.uk 0 fail reject -
mail.example.co.uk other.co.uk mail.example.co.uk 0 pass reject -
nothing.test nothing.test - 100 none - -
bad.test bad.test - 100 permerror - -
badrua.test - - 0 fail none opendmarc rejects an invalid p= even with rua= (RFC 7489 6.6.3 step 6: p=none)
two.test - - 100 none - opendmarc takes one of two records (RFC 7489 6.6.3 step 5: none)
quar.test test - 0 fail quarantine opendmarc aligns a public suffix as SPF domain in relaxed mode
a.nothing.test - - 100 none - -
EOF
set --
while read -r from spf dkim code res pol why; do
	c=$from
	[ "$spf" = - ] || c="$c,spf=$spf"
	[ "$dkim" = - ] || for d in $(echo "$dkim" | tr , ' '); do
		c="$c,dkim=$d"; done
	set -- "$@" "$c"
done < "$T/cases"
od_lib=$(ldconfig -p 2>/dev/null | grep -c 'libopendmarc.so.2 ')
if [ "$od_lib" -gt 0 ]; then
	LD_PRELOAD=$PYWRAP RESOLV_WRAPPER_CONF=$T/resolv.conf \
	    $PY "$TOP/t/82-dmarc-opendmarc.py" \
	    "$POSTEL_ROOT/conf/public-suffix-list.dat" "$@" \
	    > "$T/od" 2>"$T/od.err"
	diag_on_fail "$T/od.err"
fi
i=0
while read -r from spf dkim code res pol why; do
	i=$((i + 1))
	# without an SPF pass, an SPF result "none", so that the whole
	# result is computed
	set -- "$from"
	if [ "$spf" = - ]; then
		set -- --spf "none:$from" "$@"
	else
		set -- --spf "pass:$spf" "$@"
	fi
	[ "$dkim" = - ] || for d in $(echo "$dkim" | tr , ' '); do
		set -- --dkim "pass:$d" "$@"; done
	pd "$@" > "$T/out" 2>"$T/err"; st=$?
	r=$(sed -n 's/^result: //p' "$T/out")
	p=$(sed -n 's/^policy: \([a-z-]*\).*/\1/p' "$T/out")
	is "$st $r $p" "$code $res $pol" "$from spf=$spf dkim=$dkim: $res, $pol"
	# what opendmarc_get_policy_to_enforce says for that result
	case $res in
	pass) want=pass ;; fail) want=$pol ;; *) want=absent ;;
	esac
	fields=$(awk '/^(p|sp|adkim|aspf|pct):/ { sub(":", "="); printf "%s%s", s, $0; s = " " }' \
	    "$T/out" | sed 's/= /=/g')
	got=$(sed -n "${i}p" "$T/od" 2>/dev/null)
	if [ "$od_lib" -eq 0 ]; then
		skip "libopendmarc2 not installed"
	elif [ "$why" != - ]; then
		echo "# opendmarc says: $got"
		skip "known difference: $why"
	else
		case $got in
		*" status=ok "*) odf=$(echo "$got" | sed 's/.*status=ok \(.*\) policy=.*/\1/') ;;
		*) odf= ;;
		esac
		is "${got##* } $odf" "policy=$want $fields" \
		    "opendmarc agrees: $from spf=$spf dkim=$dkim"
	fi
done < "$T/cases"

# the records at the names themselves, through opendmarc-check
for d in reject.test quar.test strict.test; do
	pd "$d" > "$T/out" 2>&1
	mine=$(awk '/^pct:/ {print "pct", $2} /^adkim:/ {print "adkim", $2}
	    /^aspf:/ {print "aspf", $2} /^p:/ {print "p", $2} /^sp:/ {print "sp", $2}' \
	    "$T/out" | sort | tr '\n' ' ')
	if [ ! -x /usr/sbin/opendmarc-check ]; then
		skip "opendmarc not installed"
		continue
	fi
	LD_PRELOAD=$PYWRAP RESOLV_WRAPPER_CONF=$T/resolv.conf \
	    /usr/sbin/opendmarc-check "$d" > "$T/oc" 2>&1
	theirs=$(awk -F': ' '
	    /Sample percentage/ {print "pct", $2}
	    /DKIM alignment/ {print "adkim", substr($2, 1, 1)}
	    /SPF alignment/ {print "aspf", substr($2, 1, 1)}
	    /Domain policy/ {p = $2; print "p", $2}
	    /Subdomain policy/ {sp = $2}
	    END {print "sp", (sp == "unspecified" ? p : sp)}' "$T/oc" |
	    sort | tr '\n' ' ')
	is "$theirs" "$mine" "opendmarc-check reads _dmarc.$d as postel does"
done
done_testing
