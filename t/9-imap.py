#!/usr/bin/python3
# t/9-imap.py: the IMAP and POP3 clients of t/9101 and t/9102. Prints one
# fact per line ("key value") for the shell to compare; standard library
# only.
#
#   imap PORT CAFILE MAILDIR USER PASS   log in over TLS (imaps), read,
#                                        flag and expunge (see below)
#   uidl PORT USER PASS                  POP3 on PORT (plaintext, loopback):
#                                        "uidl N ID" per message, no DELE
#   pop3d PROG USER PASS                 PROG (pop3d) on a pipe: stat,
#                                        uidl and each message's subject
#   cross PORT CAFILE MAILDIR PROG USER PASS
#                                        pop3d and IMAP on one Maildir at
#                                        once (see cross below)
import imaplib
import os
import poplib
import socket
import ssl
import subprocess
import sys
import threading


def say(*words):
    print(*words, flush=True)


def on_disk(maildir):
    """Subject -> (file path, bytes) of every message in cur/ and new/."""
    out = {}
    for sub in ("cur", "new"):
        d = os.path.join(maildir, sub)
        for name in os.listdir(d):
            with open(os.path.join(d, name), "rb") as f:
                data = f.read()
            for line in data.split(b"\n"):
                if line.startswith(b"Subject: "):
                    out[line[9:].decode()] = (os.path.join(d, name), data)
    return out


def crlf(data):
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def imap(port, cafile, maildir, user, password):
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.check_hostname = False          # 127.0.0.1, not mx.example.test
    bad = imaplib.IMAP4_SSL("127.0.0.1", int(port), ssl_context=ctx,
                            timeout=20)
    try:
        bad.login(user, password + "x")
        say("badlogin accepted")
    except imaplib.IMAP4.error:
        say("badlogin refused")
    bad.logout()
    m = imaplib.IMAP4_SSL("127.0.0.1", int(port), ssl_context=ctx,
                          timeout=20)
    typ, _ = m.login(user, password)
    say("login", typ)
    typ, data = m.select("INBOX")
    say("exists", data[0].decode())
    files = on_disk(maildir)
    # each message, byte for byte against its file (CRLF aside)
    typ, data = m.uid("FETCH", "1:*", "(BODY.PEEK[])")
    bodies = [d[1] for d in data if isinstance(d, tuple)]
    for subj in sorted(files):
        want = crlf(files[subj][1])
        say("body", subj, "same" if bodies.count(want) == 1 else "differs")
    # uid of each subject
    uid = {}
    typ, data = m.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    for d in data:
        if isinstance(d, tuple):
            u = d[0].split(b"UID ")[1].split()[0].decode()
            s = d[1].strip().split(b": ", 1)[1].decode()
            uid[s] = u
    typ, _ = m.uid("STORE", uid["m2"], "+FLAGS", r"(\Flagged \Seen)")
    say("flag", typ)
    typ, _ = m.uid("STORE", uid["m1"], "+FLAGS", r"(\Deleted)")
    say("delete", typ)
    typ, data = m.expunge()
    say("expunge", typ, b" ".join(x for x in data if x).decode())
    typ, data = m.uid("FETCH", uid["m2"], "(FLAGS)")
    flags = data[0].decode().split("FLAGS (")[1].split(")")[0].split()
    say("flags", " ".join(sorted(f for f in flags if f != "\\Recent")))
    m.logout()


def uidl(port, user, password):
    p = poplib.POP3("127.0.0.1", int(port), timeout=20)
    p.user(user)
    p.pass_(password)
    for line in p.uidl()[1]:
        say("uidl", line.decode())
    p.quit()


class Pipe:
    """pop3d on a pipe: it serves one connection on stdin and stdout, and
    a pipe is a descriptor that is no socket, where auth-plaintext allows
    USER/PASS. Killed after 30 s whatever happens."""

    def __init__(self, prog):
        self.proc = subprocess.Popen([prog], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE)
        self.timer = threading.Timer(30, self.proc.kill)
        self.timer.start()

    def line(self):
        s = self.proc.stdout.readline()
        if not s:
            raise EOFError("pop3d closed the connection")
        return s.rstrip(b"\r\n").decode("latin-1")

    def cmd(self, c):
        self.proc.stdin.write(c.encode() + b"\r\n")
        self.proc.stdin.flush()
        return self.line()

    def multi(self):
        """A multi-line answer, dot-stuffing undone, as bytes with LF."""
        lines = []
        while True:
            s = self.proc.stdout.readline()
            if not s:
                raise EOFError("pop3d closed the connection")
            if s == b".\r\n":
                return lines
            lines.append(s[1:] if s.startswith(b"..") else s)

    def login(self, user, password):
        say("greeting", self.line().split()[0])
        say("user", self.cmd("USER " + user).split()[0])
        say("pass", self.cmd("PASS " + password).split()[0])

    def close(self):
        self.timer.cancel()
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        say("exit", self.proc.returncode)


def subject(lines):
    for s in lines:
        if s.startswith(b"Subject: "):
            return s[9:].rstrip(b"\r\n").decode()
    return "?"


def pop3d(prog, user, password):
    p = Pipe(prog)
    try:
        p.login(user, password)
        say("stat", p.cmd("STAT"))
        if p.cmd("UIDL").startswith("+OK"):
            for s in p.multi():
                say("uidl", s.rstrip(b"\r\n").decode())
        n = 1
        while p.cmd("RETR %d" % n).startswith("+OK"):
            say("retr", n, subject(p.multi()))
            n += 1
        say("quit", p.cmd("QUIT").split()[0])
    finally:
        p.close()


def imap_login(port, cafile, user, password):
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.check_hostname = False
    m = imaplib.IMAP4_SSL("127.0.0.1", int(port), ssl_context=ctx,
                          timeout=20)
    m.login(user, password)
    m.select("INBOX")
    return m


def imap_uids(m):
    """Subject -> UID of every message in the selected mailbox."""
    uid = {}
    typ, data = m.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    for d in data:
        if isinstance(d, tuple):
            u = d[0].split(b"UID ")[1].split()[0].decode()
            uid[d[1].strip().split(b": ", 1)[1].decode()] = u
    return uid


def cross(port, cafile, maildir, prog, user, password):
    """A pop3d session and an IMAP session on one Maildir at once:
    messages a1..a4. While pop3d has listed them, IMAP flags a1 (Dovecot
    renames its file) and expunges a2; pop3d then reads a1, fails on a2,
    deletes a1 and quits. Meanwhile an IMAP session that had selected
    the mailbox learns of a1's removal and still reads a3."""
    files = on_disk(maildir)
    p = Pipe(prog)
    try:
        p.login(user, password)
        num = {}
        p.cmd("LIST")
        for s in p.multi():
            n = s.split()[0].decode()
            p.cmd("TOP %s 0" % n)
            num[subject(p.multi())] = n
        say("listed", " ".join(sorted(num)))
        m = imap_login(port, cafile, user, password)
        uid = imap_uids(m)
        say("imap-flag", m.uid("STORE", uid["a1"], "+FLAGS",
                               r"(\Flagged)")[0])
        m.uid("STORE", uid["a2"], "+FLAGS", r"(\Deleted)")
        say("imap-expunge", m.expunge()[0])
        renamed = on_disk(maildir)["a1"][0]
        say("renamed", "yes" if renamed != files["a1"][0] else "no")
        r = p.cmd("RETR " + num["a1"])
        body = b"".join(l.rstrip(b"\r\n") + b"\n" for l in p.multi()) \
            if r.startswith("+OK") else b""
        say("retr-renamed", r.split()[0],
            "same" if body == files["a1"][1] else "differs")
        say("retr-expunged", p.cmd("RETR " + num["a2"]).split()[0])
        say("dele-renamed", p.cmd("DELE " + num["a1"]).split()[0])
        say("quit", p.cmd("QUIT").split()[0])
    finally:
        p.close()
    left = sorted(on_disk(maildir))
    say("left", " ".join(left))
    typ, _ = m.noop()
    typ, data = m.uid("FETCH", uid["a3"], "(BODY.PEEK[])")
    say("imap-after", typ, "same" if data[0][1] == crlf(files["a3"][1])
        else "differs")
    m.logout()
    m = imap_login(port, cafile, user, password)
    say("imap-now", " ".join(sorted(imap_uids(m))))
    m.logout()


if __name__ == "__main__":
    socket.setdefaulttimeout(20)
    {"imap": imap, "uidl": uidl, "pop3d": pop3d,
     "cross": cross}[sys.argv[1]](*sys.argv[2:])
