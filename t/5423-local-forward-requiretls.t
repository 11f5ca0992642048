#!/bin/sh
# 5423-local-forward-requiretls.t: the requiretls flag (RFC 8689) stays
# with a message that local re-queues: a .postel forward and an alias
# pass enqueue -T, so the copy that remote then gets still has the flag
# in its envelope (postel-queue(5)), and a message without it gets none.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
plan 4
setup_instance
echo 'fwd carol@remote.test' >>"$POSTEL_ROOT/conf/aliases"
as_recipients queue
libexec_without_remote
# the fake remote: its queue file's flags line, read from the start
cat >"$L/remote" <<EOF
#!/bin/sh
f=\$(sed -n '/^\$/q;s/^flags //p' /proc/\$\$/fd/0)
echo "remote \${f:-none}" >> "$T/remote.flags"
echo "msg ok 2.0.0 fake said: 250 ok"
EOF
chmod +x "$L/remote"
A=$POSTEL_ROOT/mail/alice
printf '&carol@remote.test\n' >"$A/.postel"
own "$A/.postel"

printf 'Subject: r\n\nsecret\n' |
    "$B/enqueue" -T -f dave@example.org alice@example.test >/dev/null 2>&1
pass; pass
is "$(cat "$T/remote.flags" 2>/dev/null)" "remote requiretls" \
    "a .postel forward of a REQUIRETLS message keeps the flag"
printf 'Subject: r\n\nsecret\n' |
    "$B/enqueue" -T -f dave@example.org fwd@example.test >/dev/null 2>&1
pass; pass
is "$(sed -n 2p "$T/remote.flags" 2>/dev/null)" "remote requiretls" \
    "an alias too"
printf 'Subject: plain\n\nb\n' |
    "$B/enqueue" -f dave@example.org alice@example.test >/dev/null 2>&1
pass; pass
is "$(sed -n 3p "$T/remote.flags" 2>/dev/null)" "remote none" \
    "a message without it: no flag"
grep -q 'origin="local forward' "$T/qrun.log"
ok $? "the copies are local's forwards"
done_testing
