#!/bin/sh
# 5431-tlsrpt-report.t: postel tlsrpt (RFC 8460) from a hand-made day
# file in queue/tlsrpt/: the JSON printed loads in Python with the RFC's
# fields and the counts per policy domain (sts with the cached policy
# from queue/sts/, tlsa with the records of the line); --send mails the
# report of the domain whose _smtp._tls record (dnsmasq) names a local
# user: after qrun the message in the Maildir has the headers and MIME
# structure of 5.3 and its attachment gunzips to the same report; the
# day file is renamed .sent and a second run sends nothing. A domain
# without a record gets no report.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/5-lib.sh"
. "$TOP/t/4-lib.sh"
command -v gzip >/dev/null || skip_all "gzip not installed"
plan 16
setup_instance
as_recipients queue
D=2026-11-05
R=$POSTEL_ROOT/queue/tlsrpt
mkdir -p "$R" "$POSTEL_ROOT/queue/sts"
tab=$(printf '\t')
{
	printf 'sts.test\tsts\tsuccess\tmx1.sts.test\t127.0.66.11\n'
	printf 'sts.test\tsts\tsuccess\tmx1.sts.test\t127.0.66.11\n'
	printf 'sts.test\tsts\tcertificate-not-trusted\tmx2.sts.test\t127.0.66.12\n'
	printf 'sts.test\tsts\tcertificate-not-trusted\tmx2.sts.test\t127.0.66.12\n'
	printf 'sts.test\tsts\tstarttls-not-supported\tmx1.sts.test\t127.0.66.11\n'
	printf 'dane.test\ttlsa\tsuccess\tmx.dane.test\t127.0.66.21\t3 1 1 abcd;2 0 1 ef01\n'
	printf 'dane.test\ttlsa\tvalidation-failure\tmx.dane.test\t127.0.66.21\n'
	printf 'garbage line\n'
} > "$R/$D"

tlsrpt() {
	LD_PRELOAD=$WRAP RESOLV_WRAPPER_CONF=$T/resolv.conf \
	    "$B/postel" tlsrpt "$@"
}
tlsrpt --day "$D" > "$T/out" 2>"$T/err"
ok $? "postel tlsrpt --day prints the reports"
diag_on_fail "$T/err"
is "$(wc -l < "$T/out" | tr -d ' ')" 2 "one line per policy domain"
$PY "$TOP/t/543-check.py" json "$T/out" sts.test 2 3 > "$T/sts" 2>&1
ok $? "sts.test: the RFC's fields, 2 successful and 3 failed sessions"
diag_on_fail "$T/sts"
is "$(tail -n +2 "$T/sts")" "certificate-not-trusted mx2.sts.test 127.0.66.12 2
starttls-not-supported mx1.sts.test 127.0.66.11 1" "failure details grouped by result type, MX and IP"
$PY "$TOP/t/543-check.py" json "$T/out" dane.test 1 1 > "$T/dane" 2>&1
ok $? "dane.test: 1 successful, 1 failed session"
is "$(head -1 "$T/dane")" "tlsa 3 1 1 abcd 2 0 1 ef01" "tlsa: the records as policy-string"
grep -q 'not valid' "$T/err"
ok $? "a line that is not valid is warned about"
ok "$(test -e "$R/$D"; echo $?)" "printing leaves the day file"

dns_start 127.0.66.1 \
    --txt-record=_smtp._tls.sts.test,"v=TLSRPTv1; rua=mailto:alice@example.test"
tlsrpt --day "$D" --send > "$T/send" 2>"$T/err"
ok $? "--send exits 0"
diag_on_fail "$T/send"
grep -q '^dane.test: no report' "$T/send"
ok $? "no record for dane.test: no report"
ok "$(test -e "$R/$D.sent" && test ! -e "$R/$D"; echo $?)" "the day file is marked sent"
pass
wait_for 10 has_new alice 1
ok $? "the report reached alice's Maildir"
m=$(ls "$POSTEL_ROOT/mail/alice/Maildir/new/"* | head -1)
is "$($PY "$TOP/t/543-check.py" mail "$m" "$T/att" 2>&1)" ok "headers and MIME structure of RFC 8460 5.3"
is "$($PY "$TOP/t/543-check.py" json "$T/att" sts.test 2 3 2>&1 | tail -n +2)" \
    "$(tail -n +2 "$T/sts")" "the attachment gunzips to the same report"
tlsrpt --day "$D" --send > "$T/send2" 2>&1
ok $? "a second --send exits 0"
pass
is "$(count_new alice)" 1 "and sends nothing"
done_testing
