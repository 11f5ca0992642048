#!/bin/sh
# 7003-qrun-privsep.t: started as root with qrun-user set, qrun becomes the
# queue user and keeps one root spawner whose only job is to start local;
# local becomes each recipient (two different accounts here), and nothing
# that qrun itself does runs as root.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
[ "$(id -u)" -eq 0 ] || skip_all "needs root to switch users"
id daemon >/dev/null 2>&1 && id bin >/dev/null 2>&1 || skip_all "no daemon and bin accounts"
plan 14
setup_instance
mkdir -p "$POSTEL_ROOT/mail/carol/Maildir/tmp" "$POSTEL_ROOT/mail/carol/Maildir/new" \
    "$POSTEL_ROOT/mail/carol/Maildir/cur"
echo "carol@example.test $POSTEL_ROOT/mail/carol daemon" >> "$POSTEL_ROOT/conf/users"
echo "qrun-user nobody" >> "$POSTEL_ROOT/conf/postel.conf"
chmod 711 "$T"
chmod 755 "$POSTEL_ROOT" "$POSTEL_ROOT/mail" "$POSTEL_ROOT/conf"
chmod a+r "$POSTEL_ROOT"/conf/*
chown -R bin:bin "$POSTEL_ROOT/mail/alice"   # a root group (gid 0) is refused
chown -R daemon "$POSTEL_ROOT/mail/carol"
chown -R nobody "$POSTEL_ROOT/queue"

as_nobody() { runuser -u nobody -- env POSTEL_ROOT="$POSTEL_ROOT" POSTEL_LIBEXEC="$B" "$@"; }
printf 'Subject: one\n\nfirst\n' | as_nobody "$B/enqueue" -f a@example.org alice@example.test carol@example.test >/dev/null 2>&1
ok $? "queued as the queue user"

"$B/qrun" -1 >"$T/qrun.log" 2>&1
is "$?" 0 "one pass started as root"
grep -q "^qrun: privsep user=nobody uid=$(id -u nobody) spawner=" "$T/qrun.log"; ok $? "it says it became nobody and kept a spawner"
fa=$(ls "$POSTEL_ROOT"/mail/alice/Maildir/new/* 2>/dev/null | head -1)
fc=$(ls "$POSTEL_ROOT"/mail/carol/Maildir/new/* 2>/dev/null | head -1)
is "$(stat -c %U "$fa" 2>/dev/null)" "bin" "alice's copy was written as bin, her home's owner"
is "$(stat -c %U "$fc" 2>/dev/null)" "daemon" "carol's copy was written as daemon, her account"

# the daemon: the main process is nobody, its only root child the spawner
"$B/qrun" >"$T/daemon.log" 2>&1 &
q=$!
reap $q
wait_for 10 grep -q "^qrun: start mode=daemon" "$T/daemon.log"
is "$(awk '/^Uid:/ {print $2 $3}' /proc/$q/status)" "$(id -u nobody)$(id -u nobody)" "the daemon runs as nobody"
sp=$(sed -n 's/^qrun: privsep .*spawner=\([0-9]*\).*/\1/p' "$T/daemon.log")
is "$(awk '/^Uid:/ {print $2}' /proc/$sp/status 2>/dev/null)" "0" "the spawner is root"
printf 'Subject: two\n\nsecond\n' | as_nobody "$B/enqueue" -f a@example.org carol@example.test >/dev/null 2>&1
wait_for 10 sh -c '[ "$(ls "$0"/mail/carol/Maildir/new | wc -l)" -eq 2 ]' "$POSTEL_ROOT"
ok $? "the daemon delivers through the spawner"
kill $q
wait_for 10 sh -c '! kill -0 '"$sp"' 2>/dev/null'
ok $? "the spawner ends with qrun"

# batches through the spawner: one local per recipient for several
# messages (postel-result(5), Batches), each still one uid. A wrapper
# notes local's arguments (it runs as root, before local switches).
L=$T/libexec
mkdir "$L"
ln -s "$B/enqueue" "$L/enqueue"
printf '#!/bin/sh
echo "$*" >>%s/local.argv
exec %s/local "$@"
' "$T" "$B" >"$L/local"
chmod 755 "$L/local"
echo "concurrency-local 1" >>"$POSTEL_ROOT/conf/postel.conf"
for s in b1 b2 b3; do
	printf 'Subject: %s\n\nb\n' $s | as_nobody "$B/enqueue" -f a@example.org alice@example.test >/dev/null 2>&1
done
for s in c1 c2; do
	printf 'Subject: %s\n\nb\n' $s | as_nobody "$B/enqueue" -f a@example.org carol@example.test >/dev/null 2>&1
done
POSTEL_LIBEXEC=$L "$B/qrun" -1 >>"$T/qrun.log" 2>&1
is "$?" 0 "a pass with batches, started as root"
is "$(grep -c '^-m -- alice@example.test [^ ]* [^ ]* [^ ]*$' "$T/local.argv")/$(grep -c '^-m -- carol@example.test [^ ]* [^ ]*$' "$T/local.argv")" \
    "1/1" "one local for alice's three messages, one for carol's two"
is "$(ls "$POSTEL_ROOT"/mail/alice/Maildir/new | wc -l)/$(ls "$POSTEL_ROOT"/mail/carol/Maildir/new | wc -l)" \
    "4/4" "all delivered"
is "$(stat -c %U "$POSTEL_ROOT"/mail/alice/Maildir/new/* | sort -u)" "bin" "alice's, all as bin"
is "$(stat -c %U "$POSTEL_ROOT"/mail/carol/Maildir/new/* | sort -u)" "daemon" "carol's, all as daemon"
diag_on_fail "$T/qrun.log" "$T/local.argv"
done_testing
