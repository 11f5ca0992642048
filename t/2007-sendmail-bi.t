#!/bin/sh
# 2007-sendmail-bi.t: sendmail -bi, -I and the name newaliases check the
# alias files (which are read at every lookup, so nothing is rebuilt):
# one file:line line per problem on stderr, exit 0 for bad entries as
# sendmail's and Postfix's newaliases (maintainer scripts run it), 78
# (EX_CONFIG) only for a file that cannot be read; nothing read from
# stdin, nothing queued.
. "$(dirname "$0")/lib.sh"
plan 13
setup_instance
SM=$B/sendmail
A=$POSTEL_ROOT/conf/aliases
ln -s "$SM" "$T/newaliases"
n=$(queue_count)

printf 'postmaster alice@example.test\nabuse alice@example.test\n' >"$A"
expect_exit 0 "sendmail -bi on good aliases: exit 0" "$SM" -bi
is "$(cat "$T/.err")" "" "nothing said"
expect_exit 0 "newaliases (argv[0]) on good aliases: exit 0" "$T/newaliases"

printf 'postmaster alice@example.test\n# a comment\nlonely\nabuse alice@example.test\n' >"$A"
expect_exit 0 "sendmail -bi on a bad entry: a warning, exit 0" sh -c '"$0" -bi </dev/null' "$SM"
grep -q 'aliases:3: ' "$T/.err"; ok $? "the problem named by file:line"
is "$(wc -l <"$T/.err" | tr -d ' ')" 1 "one line for the one problem"
expect_exit 0 "newaliases by its name: exit 0" sh -c '"$0" </dev/null' "$T/newaliases"
grep -q '^[^ ]*aliases:3: ' "$T/.err"; ok $? "newaliases names file:line too"
expect_exit 0 "sendmail -I (Postfix's spelling): exit 0" sh -c '"$0" -I </dev/null' "$SM"
mkdir "$T/aliases.d"; echo "aliases-system $T/aliases.d" >>"$POSTEL_ROOT/conf/postel.conf"
expect_exit 78 "an aliases-system file that cannot be read: exit 78" sh -c '"$0" -bi </dev/null' "$SM"
grep -q "aliases.d" "$T/.err"; ok $? "... named"
expect_exit 64 "newaliases with an unknown option: EX_USAGE" "$T/newaliases" -Z
is "$(queue_count)" "$n" "nothing queued"
done_testing
