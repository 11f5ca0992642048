#!/bin/sh
# 0007-check.t: check (postel check, postel-check(8)) names file:line of
# every problem of conf/ in one run and exits 111; a clean instance exits
# 0; the effective postel.conf is printed with its defaults marked; smtpd
# names the same first problem.
. "$(dirname "$0")/lib.sh"
plan 23
setup_instance
C=$POSTEL_ROOT/conf

expect_exit 0 "a clean instance from setup: exit 0" "$B/check"
is "$(cat "$T/.err")" "" "nothing on stderr"
grep -qx 'max-size 35651584  # default' "$T/.out"; ok $? "prints max-size 35651584 as a default"
grep -qx 'me mx.example.test' "$T/.out"; ok $? "prints me as set, unmarked"
grep -qx 'remote-tls opportunistic  # default' "$T/.out"; ok $? "prints a string default"
grep -qx 'system-users yes  # default' "$T/.out"; ok $? "prints a boolean as yes/no"
grep -qx 'smarthost  # default' "$T/.out"; ok $? "an unset string key shows no value"

# one run, problems in five files
cp -R "$C" "$T/conf.clean"
n=$(wc -l < "$C/postel.conf" | tr -d ' ')
printf 'max-sise 10\nmax-errors lots\nsmtpd-timeout 5\n' >> "$C/postel.conf"
printf 'bad..domain\n' >> "$C/domains"
printf 'example.net mail.example.net:99999\n* [127.0.0.1]:2525 tls=none\n' > "$C/routes"
a=$(wc -l < "$C/aliases" | tr -d ' ')
printf 'lonely\n' >> "$C/aliases"
printf 'nobody@example.test relative/dir\n' >> "$C/users"
u=$(wc -l < "$C/users" | tr -d ' ')
d=$(wc -l < "$C/domains" | tr -d ' ')
expect_exit 111 "problems in five files: exit 111" "$B/check"
sed 's/^/# /' "$T/.err"
grep -qx "$C/postel.conf:$((n + 1)): unknown key max-sise" "$T/.err"; ok $? "names postel.conf:$((n + 1)) for the misspelt max-sise"
grep -qx "$C/postel.conf:$((n + 2)): max-errors must be a number from 1 to 1000" "$T/.err"; ok $? "names postel.conf:$((n + 2)) for a bad value"
grep -q "^$C/routes:1: example.net: bad port\$" "$T/.err"; ok $? "names routes:1 for a bad route"
grep -q "^$C/domains:$d: bad..domain: " "$T/.err"; ok $? "names domains:$d for a bad domain"
grep -qx "$C/aliases:$((a + 1)): no target after the name" "$T/.err"; ok $? "names aliases:$((a + 1)) for an alias without targets"
grep -q "^$C/users:$u: nobody@example.test: home relative/dir is not absolute\$" "$T/.err"; ok $? "names users:$u for a relative home"
is "$(wc -l < "$T/.err" | tr -d ' ')" 6 "exactly these six problems (a good route line is no problem)"
grep -qx 'max-errors 10  # default' "$T/.out"; ok $? "a bad value leaves the default, and says so"
grep -qx 'smtpd-timeout 5' "$T/.out"; ok $? "good lines after bad ones still count"

# smtpd names the same first problem
first=$(grep "postel.conf" "$T/.err" | head -1)
printf 'QUIT\r\n' | POSTEL_ALLOW_ROOT=1 "$B/smtpd" >"$T/smtpd.out" 2>"$T/smtpd.err"
grep -q "^smtpd: conferror .*error=\"$first\"" "$T/smtpd.err"; ok $? "smtpd logs the first problem check names"
head -1 "$T/smtpd.out" | grep -q '^220 '; ok $? "and greets with 220"

# the same files fixed, with a route remote takes: clean again
rm -rf "$C" && cp -R "$T/conf.clean" "$C"
printf 'example.net [127.0.0.1]:2525 tls=none auth=u:p auth-unverified\n' > "$C/routes"
expect_exit 0 "fixed, with a route remote takes: exit 0" "$B/check"

# postmaster that reaches no one, an unknown queue user
cp "$C/postel.conf" "$T/pc"
printf 'postmaster nosuch@example.test\nqrun-user no-such-account-x\n' >> "$C/postel.conf"
"$B/check" >/dev/null 2>"$T/.err"
grep -q "postel.conf:[0-9]*: postmaster nosuch@example.test reaches no one" "$T/.err"; ok $? "a postmaster that reaches no one"
grep -q "postel.conf:[0-9]*: qrun-user no-such-account-x: no such account" "$T/.err"; ok $? "an unknown qrun-user"
expect_exit 100 "an argument is a usage error" "$B/check" -x
done_testing
