#!/bin/sh
# 0008-check-tls-auth.t: check loads tls-cert and tls-key as smtpd does
# (BearSSL, lib/tls_server) and reads the auth-users file, naming
# postel.conf's line or the users file's line of each problem.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/6tls.sh"
plan 9
setup_instance
make_certs || { echo "Bail out! unable to make test certificates"; exit 1; }
C=$POSTEL_ROOT/conf
P=$T/pki
cp "$C/postel.conf" "$T/pc"
pc() { cp "$T/pc" "$C/postel.conf"; printf '%s\n' "$@" >> "$C/postel.conf"; }
n=$(( $(wc -l < "$T/pc") + 1 ))

pc "tls-cert $P/mx.pem" "tls-key $P/mx.key"
expect_exit 0 "an EC certificate and its key: exit 0" "$B/check"
cp "$P/rsa.pem" "$P/rsa.key" "$C/"
pc "tls-cert rsa.pem" "tls-key rsa.key"
expect_exit 0 "RSA, relative to conf/: exit 0" "$B/check"
pc "tls-cert $P/mx.pem" "tls-key $P/rsa.key"
expect_exit 111 "a key that is not the certificate's: exit 111" "$B/check"
grep -q "^$C/postel.conf:$n: tls-cert $P/mx.pem, tls-key $P/rsa.key: " "$T/.err"; ok $? "names postel.conf:$n"
pc "tls-cert $P/nosuch.pem" "tls-key $P/mx.key"
expect_exit 111 "a missing certificate: exit 111" "$B/check"
pc "tls-key $P/mx.key"
"$B/check" >/dev/null 2>"$T/.err"
grep -qx "$C/postel.conf:$n: tls-cert and tls-key must both be set" "$T/.err"; ok $? "a key without a certificate"

hash=$($PY -c 'import crypt; print(crypt.crypt("secret", crypt.mksalt(crypt.METHOD_SHA512)))' 2>/dev/null ||
    echo '$6$salt$abc')
printf '# users\nalice:%s\n' "$hash" > "$C/smtp-users"
pc "auth-users smtp-users"
expect_exit 0 "an auth-users file of user:hash lines: exit 0" "$B/check"
printf 'bob\ncarol:plaintext\n' >> "$C/smtp-users"
"$B/check" >/dev/null 2>"$T/.err"
grep -qx "$C/smtp-users:3: not user:crypt-hash" "$T/.err"; ok $? "names the line without a colon"
grep -q "^$C/smtp-users:4: the password is not a crypt(3) hash" "$T/.err"; ok $? "names the line with a clear-text password"
done_testing
