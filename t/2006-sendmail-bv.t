#!/bin/sh
# 2006-sendmail-bv.t: sendmail -bv says for each address where it would
# go (virtual or system user with home and delivery, alias with its
# targets, remote by MX, conf/routes or smarthost), one line per address,
# queues nothing, exits 0 when all are deliverable and 67 (EX_NOUSER)
# otherwise; a route's password is never shown.
. "$(dirname "$0")/lib.sh"
plan 17
setup_instance
SM=$B/sendmail
C=$POSTEL_ROOT/conf
printf 'info alice@example.test, bob@example.test\n' >>"$C/aliases"
printf 'relayed.example [192.0.2.1]:2525 auth=u:SECRETPW\n.sub.example mx\n' >"$C/routes"
echo './Maildir/' >"$POSTEL_ROOT/mail/bob/.postel"
n=$(queue_count)

expect_exit 0 "all deliverable: exit 0" "$SM" -bv alice@example.test info@example.test x@example.org
out=$(cat "$T/.out")
is "$(echo "$out" | wc -l | tr -d ' ')" 3 "one line per address"
echo "$out" | grep -q "^alice@example.test\.\.\. deliverable: virtual user alice, home $POSTEL_ROOT/mail/alice, delivery to ./Maildir/"
ok $? "virtual user: home and delivery"
echo "$out" | grep -q '^info@example.test\.\.\. deliverable: alias of alice@example.test, bob@example.test$'
ok $? "alias: its targets"
echo "$out" | grep -q '^x@example.org\.\.\. deliverable: remote delivery to example.org by MX$'
ok $? "remote: by MX"

"$SM" -bv bob@example.test | grep -q "^bob@example.test\.\.\. deliverable: virtual user bob, home $POSTEL_ROOT/mail/bob, delivery by $POSTEL_ROOT/mail/bob/.postel\$"
ok $? "a .postel file named"
"$SM" -bv bob >"$T/bare"
grep -q "^bob@mx.example.test\.\.\. " "$T/bare"; ok $? "a bare name is checked at me, as it would be sent"

expect_exit 0 "routes" "$SM" -bv a@relayed.example a@b.sub.example
grep -q '^a@relayed.example\.\.\. deliverable: remote delivery to relayed.example via \[192.0.2.1\]:2525 (conf/routes)$' "$T/.out"
ok $? "a route names its relay"
grep -q SECRETPW "$T/.out"; ok "$([ $? -ne 0 ]; echo $?)" "never the route's password"
grep -q '^a@b.sub.example\.\.\. deliverable: remote delivery to b.sub.example by MX$' "$T/.out"
ok $? "a .domain mx line means MX"
echo 'smarthost relay.example:587' >>"$C/postel.conf"
"$SM" -bv y@example.org | grep -q '^y@example.org\.\.\. deliverable: remote delivery to example.org via relay.example:587 (smarthost)$'
ok $? "smarthost named"

expect_exit 67 "one undeliverable: exit 67 (EX_NOUSER)" "$SM" -bv alice@example.test nosuch@example.test 'bad@@x'
grep -q '^nosuch@example.test\.\.\. undeliverable: no such user at the local domain example.test$' "$T/.out"
ok $? "unknown local user: undeliverable"
grep -q '^bad@@x\.\.\. undeliverable: ' "$T/.out"; ok $? "malformed address: undeliverable"
grep -q '^alice@example.test\.\.\. deliverable' "$T/.out"; ok $? "the others still answered"
is "$(queue_count)" "$n" "-bv queues nothing"
done_testing
