#!/bin/sh
# 8002-spamassassin.t: filter-spamc with a real spamd on a loopback port
# (packaged rules, no sa-update, no network tests): GTUBE is rejected
# 554 5.7.1, a plain message is queued with spamd's X-Spam headers, a
# per-recipient -s threshold lets GTUBE through, and a dead spamd is 451.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/3smtpd.sh"
command -v spamd >/dev/null 2>&1 || skip_all "spamd (Debian spamassassin) not installed"
command -v spamc >/dev/null 2>&1 || skip_all "spamc (Debian spamc) not installed"
[ -f /usr/share/spamassassin/20_body_tests.cf ] || skip_all "no packaged SpamAssassin rules"
plan 8
setup_instance
S=$T/sa
mkdir -p "$S/home" "$S/site"
cp /etc/spamassassin/*.pre "$S/site/" 2>/dev/null ||
    skip_all "no SpamAssassin .pre files in /etc/spamassassin"
cat > "$S/site/local.cf" <<'CF'
use_bayes 0
skip_rbl_checks 1
dns_available no
CF
chmod -R a+rX "$T"
sp=$(free_port)
user=""
[ "$(id -u)" = 0 ] && user="-u nobody"
spamd --siteconfigpath="$S/site" -C /usr/share/spamassassin \
    --listen="127.0.0.1:$sp" -L --nouser-config -x --max-children=1 \
    -H "$S/home" $user >"$S/log" 2>&1 &
reap $!
# spamd compiles its rules first: up to a minute on a slow machine
wait_for 60 sh -c "spamc -d 127.0.0.1 -p $sp -K >/dev/null 2>&1" ||
    skip_all "spamd did not start: $(tail -1 "$S/log")"

GTUBE='XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X'
send() {    # send RCPT SUBJECT BODY: the reply line after the dot
	talk -v "EHLO client.example.org\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<$1@example.test>\r\nDATA\r\nFrom: a@example.org\r\nTo: $1@example.test\r\nSubject: $2\r\nMessage-ID: <$2@example.org>\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\n$3\r\n.\r\nQUIT\r\n" |
	    tail -2 | head -1
}
start_smtpd
conf "filters filter-spamc -- -d 127.0.0.1 -p $sp"
n=$(queue_count)
is "$(send alice gtube "$GTUBE" | sed 's/score 10[0-9][0-9]\.[0-9]/score 10xx/')" \
    "554 5.7.1 Spam rejected (score 10xx, limit 5.0)" \
    "GTUBE is rejected with 554 5.7.1 and the score"
score=$(send alice plain "Hello Alice, lunch at noon tomorrow? Bob" | cut -c1-9)
is "$score" "250 2.0.0" "a plain message is accepted"
f=$(grep -l '^Subject: plain$' "$POSTEL_ROOT/queue/new/"* 2>/dev/null)
msg_body "$f" | grep -q '^X-Spam-Status: No, score='
ok $? "with spamd's X-Spam-Status: No"
msg_body "$f" | grep -q '^X-Spam-Checker-Version: SpamAssassin'
ok $? "and its checker header"
is "$(queue_count)" "$((n + 1))" "only the plain one was queued"

# a per-recipient threshold (conf/filters): bob takes anything below 2000
echo "bob@example.test filter-spamc -s 2000 -- -d 127.0.0.1 -p $sp" > "$POSTEL_ROOT/conf/filters"
is "$(send bob gtube2 "$GTUBE" | cut -c1-9)" "250 2.0.0" "bob's own -s 2000 lets GTUBE in"
f=$(grep -l '^Subject: gtube2$' "$POSTEL_ROOT/queue/new/"* 2>/dev/null)
msg_body "$f" | grep -q '^X-Spam-Flag: YES'
ok $? "marked as spam"

# spamd unreachable: spamc -x fails, the message is deferred, not passed
rm "$POSTEL_ROOT/conf/filters"
conf "filters filter-spamc -- -d 127.0.0.1 -p $(free_port)"
is "$(send alice down "hello" | cut -c1-9)" "451 4.7.1" "spamd down: 451, not accepted unscanned"
done_testing
