#!/bin/sh
# 9003-pop3d-mutt.t: mutt, the terminal mail reader, fetches what postel
# delivered from pop3d (pop_host, <fetch-mail>) over STLS, verifying the
# test CA, into a Maildir spool: the messages are the files, byte for
# byte; pop_delete=no leaves them on the server, yes removes them. mutt
# needs a terminal: script(1) gives it one, TERM=vt100, at most 60 s.
# Needs root (pop3d's split).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/9-lib.sh"
command -v mutt >/dev/null 2>&1 || skip_all "mutt not installed"
command -v script >/dev/null 2>&1 || skip_all "script (util-linux) not installed"
plan 9
pop_instance
pop3d_start
diag_on_fail "$T/mutt.out"
deliver alice 2 mutt
mkdir -p "$T/spool/new" "$T/spool/cur" "$T/spool/tmp" "$T/copy"
cp -r "$(md alice)/new" "$(md alice)/cur" "$T/copy"

# mutt DELETE: one fetch-mail into the spool, pop_delete=DELETE
mutt_fetch() {
	cat >"$T/muttrc" <<EOF2
set pop_host="pop://127.0.0.1:$pport"
set pop_user="alice@example.test"
set pop_pass="secret"
set pop_delete=$1
set pop_last=no
set ssl_starttls=yes
set ssl_force_tls=yes
set ssl_ca_certificates_file="$T/pki/ca.pem"
set ssl_verify_host=no
set certificate_file="$T/mutt-certs"
set spoolfile="$T/spool"
set mbox_type=Maildir
set folder="$T"
set header_cache=""
set message_cachedir=""
set quit=yes
set move=no
set wait_key=no
EOF2
	cat >"$T/mutt.sh" <<EOF2
#!/bin/sh
exec mutt -n -F "$T/muttrc" -e 'push <fetch-mail><quit>'
EOF2
	chmod 755 "$T/mutt.sh"
	HOME=$T TERM=vt100 timeout 60 script -qec "$T/mutt.sh" /dev/null \
	    </dev/null >>"$T/mutt.out" 2>&1
}
# spooled: the spool's messages, each the same as a file in $T/copy
spooled() {
	$PY - "$T/spool" "$T/copy" <<'PYEOF'
import os, sys
def files(d):
    return sorted(open(os.path.join(d, s, n), "rb").read()
                  for s in ("new", "cur") for n in os.listdir(os.path.join(d, s)))
got, want = files(sys.argv[1]), files(sys.argv[2])
print("%d %s" % (len(got), "same" if got == want else "different"))
PYEOF
}

mutt_fetch no
is $? 0 "mutt ran and quit"
is "$(spooled)" "2 same" "mutt fetched both messages, byte for byte"
is "$(msgs alice)" 2 "pop_delete=no: both still on the server"
grep -q '^pop3d: starttls sid=[^ ]* result=ok' "$T/pop3d.log"; ok $? "mutt used STLS"
grep -q "^pop3d: logout sid=[^ ]* user=alice@example.test end=quit retrieved=2 deleted=0 " "$T/pop3d.log"
ok $? "pop3d: 2 retrieved, none deleted"

rm -f "$T/spool/new/"* "$T/spool/cur/"*
mutt_fetch yes
is $? 0 "mutt ran again"
is "$(spooled)" "2 same" "fetched again, byte for byte"
is "$(msgs alice)" 0 "pop_delete=yes: removed from the server"
grep -q "^pop3d: logout sid=[^ ]* user=alice@example.test end=quit retrieved=2 deleted=2 " "$T/pop3d.log"
ok $? "pop3d: 2 retrieved, 2 deleted"
done_testing
