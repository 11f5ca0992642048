#!/bin/sh
# 8201-dkim-dkimpy.t: messages signed by Debian's dkimpy (rsa-sha256 with
# each canonicalization, l=, rsa-sha1) verify with postel dkim-verify,
# which reads the keys from dnsmasq (long records as several strings);
# one changed byte in a signed header or in the body fails, and a key
# lookup that fails for now is temporary.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/5-lib.sh"
. "$TOP/t/82-dkim-lib.sh"
plan 37

make_key k2048 2048
make_key k1024 1024
dkim_dns "$(txt_arg k2048 sel1 example.test)" \
    "$(txt_arg k1024 short example.test)"

cat >"$T/msg" <<'MSG'
From: Alice <alice@example.test>
To: Bob <bob@example.net>,
  Carol <carol@example.net>
Subject: Hello   there
Date: Thu, 03 Dec 2026 12:00:00 +0000
Message-ID: <1@example.test>

Hi  Bob,	

a test with  spaces   and a tab	here.


MSG

# check NAME CODE WANT FILE: postel dkim-verify FILE exits CODE and
# prints WANT, written short: "header." left out, b= as b=*
short() {
	sed -e 's/ header\.\([dsb]\)=/ \1=/g' -e 's/ b=[^ ]*/ b=*/' "$@"
}
check() {
	verify "$4" >"$T/out" 2>"$T/err"
	_rc=$?
	is "$_rc $(short "$T/out")" "$2 $3" "$1"
}

# flip OLD NEW IN OUT: one changed byte
flip() { sed "s/$1/$2/" "$3" >"$4"; }

n=0
for c in "relaxed relaxed" "simple simple" "relaxed simple" \
    "simple relaxed"; do
	n=$((n + 1))
	peer sign "$T/k2048.pem" example.test sel1 $c rsa-sha256 <"$T/msg" \
	    >"$T/s$n"
	check "dkimpy $c verifies" 0 "dkim=pass d=example.test s=sel1 b=*" \
	    "$T/s$n"
	flip 'Subject: Hello' 'Subject: Hellp' "$T/s$n" "$T/h$n"
	check "$c: a changed header byte fails" 100 \
	    "dkim=fail d=example.test s=sel1 b=* (signature did not verify)" \
	    "$T/h$n"
	flip 'a test with' 'a tost with' "$T/s$n" "$T/b$n"
	check "$c: a changed body byte fails" 100 \
	    "dkim=fail d=example.test s=sel1 b=* (body hash did not verify)" \
	    "$T/b$n"
done

# the same bytes in queue form (LF) verify as well
tr -d '\r' <"$T/s1" >"$T/lf"
check "in LF form too" 0 "dkim=pass d=example.test s=sel1 b=*" "$T/lf"
verify <"$T/s2" >"$T/out" 2>"$T/err"
is "$? $(cut -c1-55 "$T/out")" \
    "0 dkim=pass header.d=example.test header.s=sel1 header.b=" \
    "from standard input"
flip 'Subject: Hello   there' 'Subject: Hello there ' "$T/s1" "$T/ws"
check "relaxed: changed white space still verifies" 0 \
    "dkim=pass d=example.test s=sel1 b=*" "$T/ws"
flip 'Subject: Hello   there' 'Subject: Hello there ' "$T/s2" "$T/ws"
check "simple: changed white space fails" 100 \
    "dkim=fail d=example.test s=sel1 b=* (signature did not verify)" "$T/ws"

# l=: what is added after the signed length is not signed, so the
# signature passes only when l= covers the whole body (RFC 6376 8.2)
peer sign "$T/k2048.pem" example.test sel1 relaxed relaxed rsa-sha256 l \
    <"$T/msg" >"$T/l"
grep -q '; l=' "$T/l"; ok $? "dkimpy wrote l="
check "l= verifies" 0 "dkim=pass d=example.test s=sel1 b=*" "$T/l"
{ cat "$T/l"; printf 'To unsubscribe, write to x@example.test\r\n'; } >"$T/l2"
check "l=: text added after it makes the signature no pass" 100 \
    "dkim=policy d=example.test s=sel1 b=* (l= leaves part of the body unsigned)" "$T/l2"
flip 'a test with' 'a tost with' "$T/l" "$T/l3"
check "l=: a changed byte inside it fails" 100 \
    "dkim=fail d=example.test s=sel1 b=* (body hash did not verify)" "$T/l3"

# rsa-sha1 verifies but is not acceptable (RFC 8301)
peer sign "$T/k2048.pem" example.test sel1 relaxed relaxed rsa-sha1 \
    <"$T/msg" >"$T/sha1"
check "rsa-sha1: policy" 100 \
    "dkim=policy d=example.test s=sel1 b=* (rsa-sha1)" "$T/sha1"

# a 1024-bit key, in one string
peer sign "$T/k1024.pem" example.test short relaxed relaxed rsa-sha256 \
    <"$T/msg" >"$T/k1"
check "a 1024-bit key verifies" 0 "dkim=pass d=example.test s=short b=*" \
    "$T/k1"

# the wrong key, no key, DNS failing for now
sed 's/s=sel1;/s=short;/' "$T/s1" >"$T/wrong"
check "a signature checked with another key fails" 100 \
    "dkim=fail d=example.test s=short b=* (signature did not verify)" \
    "$T/wrong"
sed 's/s=sel1;/s=gone;/' "$T/s1" >"$T/gone"
check "no key record: permerror" 100 \
    "dkim=permerror d=example.test s=gone b=* (no key)" "$T/gone"
peer sign "$T/k2048.pem" example.org sel1 relaxed relaxed rsa-sha256 \
    <"$T/msg" >"$T/temp"
check "a lookup that fails for now: temperror, 111" 111 \
    "dkim=temperror d=example.org s=sel1 b=* (key lookup failed for now)" \
    "$T/temp"

# two signatures: one passing is enough; each gets its line
cat "$T/temp" | sed -n '1,/^$/p' | sed -n '/^DKIM-Signature/,/^[^ \t]/p' |
    sed '$d' >"$T/two"
cat "$T/s1" >>"$T/two"
verify "$T/two" >"$T/out" 2>"$T/err"
rc=$?
want="0 dkim=temperror d=example.org s=sel1 b=* (key lookup failed for now)"
is "$rc $(short "$T/out" | tr '\n' '|')" \
    "$want|dkim=pass d=example.test s=sel1 b=*|" \
    "two signatures, top first: one pass is enough"
# bodies with corners: empty, none, blank lines only, no final LF
edge_msgs
for i in 1 2 3 4 5; do
	for c in relaxed simple; do
		peer sign "$T/k2048.pem" example.test sel1 $c $c rsa-sha256 \
		    <"$T/edge$i" >"$T/e$i$c"
		check "edge message $i, $c/$c, verifies" 0 \
		    "dkim=pass d=example.test s=sel1 b=*" "$T/e$i$c"
	done
done
printf 'From: a@example.test\n\nhi\n' >"$T/none"
check "no signature: none, 100" 100 "dkim=none" "$T/none"

diag_on_fail "$T/err"
done_testing
