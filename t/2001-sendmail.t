#!/bin/sh
# 2001-sendmail.t: sendmail as real callers run it (cron, mailx, PHP,
# git send-email), its header fix-ups, -t, dot handling, exit codes, mailq.
. "$(dirname "$0")/lib.sh"
plan 37
setup_instance
SM=$B/sendmail
body() { sed '1,/^$/d' "$1"; }           # message part of a queue file
hdrs() { body "$1" | sed '/^$/q'; }      # its header section
newest() { ls -t "$POSTEL_ROOT"/queue/new/* | head -1; }

# plain use, as the issue's "done when" says: one well-formed entry
echo hi | "$SM" -i someone@example.org
is "$?" 0 "echo hi | sendmail -i someone@example.org"
f=$(newest)
is "$(grep -c '^rcpt <someone@example.org>$' "$f")" 1 "recipient in the envelope"
hdrs "$f" | grep -q '^Date: ' ; ok $? "Date: added"
hdrs "$f" | grep -q '^Message-ID: <.*@mx.example.test>$' ; ok $? "Message-ID: added"
hdrs "$f" | grep -q "^From: .*<$(id -un)@mx.example.test>" ; ok $? "From: names the invoking user"
is "$(body "$f" | tail -1)" "hi" "body kept"
"$B/sendmail" -bp | grep -q "<someone@example.org> todo"; ok $? "mailq (-bp) lists it"
ln -s "$B/sendmail" "$T/mailq"
POSTEL_LIBEXEC=$B "$T/mailq" --kv | grep -q '^rcpt qid=[0-9.]* rcpt=<someone@example.org> status=todo'
ok $? "mailq by name, machine-readable form"

# Debian cron: /usr/sbin/sendmail -FCronDaemon -i -B8BITMIME -oem root
printf 'From: root (Cron Daemon)\nTo: root\nSubject: Cron <root@h> true\n\nout\n' |
    "$SM" -FCronDaemon -i -B8BITMIME -oem root
is "$?" 0 "cron's command line"
f=$(newest)
is "$(grep '^rcpt' "$f")" "rcpt <root@mx.example.test>" "bare name gets the host's domain"
is "$(hdrs "$f" | grep -c '^From:')" 1 "existing From: left alone"

# bsd-mailx: sendmail -i -- rcpt
printf 'Subject: m\nTo: x@example.org\n\nmail\n' | "$SM" -i -- x@example.org
is "$?" 0 "mailx's command line"

# PHP mail(): sendmail -t -i, recipients in the header; Bcc must go
printf 'To: "Smith, J" <a@example.org>, b@example.org\nCc: c@example.org (C)\nBcc: hidden@example.org\nSubject: php\n\nbody\n' |
    "$SM" -t -i
is "$?" 0 "PHP's -t -i"
f=$(newest)
is "$(grep '^rcpt' "$f" | tr '\n' ' ')" "rcpt <a@example.org> rcpt <b@example.org> rcpt <c@example.org> rcpt <hidden@example.org> " "-t takes To, Cc and Bcc"
is "$(body "$f" | grep -ci '^bcc')" 0 "Bcc: removed from the message"
printf 'Subject: none\n\nx\n' | "$SM" -t -i 2>/dev/null
is "$?" 65 "-t without recipients is EX_DATAERR"

# dot handling
printf 'Subject: d\n\nline\n.\nafter\n' | "$SM" a@example.org
f=$(newest)
is "$(body "$f" | tail -1)" "line" "without -i a lone dot ends the message"
printf 'Subject: d\n\nline\n.\nafter\n' | "$SM" -oi a@example.org
f=$(newest)
is "$(body "$f" | tail -2 | tr '\n' ' ')" ". after " "with -oi the dot is data"

# line ends, odd messages
printf 'Subject: crlf\r\n\r\na\r\nb\r\n' | "$SM" -i a@example.org
f=$(newest)
is "$(body "$f" | sed '1,/^$/d' | od -An -c | tr -s ' ')" " a \n b \n" "CRLF body stored as LF"
body "$f" | grep -q "$(printf '\r')"; ok "$([ $? -ne 0 ]; echo $?)" "no CR left anywhere"
printf 'no header here\nsecond\n' | "$SM" -i a@example.org
f=$(newest)
is "$(body "$f" | sed -n '/^$/,$p' | sed -n 2p)" "no header here" "a headless message gets a blank line before its body"
printf 'Subject: nul\n\na\000b\n' | "$SM" -i a@example.org
f=$(newest)
is "$(body "$f" | tail -1 | od -An -c | tr -s ' ')" " a \0 b \n" "NUL bytes go through"
printf 'Subject: nolf\n\nlast' | "$SM" -i a@example.org
f=$(newest)
is "$(body "$f" | tail -1)" "last" "a last line without LF is kept"

# envelope options
printf 'Subject: f\n\nx\n' | "$SM" -i -f bounce@example.org a@example.org
is "$(grep '^from' "$(newest)")" "from <bounce@example.org>" "-f sets the sender"
printf 'Subject: f\n\nx\n' | "$SM" -i -r'<>' a@example.org
is "$(grep '^from' "$(newest)")" "from <>" "-r <> is the null sender"
printf 'Subject: F\n\nx\n' | "$SM" -i -F 'Ann "A" Other' a@example.org
hdrs "$(newest)" | grep -q '^From: "Ann \\"A\\" Other" <'; ok $? "-F name quoted in From:"

# errors: usage, data, temporary
n=$(queue_count)
expect_exit 64 "unknown flag is EX_USAGE" sh -c 'echo x | "$0" -Z a@example.org' "$SM"
grep -q 'unknown option: -Z' "$T/.err"; ok $? "names the unknown flag"
expect_exit 64 "no recipients is EX_USAGE" sh -c 'echo x | "$0" -i' "$SM"
expect_exit 65 "bad recipient is EX_DATAERR" sh -c 'echo x | "$0" -i "a@@b"' "$SM"
is "$(queue_count)" "$n" "refused messages left nothing"

# killed half way: nothing queued
mkfifo "$T/slow"
( printf 'Subject: k\n\npart\n'; sleep 5 ) > "$T/slow" &
w=$!; reap $w
"$SM" -i a@example.org < "$T/slow" &
s=$!; reap $s
sleep 0.3
kill -9 $s; wait $s 2>/dev/null
is "$(queue_count)" "$n" "a sendmail killed mid-message queues nothing"

# ordinary user
chmod 755 "$T"
chown -R nobody "$POSTEL_ROOT"
out=$(echo hi | runuser -u nobody -- env POSTEL_ROOT="$POSTEL_ROOT" POSTEL_LIBEXEC="$B" "$SM" -i -v someone@example.org)
is "$?" 0 "an ordinary user's message is queued"
f=$POSTEL_ROOT/queue/new/$(echo "$out" | sed 's/queued as //')
is "$(grep '^from' "$f")" "from <nobody@mx.example.test>" "sender is that user"
grep -q "^origin sendmail uid=$(id -u nobody)$" "$f"; ok $? "origin records the uid"
chown -R root "$POSTEL_ROOT"
rm -rf "$POSTEL_ROOT/queue/tmp"
expect_exit 75 "queue trouble is EX_TEMPFAIL" sh -c 'echo x | "$0" -i a@example.org' "$SM"
mkdir "$POSTEL_ROOT/queue/tmp"

# git send-email, if installed
if [ -x "$(git --exec-path)/git-send-email" ]; then
	(
		cd "$T" && git init -q repo && cd repo &&
		echo x > f && git add f && git -c user.name=T -c user.email=t@example.org commit -q -m "a patch" &&
		git format-patch -q -1 -o "$T/p" &&
		git -c user.name=T -c user.email=t@example.org send-email --quiet \
		    --smtp-server="$SM" --to=list@example.org --from=t@example.org \
		    --confirm=never --suppress-cc=all --no-validate "$T"/p/*.patch >/dev/null 2>&1
	)
	f=$(newest)
	is "$(grep '^rcpt' "$f")" "rcpt <list@example.org>" "git send-email through sendmail"
else
	skip "git send-email not installed"
fi
done_testing
