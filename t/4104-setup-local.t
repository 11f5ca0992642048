#!/bin/sh
# 4104-setup-local.t: setup makes me, localhost and the host's name local
# domains and writes the admin address but no role aliases: root,
# postmaster, mailer-daemon and abuse are the admin's built in, unless an
# alias file names them (sendmail -bv says so); conf/aliases gets only
# postmaster for the first user; running it again adds nothing; --admin
# picks the address (a bare name is at me), an admin already configured
# stays; queue/hold/ exists. Unprivileged is enough (a lab instance).
. "$(dirname "$0")/lib.sh"
plan 17
C=$POSTEL_ROOT/conf
host=$(hostname)
setup_instance
ok $? "setup with --me, a domain and users"
has() { grep -qix -- "$2" "$C/$1"; }
has domains mx.example.test && has domains localhost && has domains example.test
ok $? "domains: me, localhost and the --domain"
has domains "$host"
ok $? "domains: the host name ($host)"
is "$(grep '^admin ' "$C/postel.conf")" "admin alice@example.test" "admin: the first user at the first domain"
is "$(cat "$C/aliases")" "postmaster alice@example.test" \
    "conf/aliases: postmaster for the first user, no role aliases"
"$B/sendmail" -bv root@example.test abuse@mx.example.test \
    mailer-daemon@localhost >"$T/bv.out"
is "$(grep -c '\.\.\. deliverable: alias of alice@example.test$' "$T/bv.out")" 3 \
    "root, abuse and mailer-daemon are the admin's all the same"
is "$(stat -c %a "$POSTEL_ROOT/queue/hold")" 750 "queue/hold/ is there, 0750"
sum() { cat "$C/domains" "$C/aliases" "$C/postel.conf" "$C/users" | cksum; }
before=$(sum)
setup_instance
is "$(sum)" "$before" "setup again adds nothing"
setup_instance --admin bob 2>"$T/again.err"
is "$(sum)" "$before" "an admin already there stays"
grep -q 'admin is alice@example.test in conf/postel.conf already' "$T/again.err"
ok $? "... and setup says so"

# an alias the admin wrote stays and wins; nothing is added
R2=$T/two
mkdir -p "$R2/conf"
echo "abuse abuse-desk@example.org" >"$R2/conf/aliases"
"$B/setup" "$R2" --me host.example.test --admin ops >/dev/null 2>"$T/two.err"
ok $? "setup --admin NAME without users"
is "$(grep '^admin ' "$R2/conf/postel.conf")" "admin ops@host.example.test" "a bare --admin name is at me"
is "$(grep -c '^abuse ' "$R2/conf/aliases") $(grep '^abuse ' "$R2/conf/aliases")" \
    "1 abuse abuse-desk@example.org" "an existing alias is not replaced"
is "$(cat "$R2/conf/aliases")" "abuse abuse-desk@example.org" "no role alias is added"
POSTEL_ROOT=$R2 "$B/sendmail" -bv abuse root >"$T/bv2.out"
is "$(cat "$T/bv2.out")" "abuse@host.example.test... deliverable: alias of abuse-desk@example.org
root@host.example.test... deliverable: alias of ops@host.example.test" \
    "abuse keeps the alias written there, root is the admin's"

# no user, no --admin, no --system: no admin, and setup says so
"$B/setup" "$T/three" >/dev/null 2>"$T/three.err"
ok $? "setup with no user"
grep -q 'no admin address' "$T/three.err" && [ ! -s "$T/three/conf/aliases" ]
ok $? "says there is no admin and writes no alias"
done_testing
