#!/bin/sh
# 9021-pop3d-split-io.t: the connection in pop3d's split (root). Under
# inetd, fd 2 is the connection too: no log line of the front, the root
# checker or the session reaches the client (they go to syslog). And a
# client that pipelines more commands than the sockets hold, behind a
# RETR of a large message, gets every answer: the front keeps passing on
# the session's output while the session cannot take more input.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/9-lib.sh"
plan 5
pop_instance "auth-plaintext yes"
diag_on_fail "$T/inetd.out" "$T/flood.out"
deliver alice 1 small
# a message of about 2 MB
{ printf 'From: carol@example.org\nSubject: big\n\n'
  i=0; while [ $i -lt 2000 ]; do printf '%01000d\n' $i; i=$((i + 1)); done
} | "$B/enqueue" -f carol@example.org alice@example.test >>"$T/enqueue.log" 2>&1
"$B/qrun" -1 -f >>"$T/qrun.log" 2>&1

# inetd: fds 0, 1 and 2 one socket; a failed login, then a good one
$PY - "$B/pop3d" >"$T/inetd.out" 2>&1 <<'PYEOF'
import socket, subprocess, sys
a, b = socket.socketpair()
p = subprocess.Popen([sys.argv[1]], stdin=b, stdout=b, stderr=b)
b.close()
a.settimeout(20)
a.sendall(b"USER alice@example.test\r\nPASS wrong\r\nUSER alice@example.test\r\n"
          b"PASS secret\r\nSTAT\r\nQUIT\r\n")
got = b""
while True:
    c = a.recv(65536)
    if not c:
        break
    got += c
sys.stdout.write(got.decode("latin-1"))
print("exit", p.wait(timeout=20))
PYEOF
is "$(grep -c . "$T/inetd.out")" 8 "the client gets the protocol's lines and nothing else"
grep -q 'pop3d:' "$T/inetd.out"; ok $((! $?)) "no log line on the connection"
is "$(tail -1 "$T/inetd.out")" "exit 0" "and the session ends after QUIT with 0"

# 2 MB behind RETR, then 60 000 NOOPs sent before reading anything back
pop3d_start
$PY - "$pport" >"$T/flood.out" 2>&1 <<'PYEOF'
import socket, sys, threading
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=60)
f = s.makefile("rb")
f.readline()
s.sendall(b"USER alice@example.test\r\nPASS secret\r\n")
f.readline(); f.readline()
n = 60000
def send():
    s.sendall(b"RETR 2\r\n" + b"NOOP\r\n" * n + b"QUIT\r\n")
t = threading.Thread(target=send)
t.start()
line = f.readline()
body = 0
while True:
    l = f.readline()
    if l in (b".\r\n", b""):
        break
    body += len(l)
oks = 0
while True:
    l = f.readline()
    if not l:
        break
    if l == b"+OK\r\n":
        oks += 1
    last = l
t.join()
print("retr", line.split()[0].decode(), body)
print("noops", oks)
print("last", last.split()[0].decode())
PYEOF
grep -q '^retr +OK [0-9]\{7\}$' "$T/flood.out"; ok $? "the large message comes whole"
is "$(sed -n 's/^noops //p' "$T/flood.out") $(sed -n 's/^last //p' "$T/flood.out")" "60000 +OK" \
    "every pipelined NOOP and the QUIT are answered"
done_testing
