#!/bin/sh
# 9002-pop3d-fetchmail.t: fetchmail fetches what postel delivered from
# pop3d over STLS, verifying the test CA, into an MDA: each message
# arrives byte for byte (after the one Received: line fetchmail adds);
# --keep leaves the Maildir alone, --uidl then fetches only what is new,
# and a run without --keep empties it. Needs root (pop3d's split).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/9-lib.sh"
command -v fetchmail >/dev/null 2>&1 || skip_all "fetchmail not installed"
plan 17
pop_instance
pop3d_start
deliver alice 3 fetch

mkdir "$T/out" "$T/fmhome"
cat >"$T/mda" <<EOF2
#!/bin/sh
# one file per message, numbered in the order fetchmail hands them over
n=\$(ls "$T/out" | wc -l)
cat >"$T/out/\$((n + 1))"
EOF2
chmod 755 "$T/mda"
cat >"$T/fetchmailrc" <<EOF2
set no bouncemail
set no syslog
poll mx.example.test via 127.0.0.1 port $pport proto pop3
    user "alice@example.test" there with password "secret" is root here
    sslproto TLS1.2+ sslcertck sslcertfile "$T/pki/ca.pem"
    sslcommonname mx.example.test
    no rewrite
    mda "$T/mda"
EOF2
chmod 600 "$T/fetchmailrc"
diag_on_fail "$T/fetchmail.log"
fm() {
	FETCHMAILHOME=$T/fmhome HOME=$T/fmhome timeout 60 fetchmail -v \
	    -f "$T/fetchmailrc" "$@" >>"$T/fetchmail.log" 2>&1
}
# same N...: out/N (fetchmail's Received: cut off) is a file of the
# Maildir (or of the copy in $SAME), byte for byte
same() {
	for _f in "$@"; do
		$PY - "$T/out/$_f" "${SAME:-$(md alice)}" <<'PYEOF' || return 1
import os, sys
got = open(sys.argv[1], "rb").read()
head, sep, rest = got.partition(b"\n")
# fetchmail's one Received: field, folded over a few lines
assert head.startswith(b"Received: from "), head
while rest[:1] in (b" ", b"\t"):
    line, sep, rest = rest.partition(b"\n")
    head += sep + line
assert b" with POP3 (fetchmail-" in head, head
for sub in ("new", "cur"):
    for n in os.listdir(os.path.join(sys.argv[2], sub)):
        if open(os.path.join(sys.argv[2], sub, n), "rb").read() == rest:
            sys.exit(0)
sys.exit(1)
PYEOF
	done
}

fm --keep
is $? 0 "fetchmail --keep: exit 0, mail fetched"
is "$(ls "$T/out" | tr '\n' ' ')" "1 2 3 " "three messages handed to the MDA"
same 1 2 3; ok $? "each is a file of the Maildir, byte for byte"
is "$(msgs alice)" 3 "--keep: nothing removed"
grep -q '^pop3d: starttls sid=[^ ]* result=ok' "$T/pop3d.log"; ok $? "fetchmail used STLS"
grep -q "^pop3d: logout sid=[^ ]* user=alice@example.test end=quit retrieved=3 deleted=0 " "$T/pop3d.log"
ok $? "pop3d: 3 retrieved, none deleted"

# fetchmail keeps the UIDs it has seen and asks for UIDL
fm --keep --uidl
is $? 1 "fetchmail --keep --uidl again: exit 1, no new mail"
is "$(ls "$T/out" | wc -l)" 3 "nothing fetched twice"
deliver alice 1 new
fm --keep --uidl
is $? 0 "one more delivered: fetched"
is "$(ls "$T/out" | tr '\n' ' ')" "1 2 3 4 " "only the new one"
grep -q '^Subject: new1$' "$T/out/4"; ok $? "it is the new message"
same 4; ok $? "byte for byte"

mkdir "$T/copy"
cp -r "$(md alice)/new" "$(md alice)/cur" "$T/copy"
fm --all
is $? 0 "fetchmail --all without --keep"
is "$(ls "$T/out" | wc -l)" 8 "all four fetched"
SAME=$T/copy same 5 6 7 8; ok $? "byte for byte"
is "$(msgs alice)" 0 "the Maildir is empty"
grep -q "^pop3d: logout sid=[^ ]* user=alice@example.test end=quit retrieved=4 deleted=4 " "$T/pop3d.log"
ok $? "pop3d: 4 retrieved, 4 deleted"
done_testing
