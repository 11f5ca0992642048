#!/bin/sh
# 9101-dovecot-imap.t: IMAP through Dovecot on postel's Maildirs, with
# conf/dovecot/dovecot.conf as shipped (only its paths and ports changed):
# postel delivers, Dovecot logs alice in through postel's checkpassword
# with her auth-users password, reads, flags and expunges over IMAP; then
# Dovecot's POP3 and postel's pop3d see the same mailbox, with the same
# unique-ids, the Maildir base names. checkpassword alone too: the
# environment it hands on, bad and unknown logins, temporary trouble.
# Root: Dovecot runs mail processes as the mailbox's owner (nobody here).
. "$(dirname "$0")/lib.sh"
. "$TOP/t/4-lib.sh"
. "$TOP/t/9-dovecot.sh"
dovecot_needs
plan 47

mail_instance
CP=$B/checkpassword
NOBODY=$(id -u nobody):$(id -g nobody)

# checkpassword alone: a reply program that shows what it was given
cat >"$T/reply" <<'EOF'
#!/bin/sh
env | grep -E '^(USER|HOME|EXTRA|AUTHORIZED|userdb_[a-z]+)=' | sort
exit "${REPLY_EXIT:-0}"
EOF
chmod +x "$T/reply"
cpw() {         # cpw USER PASS [VAR=value...]: checkpassword's exit, env in $T/cp.out
	_u=$1 _p=$2; shift 2
	printf '%s\0%s\0\0' "$_u" "$_p" >"$T/cp.in"
	env "$@" "$CP" "$T/reply" 3<"$T/cp.in" >"$T/cp.out" 2>"$T/cp.err"
}
cpw alice@example.test secret
is "$?" 0 "checkpassword: the right password runs the reply program"
is "$(cat "$T/cp.out")" "EXTRA=userdb_uid userdb_gid userdb_mail
HOME=$R/mail/alice
USER=alice@example.test
userdb_gid=$(id -g nobody)
userdb_mail=maildir:$MD
userdb_uid=$(id -u nobody)" "checkpassword: USER, HOME and the userdb fields of alice's mailbox"
cpw alice@example.test secret AUTHORIZED=1 REPLY_EXIT=2
is "$?" 2 "checkpassword: a userdb lookup (AUTHORIZED=1) runs the reply program"
grep -qx AUTHORIZED=2 "$T/cp.out"
ok $? "checkpassword: and answers it with AUTHORIZED=2"
cpw alice@example.test Hunter2x
is "$?" 1 "checkpassword: a wrong password exits 1"
is "$(cat "$T/cp.out")" "" "checkpassword: and runs nothing"
grep -q Hunter2x "$T/cp.err"
is "$?" 1 "checkpassword: the password is not in its message"
cpw carol@example.test secret
is "$?" 1 "checkpassword: an unknown user exits 1"
cpw carol@example.test "" AUTHORIZED=1
is "$?" 3 "checkpassword: an unknown user in a userdb lookup exits 3"
cpw bob@example.test secret
is "$?" 1 "checkpassword: a user without a password in auth-users exits 1"
cpw root secret
is "$?" 1 "checkpassword: root is no mailbox"
"$CP" "$T/reply" 3</dev/null >/dev/null 2>&1
is "$?" 2 "checkpassword: no user name on descriptor 3 is misuse (2)"
mv "$R/conf/auth-users" "$R/conf/auth-users.away"
mkdir "$R/conf/auth-users"
cpw alice@example.test secret
is "$?" 111 "checkpassword: an unreadable auth-users is temporary (111)"
rmdir "$R/conf/auth-users"
mv "$R/conf/auth-users.away" "$R/conf/auth-users"
mv "$R/conf/users" "$R/conf/users.away"
mkdir "$R/conf/users"
cpw alice@example.test secret
is "$?" 111 "checkpassword: an unreadable conf/users is temporary (111)"
rmdir "$R/conf/users"
mv "$R/conf/users.away" "$R/conf/users"
cp "$R/conf/postel.conf" "$T/postel.conf"
grep -v '^auth-users ' "$T/postel.conf" >"$R/conf/postel.conf"
cpw alice@example.test secret
is "$?" 111 "checkpassword: neither auth-users nor auth-checkpassword is temporary"
cp "$T/postel.conf" "$R/conf/postel.conf"

# Dovecot with the shipped configuration: only paths and ports change
dovecot_libexec || {
	for i in $(seq $((_n + 1)) 47); do
		skip "Dovecot cannot run an ASan checkpassword; no plain build in build/"
	done
	done_testing
}
dovecot_start
ok $? "dovecot -F -c conf/dovecot/dovecot.conf starts"

# Dovecot's userdb lookups (AUTHORIZED=1) through checkpassword
doveadm -c "$T/dovecot.conf" user -f mail alice@example.test >"$T/doveadm.out" 2>&1
is "$?" 0 "doveadm user: Dovecot's userdb finds alice"
is "$(cat "$T/doveadm.out")" "maildir:$MD" "doveadm user: on the Maildir postel delivers to"
doveadm -c "$T/dovecot.conf" user carol@example.test >/dev/null 2>&1
is "$?" 67 "doveadm user: carol does not exist (EX_NOUSER)"

# postel delivers three messages to alice
deliver m1 m2 m3
is "$(count_new alice)" 3 "postel delivered three messages into alice's Maildir"
is "$(stat -c %u:%g "$MD")" "$NOBODY" "alice's Maildir belongs to nobody, not root"

# IMAP over TLS with the instance's certificate
$PY "$TOP/t/9-imap.py" imap "$imaps" "$R/conf/tls-cert.pem" "$MD" \
    alice@example.test secret >"$T/imap.out" 2>"$T/imap.err"
is "$?" 0 "the IMAP client ran to its end"
diag_on_fail "$T/imap.err"
is "$(fact badlogin "$T/imap.out")" refused "IMAP: a wrong password is refused"
is "$(fact login "$T/imap.out")" OK "IMAP: alice logs in with her postel password"
is "$(fact exists "$T/imap.out")" 3 "IMAP: INBOX holds the three messages"
is "$(fact body "$T/imap.out")" "m1 same
m2 same
m3 same" "IMAP: each message byte for byte as in its file (CRLF aside)"
is "$(fact flag "$T/imap.out")" OK "IMAP: STORE +FLAGS (\\Flagged \\Seen)"
is "$(fact delete "$T/imap.out")" OK "IMAP: STORE +FLAGS (\\Deleted)"
is "$(fact expunge "$T/imap.out")" "OK 1" "IMAP: EXPUNGE removes message 1"
is "$(fact flags "$T/imap.out")" '\Flagged \Seen' "IMAP: m2 keeps its flags"

# the Maildir as Dovecot left it
subj_file() { grep -l "^Subject: $1\$" "$MD"/cur/* "$MD"/new/* 2>/dev/null; }
is "$(subj_file m1)" "" "the expunged message's file is gone"
f2=$(subj_file m2)
f3=$(subj_file m3)
is "${f2##*:}" 2,FS "m2's flags are in its file name (:2,FS)"
is "$(find "$MD" ! -user nobody | wc -l)" 0 "Dovecot wrote as the mailbox's owner only"
b2=$(basename "${f2%%:*}")
b3=$(basename "${f3%%:*}")
base=$(ls "$MD/cur" | sed 's/:.*//' | sort)

# Dovecot's own POP3 (pop3_uidl_format %f): the base names
$PY "$TOP/t/9-imap.py" uidl "$pop3" alice@example.test secret \
    >"$T/dpop3.out" 2>"$T/dpop3.err"
is "$?" 0 "Dovecot's POP3 client ran to its end"
diag_on_fail "$T/dpop3.err"
is "$(fact uidl "$T/dpop3.out" | cut -d' ' -f2 | sort)" "$base" \
    "Dovecot's POP3 UIDLs are the Maildir base names"
echo "$base" | grep -qx "$b2" && echo "$base" | grep -qx "$b3"
ok $? "they are m2's and m3's"

# Dovecot stops by its PID
kill "$dpid"
wait_for 10 sh -c "! kill -0 $dpid 2>/dev/null"
ok $? "Dovecot stops on SIGTERM"

# postel's pop3d on the same Maildir: the same state
if [ ! -x "$B/pop3d" ]; then
	for i in 1 2 3 4 5 6 7 8 9; do skip "pop3d not built"; done
else
	diag_on_fail "$T/pop3d.err"
	"$PY" "$TOP/t/9-imap.py" pop3d "$B/pop3d" alice@example.test secret \
	    >"$T/pop3d.out" 2>"$T/pop3d.err"
	is "$?" 0 "the pop3d client ran to its end"
	is "$(fact greeting "$T/pop3d.out")" +OK "pop3d: greeting"
	is "$(fact pass "$T/pop3d.out")" +OK "pop3d: alice logs in with the same password"
	is "$(fact stat "$T/pop3d.out" | cut -d' ' -f1,2)" "+OK 2" \
	    "pop3d: two messages, the expunged one gone"
	is "$(fact uidl "$T/pop3d.out" | cut -d' ' -f2 | sort)" "$base" \
	    "pop3d: UIDLs are the Maildir base names"
	is "$(fact uidl "$T/pop3d.out" | cut -d' ' -f2 | sort)" \
	    "$(fact uidl "$T/dpop3.out" | cut -d' ' -f2 | sort)" \
	    "pop3d: the same UIDLs as Dovecot's POP3"
	is "$(fact retr "$T/pop3d.out" | cut -d' ' -f2 | sort | tr '\n' ' ')" \
	    "m2 m3 " "pop3d: retrieves m2 and m3"
	is "$(fact quit "$T/pop3d.out")" +OK "pop3d: QUIT"
	is "$(fact exit "$T/pop3d.out")" 0 "pop3d exits 0 after QUIT"
fi
is "$(ls "$MD/cur" | wc -l)" 2 "two messages left, nothing lost"
done_testing
