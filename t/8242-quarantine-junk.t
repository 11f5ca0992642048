#!/bin/sh
# 8242-quarantine-junk.t: local delivers a message filter-dmarc marked
# for quarantine (X-Postel-Quarantine:) to the Maildir's .Junk folder
# when the user has one, and to new/ otherwise; unmarked mail is not
# affected (postel-local(8), postel-filter-dmarc(8)).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
plan 5
setup_instance
A=$POSTEL_ROOT/mail/alice/Maildir
Bm=$POSTEL_ROOT/mail/bob/Maildir
mkdir -p "$A/.Junk/new" "$A/.Junk/cur" "$A/.Junk/tmp"
as_recipients
marked='X-Postel-Quarantine: dmarc=fail policy=quarantine header.from=quar.test'
printf '%s\nFrom: a@quar.test\nSubject: marked\n\nbody\n' "$marked" |
    "$B/enqueue" -f a@quar.test alice@example.test bob@example.test
printf 'From: a@good.test\nSubject: plain\n\nbody\n' |
    "$B/enqueue" -f a@good.test alice@example.test
printf 'From: a@good.test\nSubject: late\nX-Note: %s\n\n%s\n' x "$marked" |
    "$B/enqueue" -f a@good.test alice@example.test
pass
is "$(grep -l '^Subject: marked' "$A/.Junk/new/"* 2>/dev/null | wc -l)" 1 "the marked message is in alice's .Junk/new"
is "$(grep -l '^Subject: marked' "$A/new/"* 2>/dev/null | wc -l)" 0 "and not in her new/"
is "$(grep -l '^Subject: plain' "$A/new/"* 2>/dev/null | wc -l)" 1 "an unmarked message goes to new/"
is "$(grep -l '^Subject: late' "$A/new/"* 2>/dev/null | wc -l)" 1 "the mark in the body is no mark"
is "$(grep -l '^Subject: marked' "$Bm/new/"* 2>/dev/null | wc -l)" 1 "bob, without .Junk, gets it in new/"
