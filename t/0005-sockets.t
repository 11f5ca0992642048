#!/bin/sh
# 0005-sockets.t: the supervisor samples in conf/. smtpd as systemd's
# Accept=yes starts it (stdin and stdout one connected socket, REMOTE_ADDR
# set, as postel-smtpd@.service): its log and Received: use REMOTE_ADDR.
# Every run script is valid sh.
. "$(dirname "$0")/lib.sh"
plan 5
setup_instance
export POSTEL_ALLOW_ROOT=1
$PY - "$B/smtpd" > "$T/sess.out" 2> "$T/smtpd.log" <<'PYEOF'
import os, socket, subprocess, sys
a, b = socket.socketpair()
env = dict(os.environ, REMOTE_ADDR="192.0.2.7", REMOTE_PORT="40000")
env.pop("TCPREMOTEIP", None)
p = subprocess.Popen([sys.argv[1]], stdin=b, stdout=b, env=env)
b.close()
a.settimeout(10)
a.sendall(b"EHLO client.example.org\r\nMAIL FROM:<x@example.org>\r\n"
          b"RCPT TO:<alice@example.test>\r\nDATA\r\n")
got = b""
while b"354 " not in got:
    c = a.recv(4096)
    if not c:
        break
    got += c
a.sendall(b"Subject: s\r\n\r\nhi\r\n.\r\nQUIT\r\n")
while True:
    c = a.recv(4096)
    if not c:
        break
    got += c
print(got.decode("latin-1"))
p.wait(timeout=10)
PYEOF
grep -q '^250 2.0.0 .*queued as' "$T/sess.out"; ok $? "smtpd on a socket as stdin/stdout takes a message"
grep -q '^smtpd: connect .*ip=192.0.2.7 ' "$T/smtpd.log"; ok $? "the log names REMOTE_ADDR"
f=$(ls "$POSTEL_ROOT"/queue/new/* | head -1)
grep -q '^Received: from client.example.org (.*192.0.2.7' "$f"; ok $? "so does Received:"
bad=""
for s in "$TOP"/conf/demo "$TOP"/conf/*/run "$TOP"/conf/*/log-run "$TOP"/conf/*/log/run; do
	[ -f "$s" ] || continue
	sh -n "$s" 2>/dev/null || bad="$bad $s"
done
is "$bad" "" "every run script parses (sh -n)"
bad=""
for s in "$TOP"/conf/*/run "$TOP"/conf/*/log-run "$TOP"/conf/*/log/run; do
	[ -x "$s" ] || bad="$bad $s"
done
is "$bad" "" "every run script is executable"
done_testing
