# t/9-dovecot.sh: helpers for the mailbox access tests that run Dovecot
# (t/91xx), sourced after t/lib.sh and t/4-lib.sh.
# dovecot_needs: skip the whole test unless it can run Dovecot as root.
# mail_instance: example.test with alice's password "secret" in
#   auth-users, a self-signed certificate as tls-cert/tls-key, pop3d as
#   root with nobody as pop3d-user and USER/PASS without TLS on a pipe;
#   R, MD (alice's Maildir), the Maildirs given to nobody.
# dovecot_libexec: DL, where Dovecot finds checkpassword: the build under
#   test, or the plain build when that one is sanitized (Dovecot's auth
#   process runs under default_vsz_limit, where ASan cannot map its
#   shadow memory); returns 1 when there is none to lend.
# dovecot_start: conf/dovecot/dovecot.conf with only its paths and ports
#   changed (imap, imaps, pop3 on free ports, pop3s off), started with
#   -F; PID in dpid, log in $T/dovecot/log. Returns 1 if nothing listens
#   on imaps within 20 s.
# deliver SUBJECT...: one message per subject from carol to alice,
#   through enqueue and one qrun pass.
# fact KEY FILE: the values of the "KEY value" lines t/9-imap.py prints.
DOVECOT=/usr/sbin/dovecot

dovecot_needs() {
	[ "$(id -u)" -eq 0 ] ||
	    skip_all "not root (Dovecot switches to the mailbox's owner)"
	[ -x "$DOVECOT" ] && [ -x /usr/lib/dovecot/imap ] ||
	    skip_all "dovecot-imapd not installed"
	[ -x /usr/lib/dovecot/pop3 ] || skip_all "dovecot-pop3d not installed"
	command -v openssl >/dev/null 2>&1 || skip_all "openssl not installed"
	id nobody >/dev/null 2>&1 || skip_all "no nobody account"
}

mail_instance() {
	setup_instance
	as_recipients
	R=$POSTEL_ROOT
	MD=$R/mail/alice/Maildir
	echo "alice@example.test:$(openssl passwd -6 secret)" \
	    >"$R/conf/auth-users"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -days 2 -keyout "$R/conf/tls-key.pem" \
	    -out "$R/conf/tls-cert.pem" -subj /CN=mx.example.test \
	    >"$T/openssl.log" 2>&1
	cat >>"$R/conf/postel.conf" <<EOF
auth-users auth-users
tls-cert tls-cert.pem
tls-key tls-key.pem
pop3d-user nobody
auth-plaintext yes
EOF
}

dovecot_libexec() {
	DL=$B
	grep -qa __asan_init "$B/checkpassword" || return 0
	DL=$TOP/build/cmd
	[ -x "$DL/checkpassword" ] && ! grep -qa __asan_init "$DL/checkpassword"
}

dovecot_listening() {
	$PY -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$1" 2>/dev/null
}

dovecot_start() {
	imap=$(free_port)
	imaps=$(free_port)
	pop3=$(free_port)
	mkdir -p "$T/dovecot/run" "$T/dovecot/state"
	sed -e "s|/var/spool/postel|$R|g" -e "s|/usr/local/lib/postel|$DL|g" \
	    -e "s|/run/dovecot-postel|$T/dovecot/run|" \
	    -e "s|/var/lib/dovecot-postel|$T/dovecot/state|" \
	    -e "s|/var/log/dovecot-postel.log|$T/dovecot/log|" \
	    -e "s|^listen = .*|listen = 127.0.0.1|" \
	    -e "s|port = 143\$|port = $imap|" -e "s|port = 993\$|port = $imaps|" \
	    -e "s|port = 110\$|port = $pop3|" -e "s|port = 995\$|port = 0|" \
	    "$TOP/conf/dovecot/dovecot.conf" >"$T/dovecot.conf"
	diag_on_fail "$T/dovecot/log" "$T/dovecot/out"
	"$DOVECOT" -F -c "$T/dovecot.conf" >"$T/dovecot/out" 2>&1 &
	dpid=$!
	reap $dpid
	wait_for 20 dovecot_listening "$imaps"
}

deliver() {
	for _s in "$@"; do
		printf 'From: carol@example.org\nTo: alice@example.test\nSubject: %s\n\nmessage %s\n.\n..two dots\n' "$_s" "$_s" |
		    "$B/enqueue" -f carol@example.org alice@example.test \
		    >>"$T/enqueue.log" 2>&1
	done
	pass
}

fact() { sed -n "s/^$1 //p" "$2"; }
