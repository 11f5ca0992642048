#!/bin/sh
# 4413-forward-dsn-qrun.t: through qrun, a .postel forward and an alias
# keep the sender's DSN requests (RFC 3461 5.2.7) on the copy that goes
# out: local in the one-message form (standard input the queue file at
# the message) and in a batch (local -m) reads them from the envelope,
# and the copy's envelope, as remote is given it, carries them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
plan 6
setup_instance
# one local at a time: two messages for one recipient make a batch
echo 'concurrency-local 1' >>"$POSTEL_ROOT/conf/postel.conf"
echo 'list carol@remote.test, dave@remote.test' >>"$POSTEL_ROOT/conf/aliases"
as_recipients queue
own "$POSTEL_ROOT/conf/aliases"
libexec_without_remote
# the fake remote records the envelope of the queue file it is given
# (/dev/stdin opens it again, from its start), one line per message
cat >"$L/remote" <<EOF
#!/bin/sh
env=\$(sed '/^\$/q' /dev/stdin | grep -E '^(rcpt|ret|envid|notify|dsn) ' |
    tr '\n' ,)
echo "\$env" >>"$T/remote.env"
cat >/dev/null
echo "msg ok 2.0.0 fake said: 250 ok"
EOF
chmod +x "$L/remote"
# local as it is, its arguments noted, to tell the batch form apart
rm "$L/local"
printf '#!/bin/sh\necho "$*" >>"%s/local.args"\nexec "%s/local" "$@"\n' \
    "$T" "$B" >"$L/local"
chmod +x "$L/local"
touch "$T/local.args"
chmod 666 "$T/local.args"
A=$POSTEL_ROOT/mail/alice
printf '&carol@remote.test\n' >"$A/.postel"
own "$A/.postel"
diag_on_fail "$T/qrun.log" "$T/remote.env"
# sent MARK: the envelope remote got for the copy with ENVID MARK, as the
# lines after its rcpt lines
sent() {
	grep "envid $1," "$T/remote.env" 2>/dev/null
}

printf 'Subject: one\n\nbody\n' | "$B/enqueue" -f bob@example.test -R hdrs \
    -V e1 -d '1 notify=success,failure orcpt=rfc822;orig@example.org' \
    alice@example.test >/dev/null 2>&1
pass; pass
is "$(sent e1)" "rcpt <carol@remote.test>,ret hdrs,envid e1,dsn 1 notify=success,failure orcpt=rfc822;orig@example.org," \
    "a .postel forward: RET, ENVID, NOTIFY and ORCPT go out as they came"

printf 'Subject: list\n\nbody\n' | "$B/enqueue" -f bob@example.test -V e2 \
    -N success,failure list@example.test >/dev/null 2>&1
pass; pass
is "$(sent e2)" "rcpt <carol@remote.test>,rcpt <dave@remote.test>,envid e2,dsn 1 notify=failure orcpt=rfc822;list@example.test,dsn 2 notify=failure orcpt=rfc822;list@example.test," \
    "an alias to two: NOTIFY without SUCCESS, the alias as ORCPT"

# two messages waiting for alice at once: qrun runs one local -m
for m in e3 e4; do
	printf 'Subject: %s\n\nbody\n' "$m" | "$B/enqueue" -f bob@example.test \
	    -V "$m" -d "1 notify=delay orcpt=rfc822;$m@example.org" \
	    alice@example.test >/dev/null 2>&1
done
pass; pass
is "$(grep -c '^-m -- alice@example.test [0-9.]* [0-9.]*$' "$T/local.args")" 1 \
    "two messages for alice: one local -m"
is "$(sent e3)" "rcpt <carol@remote.test>,envid e3,dsn 1 notify=delay orcpt=rfc822;e3@example.org," \
    "a batch: the first copy carries its message's requests"
is "$(sent e4)" "rcpt <carol@remote.test>,envid e4,dsn 1 notify=delay orcpt=rfc822;e4@example.org," \
    "  and the second its own"
is "$(queue_count)" 0 "all delivered"
