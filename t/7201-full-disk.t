#!/bin/sh
# 7201-full-disk.t: an instance on a small tmpfs the test mounts (root
# only; skipped otherwise). With the queue's filesystem full, smtpd
# answers 452 after the final dot (not 250, not a crash) and nothing is
# queued; with a Maildir's filesystem full, local's result is temporary
# (no bounce) and the message waits in the queue; when space returns,
# both recover and every delivered file is whole; no partial file is left
# in queue/tmp or Maildir/tmp.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
. "$(dirname "$0")/3smtpd.sh"
[ "$(id -u)" -eq 0 ] || skip_all "mounting a tmpfs needs root"
mkdir "$T/q" "$T/m"
mount -t tmpfs -o size=1m tmpfs "$T/q" 2>/dev/null ||
    skip_all "mount -t tmpfs is not permitted here"
trap 'umount "$T/m" 2>/dev/null; umount "$T/q" 2>/dev/null; _cleanup' EXIT
export POSTEL_ALLOW_ROOT=1
plan 13
POSTEL_ROOT=$T/q/root
setup_instance
# alice's Maildir on a second small filesystem
mount -t tmpfs -o size=512k tmpfs "$T/m" || echo "# second mount failed"
mkdir -p "$T/m/Maildir/tmp" "$T/m/Maildir/new" "$T/m/Maildir/cur"
rm -rf "$POSTEL_ROOT/mail/alice"
ln -s "$T/m" "$POSTEL_ROOT/mail/alice"
chmod 755 "$T/q" "$T/m"
as_recipients
chown -R nobody:nogroup "$T/m"

# fill FS: write a filler until the filesystem refuses
fill() { dd if=/dev/zero of="$1/filler" bs=4k 2>/dev/null; sync; }
body() { $PY -c "print('Subject: big $1\n'); [print('line %05d %s' % (i, 'x' * 60)) for i in range(2000)]"; }
body 1 >"$T/msg1"     # about 140 kB

start_smtpd
smtp() {
	$PY - "$port" "$1" <<'PY'
import smtplib, sys
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=20)
try:
    s.sendmail('carol@example.org', ['alice@example.test'],
               open(sys.argv[2]).read())
    print(250)
except smtplib.SMTPDataError as e:
    print(e.smtp_code)
except smtplib.SMTPException as e:
    print('error %s' % e)
PY
}
fill "$T/q"
is "$(smtp "$T/msg1")" 452 "queue filesystem full: 452 after the final dot"
is "$(queue_count)" 0 "nothing queued"
ok "$(grep -q -i 'sanitizer\|segmentation\|abort' "$T/smtpd.log"; [ $? -ne 0 ]; echo $?)" \
    "smtpd did not crash"
is "$(ls -A "$POSTEL_ROOT/queue/tmp" | wc -l | tr -d ' ')" 0 "no partial file in queue/tmp"
rm -f "$T/q/filler"
is "$(smtp "$T/msg1")" 250 "space back: 250"
is "$(queue_count)" 1 "and queued"

fill "$T/m"
pass
grep -q 'rcpt=<alice@example.test> channel=local status=temp dsn=4' "$T/qrun.log"
ok $? "Maildir filesystem full: local's result is temporary"
is "$(queue_count)" 1 "the message waits in the queue"
grep -q 'qrun: bounce' "$T/qrun.log"
ok "$([ $? -ne 0 ]; echo $?)" "no bounce"
is "$(ls -A "$T/m/Maildir/tmp" | wc -l | tr -d ' ')" 0 "no partial file in Maildir/tmp"
rm -f "$T/m/filler"
pass
is "$(queue_count)" 0 "space back: delivered on the next pass"
f=$(ls "$T/m/Maildir/new/"* 2>/dev/null | head -1)
# the delivered copy ends with the message as sent, byte for byte
$PY - "$f" "$T/msg1" <<'PY'
import sys
got, sent = open(sys.argv[1], 'rb').read(), open(sys.argv[2], 'rb').read()
sys.exit(0 if got.endswith(sent) else 1)
PY
ok $? "the delivered copy is whole"
is "$(ls "$T/m/Maildir/new" | wc -l | tr -d ' ')" 1 "exactly one copy"
done_testing
