#!/bin/sh
# 0004-logsum.t: logsum on the logs of a real run: smtpd under tcpserver,
# sendmail, qrun delivering to a Maildir and failing (temporarily) to
# reach a closed smarthost port. -a gives each message's timeline and
# last results, -q one message, -s the stuck recipients grouped by why.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
command -v tcpserver >/dev/null 2>&1 || skip_all "tcpserver (ucspi-tcp) not installed"
command -v swaks >/dev/null 2>&1 || skip_all "swaks not installed"
plan 12
setup_instance
as_recipients queue
closed=$(free_port)
echo "example.net 127.0.0.1:$closed" > "$POSTEL_ROOT/conf/routes"
chmod a+r "$POSTEL_ROOT/conf/routes"
port=$(free_port)
log=$T/all.log
# conf/tcpserver/rules.txt's way: a tcprules cdb lets 127.0.0.1 relay
tcprules "$T/rules.cdb" "$T/rules.tmp" <<'RULES'
127.0.0.1:allow,RELAYCLIENT=""
:allow
RULES
tcpserver -q -HRl0 -x "$T/rules.cdb" 127.0.0.1 "$port" "$B/smtpd" 2>>"$log" &
reap $!
wait_for 5 $PY -c "import socket; socket.create_connection(('127.0.0.1', $port)).close()"
swaks --server "127.0.0.1:$port" --from carol@example.org \
    --to alice@example.test,dave@example.net >"$T/swaks.out" 2>&1
grep -q '^<-  250 2.0.0 .*queued as' "$T/swaks.out"; ok $? "smtpd took a message for a local and a relayed recipient"
grep -q '^smtpd: connect .* ip=127.0.0.1 relay=yes' "$log"; ok $? "the tcprules cdb set RELAYCLIENT"
printf 'Subject: local\n\nx\n' | "$B/sendmail" -f root@example.test bob@example.test 2>>"$log"
qid2=$(ls "$POSTEL_ROOT/queue/new" | sort | tail -1)
"$B/qrun" -1 2>>"$log"
ls "$POSTEL_ROOT"/mail/alice/Maildir/new/* >/dev/null 2>&1; ok $? "alice got hers"

"$B/logsum" -a alice@example.test "$log" > "$T/a.out"
ok $? "-a alice: exit 0"
grep -q '^  smtpd: connect ' "$T/a.out" && grep -q '^  smtpd: accepted ' "$T/a.out" &&
    grep -q '^  qrun: new .*origin="smtpd 127.0.0.1"' "$T/a.out"
ok $? "-a shows the SMTP session and qrun's new line"
grep -q '^  => <alice@example.test> ok ' "$T/a.out"; ok $? "-a: alice's last result is ok"
grep -q '^  => <dave@example.net> temp 4' "$T/a.out"; ok $? "-a: dave's is temporary"
"$B/logsum" -q "$qid2" < "$log" > "$T/q.out"
grep -q "^$qid2\$" "$T/q.out" && grep -q 'origin="sendmail uid=' "$T/q.out" &&
    ! grep -q 'smtpd:' "$T/q.out"
ok $? "-q: the sendmail message alone, with its uid"
"$B/logsum" -a nobody@nowhere.example "$log" >/dev/null
is "$?" 1 "-a for an address no line names: exit 1"
"$B/logsum" "$log" > "$T/c.out"
grep -q '^ *2 qrun result ok$' "$T/c.out" && grep -q '^ *1 smtpd accepted$' "$T/c.out"
ok $? "counts per event"
"$B/logsum" -s > "$T/s.out"
grep -q '^1 recipient todo 4\.[0-9.]* ' "$T/s.out" &&
    grep -q '^    <dave@example.net> qid=.* attempts=1 next-in=' "$T/s.out"
ok $? "-s: dave is stuck, with why and when next"

# two messages for bob in one SMTP session (his third came by sendmail):
# each of the two shows that session
$PY -c 'import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]))
for i in (1, 2):
    s.sendmail("carol@example.org", ["bob@example.test"], "Subject: %d\r\n\r\nx\r\n" % i)
s.quit()' "$port" 2>>"$T/py.err"
"$B/qrun" -1 2>>"$log"
"$B/logsum" -a bob@example.test "$log" > "$T/e.out"
is "$(grep -c '^[0-9]' "$T/e.out") $(grep -c '^  smtpd: connect ' "$T/e.out") $(grep -c '^  smtpd: accepted ' "$T/e.out")" \
    "3 2 2" "-a: two messages of one session, each with the session's connect line and its own accepted line"
[ $_fail -eq 0 ] || sed 's/^/# /' "$T"/*.out "$log"
done_testing
