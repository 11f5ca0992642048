#!/usr/bin/python3
# t/82-spf-pyspf.py SERVER CASES: Debian's pyspf (python3-spf) on each
# case of t/82-spf-cases, with its DNS library (dnspython) asking only
# SERVER, the dnsmasq of t/8221: one line per case, "RESULT<TAB>TEXT"
# (the explanation), or "exception<TAB>NAME" when pyspf raised.
import sys

import dns.resolver
import spf

res = dns.resolver.Resolver(configure=False)
res.nameservers = [sys.argv[1]]
res.lifetime = 5
res.timeout = 2
dns.resolver.default_resolver = res

with open(sys.argv[2]) as f:
    for line in f:
        w = line.split()
        if not w or w[0].startswith('#'):
            continue
        ip, sender, helo = w[0], w[1], w[2]
        if sender == '<>':
            sender = ''
        try:
            r, text = spf.check2(i=ip, s=sender, h=helo, querytime=10)
        except Exception as e:
            r, text = 'exception', type(e).__name__
        print('%s\t%s' % (r, text.replace('\n', ' ')), flush=True)
