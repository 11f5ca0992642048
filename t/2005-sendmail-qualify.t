#!/bin/sh
# 2005-sendmail-qualify.t: bare names in the address fields of locally
# submitted mail get "@me" (RFC 5322 needs a domain; receivers refuse
# mail without), display names, comments, groups and folding kept, other
# fields untouched; -t reads the same recipients.
. "$(dirname "$0")/lib.sh"
plan 19
setup_instance
SM=$B/sendmail
hdrs() { sed '1,/^$/d' "$1" | sed '/^$/q'; }
newest() { ls -t "$POSTEL_ROOT"/queue/new/* | head -1; }

printf 'From: root (Cron Daemon)\nTo: root\nSubject: Cron <root@h> true\n\nout\n' |
    "$SM" -FCronDaemon -i -B8BITMIME -oem root
f=$(newest)
is "$(hdrs "$f" | grep '^From:')" "From: root@mx.example.test (Cron Daemon)" "From: root (Cron Daemon) -> root@me, comment kept"
is "$(hdrs "$f" | grep '^To:')" "To: root@mx.example.test" "To: root -> root@me"
is "$(hdrs "$f" | grep '^Subject:')" "Subject: Cron <root@h> true" "Subject: untouched"

printf '%s\n' 'From: "Web Server" <www-data>' 'Sender: daemon' \
    'Reply-To: Ann <ann>, bob@example.org' 'To: alice, "Smith, J" <js>,' \
    '	carol (the boss)' 'Cc: team: dave, erin@example.org;, frank' \
    'Bcc: hidden' 'Comments: root' '' 'body' | "$SM" -t -i
is "$?" 0 "a message with bare names, -t"
f=$(newest)
is "$(hdrs "$f" | grep '^From:')" 'From: "Web Server" <www-data@mx.example.test>' "display name kept, angle-addr completed"
is "$(hdrs "$f" | grep '^Sender:')" "Sender: daemon@mx.example.test" "Sender:"
is "$(hdrs "$f" | grep '^Reply-To:')" "Reply-To: Ann <ann@mx.example.test>, bob@example.org" "Reply-To:, a whole address kept"
is "$(hdrs "$f" | sed -n '/^To:/,/^Cc:/p' | tr '\n' '|')" \
    'To: alice@mx.example.test, "Smith, J" <js@mx.example.test>,|	carol@mx.example.test (the boss)|Cc: team: dave@mx.example.test, erin@example.org;, frank@mx.example.test|' \
    "folded To:, group in Cc:, comments and quoted names kept"
is "$(hdrs "$f" | grep '^Comments:')" "Comments: root" "other fields untouched"
is "$(hdrs "$f" | grep -ci '^bcc')" 0 "Bcc: still removed"
is "$(grep '^rcpt' "$f" | tr '\n' ' ')" \
    "rcpt <alice@mx.example.test> rcpt <js@mx.example.test> rcpt <carol@mx.example.test> rcpt <dave@mx.example.test> rcpt <erin@example.org> rcpt <frank@mx.example.test> rcpt <hidden@mx.example.test> " \
    "-t recipients are the qualified ones"

printf '%s\n' 'Resent-From: root' 'Resent-To: alice' 'From: a@example.org' \
    'To: undisclosed-recipients:;' '' 'x' | "$SM" -i bob@example.org
f=$(newest)
is "$(hdrs "$f" | grep '^Resent-' | tr '\n' '|')" "Resent-From: root@mx.example.test|Resent-To: alice@mx.example.test|" "Resent-From:, Resent-To:"
is "$(hdrs "$f" | grep '^To:')" "To: undisclosed-recipients:;" "an empty group is left alone"
is "$(hdrs "$f" | grep '^From:')" "From: a@example.org" "a full address is left alone"
printf 'From: John Smith\nTo: <>\n\nx\n' | "$SM" -i bob@example.org
f=$(newest)
is "$(hdrs "$f" | grep '^From:')" "From: John Smith" "two words are not completed into a wrong address"
is "$(hdrs "$f" | grep '^To:')" "To: <>" "an empty angle-addr stays"

# sendmail -bs (smtpd -l) qualifies the same fields, body untouched
if command -v swaks >/dev/null 2>&1; then
	swaks --pipe "$SM -bs" --from root@mx.example.test --to bob@example.org \
	    --data 'From: root (Cron Daemon)\nTo: root, Ann <ann>\nSubject: t\n\nTo: root\n' \
	    >"$T/swaks.out" 2>&1
	ok $? "swaks through sendmail -bs"
	f=$(newest)
	is "$(hdrs "$f" | grep -E '^(From|To):' | tr '\n' '|')" \
	    "From: root@mx.example.test (Cron Daemon)|To: root@mx.example.test, Ann <ann@mx.example.test>|" \
	    "-bs: From: and To: qualified"
	is "$(sed '1,/^$/d' "$f" | sed '1,/^$/d')" "To: root" "-bs: the body is not touched"
else
	skip "swaks not installed"; skip "swaks not installed"; skip "swaks not installed"
fi
diag_on_fail "$T/swaks.out"
done_testing
