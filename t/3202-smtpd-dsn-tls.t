#!/bin/sh
# 3202-smtpd-dsn-tls.t: DSN (RFC 3461) after STARTTLS: the new EHLO that
# RFC 3207 4.2 asks for offers DSN again, and the parameters sent inside
# TLS are stored, and only they (STARTTLS comes outside a transaction,
# here after an RSET, and forgets the session's state).
# Python's smtplib with the test CA of t/6tls.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/3smtpd.sh"
. "$(dirname "$0")/6tls.sh"
plan 7
setup_instance
make_certs || { echo "Bail out! openssl could not make certificates"; exit 1; }
conf "tls-cert $T/pki/mx.pem" "tls-key $T/pki/mx.key"
start_smtpd
diag_on_fail "$T/out"
export CAFILE="$T/pki/ca.pem"

$PY "$TOP/t/32-dsn-smtp.py" "$port" >"$T/out" 2>&1 <<'EOF'
ehlo
mail a@example.org RET=HDRS ENVID=before
rset
starttls
ehlo
mail a@example.org RET=FULL ENVID=tls+2B1
rcpt alice@example.test NOTIFY=DELAY ORCPT=rfc822;alice@example.test
data
quit
EOF
line() { sed -n "${1}p" "$T/out"; }
is "$(line 1)" "ehlo 250 dsn" "EHLO before TLS offers DSN"
is "$(line 4)" "starttls 220 2.0.0 Ready to start TLS" "STARTTLS"
is "$(line 5)" "ehlo 250 dsn" "the EHLO after STARTTLS offers DSN again"
is "$(line 6) $(line 7)" "mail 250 2.1.0 Ok rcpt 250 2.1.5 Ok" "MAIL and RCPT with DSN parameters inside TLS"
case "$(line 8)" in "data 250 2.0.0 Ok: queued as "*) ok 0 "queued" ;; *) ok 1 "queued: $(line 8)" ;; esac
is "$(sed -n 's/^env //p' "$T/out" | tr '\n' '|')" "rcpt <alice@example.test>|ret full|envid tls+2B1|dsn 1 notify=delay orcpt=rfc822;alice@example.test|" \
    "stored: the values sent inside TLS, none from before"
grep -q '^smtpd: accepted .* tls=TLSv1.2$' "$T/smtpd.log"; ok $? "the message came over TLS"
done_testing
