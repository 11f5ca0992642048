#!/bin/sh
# 3004-smtpd-policy.t: recipients only for known users of local domains
# unless RELAYCLIENT is set; address tricks never open a relay
# (postel(7), invariant 5); max-recipients; real clients (smtplib, swaks).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/3smtpd.sh"
plan 35
setup_instance
start_smtpd

H='EHLO client.example.org\r\nMAIL FROM:<a@example.org>\r\n'
rcpt() {    # the reply line to one RCPT
	talk -v "HELO c.example.org\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:$1\r\nQUIT\r\n" |
	    sed -n 4p | cut -c1-9
}
is "$(rcpt '<alice@example.test>')" "250 2.1.5" "known user of a local domain"
is "$(rcpt '<ALICE@Example.TEST>')" "250 2.1.5" "case does not matter"
is "$(rcpt '<nosuchuser@example.test>')" "550 5.1.1" "unknown local user is 550 5.1.1"
is "$(rcpt '<bob@example.net>')" "550 5.7.1" "other domain: relaying denied"
is "$(rcpt '<bob@[127.0.0.1]>')" "550 5.7.1" "address literal: relaying denied"
# the tricks
is "$(rcpt '<bob%example.net@example.test>')" "550 5.1.1" "% hack is an unknown local user"
is "$(rcpt '<alice%example.test@example.net>')" "550 5.7.1" "% hack to a local name still relays nothing"
is "$(rcpt '<example.net!bob@example.test>')" "550 5.1.1" "! path is an unknown local user"
is "$(rcpt '<"bob@example.net"@example.test>')" "550 5.1.1" "quoted @ is an unknown local user"
is "$(rcpt '<"alice@example.test"@example.net>')" "550 5.7.1" "quoted local domain in front of a remote one relays nothing"
is "$(rcpt '<@example.test:bob@example.net>')" "550 5.7.1" "source route via us to a remote domain: denied"
is "$(rcpt '<@relay.example.net,@example.test:alice@example.test>')" "250 2.1.5" "source route to a local user: accepted"
talk "${H}RCPT TO:<@relay.example.net:alice@example.test>\r\nDATA\r\nSubject: route\r\n\r\nx\r\n.\r\nQUIT\r\n" >/dev/null
f=$(grep -l '^Subject: route$' "$POSTEL_ROOT/queue/new/"*)
is "$(grep '^rcpt ' "$f")" "rcpt <alice@example.test>" "the source route is stripped"
is "$(rcpt '<alice@example.test.>')" "501 5.1.3" "a trailing dot is a syntax error, not the local domain"

is "$(rcpt '<Postmaster>')" "250 2.1.5" "<postmaster> without a domain is accepted (RFC 5321 4.5.1)"
talk "${H}RCPT TO:<postmaster>\r\nDATA\r\nSubject: pm\r\n\r\nx\r\n.\r\nQUIT\r\n" >/dev/null
f=$(grep -l '^Subject: pm$' "$POSTEL_ROOT/queue/new/"*)
is "$(grep '^rcpt ' "$f")" "rcpt <postmaster@example.test>" "and goes to the postmaster setup configured, at a local domain"
is "$(rcpt ' <postmaster>')" "250 2.1.5" "a blank after TO: is taken there too"
# RFC 5321 4.5.1: postmaster at every local domain, alias or not
is "$(grep -c '^postmaster alice@example.test$' "$POSTEL_ROOT/conf/aliases")" 1 "setup made an alias for it"
mv "$POSTEL_ROOT/conf/aliases" "$T/aliases"
is "$(rcpt '<postmaster@example.test>')" "250 2.1.5" "without an alias, postmaster is the admin's role"
# the postmaster key's fallback, for an instance without admin
conf; sed -i '/^admin /d' "$T/postel.conf.orig"
conf "postmaster bob@example.test"
is "$(rcpt '<POSTMASTER@Example.Test>')" "250 2.1.5" "postmaster@ a local domain without an alias: accepted"
conf
is "$(rcpt '<postmaster@example.test>')" "550 5.1.1" "unless that is the postmaster itself, with no alias: no one would read it"
conf "postmaster nobody-here@example.test"
is "$(rcpt '<postmaster>')" "451 4.3.0" "a configured postmaster no one reads: 451, not a later bounce"
is "$(rcpt '<postmaster@example.test>')" "550 5.1.1" "and postmaster@ a local domain is no alias of it: 550, not a later bounce"
conf "postmaster postmaster@mx.example.test"
is "$(rcpt '<postmaster>') $(rcpt '<postmaster@example.test>')" "451 4.3.0 550 5.1.1" "nor of postmaster@me, when me is not local (remote would loop)"
conf 'postmaster "x |/bin/true"@example.net'
is "$(rcpt '<postmaster@example.test>')" "550 5.1.1" "nor of a postmaster that an alias would read as a program"
conf
mv "$T/aliases" "$POSTEL_ROOT/conf/aliases"

# RELAYCLIENT, as tcpserver's rules set it
port0=$port
start_smtpd RELAYCLIENT=
is "$(rcpt '<bob@example.net>')" "250 2.1.5" "RELAYCLIENT may relay"
is "$(rcpt '<nosuchuser@example.test>')" "550 5.1.1" "RELAYCLIENT still gets 550 for unknown local users"
port=$port0

conf 'max-recipients 2'
is "$(talk "${H}RCPT TO:<alice@example.test>\r\nRCPT TO:<bob@example.test>\r\nRCPT TO:<postmaster@example.test>\r\nQUIT\r\n")" "220 250 250 250 250 452 221" "past max-recipients is 452"
conf

# real clients
$PY - "$port" >"$T/smtplib.out" 2>&1 <<'PYEOF'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
s.ehlo("smtplib.example.org")
print("pipelining" in s.esmtp_features, "chunking" in s.esmtp_features)
r = s.sendmail("a@example.org", ["alice@example.test", "bob@example.test", "nobody2@example.test"],
    b"Subject: smtplib\r\n\r\n.starts with a dot\r\n")
print(sorted(r.keys()))
try:
    s.sendmail("a@example.org", ["x@example.net"], b"Subject: relay\r\n\r\nx\r\n")
except smtplib.SMTPRecipientsRefused as e:
    print("refused", e.recipients["x@example.net"][0])
s.quit()
PYEOF
is "$(sed -n 1p "$T/smtplib.out")" "True True" "smtplib sees PIPELINING and CHUNKING"
is "$(sed -n 2p "$T/smtplib.out")" "['nobody2@example.test']" "smtplib: one refused recipient reported"
is "$(sed -n 3p "$T/smtplib.out")" "refused 550" "smtplib: relay refused"
f=$(grep -l '^Subject: smtplib$' "$POSTEL_ROOT/queue/new/"*)
is "$(msg_body "$f" | tail -1)" ".starts with a dot" "smtplib message with dot-stuffing stored exactly"

if command -v swaks >/dev/null 2>&1; then
	swaks --server 127.0.0.1 --port "$port" --from s@example.org --to bob@example.test \
	    --header 'Subject: swaks' --body 'hello from swaks' --pipeline >"$T/swaks.out" 2>&1
	ok $? "swaks with PIPELINING delivers"
	f=$(grep -l '^Subject: swaks$' "$POSTEL_ROOT/queue/new/"*)
	msg_body "$f" | grep -q '^hello from swaks$'; ok $? "swaks message queued"
	swaks --server 127.0.0.1 --port "$port" --from s@example.org --to x@example.net \
	    >"$T/swaks2.out" 2>&1
	grep -q '<\*\* 550 5.7.1' "$T/swaks2.out"; ok $? "swaks relay attempt refused"
else
	skip "swaks not installed"; skip "swaks not installed"; skip "swaks not installed"
fi
done_testing
