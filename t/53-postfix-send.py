#!/usr/bin/python3
# 53-postfix-send.py HOST PORT FROM RCPT [--mail OPT]... [--rcpt OPT]...:
# send one message from FROM to RCPT with smtplib, the ESMTP parameters
# given on MAIL and RCPT. Prints "ehlo KEYWORD" for each EHLO keyword,
# then "sent", or "refused CODE TEXT". The message: stdin.
import argparse, smtplib, sys

p = argparse.ArgumentParser()
p.add_argument('host')
p.add_argument('port', type=int)
p.add_argument('sender')
p.add_argument('rcpt')
p.add_argument('--mail', action='append', default=[])
p.add_argument('--rcpt', dest='ropt', action='append', default=[])
a = p.parse_args()
msg = sys.stdin.buffer.read()
s = smtplib.SMTP(a.host, a.port, timeout=20)
s.ehlo('client.example.org')
for k in sorted(s.esmtp_features):
    print('ehlo', k.upper())
try:
    s.sendmail(a.sender, [a.rcpt], msg, mail_options=a.mail, rcpt_options=a.ropt)
    print('sent')
except smtplib.SMTPRecipientsRefused as e:
    code, text = e.recipients[a.rcpt]
    print('refused', code, text.decode())
except smtplib.SMTPResponseException as e:
    print('refused', e.smtp_code, e.smtp_error.decode())
s.quit()
