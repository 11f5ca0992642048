# t/82-sign-lib.sh: helpers for the DKIM signing tests (t/8211-8219),
# sourced after lib.sh.
# keygen DOMAIN SELECTOR [ARGS...]: postel dkim-keygen into $T/DOMAIN.SELECTOR.out
# txt_strings FILE: the strings of the TXT record keygen printed in FILE,
#   comma-separated, as dnsmasq --txt-record takes them
# txt_name FILE: the record's owner name, without the final dot
# verify RAW OUT...: t/82-sign-verify.py (dkimpy): unsigned, pass/fail d= s=
keygen() {
	_d=$1; _s=$2; shift 2
	"$B/postel" dkim-keygen "$@" "$_d" "$_s" >"$T/$_d.$_s.out" 2>"$T/$_d.$_s.err"
}
txt_strings() {
	$PY -c 'import re, sys
t = open(sys.argv[1]).read()
b = re.search(r"IN TXT \((.*?)\)", t, re.S).group(1)
print(",".join(re.findall(r"\"([^\"]*)\"", b)))' "$1"
}
txt_name() { sed -n 's/^\([^ ]*\)\. IN TXT .*/\1/p' "$1"; }
verify() { $PY "$TOP/t/82-sign-verify.py" "$@"; }
