# t/5-postfix.sh: Debian's Postfix as a loopback SMTP peer, sourced after
# t/lib.sh. The postfix package is never installed: it would take the MTA
# slot (/usr/sbin/sendmail) and remove postel's own package (t/0020). Its
# .deb is unpacked once into $POSTEL_BUILD/peers/postfix/root and each test
# runs a private instance from there: its own configuration directory,
# queue, data directory, log file and virtual mailboxes under the test dir,
# listening only on the ip:port given, sending everything not its own to
# one [ip]:port without DNS.
#
# pf_prepare: skip the whole test unless root (master starts as root), the
#   .deb can be had ($PF_DEB, else the apt cache, else `apt-get download
#   postfix`)
#   and its libraries load; unpacks it on first use, under a lock.
# pf_free_port IP: a TCP port free on IP.
# pf_start DIR IP:PORT DOMAIN RELAY-IP:PORT [LOCALPART...]: a Postfix in
#   DIR (made here) serving SMTP on IP:PORT, delivering mail for
#   LOCALPART@DOMAIN (default: bob) into virtual Maildirs
#   DIR/vmail/LOCALPART/ (other users of DOMAIN: 550 5.1.1), and relaying
#   all other mail to [RELAY-IP]:RELAY-PORT. Its host name: pf.DOMAIN.
#   Returns non-zero (and says why on the TAP output) if it did not start.
#   The instance is stopped when the test exits. One instance per test.
# pf_stop: `postfix stop`, then SIGKILL by PID for any of its processes
#   left; its files stay for the pf_ functions below.
# pf_alive: the PIDs of the instance's processes still alive.
# pf_mail LOCALPART: the files of LOCALPART's Maildir/new, one a line.
# pf_has_mail LOCALPART N: that Maildir/new holds N messages (for wait_for).
# pf_log: the instance's log file (PF_DIR/maillog).
# pf_commands: the SMTP commands Postfix's smtpd received from PF_DEBUG_PEER,
#   one a line as sent; set PF_DEBUG_PEER=IP (or NET/LEN) before pf_start
#   for them (debug_peer_list: smtpd then logs "< unknown[IP]: COMMAND").
# Accounts: Postfix runs as mail (mail_owner) with news as setgid_group and
# delivers as nobody:nogroup; all are Debian base-passwd accounts, so
# nothing is added to the host. Postfix refuses a setgid_group that is the
# group of mail_owner or of default_privs (nobody), hence news.

PF_OWNER=mail
PF_SGID=news
PF_DIR=
_pf_sid=
_pf_up=

_pf_libs() {
	LD_LIBRARY_PATH=$PF_ROOT/usr/lib/postfix ldd "$@" 2>/dev/null |
	    awk '/not found/ {print $1}' | sort -u | tr '\n' ' '
}

# _pf_fetch DEST: the postfix .deb into DEST/, from the apt cache, $PF_DEB
# or the archive
_pf_fetch() {
	for _deb in ${PF_DEB:-} /var/cache/apt/archives/postfix_*.deb; do
		[ -f "$_deb" ] && cp "$_deb" "$1/postfix.deb" && return 0
	done
	(cd "$1" && timeout 120 apt-get download -q postfix) >"$1/download.log" 2>&1 &&
	    mv "$1"/postfix_*.deb "$1/postfix.deb"
}

_pf_unpack() {
	# fetched and unpacked in the test dir, pruned there, then copied next
	# to the cache and renamed into place: nothing half made under build/
	_x=$T/pf-deb
	mkdir -p "$_x" || return 1
	if ! _pf_fetch "$_x"; then
		sed 's/^/# /' "$_x/download.log" 2>/dev/null | tail -3
		return 2
	fi
	# Only the programs, their libraries and the meta files stay, and no
	# empty X.d directories: the Makefile reads every *.d under build/.
	_new=$PF_CACHE/new.$$
	rm -rf "$_new"
	dpkg-deb -x "$_x/postfix.deb" "$_x/x" &&
	    rmdir "$_x/x/etc/postfix"/*.d &&
	    mkdir -p "$_x/root/usr/lib" "$_x/root/etc" &&
	    mv "$_x/x/usr/sbin" "$_x/root/usr/sbin" &&
	    mv "$_x/x/usr/lib/postfix" "$_x/root/usr/lib/postfix" &&
	    mv "$_x/x/etc/postfix" "$_x/root/etc/postfix" &&
	    dpkg-deb -f "$_x/postfix.deb" Version >"$_x/root/VERSION" &&
	    cp -a "$_x/root" "$_new" &&
	    mv "$_new" "$PF_ROOT"
	_rc=$?
	rm -rf "$_new" "$_x"
	return $_rc
}

pf_prepare() {
	[ "$(id -u)" -eq 0 ] || skip_all "not root: Postfix's master starts as root"
	command -v dpkg-deb >/dev/null 2>&1 || skip_all "dpkg-deb not installed"
	command -v flock >/dev/null 2>&1 || skip_all "flock (util-linux) not installed"
	for _a in "$PF_OWNER" nobody; do
		id "$_a" >/dev/null 2>&1 || skip_all "no $_a account for Postfix"
	done
	getent group "$PF_SGID" >/dev/null || skip_all "no $PF_SGID group for Postfix"
	PF_CACHE=${POSTEL_BUILD:-$TOP/build}/peers/postfix
	PF_ROOT=$PF_CACHE/root
	mkdir -p "$PF_CACHE" || skip_all "cannot make $PF_CACHE"
	# one unpacker at a time; the others wait and then find it done
	_rc=0
	if [ ! -x "$PF_ROOT/usr/lib/postfix/sbin/master" ]; then
		exec 9>"$PF_CACHE/lock"
		flock -w 180 9 || skip_all "$PF_CACHE/lock held for 180 s"
		[ -x "$PF_ROOT/usr/lib/postfix/sbin/master" ] || _pf_unpack || _rc=$?
		exec 9>&-
	fi
	[ $_rc -ne 2 ] || skip_all "the postfix .deb is unreachable (apt-get download postfix failed; set PF_DEB=FILE.deb)"
	[ $_rc -eq 0 ] || skip_all "could not unpack the postfix .deb into $PF_ROOT"
	_miss=$(_pf_libs "$PF_ROOT/usr/lib/postfix/sbin/master" \
	    "$PF_ROOT/usr/lib/postfix/sbin/smtpd" "$PF_ROOT/usr/lib/postfix/sbin/smtp" \
	    "$PF_ROOT"/usr/lib/postfix/*.so)
	[ -z "$_miss" ] || skip_all "Postfix's libraries missing: $_miss(install libdb5.3 libicu72 libnsl2 libsasl2-2 libssl3)"
	PF_BIN=$PF_ROOT/usr/sbin
}

pf_free_port() {
	$PY -c 'import socket,sys; s=socket.socket(); s.bind((sys.argv[1],0)); print(s.getsockname()[1])' "$1"
}

# _pf COMMAND ARGS...: one of Postfix's commands, bounded in time
_pf() {
	_c=$1
	shift
	LD_LIBRARY_PATH=$PF_ROOT/usr/lib/postfix timeout 60 "$PF_BIN/$_c" "$@"
}

_pf_conf() {
	_r=$PF_ROOT
	cat >"$PF_DIR/conf/main.cf" <<EOF
compatibility_level = 3.6
config_directory = $PF_DIR/conf
meta_directory = $_r/etc/postfix
daemon_directory = $_r/usr/lib/postfix/sbin
command_directory = $_r/usr/sbin
shlib_directory = $_r/usr/lib/postfix
queue_directory = $PF_DIR/queue
data_directory = $PF_DIR/data
mail_owner = $PF_OWNER
setgid_group = $PF_SGID
import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C LD_LIBRARY_PATH
maillog_file = $PF_DIR/maillog
maillog_file_prefixes = $PF_DIR
syslog_name = postfix-test
myhostname = $_pf_host
mydomain = $_pf_domain
myorigin = \$myhostname
mydestination =
append_dot_mydomain = no
biff = no
inet_interfaces = all
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
smtp_host_lookup = native
relayhost = [$_pf_relay_ip]:$_pf_relay_port
smtp_tls_security_level = none
smtpd_tls_security_level = none
alias_maps =
alias_database =
local_recipient_maps =
virtual_mailbox_domains = $_pf_domain
virtual_mailbox_base = $PF_DIR/vmail
virtual_mailbox_maps = texthash:$PF_DIR/conf/vmailbox
virtual_uid_maps = static:$(id -u nobody)
virtual_gid_maps = static:$(id -g nobody)
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
debug_peer_list = ${PF_DEBUG_PEER:-}
EOF
	# each user's Maildir is named after the local part (trailing /:
	# Maildir); a map may not substitute, so the users are listed
	for _u in $_pf_users; do
		printf '%s@%s %s/\n' "$_u" "$_pf_domain" "$_u"
	done >"$PF_DIR/conf/vmailbox"
	# Postfix waits until a configuration file is a second old, lest it
	# read one half written: these are whole already
	touch -d '2 seconds ago' "$PF_DIR"/conf/*
	cat >"$PF_DIR/conf/master.cf" <<EOF
$_pf_listen inet n - n - - smtpd
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
smtp unix - - n - - smtp
relay unix - - n - - smtp
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
virtual unix - n n - - virtual
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
EOF
}

pf_start() {
	PF_DIR=$1
	_pf_listen=$2
	_pf_domain=$3
	_pf_relay_ip=${4%:*}
	_pf_relay_port=${4##*:}
	shift 4
	_pf_users=${*:-bob}
	_pf_host=pf.$_pf_domain
	mkdir -p "$PF_DIR/conf" "$PF_DIR/queue" "$PF_DIR/data" "$PF_DIR/vmail" || return 1
	# Postfix's daemons run as mail and deliver as nobody: let them through
	chmod 711 "$T" "$PF_DIR"
	chown "$PF_OWNER" "$PF_DIR/data"
	chown nobody:nogroup "$PF_DIR/vmail"
	_pf_conf
	# the queue as post-install(1) would make it (postfix-files); with
	# quick-start, postfix start skips its checks, which would only warn
	# that postdrop and postqueue are not setgid here, a second a warning
	for _q in active bounce corrupt defer deferred flush hold incoming \
	    private saved trace maildrop public; do
		mkdir "$PF_DIR/queue/$_q" && chown "$PF_OWNER" "$PF_DIR/queue/$_q" &&
		    chmod 700 "$PF_DIR/queue/$_q" || return 1
	done
	mkdir -m 755 "$PF_DIR/queue/pid" || return 1
	chgrp "$PF_SGID" "$PF_DIR/queue/maildrop" "$PF_DIR/queue/public"
	chmod 730 "$PF_DIR/queue/maildrop"
	chmod 710 "$PF_DIR/queue/public"
	: >"$PF_DIR/queue/quick-start"
	diag_on_fail "$PF_DIR/maillog"
	trap 'pf_stop; _cleanup' EXIT
	_pf_up=1
	_pf postfix -c "$PF_DIR/conf" start >"$PF_DIR/start.out" 2>&1
	_rc=$?
	# a master that is up, whatever postfix start said, is stopped at exit
	_pf_sid=$(sed -n '1s/ //gp' "$PF_DIR/queue/pid/master.pid" 2>/dev/null)
	if [ $_rc -ne 0 ]; then
		echo "# Postfix did not start; its complaint:"
		# its own commands write to stderr only on a terminal
		script -qc "LD_LIBRARY_PATH=$PF_ROOT/usr/lib/postfix $PF_BIN/postfix -c $PF_DIR/conf check" \
		    /dev/null 2>&1 | tail -5 | sed 's/^/# /'
		return 1
	fi
	$PY -c 'import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 5).close()' \
	    "${_pf_listen%:*}" "${_pf_listen##*:}" 2>/dev/null
}

# pf_alive: the live processes of the instance (master calls setsid and
# its daemons stay in its session); zombies are dead already
pf_alive() {
	[ -n "$_pf_sid" ] || return 0
	ps -o pid=,stat= -s "$_pf_sid" 2>/dev/null | awk '$2 !~ /^Z/ {print $1}'
}

# pf_stop: master takes its daemons with it; whatever is still alive after
# 3 s is killed by PID
pf_stop() {
	[ -n "$_pf_up" ] || return 0
	_pf_up=
	if [ -n "$_pf_sid" ]; then
		_pf postfix -c "$PF_DIR/conf" stop >/dev/null 2>&1
		_i=0
		while [ $_i -lt 30 ] && [ -n "$(pf_alive)" ]; do
			sleep 0.1
			_i=$((_i + 1))
		done
		for _p in $(pf_alive); do
			kill -9 "$_p" 2>/dev/null
		done
	fi
}

pf_mail() {
	ls "$PF_DIR/vmail/$1/new" 2>/dev/null | sed "s|^|$PF_DIR/vmail/$1/new/|"
}

pf_has_mail() {
	test "$(pf_mail "$1" | wc -l | tr -d ' ')" = "$2"
}

pf_log() {
	echo "$PF_DIR/maillog"
}

pf_commands() {
	sed -n 's/^.* postfix-test\/smtpd\[[0-9]*\]: < [^ ]*: //p' "$PF_DIR/maillog"
}
