#!/bin/sh
# 7004-child-state.t: every program postel starts gets only the descriptors
# its contract names, every signal at its default and none blocked
# (postel-security(7), PROGRAMS POSTEL STARTS), whatever its starter
# inherited. Here qrun (and sendmail) start with a secret file open on fd
# 7, SIGTERM, SIGINT and SIGHUP ignored and SIGUSR1 blocked; a user's
# |program (through the root spawner and through qrun's own fork) and a
# filter record what they got.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
[ "$(id -u)" -eq 0 ] || skip_all "needs root to start qrun as root with a spawner"
id bin >/dev/null 2>&1 || skip_all "no bin account"
plan 9
setup_instance
chmod 711 "$T"
chmod 755 "$POSTEL_ROOT" "$POSTEL_ROOT/mail" "$POSTEL_ROOT/conf"
chmod a+r "$POSTEL_ROOT"/conf/*
chown -R bin:bin "$POSTEL_ROOT/mail/alice"
A=$POSTEL_ROOT/mail/alice
echo "root only" >"$T/secret"
chmod 600 "$T/secret"

# The probes: programs exec'd in place of the shell, so that what they
# see is what the program postel started got. ls opens the directory it
# lists on the lowest free descriptor, which shows in the list.
probe() {
	printf '|exec ls /proc/self/fd >%s.fds\n' "$1"
	printf '|exec grep ^Sig /proc/self/status >%s.sig\n' "$1"
}
# hostile: run a command with fd 7 on the secret, TERM/INT/HUP ignored,
# USR1 blocked, as a careless init script or a shell with traps would
hostile() {
	$PY - "$T/secret" "$@" <<'EOF'
import os, signal, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.dup2(fd, 7, inheritable=True)
for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(s, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
os.execv(sys.argv[2], sys.argv[2:])
EOF
}
clean='SigIgn:	0000000000000000 SigBlk:	0000000000000000'
sigs() { grep -E '^Sig(Ign|Blk)' "$1" 2>/dev/null | sort -r | tr '\n' ' ' | sed 's/ $//'; }
fds() { tr '\n' ' ' <"$1" 2>/dev/null; }
as_nobody() { runuser -u nobody -- env POSTEL_ROOT="$POSTEL_ROOT" POSTEL_LIBEXEC="$B" "$@"; }

# 1. qrun as root with qrun-user: the root spawner starts local
echo "qrun-user nobody" >>"$POSTEL_ROOT/conf/postel.conf"
chown -R nobody "$POSTEL_ROOT/queue"
probe "$A/spawned" >"$A/.postel"
chown bin:bin "$A/.postel"
printf 'Subject: one\n\nb\n' | as_nobody "$B/enqueue" -f a@example.org alice@example.test >/dev/null 2>&1
hostile "$B/qrun" -1 >"$T/qrun.log" 2>&1
diag_on_fail "$T/qrun.log"
grep -q '^qrun: privsep ' "$T/qrun.log"; ok $? "qrun ran with a root spawner"
is "$(fds "$A/spawned.fds")" "0 1 2 3 " \
    "a .postel program started through the spawner has fds 0-2 only (3: ls's own)"
is "$(sigs "$A/spawned.sig")" "$clean" "no signal ignored or blocked"

# 2. qrun without qrun-user forks local itself
sed -i '/^qrun-user/d' "$POSTEL_ROOT/conf/postel.conf"
chown -R root "$POSTEL_ROOT/queue"
probe "$A/forked" >"$A/.postel"
chown bin:bin "$A/.postel"
printf 'Subject: two\n\nb\n' | "$B/enqueue" -f a@example.org alice@example.test >/dev/null 2>&1
hostile "$B/qrun" -1 >>"$T/qrun.log" 2>&1
is "$(fds "$A/forked.fds")" "0 1 2 3 " \
    "a .postel program started by qrun's own fork has fds 0-2 only"
is "$(sigs "$A/forked.sig")" "$clean" "no signal ignored or blocked"
is "$(queue_count)" 0 "both delivered"

# 3. a filter (postel-filter(8)) gets fds 0-3: fd 3 is its recipient list
cat >"$T/filt" <<EOF
#!/bin/sh
ls /proc/self/fd >"$T/filter.fds"
grep ^Sig /proc/self/status >"$T/filter.sig"
exec cat
EOF
chmod 755 "$T/filt"
echo "filters-local $T/filt" >>"$POSTEL_ROOT/conf/postel.conf"
printf 'Subject: three\n\nb\n' | hostile "$B/sendmail" -f a@example.org alice@example.test 2>"$T/sm.err"
ok $? "sendmail queued through the filter"
is "$(fds "$T/filter.fds")" "0 1 2 3 4 " "the filter has fds 0-3 only (4: ls's own)"
is "$(sigs "$T/filter.sig")" "$clean" "no signal ignored or blocked"
