#!/bin/sh
# 8202-dkim-sign-peers.t: what postel dkim-sign makes verifies with
# Debian's dkimpy (given the same key record) and with OpenDKIM's
# opendkim-testmsg (reading it from dnsmasq through libresolv-wrapper);
# a tampered copy fails in both; keys shorter than 1024 bits are refused.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/5-lib.sh"
. "$TOP/t/82-dkim-lib.sh"
plan 29

make_key k2048 2048
make_key k1024 1024
make_key k512 512
dkim_dns "$(txt_arg k2048 sel1 example.test)" \
    "$(txt_arg k1024 small example.test)"
# opendkim-testmsg is not ours: no sanitizer runtime before the wrapper
RW=${WRAP##* }

cat >"$T/msg" <<'MSG'
From: Alice <alice@example.test>
To: Bob <bob@example.net>
Cc: Carol <carol@example.net>
Subject: Hello   there,
	a folded   subject
Date: Thu, 03 Dec 2026 12:00:00 +0000
Message-ID: <1@example.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Hi  Bob,	

a test with  spaces   and a tab	here.


MSG

sign() {
	"$B/postel" dkim-sign "$@" 2>"$T/err"
}
testmsg() {
	LD_PRELOAD=$RW RESOLV_WRAPPER_CONF=$T/resolv.conf \
	    opendkim-testmsg <"$1" >"$T/od.out" 2>&1
}

sign -d example.test -s sel1 -k "$T/k2048.pem" "$T/msg" >"$T/s"
is "$?" 0 "postel dkim-sign signs"
is "$(head -c 15 "$T/s")" "DKIM-Signature:" "the field comes first"
is "$(sed -n '/^$/q;p' "$T/s" | sed -n '/^DKIM/,/^[^\t]/p' | sed '$d' |
    tr -d '\n\t ' | sed 's/.*;h=\([^;]*\);.*/\1/')" \
    "from:from:subject:date:to:cc:message-id:mime-version:content-type" \
    "h=: the default list, From oversigned"
is "$(awk 'length > 78' "$T/s" | wc -l | tr -d ' ')" 0 \
    "no line longer than 78 columns"
is "$(tail -n +2 "$T/s" | sed -n '/^[^\t]/,$p')" "$(cat "$T/msg")" \
    "the message follows unchanged"

peer verify "$T/k2048.rec" <"$T/s" >"$T/py.out"
is "$? $(cat "$T/py.out")" "0 pass" "dkimpy verifies it"
sed 's/Hello   there/Hello   therE/' "$T/s" >"$T/th"
peer verify "$T/k2048.rec" <"$T/th" >"$T/py.out"
is "$? $(cut -c1-4 "$T/py.out")" "1 fail" "dkimpy: a changed header fails"
sed 's/a test with/a tost with/' "$T/s" >"$T/tb"
peer verify "$T/k2048.rec" <"$T/tb" >"$T/py.out"
is "$? $(cut -c1-4 "$T/py.out")" "1 fail" "dkimpy: a changed body fails"
{ printf 'From: Mallory <m@example.com>\n'; cat "$T/s"; } >"$T/tf"
peer verify "$T/k2048.rec" <"$T/tf" >"$T/py.out"
is "$? $(cut -c1-4 "$T/py.out")" "1 fail" "dkimpy: an added From fails"

if command -v opendkim-testmsg >/dev/null 2>&1; then
	testmsg "$T/s"
	is "$? $(cat "$T/od.out")" "0 " "opendkim-testmsg verifies it"
	testmsg "$T/th"
	is "$?" 70 "opendkim-testmsg: a changed header fails"
	testmsg "$T/tb"
	is "$?" 70 "opendkim-testmsg: a changed body fails"
	# it reads the key from our DNS: a selector without one fails
	sign -d example.test -s nokey -k "$T/k2048.pem" "$T/msg" >"$T/nk"
	testmsg "$T/nk"
	ok $((! $?)) "opendkim-testmsg: a selector without a key fails"
else
	for i in 1 2 3 4; do
		skip "opendkim-testmsg (opendkim-tools) not installed"
	done
fi

# CRLF in, CRLF out; a 1024-bit key; postel's own verifier agrees
sed 's/$/\r/' "$T/msg" >"$T/crlf"
sign -d example.test -s small -k "$T/k1024.pem" <"$T/crlf" >"$T/s2"
is "$? $(head -n 1 "$T/s2" | od -c | grep -c '\\r')" "0 1" \
    "CRLF in, CRLF out (standard input)"
peer verify "$T/k1024.rec" <"$T/s2" >"$T/py.out"
is "$? $(cat "$T/py.out")" "0 pass" "a 1024-bit key: dkimpy verifies it"
verify "$T/s" >"$T/out"
is "$? $(sed 's/ header.b=.*//' "$T/out")" \
    "0 dkim=pass header.d=example.test header.s=sel1" \
    "postel dkim-verify agrees"

# bodies with corners: empty, none, blank lines only, no final LF
edge_msgs
for i in 1 2 3 4 5; do
	sign -d example.test -s sel1 -k "$T/k2048.pem" "$T/edge$i" >"$T/e$i"
	peer verify "$T/k2048.rec" <"$T/e$i" >"$T/py.out"
	is "$? $(cat "$T/py.out")" "0 pass" "edge message $i: dkimpy verifies it"
	if command -v opendkim-testmsg >/dev/null 2>&1; then
		testmsg "$T/e$i"
		is "$? $(cat "$T/od.out")" "0 " \
		    "edge message $i: opendkim-testmsg verifies it"
	else
		skip "opendkim-testmsg (opendkim-tools) not installed"
	fi
done

expect_exit 111 "a 512-bit key is refused" \
    "$B/postel" dkim-sign -d example.test -s sel1 -k "$T/k512.pem" "$T/msg"
expect_exit 111 "a missing key file is refused" \
    "$B/postel" dkim-sign -d example.test -s sel1 -k "$T/nothing" "$T/msg"
expect_exit 100 "no selector: usage" \
    "$B/postel" dkim-sign -d example.test -k "$T/k2048.pem" "$T/msg"

diag_on_fail "$T/err" "$T/od.out" "$T/py.out"
done_testing
