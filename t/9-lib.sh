# t/9-lib.sh: helpers for the pop3d tests (family 9), sourced after lib.sh.
# It brings in t/4-lib.sh (as_recipients, pass) and t/6tls.sh (make_certs).
# pop_instance [LINE...]: an instance with alice and bob whose homes
#   belong to nobody, their passwords (alice: secret, bob: bobpass) in
#   conf/pop-users, the test certificate, and postel.conf as pop_conf
#   writes it.
# pop_conf [LINE...]: postel.conf as setup wrote it, plus pop3d-user
#   nobody, auth-users, auth-fail-delay 0, tls-cert, tls-key, then LINEs;
#   pop3d reads it at each connection.
# deliver USER N [TAG]: N messages to USER@example.test through enqueue
#   and one qrun pass, with subjects TAG1..TAGN (see msg); $T/deliver-one
#   USER does the same for one message, from a client's @sh item.
# pop3d_start [VAR=value...]: pop3d under tcpserver on 127.0.0.1 (or
#   $POP_HOST) and a free port ($pport, tcpserver's PID in $tpid), the
#   variables in its environment, log in $T/pop3d.log. pop3d_stop.
# pop [-c] [--ssl] [--exec CMD] ITEM...: one conversation with t/9-pop.py
#   talk (CMD: one word, a pop3d on a pipe).
# tree PID: the PIDs of PID's descendants, one a line.
# checks CMD...: CMD prints "PASS name" and "FAIL name # why" lines; each
#   becomes a TAP test point.
# md USER: USER's Maildir. msgs USER: the number of files in new/ and cur/.
command -v tcpserver >/dev/null 2>&1 || skip_all "tcpserver (ucspi-tcp) not installed"
. "$TOP/t/4-lib.sh"
. "$TOP/t/6tls.sh"
if [ ! -x "$B/pop3d" ]; then
	echo "Bail out! no pop3d in $B"
	exit 1
fi
POPPY=$TOP/t/9-pop.py
POP_HOST=${POP_HOST:-127.0.0.1}

pop_instance() {
	[ "$(id -u)" -eq 0 ] || skip_all "not root: pop3d's split needs root"
	setup_instance
	as_recipients queue
	make_certs || { echo "Bail out! openssl could not make certificates"; exit 1; }
	chmod 755 "$T/pki"
	chmod a+r "$T/pki"/*
	_ha=$(openssl passwd -6 -salt alicesalt secret)
	_hb=$(openssl passwd -6 -salt bobsalt bobpass)
	printf '# pop3d test users\nalice@example.test:%s\nbob@example.test:%s\n' \
	    "$_ha" "$_hb" >"$POSTEL_ROOT/conf/pop-users"
	chmod 644 "$POSTEL_ROOT/conf/pop-users"
	cp "$POSTEL_ROOT/conf/postel.conf" "$T/postel.conf.orig"
	pop_conf "$@"
	msg one >"$T/one.msg"
	printf '#!/bin/sh\nexec >>"%s" 2>&1\n"%s/enqueue" -f carol@example.org "$1@example.test" <"%s" &&\n"%s/qrun" -1 -f\n' \
	    "$T/qrun.log" "$B" "$T/one.msg" "$B" >"$T/deliver-one"
	chmod 755 "$T/deliver-one"
}

pop_conf() {
	{
		cat "$T/postel.conf.orig"
		echo "pop3d-user nobody"
		echo "auth-users pop-users"
		echo "auth-fail-delay 0"
		echo "tls-cert $T/pki/mx.pem"
		echo "tls-key $T/pki/mx.key"
		for _l in "$@"; do echo "$_l"; done
	} >"$POSTEL_ROOT/conf/postel.conf"
	chmod 644 "$POSTEL_ROOT/conf/postel.conf"
}

# msg TAG: a message whose body has what POP3 must transform: lines that
# start with a dot (stuffed on the wire), a line of one dot, an empty
# line, a long line and a From line
msg() {
	printf 'From: carol@example.org\nTo: alice@example.test\nSubject: %s\n\n' "$1"
	printf 'body of %s\n.leading dot\n..two dots\n.\n\nFrom here\n' "$1"
	printf '%0900d\nlast line of %s\n' 0 "$1"
}

deliver() {
	_d=1
	while [ "$_d" -le "$2" ]; do
		msg "${3:-m}$_d" | "$B/enqueue" -f carol@example.org \
		    "$1@example.test" >>"$T/enqueue.log" 2>&1 || return 1
		_d=$((_d + 1))
	done
	pass
}

md() { echo "$POSTEL_ROOT/mail/$1/Maildir"; }
msgs() {
	find "$(md "$1")/new" "$(md "$1")/cur" -type f | wc -l | tr -d ' '
}

pop3d_start() {
	pport=$(free_port)
	tcpserver ${TCPSERVER_OPTS:-} -q -HRl0 "$POP_HOST" "$pport" \
	    env "$@" "$B/pop3d" 2>>"$T/pop3d.log" &
	tpid=$!
	reap $tpid
	diag_on_fail "$T/pop3d.log"
	wait_for 5 $PY -c "import socket; socket.create_connection(('$POP_HOST', $pport)).close()"
}

# pop3d_stop: tcpserver goes; sessions still running end on their own
pop3d_stop() {
	kill "$tpid" 2>/dev/null
	wait "$tpid" 2>/dev/null
}

tree() {
	for _c in $(pgrep -P "$1"); do
		echo "$_c"
		tree "$_c"
	done
}

pop() {
	_o=""
	while :; do
		case ${1:-} in
		-c|--ssl) _o="$_o $1"; shift ;;
		--exec) _o="$_o --exec $2"; shift 2 ;;
		*) break ;;
		esac
	done
	# shellcheck disable=SC2086
	timeout 60 $PY "$POPPY" talk $_o --host "$POP_HOST" --ca "$T/pki/ca.pem" \
	    "$pport" "$@"
}

checks() {
	"$@" >"$T/checks.out" 2>"$T/checks.err"
	_rc=$?
	while IFS= read -r _l; do
		case $_l in
		PASS\ *) ok 0 "${_l#PASS }" ;;
		FAIL\ *) ok 1 "${_l#FAIL }" ;;
		esac
	done <"$T/checks.out"
	[ $_rc -eq 0 ] || { echo "# $1 exited $_rc"; sed 's/^/# /' "$T/checks.err" | tail -20; }
}
