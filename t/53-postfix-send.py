#!/usr/bin/python3
# 53-postfix-send.py HOST PORT FROM RCPT... [--mail OPT]... [--rcpt OPT]...:
# send one message with smtplib from FROM to each RCPT, the ESMTP
# parameters given on MAIL and on every RCPT. A RCPT argument may carry
# parameters of its own after the address, separated by blanks
# ("bob@example.net NOTIFY=SUCCESS ORCPT=rfc822;x@example.org").
# Prints "ehlo KEYWORD" for each EHLO keyword, then "sent", or "refused
# CODE TEXT" for the first refusal. The message: stdin.
import argparse, smtplib, sys

p = argparse.ArgumentParser()
p.add_argument('host')
p.add_argument('port', type=int)
p.add_argument('sender')
p.add_argument('rcpts', nargs='+')
p.add_argument('--mail', action='append', default=[])
p.add_argument('--rcpt', dest='ropt', action='append', default=[])
a = p.parse_args()
msg = sys.stdin.buffer.read()
s = smtplib.SMTP(a.host, a.port, timeout=20)
s.ehlo('client.example.org')
for k in sorted(s.esmtp_features):
    print('ehlo', k.upper())


def check(reply, want):
    code, text = reply
    if code // 100 != want:
        print('refused', code, text.decode())
        s.quit()
        sys.exit(0)


check(s.mail(a.sender, a.mail), 2)
for r in a.rcpts:
    words = r.split()
    check(s.rcpt(words[0], a.ropt + words[1:]), 2)
check(s.data(msg), 2)
print('sent')
s.quit()
