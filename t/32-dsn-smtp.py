#!/usr/bin/python3
# t/32-dsn-smtp.py: a DSN session with Python's smtplib, for the 32xx
# tests. Usage: 32-dsn-smtp.py PORT, or 32-dsn-smtp.py --pipe PROGRAM
# ARG... (sendmail -bs: the program speaks SMTP on a socketpair, as on
# a pipe). Commands come on stdin, one a line, words split at blanks:
#   ehlo | helo | rset | starttls | quit
#   mail ADDR [PARAM...]       s.mail(ADDR, [PARAM...])
#   rcpt ADDR [PARAM...]       s.rcpt(ADDR, [PARAM...])
#   raw LINE                   the line as it is (the rest of the line,
#                              in UTF-8)
#   data                       a small message; then its envelope lines
#   sendmail FROM TO,TO MAILOPT... -- RCPTOPT...  smtplib's sendmail()
# Each reply prints one line, "VERB CODE TEXT"; ehlo prints "ehlo CODE
# dsn" or "ehlo CODE no-dsn". After a queued message, its envelope's rcpt,
# notify, ret, envid and dsn lines follow as "env LINE", read from
# $POSTEL_ROOT/queue/new/ID. starttls trusts $CAFILE.
import os
import socket
import ssl
import subprocess
import sys
import smtplib

MSG = b"Subject: dsn test\r\n\r\nbody\r\n"


class PipeSMTP(smtplib.SMTP):
    """smtplib over a socketpair to a program's stdin and stdout."""

    def __init__(self, argv):
        super().__init__(timeout=10)
        a, b = socket.socketpair()
        self.proc = subprocess.Popen(argv, stdin=b, stdout=b)
        b.close()
        a.settimeout(10)
        self.sock = a
        code, msg = self.getreply()
        if code != 220:
            raise SystemExit("greeting: %d %s" % (code, msg))


def envelope(qid):
    path = os.path.join(os.environ["POSTEL_ROOT"], "queue", "new", qid)
    with open(path, "rb") as f:
        for line in f:
            line = line.decode("latin-1").rstrip("\n")
            if line == "":
                break
            if line.split(" ")[0] in ("rcpt", "notify", "ret", "envid",
                                      "dsn"):
                print("env " + line)


def show(verb, r):
    code, msg = r
    text = msg.decode("latin-1").replace("\n", " ")
    print("%s %d %s" % (verb, code, text))
    if verb == "data" and code == 250 and "queued as " in text:
        envelope(text.split("queued as ")[1].split()[0])


def main():
    if sys.argv[1] == "--pipe":
        s = PipeSMTP(sys.argv[2:])
    else:
        s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
    for line in sys.stdin:
        w = line.split()
        if not w:
            continue
        v = w[0]
        if v == "ehlo":
            code, _ = s.ehlo("client.example.org")
            print("ehlo %d %s" % (code, "dsn" if s.has_extn("dsn")
                                  else "no-dsn"))
        elif v == "helo":
            show(v, s.helo("client.example.org"))
        elif v == "rset":
            show(v, s.rset())
        elif v == "starttls":
            ctx = ssl.create_default_context(cafile=os.environ["CAFILE"])
            ctx.check_hostname = False
            show(v, s.starttls(context=ctx))
        elif v == "mail":
            show(v, s.mail(w[1], w[2:]))
        elif v == "rcpt":
            show(v, s.rcpt(w[1], w[2:]))
        elif v == "raw":
            # a raw line may hold UTF-8 where no SMTPUTF8 was asked for
            s.command_encoding = "utf-8"
            show(v, s.docmd(line.rstrip("\r\n")[4:]))
        elif v == "data":
            show(v, s.data(MSG))
        elif v == "sendmail":
            k = w.index("--") if "--" in w else len(w)
            last = []
            data = s.data

            def keep(msg):
                last.append(data(msg))
                return last[-1]
            s.data = keep
            try:
                refused = s.sendmail(w[1], w[2].split(","), MSG, w[3:k],
                                     w[k + 1:])
                print("sendmail refused %s" % sorted(refused))
            except smtplib.SMTPException as e:
                print("sendmail error %s" % e)
            s.data = data
            if last:
                show("data", last[-1])
        elif v == "quit":
            show(v, s.quit())
            return
    s.close()


if __name__ == "__main__":
    main()
