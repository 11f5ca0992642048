#!/usr/bin/python3
"""t/9-pop.py: POP3 clients for the pop3d tests (family 9).

  9-pop.py talk [-c] [--ssl] [--host H] [--ca CA] [--exec CMD] PORT ITEM...
      One scripted conversation; prints every line received (-c: only
      the first word of each reply, "+OK", "-ERR" or "+", on one line).
      An ITEM is a command line (Python escapes: \\r \\x00) or:
        @plain USER PASS   AUTH PLAIN with an initial response
        @stls              STLS, then TLS when it says +OK
        @stls-inject CMD   STLS and CMD in one write, then TLS as @stls
                           (prints TLSFAIL if the handshake fails)
        @conn K            talk on connection K from now on (opened with
                           its greeting on first use; 0 is the first)
        @sh CMD            run CMD with /bin/sh, print nothing
        @hwm PID           print "hwm KB": the largest VmHWM of PID's
                           descendants (the processes of a session)
        @drop              close the current connection without QUIT
        @raw BYTES         send BYTES (Python escapes), read nothing
        @replies N         read N one-line replies
        @shut              half-close: no more from the client
        @eof               wait (10 s at most) for the server to close:
                           prints "EOF", else "OPEN"
        @idle N            the same, waiting N seconds at most
      --exec: talk to CMD on a pipe instead (PORT is ignored).
      Replies are read as RFC 1939 says: multi-line after +OK to CAPA,
      RETR, TOP, and LIST and UIDL without an argument.
  9-pop.py poplib MODE AUTH PORT CA MAILDIR USER PASS
      The session of a mail client with Python's poplib, MODE plain,
      stls or ssl, AUTH user or plain; compares what it gets with the
      Maildir's files; prints "PASS name" or "FAIL name # why" lines,
      which t/9-lib.sh turns into TAP.
  9-pop.py fill DIR N OWNER
      N messages written straight into DIR/new with names as
      postel-local(8) writes them (W= included), owned by OWNER.
  9-pop.py fill-edges DIR OWNER
      Five messages in DIR/new whose conversion is easy to get wrong:
      dots and line ends at the 64 KiB boundaries of reads, CRLF files,
      a 200 000-octet line, no line end at the end.
  9-pop.py retr-all PORT USER PASS MAILDIR
      RETR of every message with poplib against its file; "PASS" and
      "FAIL" lines as above.
  9-pop.py retr-kill PORT USER PASS N READY
      Logs in, marks message 1 deleted, starts RETR N, reads 64 KiB of
      it, creates the file READY, then waits for the connection to end
      (10 s at most) and prints "EOF" or "OPEN".

Standard library only; every socket has a 10 s timeout.
"""
import base64
import codecs
import os
import poplib
import pwd
import re
import socket
import ssl
import subprocess
import sys
import time

HOST = "127.0.0.1"
NAME = "mx.example.test"        # the test certificate's name (t/6tls.sh)


def tls_context(ca):
    ctx = ssl.create_default_context(cafile=ca)
    return ctx


class Conn:
    def __init__(self, host, port, use_ssl, ca):
        self.ca = ca
        s = socket.create_connection((host, int(port)), timeout=10)
        if use_ssl:
            s = tls_context(ca).wrap_socket(s, server_hostname=NAME)
        self.s = s
        self.f = s.makefile("rb")

    def line(self):
        try:
            b = self.f.readline(100000)
        except (socket.timeout, ConnectionResetError, ssl.SSLError, OSError):
            return None
        if not b:
            return None
        return b.decode("latin-1").rstrip("\r\n")

    def send(self, data):
        try:
            self.s.sendall(data)
        except OSError:
            pass

    def reply(self, multi):
        first = self.line()
        if first is None:
            return ["EOF"]
        lines = [first]
        if multi and first.startswith("+OK"):
            while True:
                l = self.line()
                if l is None:
                    lines.append("EOF")
                    break
                lines.append(l)
                if l == ".":
                    break
        return lines

    def starttls(self):
        self.f.close()
        self.s = tls_context(self.ca).wrap_socket(self.s, server_hostname=NAME)
        self.f = self.s.makefile("rb")

    def wait_eof(self, limit=10):
        end = time.monotonic() + limit
        self.s.settimeout(limit)
        while time.monotonic() < end:
            try:
                b = self.s.recv(65536)
            except socket.timeout:
                return "OPEN"
            except (ConnectionResetError, ssl.SSLError, OSError):
                return "EOF"
            if not b:
                return "EOF"
        return "OPEN"

    def shut(self):
        try:
            self.s.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


class PipeConn(Conn):
    """a pop3d on a pipe: CMD's standard input and output"""

    def __init__(self, cmd):
        self.p = subprocess.Popen(["/bin/sh", "-c", cmd], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE)
        self.f = self.p.stdout

    def send(self, data):
        try:
            self.p.stdin.write(data)
            self.p.stdin.flush()
        except OSError:
            pass

    def shut(self):
        self.p.stdin.close()

    def wait_eof(self, limit=10):
        return "EOF" if self.f.read() is not None else "OPEN"

    def close(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        self.p.wait(timeout=20)


def is_multi(cmd):
    w = cmd.split()
    if not w:
        return False
    v = w[0].upper()
    return v in ("CAPA", "RETR", "TOP") or (v in ("LIST", "UIDL", "AUTH") and
                                             len(w) == 1)


def plain(user, pw):
    return base64.b64encode(b"\0" + user.encode() + b"\0" + pw.encode()).decode()


def descendants(pid):
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        ppid = int(st[st.rindex(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(d))
    out, todo = [], [int(pid)]
    while todo:
        p = todo.pop()
        for k in kids.get(p, []):
            out.append(k)
            todo.append(k)
    return out


def hwm(pid):
    best = 0
    for p in descendants(pid):
        try:
            with open("/proc/%d/status" % p) as f:
                for l in f:
                    if l.startswith("VmHWM:"):
                        best = max(best, int(l.split()[1]))
        except OSError:
            pass
    return best


def talk(argv):
    codes = use_ssl = False
    host, ca, pipe = HOST, None, None
    while argv and argv[0].startswith("-"):
        a = argv.pop(0)
        if a == "-c":
            codes = True
        elif a == "--ssl":
            use_ssl = True
        elif a == "--host":
            host = argv.pop(0)
        elif a == "--ca":
            ca = argv.pop(0)
        elif a == "--exec":
            pipe = argv.pop(0)
    port = argv.pop(0)
    out = []
    conns = {}

    def emit(lines):
        if codes:
            out.append(lines[0].split(" ")[0])
        else:
            out.extend(lines)

    def open_conn(k):
        c = PipeConn(pipe) if pipe else Conn(host, port, use_ssl, ca)
        conns[k] = c
        emit(c.reply(False))
        return c

    cur = open_conn("0")
    i = 0
    while i < len(argv):
        item = argv[i]
        i += 1
        if item == "@plain":
            u, p = argv[i], argv[i + 1]
            i += 2
            cur.send(("AUTH PLAIN %s\r\n" % plain(u, p)).encode())
            emit(cur.reply(False))
        elif item == "@stls":
            cur.send(b"STLS\r\n")
            r = cur.reply(False)
            emit(r)
            if r[0].startswith("+OK"):
                cur.starttls()
        elif item == "@stls-inject":
            # STLS and a command in one write: the command must not be
            # carried over into TLS (RFC 2595 4, the STARTTLS injection)
            cur.send(b"STLS\r\n" + argv[i].encode() + b"\r\n")
            i += 1
            r = cur.reply(False)
            emit(r)
            if r[0].startswith("+OK"):
                try:
                    cur.starttls()
                except (ssl.SSLError, OSError):
                    out.append("TLSFAIL")
        elif item == "@conn":
            k = argv[i]
            i += 1
            cur = conns[k] if k in conns else open_conn(k)
        elif item == "@sh":
            subprocess.run(["/bin/sh", "-c", argv[i]], stdout=sys.stderr,
                           timeout=60)
            i += 1
        elif item == "@hwm":
            out.append("hwm %d" % hwm(argv[i]))
            i += 1
        elif item == "@drop":
            cur.close()
        elif item == "@raw":
            cur.send(codecs.escape_decode(argv[i].encode("latin-1"))[0])
            i += 1
        elif item == "@replies":
            for _ in range(int(argv[i])):
                emit(cur.reply(False))
            i += 1
        elif item == "@shut":
            cur.shut()
        elif item == "@eof":
            out.append(cur.wait_eof())
        elif item == "@idle":
            # send nothing for at most N seconds: the server must close
            out.append(cur.wait_eof(int(argv[i])))
            i += 1
        else:
            cmd = codecs.escape_decode(item.encode("latin-1"))[0]
            cur.send(cmd + b"\r\n")
            emit(cur.reply(is_multi(cmd.decode("latin-1"))))
    for c in conns.values():
        c.close()
    print((" " if codes else "\n").join(out))


# poplib: the session of a mail client, checked against the Maildir
def check(name, cond, why=""):
    if cond:
        print("PASS %s" % name)
    else:
        print("FAIL %s # %s" % (name, str(why)[:300]))
    sys.stdout.flush()


def maildir_files(md):
    """base name -> (path, bytes) of every message in new/ and cur/"""
    got = {}
    for sub in ("new", "cur"):
        for n in os.listdir(os.path.join(md, sub)):
            if n.startswith("."):
                continue
            p = os.path.join(md, sub, n)
            with open(p, "rb") as f:
                got[n.split(":")[0]] = (p, f.read())
    return got


def wsize(name):
    m = re.search(r",W=(\d+)", name)
    return int(m.group(1)) if m else -1


def capa(p):
    try:
        return set(" ".join([k] + v) for k, v in p.capa().items())
    except poplib.error_proto as e:
        return {"error %s" % e}


def pop_poplib(argv):
    mode, auth, port, ca, md, user, pw = argv
    ctx = tls_context(ca)
    ctx.check_hostname = False      # connected by address; the CA is checked
    if mode == "ssl":
        p = poplib.POP3_SSL(HOST, int(port), timeout=10, context=ctx)
    else:
        p = poplib.POP3(HOST, int(port), timeout=10)
    check("%s: greeting +OK" % mode, p.getwelcome().startswith(b"+OK"),
          p.getwelcome())
    c = capa(p)
    base = {"TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING",
            "EXPIRE NEVER", "IMPLEMENTATION postel"}
    check("%s: CAPA before login lists %s" % (mode, sorted(base)),
          base <= c, sorted(c))
    if mode == "stls":
        check("stls: CAPA before TLS offers STLS, no USER, no SASL",
              "STLS" in c and "USER" not in c and
              not any(x.startswith("SASL") for x in c), sorted(c))
        try:
            p.user(user)
            r = p.pass_(pw)
        except poplib.error_proto as e:
            r = e.args[0]
        check("stls: USER/PASS before TLS is -ERR", r.startswith(b"-ERR"), r)
        try:
            r = p._shortcmd("AUTH PLAIN " + plain(user, pw))
        except poplib.error_proto as e:
            r = e.args[0]
        check("stls: AUTH PLAIN before TLS is -ERR", r.startswith(b"-ERR"), r)
        r = p.stls(context=ctx)
        check("stls: STLS is +OK", r.startswith(b"+OK"), r)
        c = capa(p)
    want = {"USER", "SASL PLAIN"}
    check("%s: CAPA offers USER and SASL PLAIN%s" %
          (mode, ", no STLS" if mode != "plain" else ""),
          want <= c and (mode == "plain" or "STLS" not in c), sorted(c))
    try:
        if auth == "user":
            r1 = p.user(user)
            r = p.pass_(pw)
            ok = r1.startswith(b"+OK") and r.startswith(b"+OK")
        else:
            r = p._shortcmd("AUTH PLAIN")
            ok = r.startswith(b"+ ") or r == b"+"
            r = p._shortcmd(plain(user, pw))
            ok = ok and r.startswith(b"+OK")
    except poplib.error_proto as e:
        ok, r = False, e.args[0]
    check("%s: login with %s" % (mode, "USER/PASS" if auth == "user"
                                 else "AUTH PLAIN (continuation)"), ok, r)
    c = capa(p)
    check("%s: CAPA after login: TOP UIDL, no STLS" % mode,
          {"TOP", "UIDL"} <= c and "STLS" not in c, sorted(c))

    files = maildir_files(md)
    check("%s: login moved new/ to cur/ with :2," % mode,
          not os.listdir(os.path.join(md, "new")) and
          all(x[0].split("/")[-2] == "cur" and ":2," in x[0]
              for x in files.values()),
          [x[0] for x in files.values()])
    n, total = p.stat()
    check("%s: STAT counts every message and the sum of W=" % mode,
          n == len(files) and total == sum(wsize(x[0]) for x in files.values()),
          (n, total, len(files)))
    _, ul, _ = p.uidl()
    uid = {}
    for l in ul:
        k, u = l.decode().split(" ")
        uid[int(k)] = u
    check("%s: UIDL lists the base names" % mode,
          sorted(uid.values()) == sorted(files) and sorted(uid) ==
          list(range(1, n + 1)), (uid, sorted(files)))
    order = [uid[k] for k in sorted(uid)]
    check("%s: messages numbered oldest first" % mode,
          order == sorted(order, key=lambda b: int(b.split(".")[0])), order)
    _, ll, _ = p.list()
    sizes = {int(l.split()[0]): int(l.split()[1]) for l in ll}
    check("%s: LIST sizes are the W= of the files" % mode,
          all(sizes.get(k) == wsize(files[uid[k]][0]) for k in uid),
          (sizes, [files[uid[k]][0] for k in uid]))
    r = p._shortcmd("LIST 1")
    check("%s: LIST 1" % mode, r == ("+OK 1 %d" % sizes[1]).encode(), r)
    r = p._shortcmd("UIDL 1")
    check("%s: UIDL 1" % mode, r == ("+OK 1 %s" % uid[1]).encode(), r)
    same, why = True, []
    for k in sorted(uid):
        path, data = files[uid[k]]
        resp, lines, octets = p.retr(k)
        want = data.split(b"\n")
        if want[-1] == b"":
            want.pop()
        if lines != want:
            same = False
            why.append("RETR %d differs" % k)
        if octets != sizes[k] or octets != len(data.replace(b"\n", b"\r\n")):
            same = False
            why.append("RETR %d octets %d LIST %d" % (k, octets, sizes[k]))
        if str(sizes[k]).encode() not in resp:
            same = False
            why.append("RETR %d: %r" % (k, resp))
    check("%s: RETR gives each file byte for byte (CRLF, dot-unstuffed), "
          "octets as LIST says" % mode, same, why)
    data = files[uid[1]][1]
    head, body = data.split(b"\n\n", 1)
    _, lines, _ = p.top(1, 0)
    check("%s: TOP 1 0 is the header and the blank line" % mode,
          lines == head.split(b"\n") + [b""], lines)
    _, lines, _ = p.top(1, 2)
    check("%s: TOP 1 2 adds two body lines" % mode,
          lines == head.split(b"\n") + [b""] + body.split(b"\n")[:2], lines)
    check("%s: NOOP" % mode, p.noop().startswith(b"+OK"))
    check("%s: DELE 1" % mode, p.dele(1).startswith(b"+OK"))
    n2, t2 = p.stat()
    check("%s: STAT without the deleted one" % mode,
          (n2, t2) == (n - 1, total - sizes[1]), (n2, t2))
    for cmd in ("RETR 1", "LIST 1", "DELE 1", "TOP 1 0", "UIDL 1"):
        try:
            r = p._shortcmd(cmd)
        except poplib.error_proto as e:
            r = e.args[0]
        check("%s: %s of a deleted message is -ERR" % (mode, cmd),
              r.startswith(b"-ERR "), r)
    _, ll, _ = p.list()
    check("%s: LIST leaves the deleted one out" % mode,
          [int(l.split()[0]) for l in ll] == list(range(2, n + 1)), ll)
    check("%s: RSET" % mode, p.rset().startswith(b"+OK"))
    check("%s: STAT after RSET" % mode, p.stat() == (n, total))
    p.dele(2)
    r = p.quit()
    check("%s: QUIT +OK" % mode, r.startswith(b"+OK"), r)
    after = maildir_files(md)
    check("%s: QUIT removed message 2, only it" % mode,
          sorted(after) == sorted(u for u in files if u != uid[2]) and
          all(after[u][1] == files[u][1] for u in after),
          (sorted(after), uid[2]))


def fill(argv):
    d, n, owner = argv[0], int(argv[1]), argv[2]
    pw = pwd.getpwnam(owner)
    host = socket.gethostname().replace("/", "\\057").replace(":", "\\072")
    t0 = int(time.time()) - int(n) - 10
    for i in range(n):
        body = ("From: carol@example.org\nTo: alice@example.test\n"
                "Subject: message %d\n\nline one of %d\n.dot line\n" % (i, i))
        b = body.encode()
        w = len(b) + b.count(b"\n")
        name = "%d.M%dP%dR%08x.%s,S=%d,W=%d" % (t0 + i, i % 1000000,
                                                os.getpid(), i, host, len(b), w)
        p = os.path.join(d, "new", name)
        with open(p, "wb") as f:
            f.write(b)
        os.chown(p, pw.pw_uid, pw.pw_gid)


def fill_edges(argv):
    """messages that test RETR's conversion where it is easy to get
    wrong: at the 64 KiB boundaries of reads, CRLF files, long lines"""
    d, owner = argv
    pw = pwd.getpwnam(owner)
    h = b"Subject: edge\n\n"
    hc = h.replace(b"\n", b"\r\n")
    k = 65536
    files = [
        # "\n" the last octet of a 64 KiB read, "." the first of the next
        h + b"x" * (k - 1 - len(h)) + b"\n.dot after the boundary\n..\nend\n",
        # a CRLF file: CR the last octet of a read, LF the first
        hc + b"y" * (k - 1 - len(hc)) + b"\r\n.z\r\nend\r\n",
        # "." the last octet of a read, its line end in the next
        h + b"w" * (k - 2 - len(h)) + b"\n.\nend\n",
        # a 200 000-octet line, then a lone dot and two
        h + b"q" * 200000 + b"\n.\n..\nend\n",
        # small CRLF file, dots, no line end at the end
        b"Subject: crlf\r\n\r\nline\r\n.\r\nend",
    ]
    t0 = int(time.time()) - 1000
    for i, data in enumerate(files):
        p = os.path.join(d, "new", "%d.M%dP%d.edge" % (t0 + i, i, os.getpid()))
        with open(p, "wb") as f:
            f.write(data)
        os.chown(p, pw.pw_uid, pw.pw_gid)


def retr_all(argv):
    """each message as poplib gets it against its file: the lines (CRLF
    or LF ends), and the octets against LIST"""
    port, user, pw, md = argv
    poplib._MAXLINE = 1 << 20
    p = poplib.POP3(HOST, int(port), timeout=10)
    p.user(user)
    p.pass_(pw)
    _, ul, _ = p.uidl()
    _, ll, _ = p.list()
    files = maildir_files(md)
    for l, s in zip(ul, ll):
        k, u = l.decode().split(" ")
        size = int(s.split()[1])
        data = files[u][1]
        want = data.replace(b"\r\n", b"\n").split(b"\n")
        if want[-1] == b"":
            want.pop()
        octets = len(data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
        resp, lines, got = p.retr(int(k))
        check("RETR %s (%s) gives the file's lines" % (k, u.split(".")[1]),
              lines == want, [(i, a[:40], b[:40]) for i, (a, b) in
                              enumerate(zip(lines, want)) if a != b][:3] or
              (len(lines), len(want)))
        # a last line without its end gets one, not counted
        extra = 0 if data.endswith(b"\n") else 2
        check("RETR %s: LIST's size, the octets sent" % k,
              size == octets and got == octets + extra,
              (size, got, octets))
    p.quit()


def retr_kill(argv):
    port, user, pw, n, ready = argv
    c = Conn(HOST, port, False, None)
    c.reply(False)
    c.send(("USER %s\r\nPASS %s\r\n" % (user, pw)).encode())
    r = [c.reply(False)[0], c.reply(False)[0]]
    c.send(b"DELE 1\r\n")
    r.append(c.reply(False)[0])
    c.send(("RETR %s\r\n" % n).encode())
    r.append(c.reply(False)[0])
    print(" ".join(x.split(" ")[0] for x in r))
    got = 0
    while got < 65536:
        b = c.f.read1(65536 - got)
        if not b:
            break
        got += len(b)
    open(ready, "w").close()
    print(c.wait_eof() if got == 65536 else "SHORT %d" % got)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"talk": talk, "poplib": pop_poplib, "fill": fill, "fill-edges": fill_edges,
     "retr-all": retr_all, "retr-kill": retr_kill}[cmd](args)
