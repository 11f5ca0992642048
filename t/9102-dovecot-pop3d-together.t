#!/bin/sh
# 9102-dovecot-pop3d-together.t: postel's pop3d and Dovecot's IMAP on one
# Maildir at the same time. While a POP3 session has listed the mailbox,
# IMAP flags a message (Dovecot renames its file) and expunges another:
# pop3d still reads the renamed one, byte for byte, by its base name,
# answers -ERR for the expunged one, and its DELE and QUIT remove the
# renamed file. An IMAP session open all along learns of that removal
# and reads on; a new one sees what is left. Root, as t/9101.
. "$(dirname "$0")/lib.sh"
. "$TOP/t/4-lib.sh"
. "$TOP/t/9-dovecot.sh"
dovecot_needs
[ -x "$B/pop3d" ] || skip_all "pop3d not built"
dovecot_libexec || skip_all "Dovecot cannot run an ASan checkpassword; no plain build in build/"
plan 16

mail_instance
dovecot_start
ok $? "Dovecot starts with conf/dovecot/dovecot.conf"
deliver a1 a2 a3 a4
is "$(count_new alice)" 4 "postel delivered four messages"

diag_on_fail "$T/cross.err"
$PY "$TOP/t/9-imap.py" cross "$imaps" "$R/conf/tls-cert.pem" "$MD" \
    "$B/pop3d" alice@example.test secret >"$T/cross.out" 2>"$T/cross.err"
is "$?" 0 "the clients ran to their end"
is "$(fact pass "$T/cross.out")" +OK "pop3d: alice logs in"
is "$(fact listed "$T/cross.out")" "a1 a2 a3 a4" "pop3d: lists the four"
is "$(fact imap-flag "$T/cross.out")" OK "IMAP: flags a1 meanwhile"
is "$(fact imap-expunge "$T/cross.out")" OK "IMAP: expunges a2 meanwhile"
is "$(fact renamed "$T/cross.out")" yes "Dovecot renamed a1's file"
is "$(fact retr-renamed "$T/cross.out")" "+OK same" \
    "pop3d: RETR of the renamed a1, byte for byte"
is "$(fact retr-expunged "$T/cross.out")" -ERR \
    "pop3d: RETR of the expunged a2 is -ERR"
is "$(fact dele-renamed "$T/cross.out")" +OK "pop3d: DELE of the renamed a1"
is "$(fact quit "$T/cross.out")" +OK "pop3d: QUIT"
is "$(fact left "$T/cross.out")" "a3 a4" "the Maildir holds a3 and a4"
is "$(fact imap-after "$T/cross.out")" "OK same" \
    "IMAP: the session open all along reads a3 after pop3d's QUIT"
is "$(fact imap-now "$T/cross.out")" "a3 a4" "IMAP: a new session sees a3 and a4"
is "$(find "$MD" ! -user nobody | wc -l)" 0 \
    "everything in the Maildir still belongs to its owner"
done_testing
