#!/bin/sh
# 4002-local.t: local on its own: instruction files, mbox with From
# quoting, pipes and their exit codes, forwards, extensions, aliases,
# unknown users; one result line in the grammar of postel-result(5).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
plan 60
setup_instance
echo "postmaster alice" > "$POSTEL_ROOT/conf/aliases"
echo "delivery-timeout 2" > "$POSTEL_ROOT/conf/postel.conf"
as_recipients queue
own "$POSTEL_ROOT/conf/aliases"     # aliases run as its owner under root
A=$POSTEL_ROOT/mail/alice

printf 'Subject: q\n\nFrom me to you\n>From quoted\nend\n' > "$T/msg"
# deliver RCPT [SENDER]: run local like qrun does, result line in $T/res
deliver() {
	"$B/local" -q test.1 "${2:-carol@example.org}" "$1" <"$T/msg" >"$T/res" 2>"$T/err"
}

deliver alice@example.test
ok $? "local exits 0 after reporting"
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4)" "rcpt 1 ok 2.0.0" "default delivery: ok"
is "$(count_new alice)" 1 "into ./Maildir/ by default"

printf '# two copies\n./mbox\n./Maildir/\n' > "$A/.postel"
own "$A/.postel"
deliver alice@example.test
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4)" "rcpt 1 ok 2.0.0" ".postel with mbox and Maildir: ok"
is "$(count_new alice)" 2 "Maildir line honoured"
is "$(grep -c '^From carol@example.org ' "$A/mbox")" 1 "mbox has one From_ separator"
is "$(grep -c '^>From me to you$' "$A/mbox")" 1 "a From line in the body is quoted"
is "$(grep -c '^>>From quoted$' "$A/mbox")" 1 ">From gets one more > (mboxrd)"
is "$(tail -c 1 "$A/mbox" | od -An -c | tr -d ' ')" '\n' "mbox ends in a newline"
ok "$([ ! -e "$A/mbox.lock" ]; echo $?)" "the dotlock is gone"
n=$($PY -c 'import mailbox,sys; print(len(mailbox.mbox(sys.argv[1])))' "$A/mbox")
is "$n" 1 "Python reads one message from the mbox"

# a mailbox at its size limit: temporary (4.2.2), and the mbox is rolled
# back to its old size (SIGXFSZ ignored, so the write fails with EFBIG)
$PY -c 'print("Subject: big\n"); print("x" * 76 * 2000)' > "$T/big"
size=$(wc -c < "$A/mbox")
(trap '' XFSZ; ulimit -f 40; exec "$B/local" -q t.2 carol@example.org alice@example.test) \
    <"$T/big" >"$T/res" 2>"$T/err"
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4)" "rcpt 1 temp 4.2.2" "mailbox over its file size limit: temporary 4.2.2"
is "$(wc -c < "$A/mbox")" "$size" "the failed append was rolled back"
n=$($PY -c 'import mailbox,sys; print(len(mailbox.mbox(sys.argv[1])))' "$A/mbox")
is "$n" 1 "the mbox still reads as one message"

ln -s /dev/null "$A/linked"
printf './linked\n' > "$A/.postel-link"
own "$A/.postel-link"
deliver alice+link@example.test
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4)" "rcpt 1 temp 4.2.0" "an mbox that is a symlink is refused, temporarily"

printf '|cat > piped; echo "$SENDER $RECIPIENT $LOCAL $EXT $DOMAIN" > env\n' > "$A/.postel-pipe"
own "$A/.postel-pipe"
deliver alice+pipe@example.test
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4)" "rcpt 1 ok 2.0.0" "pipe exiting 0: ok"
is "$(cat "$A/env")" "carol@example.org alice+pipe@example.test alice pipe example.test" \
    "pipe environment: SENDER RECIPIENT LOCAL EXT DOMAIN"
is "$(sed -n 2p "$A/piped")" "Delivered-To: alice+pipe@example.test" "pipe gets Delivered-To"

for code in 100:perm 67:perm 111:temp 75:temp; do
	printf '|exit %s\n' "${code%:*}" > "$A/.postel-x${code%:*}"
	own "$A/.postel-x${code%:*}"
	deliver "alice+x${code%:*}@example.test"
	is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-3)" "rcpt 1 ${code#*:}" "pipe exit ${code%:*} is ${code#*:}"
done 2>/dev/null
# A program that exits without reading: local must outlive the EPIPE of
# its write (a 2 MB message cannot fit in the pipe) and report the exit
# code, not die of SIGPIPE with no result line.
cp "$T/msg" "$T/msg.small"
{ printf 'Subject: big\n\n'; i=0; while [ $i -lt 30000 ]; do
	echo "a line of about seventy characters, to fill the pipe past its size"
	i=$((i + 1)); done; } > "$T/msg"
printf '|exit 100\n' > "$A/.postel-noread"
own "$A/.postel-noread"
(trap - PIPE; deliver alice+noread@example.test)
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-3)" "rcpt 1 perm" "a program exiting 100 without reading 2 MB: perm, local not killed by SIGPIPE"
# A program that leaves the reading to a child and exits: the child
# still gets the whole message.
printf '|exec 3<&0; (cat <&3 > saved; echo end >> saved) & exit 0\n' > "$A/.postel-handoff"
own "$A/.postel-handoff"
deliver alice+handoff@example.test
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4)" "rcpt 1 ok 2.0.0" "a program handing the message to a child: ok"
wait_for 10 grep -q '^end$' "$A/saved"
is "$(grep -c '^a line of about seventy' "$A/saved")" 30000 "the child read all of the 2 MB message"
mv "$T/msg.small" "$T/msg"

# What a program writes ends the text of a failure, made printable, so
# that a bounce says why; it never reaches local's stderr, which is
# qrun's log, where it could forge lines.
cat > "$A/.postel-talk" <<'TALK'
|echo "qrun: result qid=x status=ok"; printf 'no \033[1msuch\r\n  user\n' >&2; exit 67
TALK
own "$A/.postel-talk"
deliver alice+talk@example.test
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-3)" "rcpt 1 perm" "a talking program exiting 67: perm"
case $(cat "$T/res") in
*"; it said: qrun: result qid=x status=ok no [1msuch user") r=0 ;;
*) r=1; printf "# %s\n" "$(cat "$T/res")" ;;
esac
ok $r "its stdout and stderr end the result text, one printable line"
is "$(wc -c < "$T/err" | tr -d ' ')" 0 "nothing of it on local's stderr"
# Much output and no reading at first: neither side may block the other.
printf '|head -c 300000 /dev/zero | tr "\\0" x; cat > talked\n' > "$A/.postel-loud"
own "$A/.postel-loud"
deliver alice+loud@example.test
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4)" "rcpt 1 ok 2.0.0" "300 kB of output before reading: ok"
is "$(grep -c '^From me to you$' "$A/talked" 2>/dev/null)" 1 "and the message was read whole"
# A program that leaves a child holding its output open: its own exit
# decides, not the child's.
printf '|sleep 30 & echo $! > bgpid; exit 0\n' > "$A/.postel-bg"
own "$A/.postel-bg"
deliver alice+bg@example.test
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4)" "rcpt 1 ok 2.0.0" "a background child holding the output: ok, no timeout"
[ -s "$A/bgpid" ] && kill "$(cat "$A/bgpid")" 2>/dev/null
echo "extension-separator +-" >> "$POSTEL_ROOT/conf/postel.conf"
deliver alice-x100@example.test
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-3)" "rcpt 1 perm" "- as a configured extension separator"

printf '|sleep 30\n' > "$A/.postel-slow"
own "$A/.postel-slow"
deliver alice+slow@example.test
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4)" "rcpt 1 temp 4.3.0" "a hanging pipe times out: temporary"

printf '&bob@example.test\n' > "$A/.postel-fwd"
own "$A/.postel-fwd"
before=$(queue_count)
deliver alice+fwd@example.test
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4)" "rcpt 1 ok 2.0.0" "forward: ok"
is "$(queue_count)" $((before + 1)) "forward queued one message"
f=$(grep -l '^rcpt <bob@example.test>$' "$POSTEL_ROOT"/queue/new/* 2>/dev/null | head -1)
is "$(grep -c '^from <carol@example.org>$' "$f" 2>/dev/null)" 1 "forward keeps the sender"
is "$(grep -c '^Delivered-To: alice+fwd@example.test$' "$f" 2>/dev/null)" 1 "forward carries Delivered-To"

deliver postmaster@example.test
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4)" "rcpt 1 ok 2.0.0" "alias from conf/aliases: ok"
is "$(grep -l '^rcpt <alice@example.test>$' "$POSTEL_ROOT"/queue/new/* 2>/dev/null | wc -l | tr -d ' ')" 1 "alias forwarded to alice"
if [ "$(id -u)" -eq 0 ]; then
	# as setup leaves it: root owns conf/aliases; then alias-user (nobody)
	chown 0:0 "$POSTEL_ROOT/conf/aliases"
	deliver postmaster@example.test
	is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4)" "rcpt 1 ok 2.0.0" "an aliases file root owns runs as alias-user, not refused"
	own "$POSTEL_ROOT/conf/aliases"
else
	skip "the owner of conf/aliases matters only to root"
fi
# RFC 5321 4.5.1: with no alias for it, postmaster at a local domain is
# the configured postmaster (run as alias-user under root, no file then)
mv "$POSTEL_ROOT/conf/aliases" "$T/aliases"
cp "$POSTEL_ROOT/conf/postel.conf" "$T/postel.conf"
echo "postmaster bob@example.test" >> "$POSTEL_ROOT/conf/postel.conf"
before=$(grep -l '^rcpt <bob@example.test>$' "$POSTEL_ROOT"/queue/new/* 2>/dev/null | wc -l)
deliver postmaster@example.test
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4)" "rcpt 1 ok 2.0.0" "postmaster with no alias: ok"
is "$(grep -l '^rcpt <bob@example.test>$' "$POSTEL_ROOT"/queue/new/* 2>/dev/null | wc -l)" $((before + 1)) \
    "forwarded to the configured postmaster"
cp "$T/postel.conf" "$POSTEL_ROOT/conf/postel.conf"
echo "postmaster postmaster@example.test" >> "$POSTEL_ROOT/conf/postel.conf"
deliver postmaster@example.test
cp "$T/postel.conf" "$POSTEL_ROOT/conf/postel.conf"
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4)" "rcpt 1 perm 5.1.1" "unless that is the address itself: no such user"
mv "$T/aliases" "$POSTEL_ROOT/conf/aliases"

# The message as qrun passes it: stdin a file, positioned after the
# envelope (at an offset that is no multiple of the page size); local
# maps it rather than copying it into memory.
{ head -c 5000 /dev/zero; printf 'Subject: at an offset\n\nline one\nlast line, no newline'; } >"$T/queued"
before=$(count_new bob)
$PY -c 'import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY); os.lseek(fd, 5000, 0); os.dup2(fd, 0)
os.execv(sys.argv[2], sys.argv[2:])' "$T/queued" "$B/local" -q test.2 carol@example.org bob@example.test >"$T/res" 2>"$T/err"
f=$(ls -t "$POSTEL_ROOT"/mail/bob/Maildir/new/* | head -1)
is "$(count_new bob) $(tail -n +3 "$f" | od -An -c | tr -d ' \n')" \
    "$((before + 1)) $(tail -c +5001 "$T/queued" | od -An -c | tr -d ' \n')" \
    "a message at an offset in its file is delivered byte for byte"
# a 24 MB message under a 16 MB data limit (RLIMIT_DATA counts heap and
# private memory, not a read-only file mapping): held, it would not fit
if [ "${B#*build-san}" != "$B" ]; then
	for i in 1 2 3; do
		skip "the sanitizer runtime needs more than a 16 MB data limit"
	done
else
	$PY -c 'import sys
sys.stdout.write("Subject: big\n\n")
for i in range(350000): sys.stdout.write("%069d\n" % i)' >"$T/huge"
	before=$(count_new bob)
	(ulimit -d 16384; "$B/local" -q test.3 carol@example.org bob@example.test <"$T/huge" >"$T/res" 2>"$T/err")
	is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4)" "rcpt 1 ok 2.0.0" "a 24 MB message is delivered with a 16 MB data limit"
	f=$(ls -t "$POSTEL_ROOT"/mail/bob/Maildir/new/* | head -1)
	is "$(count_new bob) $(tail -n +3 "$f" | cksum)" "$((before + 1)) $(cksum <"$T/huge")" \
	    "and arrives byte for byte"
	rm -f "$f"
	# the same into an mbox, quoted and written as a stream
	printf './big.mbox\n' >"$POSTEL_ROOT/mail/bob/.postel-mbox"
	own "$POSTEL_ROOT/mail/bob/.postel-mbox"
	(ulimit -d 16384; "$B/local" -q test.4 carol@example.org bob+mbox@example.test <"$T/huge" >"$T/res" 2>"$T/err")
	n=$($PY -c 'import mailbox,sys; m=mailbox.mbox(sys.argv[1]); print(len(m), len(m[0].get_payload()))' \
	    "$POSTEL_ROOT/mail/bob/big.mbox" 2>&1)
	is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4) $n" "rcpt 1 ok 2.0.0 1 24500000" \
	    "and into an mbox: one message with the whole body"
	rm -f "$POSTEL_ROOT/mail/bob/big.mbox"
fi

# The mapped message cannot be read in the middle of an mbox delivery
# (what a disk error does; here the file is cut under local while strace
# holds up its second write): a temporary failure, the mbox rolled back
# and no stale dotlock, not a death by SIGBUS.
if command -v strace >/dev/null 2>&1 && [ "${B#*build-san}" = "$B" ]; then
	$PY -c 'import sys
sys.stdout.write("Subject: cut\n\n")
for i in range(20000): sys.stdout.write("%069d\n" % i)' >"$T/huge"
	printf './cut.mbox\n' >"$POSTEL_ROOT/mail/bob/.postel-cut"
	own "$POSTEL_ROOT/mail/bob/.postel-cut"
	strace -f -o /dev/null -e trace=write -e inject=write:delay_enter=3000000:when=2 \
	    "$B/local" -q test.5 carol@example.org bob+cut@example.test \
	    <"$T/huge" >"$T/res" 2>"$T/err" &
	lpid=$!
	reap $lpid
	mb=$POSTEL_ROOT/mail/bob/cut.mbox
	wait_for 10 test -s "$mb"       # the first block is written
	: >"$T/huge"                    # truncate: the rest of the mapping is gone
	wait "$lpid"
	rc=$?
	is "$rc $(grep -v '^action ' "$T/res" | cut -d' ' -f1-4)" "0 rcpt 1 temp 4.3.0" \
	    "a message that cannot be read mid-mbox: temporary, local not killed by SIGBUS"
	is "$(wc -c <"$mb" | tr -d ' ') $([ -e "$mb.lock" ]; echo $?)" "0 1" \
	    "the mbox is rolled back and the dotlock is gone"
	rm -f "$T/huge"
else
	skip "needs strace (to hold up a write), and no ASan (which takes SIGBUS)"
	skip "needs strace (to hold up a write), and no ASan (which takes SIGBUS)"
fi

# A shared spool (sticky, like /var/mail): another user's file, or a
# FIFO, in place of the recipient's mbox is refused, and the mail waits.
if [ "$(id -u)" -eq 0 ]; then
	mkdir -m 1777 "$T/spool"
	printf '%s/bob\n' "$T/spool" >"$POSTEL_ROOT/mail/bob/.postel-spool"
	own "$POSTEL_ROOT/mail/bob/.postel-spool"
	: >"$T/spool/bob"; chmod 666 "$T/spool/bob"     # root's, not bob's
	deliver bob+spool@example.test
	is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4) $(wc -c <"$T/spool/bob" | tr -d ' ')" "rcpt 1 temp 4.2.0 0" \
	    "an mbox another user made first is refused, nothing written"
	rm "$T/spool/bob"; mkfifo -m 666 "$T/spool/bob"
	deliver bob+spool@example.test
	is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4)" "rcpt 1 temp 4.2.0" "a FIFO in its place is refused at once"
	rm "$T/spool/bob"
	# instruction files: only the recipient's own, writable by it alone
	printf '|echo ran > %s/ran\n' "$T" >"$POSTEL_ROOT/mail/bob/.postel-evil"
	chmod 666 "$POSTEL_ROOT/mail/bob/.postel-evil"
	own "$POSTEL_ROOT/mail/bob/.postel-evil"
	deliver bob+evil@example.test
	is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4) $([ -e "$T/ran" ]; echo $?)" "rcpt 1 temp 4.3.5 1" \
	    "a world-writable .postel file is refused, its program not run"
	chmod 644 "$POSTEL_ROOT/mail/bob/.postel-evil"
	chown 1:1 "$POSTEL_ROOT/mail/bob/.postel-evil"
	deliver bob+evil@example.test
	is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4) $([ -e "$T/ran" ]; echo $?)" "rcpt 1 temp 4.3.5 1" \
	    "one owned by another user is refused too"
	rm "$POSTEL_ROOT/mail/bob/.postel-evil"
else
	for i in 1 2 3 4; do skip "ownership checks need root"; done
fi

# 65 destinations: more than local takes; the mail waits, none is dropped
i=0; while [ $i -lt 65 ]; do
	echo "./many$i/"; mkdir -p "$A/many$i/tmp" "$A/many$i/new" "$A/many$i/cur"
	i=$((i + 1)); done >"$A/.postel-many"
own "$A/.postel-many"
[ "$(id -u)" -eq 0 ] && chown -R nobody:nogroup "$A"/many*
deliver alice+many@example.test
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4) $(find "$A" -path "*/many*/new/*" -type f | wc -l | tr -d " ")" "rcpt 1 temp 4.3.5 0" \
    "65 destinations: temporary, nothing delivered"

# from a pipe, as when run by hand: read, not mapped, and all of it
before=$(count_new bob)
printf 'Subject: piped\n\nthe body through a pipe\n' |
    "$B/local" -q test.6 carol@example.org bob@example.test >"$T/res" 2>"$T/err"
f=$(ls -t "$POSTEL_ROOT"/mail/bob/Maildir/new/* | head -1)
is "$(count_new bob) $(tail -n 1 "$f")" "$((before + 1)) the body through a pipe" \
    "a message on a pipe is delivered whole"

# the same queued message delivered again (qrun died with it in flight):
# the Maildir name comes from the queue ID, so no second copy
before=$(count_new bob)
"$B/local" -q 1795000000.123456.42 carol@example.org bob@example.test <"$T/msg" >"$T/res" 2>"$T/err"
"$B/local" -q 1795000000.123456.42 carol@example.org bob@example.test <"$T/msg" >"$T/res2" 2>"$T/err"
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4) $(grep -v '^action ' "$T/res2" | cut -d' ' -f1-4)" "rcpt 1 ok 2.0.0 rcpt 1 ok 2.0.0" "both attempts report ok"
is "$(count_new bob)" $((before + 1)) "one copy in the Maildir"
is "$(ls "$POSTEL_ROOT/mail/bob/Maildir/new" | grep -c '^1795000000\.M123456P42R')" 1 "named after the queue ID"

deliver nosuch@example.test
is "$(grep -v '^action ' "$T/res" | cut -d' ' -f1-4)" "rcpt 1 perm 5.1.1" "unknown user: perm 5.1.1"
expect_exit 100 "usage error is 100" "$B/local" onlyone
done_testing
