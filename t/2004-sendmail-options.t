#!/bin/sh
# 2004-sendmail-options.t: sendmail's command line as scripts write it
# (postel-sendmail(8), Options): bundled flags, values attached or apart,
# cron's exact call, -B8BITMIME and -N/-R/-V into the envelope through
# enqueue's new options, unknown -o options ignored, a truly unknown
# option one line and EX_USAGE.
. "$(dirname "$0")/lib.sh"
plan 35
setup_instance
SM=$B/sendmail
body() { sed '1,/^$/d' "$1"; }           # message part of a queue file
envl() { sed '/^$/q' "$1"; }              # envelope part
newest() { ls -t "$POSTEL_ROOT"/queue/new/* | head -1; }
msg() { printf 'Subject: s\n\nline\n.\nafter\n'; }

# -ti, -it: one bundle, both flags
printf 'To: a@example.org\nSubject: t\n\nline\n.\nafter\n' | "$SM" -ti
is "$?" 0 "sendmail -ti"
f=$(newest)
is "$(grep '^rcpt' "$f")" "rcpt <a@example.org>" "-ti: recipients from the header"
is "$(body "$f" | tail -1)" "after" "-ti: a lone dot is data"
printf 'To: b@example.org\n\nline\n.\nafter\n' | "$SM" -it
is "$?" 0 "sendmail -it"
is "$(grep '^rcpt' "$(newest)")" "rcpt <b@example.org>" "-it: recipients from the header"
msg | "$SM" -oi -oem c@example.org
is "$?" 0 "sendmail -oi -oem"
is "$(body "$(newest)" | tail -1)" "after" "-oi: a lone dot is data"

# exactly cron's call (Debian cron, system-instance.md)
printf 'From: root (Cron Daemon)\nTo: root\nSubject: Cron <root@h> true\n\nout\n' |
    "$SM" -FCronDaemon -i -B8BITMIME -oem root
is "$?" 0 "sendmail -FCronDaemon -i -B8BITMIME -oem root"
f=$(newest)
is "$(grep '^rcpt' "$f")" "rcpt <root@mx.example.test>" "cron: the recipient qualified"
is "$(grep '^flags' "$f")" "flags 8bit" "cron: -B8BITMIME sets the 8bit flag"
is "$(grep '^from' "$f")" "from <$(id -un)@mx.example.test>" "cron: sender is the user at me"
is "$(body "$f" | grep '^From:')" "From: root@mx.example.test (Cron Daemon)" "cron: From: qualified, comment kept"
msg | "$SM" -B7BIT -i d@example.org
grep -q '^flags' "$(newest)"; ok "$([ $? -ne 0 ]; echo $?)" "-B7BIT: no 8bit flag"
expect_exit 64 "-B with another type is EX_USAGE" "$SM" -Bbinary d@example.org

# -f and -F in every spelling
msg | "$SM" -i -ffrom1@example.org e@example.org
is "$(grep '^from' "$(newest)")" "from <from1@example.org>" "-ffoo (attached)"
msg | "$SM" -i -f from2@example.org e@example.org
is "$(grep '^from' "$(newest)")" "from <from2@example.org>" "-f foo (apart)"
msg | "$SM" -i '-f<>' e@example.org
is "$(grep '^from' "$(newest)")" "from <>" "-f<> is the null sender"
msg | "$SM" -i -f '' e@example.org
is "$(grep '^from' "$(newest)")" "from <>" "-f '' is the null sender"
printf 'Subject: s\n\nx\n' | "$SM" -iF 'Ann Other' e@example.org
body "$(newest)" | grep -q '^From: "Ann Other" <'; ok $? "-iF name: a value after a bundled flag"
printf 'Subject: s\n\nx\n' | "$SM" -i -F Bob e@example.org
body "$(newest)" | grep -q '^From: "Bob" <'; ok $? "-F name (apart)"

# DSN requests kept in the envelope (postel-queue(5))
msg | "$SM" -i -N success,DELAY -R hdrs -V 'job 42=x' e@example.org
is "$?" 0 "-N -R -V accepted"
f=$(newest)
is "$(envl "$f" | grep -E '^(notify|ret|envid) ' | tr '\n' '|')" \
    "notify success,delay|ret hdrs|envid job+2042+3Dx|" "-N -R -V land in the envelope (-V as xtext)"
msg | "$SM" -i -Nnever -Rfull e@example.org
is "$(envl "$(newest)" | grep -E '^(notify|ret) ' | tr '\n' '|')" "notify never|ret full|" "-Nnever -Rfull attached"
"$SM" -bp >/dev/null 2>&1; is "$?" 0 "mailq still reads the new envelopes"
n=$(queue_count)
expect_exit 64 "-N with an unknown word is EX_USAGE" "$SM" -N sometimes e@example.org
expect_exit 64 "-N never,success is EX_USAGE" "$SM" -N never,success e@example.org
expect_exit 64 "-R other is EX_USAGE" "$SM" -R body e@example.org

# unknown -o options are ignored, as Postfix does; others accepted
msg | "$SM" -oXyz=1 -odb -oQ/var/spool/x -L tag -X /dev/null -Ac -i -n -m f@example.org
is "$?" 0 "unknown -o options and ignored options accepted"

# a truly unknown option: 64 and one line naming it, nothing queued
n=$(queue_count)
expect_exit 64 "an unknown option is EX_USAGE" sh -c 'echo x | "$0" -tZ f@example.org' "$SM"
is "$(cat "$T/.err")" "sendmail: unknown option: -Z" "one line naming the option"
expect_exit 64 "a missing value is EX_USAGE" "$SM" -i -f
is "$(queue_count)" "$n" "nothing queued by refused command lines"

# enqueue's own options, checked strictly (postel-enqueue(8))
expect_exit 100 "enqueue -N bad is permanent" sh -c 'echo x | "$0" -N maybe -f a@example.org b@example.org' "$B/enqueue"
expect_exit 100 "enqueue -V with a space is permanent" sh -c 'echo x | "$0" -V "a b" -f a@example.org b@example.org' "$B/enqueue"
echo x | "$B/enqueue" -8 -N failure -R full -V 'a+2Bb' -f a@example.org b@example.org >/dev/null 2>&1
is "$(envl "$(newest)" | grep -E '^(flags|notify|ret|envid) ' | tr '\n' '|')" \
    "flags 8bit|notify failure|ret full|envid a+2Bb|" "enqueue -8 -N -R -V write the envelope"
done_testing
