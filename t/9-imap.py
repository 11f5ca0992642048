#!/usr/bin/python3
# t/9-imap.py: the IMAP and POP3 clients of t/9101. Prints one fact per
# line ("key value") for the shell to compare; standard library only.
#
#   imap PORT CAFILE MAILDIR USER PASS   log in over TLS (imaps), read,
#                                        flag and expunge (see below)
#   uidl PORT USER PASS                  POP3 on PORT (plaintext, loopback):
#                                        "uidl N ID" per message, no DELE
#   pop3d PROG USER PASS                 PROG (pop3d) on a pipe: stat,
#                                        uidl and each message's subject
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


def pop3d(prog, user, password):
    # pop3d serves one connection on stdin and stdout: pipes here, a
    # descriptor that is no socket, where auth-plaintext allows USER/PASS
    proc = subprocess.Popen([prog], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE)
    timer = threading.Timer(30, proc.kill)      # bounded, whatever happens
    timer.start()
    out = proc.stdout

    def line():
        s = out.readline()
        if not s:
            raise EOFError("pop3d closed the connection")
        return s.rstrip(b"\r\n").decode("latin-1")

    def cmd(c):
        proc.stdin.write(c.encode() + b"\r\n")
        proc.stdin.flush()
        return line()

    def multi():
        lines = []
        while True:
            s = line()
            if s == ".":
                return lines
            lines.append(s[1:] if s.startswith("..") else s)

    try:
        say("greeting", line().split()[0])
        say("user", cmd("USER " + user).split()[0])
        say("pass", cmd("PASS " + password).split()[0])
        say("stat", cmd("STAT"))
        if cmd("UIDL").startswith("+OK"):
            for s in multi():
                say("uidl", s)
        n = 1
        while cmd("RETR %d" % n).startswith("+OK"):
            for s in multi():
                if s.startswith("Subject: "):
                    say("retr", n, s[9:])
            n += 1
        say("quit", cmd("QUIT").split()[0])
    finally:
        timer.cancel()
        proc.stdin.close()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    say("exit", proc.returncode)


if __name__ == "__main__":
    socket.setdefaulttimeout(20)
    {"imap": imap, "uidl": uidl, "pop3d": pop3d}[sys.argv[1]](*sys.argv[2:])
