#!/bin/sh
# 4102-forward-flags.t: the envelope flags 8bit and utf8 follow a message
# through every re-queue: a .postel forward, an alias, and on to remote's
# -8 and -u (postel-result(5)), so BODY=8BITMIME and SMTPUTF8 are asked
# for on the way out.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
plan 6
setup_instance
echo 'fwd carol@remote.test' >>"$POSTEL_ROOT/conf/aliases"
as_recipients queue
libexec_without_remote
cat >"$L/remote" <<EOF
#!/bin/sh
echo "\$*" >> "$T/remote.args"
cat >/dev/null
echo "msg ok 2.0.0 fake said: 250 ok"
EOF
chmod +x "$L/remote"
A=$POSTEL_ROOT/mail/alice
printf '&carol@remote.test\n' >"$A/.postel"
own "$A/.postel"
args_for() { grep -c -- "^$1 -q [^ ]* -- remote.test " "$T/remote.args" 2>/dev/null; }

printf 'Subject: 8bit\n\ncaf\303\251\n' |
    "$B/enqueue" -8 -f dave@example.org alice@example.test >/dev/null 2>&1
pass; pass
is "$(args_for '-8')" 1 "a .postel forward of an 8BITMIME message: remote gets -8"

# the addresses are ASCII: only the flag says SMTPUTF8 (a UTF-8 header)
printf 'Subject: \303\274ber\n\nb\n' |
    "$B/enqueue" -u -f dave@example.org alice@example.test >/dev/null 2>&1
pass; pass
is "$(args_for '-u')" 1 "a forward of an SMTPUTF8 message: remote gets -u"

printf 'Subject: both\n\ncaf\303\251\n' |
    "$B/enqueue" -u -8 -f dave@example.org fwd@example.test >/dev/null 2>&1
pass; pass
is "$(args_for '-u -8')" 1 "an alias of a message with both: remote gets -u -8"
grep -q 'origin="local forward' "$T/qrun.log"
ok $? "the copies were re-queued by local"

printf 'Subject: plain\n\nb\n' |
    "$B/enqueue" -f dave@example.org alice@example.test >/dev/null 2>&1
pass; pass
is "$(grep -c -- '^-q [^ ]* -- remote.test ' "$T/remote.args")" 1 "a plain message gets no flag"
is "$(queue_count)" 0 "all delivered"
