#!/usr/bin/python3
# 82-sign-verify.py RAW KEYGEN-OUTPUT...: verify with dkimpy the DKIM
# signature of a message as t/5-sink.py recorded it (N.raw: CRLF, dot-
# stuffed), answering key lookups from the TXT records that `postel
# dkim-keygen` printed (the same text the tests give dnsmasq). Prints
# "unsigned", "pass d=D s=S" or "fail d=D s=S"; exit 0 in all three.
import re, sys
import dkim

raw = open(sys.argv[1], 'rb').read()
if raw.endswith(b'\r\n.\r\n'):
    raw = raw[:-3]                              # the final dot
msg = re.sub(rb'(^|\r\n)\.', rb'\1', raw)       # undo dot-stuffing
records = {}
for f in sys.argv[2:]:
    text = open(f).read()
    for name, body in re.findall(r'^(\S+) IN TXT \((.*?)\)', text, re.S | re.M):
        records[name.lower().rstrip('.')] = ''.join(re.findall(r'"([^"]*)"', body))

def dnsfunc(name, timeout=5):
    if isinstance(name, bytes):
        name = name.decode()
    r = records.get(name.lower().rstrip('.'))
    return r.encode() if r is not None else None

m = re.search(rb'^DKIM-Signature:(.*?)\r\n(?![ \t])', msg, re.S | re.M | re.I)
if not m:
    print('unsigned')
    sys.exit(0)
tags = dict((k.strip().decode(), v) for k, v in
            (t.split(b'=', 1) for t in re.sub(rb'\s+', b'', m.group(1)).split(b';') if b'=' in t))
ok = dkim.verify(msg, dnsfunc=dnsfunc)
print('%s d=%s s=%s' % ('pass' if ok else 'fail', tags.get('d', b'').decode(),
                         tags.get('s', b'').decode()))
