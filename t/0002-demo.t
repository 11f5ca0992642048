#!/bin/sh
# 0002-demo.t: the README's demo (conf/demo, run by `make run`) starts an
# instance that takes mail on its port and delivers it to alice's Maildir,
# from where a POP3 client reads it with the password the demo prints,
# and Ctrl-C (SIGINT to its process group) leaves nothing running.
. "$(dirname "$0")/lib.sh"
command -v tcpserver >/dev/null || skip_all "tcpserver (ucspi-tcp) not installed"
command -v swaks >/dev/null || skip_all "swaks not installed"
plan 7
port=$(free_port)
pport=$(free_port)
chmod 755 "$T"
# like a terminal: own process group, SIGINT not ignored (a shell's
# background job would start with SIGINT ignored)
DEMO_ROOT=$T/demo DEMO_PORT=$port DEMO_POP3_PORT=$pport $PY -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.setsid()
os.execvp("sh", ["sh", sys.argv[1]])' "$TOP/conf/demo" >"$T/demo.out" 2>&1 &
pg=$!
reap $pg
wait_for 10 grep -q "Logs follow" "$T/demo.out"
ok $? "demo starts and says how to use it"
swaks --server "127.0.0.1:$port" --to alice@example.test --from bob@example.org \
    --header "Subject: demo test" >"$T/swaks.out" 2>&1
grep -q '^<-  250 2.0.0 Ok: queued as' "$T/swaks.out"; ok $? "smtpd accepts a message for alice"
wait_for 10 sh -c 'grep -l "Subject: demo test" "$0"/demo/mail/alice/Maildir/new/* >/dev/null 2>&1' "$T"
ok $? "it lands in alice's Maildir"
grep -q "user alice@example.test, password demo" "$T/demo.out"
ok $? "it says how to read it over POP3"
$PY - "$pport" >"$T/pop.out" 2>&1 <<'PYEOF'
import poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
p.user("alice@example.test")
p.pass_("demo")
print(b"\n".join(p.retr(1)[1]).decode("latin-1"))
p.quit()
PYEOF
grep -q '^Subject: demo test' "$T/pop.out"; ok $? "a POP3 client reads it from the demo's pop3d"
diag_on_fail "$T/pop.out"
pids=$(sed -n 's/.*tcpserver pid \([0-9]*\), qrun daemon pid \([0-9]*\).*/\1 \2/p' "$T/demo.out")
pids="$pids $(sed -n 's/.*pop3d on .*(tcpserver pid \([0-9]*\)).*/\1/p' "$T/demo.out")"
kill -INT -$pg
wait_for 10 sh -c '! kill -0 '"$pg"' 2>/dev/null'
ok $? "Ctrl-C ends the demo"
left=0
for p in $pids; do kill -0 "$p" 2>/dev/null && left=1; done
is "$left" 0 "both tcpservers and qrun are gone"
done_testing
