#!/bin/sh
# 8214-dkim-check.t: check (postel check) reads conf/dkim-sign as remote
# does: each line's domain, selector and signing domain, and each key,
# loaded; every problem as file:line, exit 111; a good file passes.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/82-sign-lib.sh"
plan 12
setup_instance
F=$POSTEL_ROOT/conf/dkim-sign
keygen example.test sel1
ok $? "a key made"
cat >"$F" <<'DEOF'
example.test sel1 dkim/example.test.sel1.key
* sel1 dkim/example.test.sel1.key example.test
DEOF
expect_exit 0 "a good conf/dkim-sign passes" "$B/check"
is "$(cat "$T/.err")" "" "nothing on stderr"
echo 'not a key' >"$POSTEL_ROOT/conf/dkim/bad.key"
cat >>"$F" <<'DEOF'
other.test sel1 dkim/missing.key
third.test sel1 dkim/bad.key
bad..domain sel1 dkim/example.test.sel1.key
fourth.test sel1
fifth.test sel1 dkim/example.test.sel1.key bad..sd
sixth.test sel1 dkim/example.test.sel1.key sd.test junk
DEOF
expect_exit 111 "bad lines and keys: exit 111" "$B/check"
grep -q "^$F:3: other.test: key $POSTEL_ROOT/conf/dkim/missing.key: .*No such file or directory" "$T/.err"; ok $? "a missing key, by file:line"
grep -q "^$F:4: third.test: key $POSTEL_ROOT/conf/dkim/bad.key: " "$T/.err"; ok $? "a file that holds no key"
grep -q "^$F:5: bad..domain: empty label" "$T/.err"; ok $? "a bad From: domain"
grep -q "^$F:6: fourth.test: no key file" "$T/.err"; ok $? "no key file"
is "$(grep -c "^$F:" "$T/.err")" 6 "one problem per bad line, the two good lines none"
printf 'example.test sel1 dkim/example.test.sel1.key\n' >"$F"
chmod 644 "$POSTEL_ROOT/conf/dkim/example.test.sel1.key"
expect_exit 111 "a key others can read: exit 111" "$B/check"
grep -q "^$F:1: example.test: key .*example.test.sel1.key is readable by others (mode 0644)" "$T/.err"; ok $? "named with its mode"
chmod 600 "$POSTEL_ROOT/conf/dkim/example.test.sel1.key"
expect_exit 0 "chmod 600 mends it" "$B/check"
done_testing
