#!/usr/bin/python3
# t/7-verify.py ACCEPTED ROOT SINKDIR: compare what t/7-load.py says got
# 250 with what the Maildirs of ROOT/mail/*/ and the sink's *.raw hold.
# A delivered copy is matched by its X-Load-ID line; the bytes from that
# line on must hash as the client's. Prints key=value counts:
#   expected delivered missing duplicates corrupt unexpected
#   bounces-expected bounces bounces-missing bounces-duplicated
# A recipient perm* is refused by the sink: its message must come back
# to the sender as exactly one bounce, found by the X-Load-ID line in the
# attached headers.
# (unexpected: messages, not copies, the client never saw 250 for, which a
# killed smtpd may leave: accepted by the queue, the reply lost).
import collections, hashlib, json, os, sys

acc, root, sink = sys.argv[1], sys.argv[2], sys.argv[3]
want = {}
bwant = set()
bgot = collections.Counter()
for l in open(acc):
    w = l.split()
    if len(w) == 3:
        for r in w[1].split(','):
            if r.startswith('perm'):
                bwant.add(w[0])
            else:
                want[(w[0], r)] = w[2]

got = collections.Counter()
corrupt = []
def take(data, rcpts, where):
    i = data.find(b'X-Load-ID: ')
    if i < 0:
        return
    mid = data[i + 11:data.index(b'\n', i)].decode()
    if b'\nX-Postel-Queue-ID: ' in data:
        bgot[mid] += 1
        return
    h = hashlib.sha256(data[i:]).hexdigest()
    for r in rcpts:
        got[(mid, r)] += 1
        if (mid, r) in want and want[(mid, r)] != h:
            corrupt.append('%s %s %s' % (mid, r, where))

for user in os.listdir(os.path.join(root, 'mail')):
    for sub in ('new', 'cur'):
        d = os.path.join(root, 'mail', user, 'Maildir', sub)
        if not os.path.isdir(d):
            continue
        for f in os.listdir(d):
            take(open(os.path.join(d, f), 'rb').read(),
                 ['%s@example.test' % user], d + '/' + f)
if os.path.isdir(sink):
    for f in os.listdir(sink):
        if not f.endswith('.raw'):
            continue
        raw = open(os.path.join(sink, f), 'rb').read()
        assert raw.endswith(b'\r\n.\r\n')
        lines = raw[:-5].split(b'\r\n')
        data = b''.join((l[1:] if l.startswith(b'.') else l) + b'\n'
                        for l in lines)
        env = json.load(open(os.path.join(sink, f[:-4] + '.env')))
        take(data, [r.strip('<>') for r in env['rcpt']], f)

missing = [k for k in want if got[k] == 0]
dups = sum(c - 1 for k, c in got.items() if c > 1)
wmids = set(k[0] for k in want) | bwant
unexp = len(set(k[0] for k in got if k[0] not in wmids))
print('expected=%d delivered=%d missing=%d duplicates=%d corrupt=%d '
      'unexpected=%d' % (len(want), sum(got.values()), len(missing), dups,
                         len(corrupt), unexp))
print('bounces-expected=%d bounces=%d bounces-missing=%d '
      'bounces-duplicated=%d' % (len(bwant), sum(bgot.values()),
      len([m for m in bwant if bgot[m] == 0]),
      sum(c - 1 for c in bgot.values() if c > 1)))
for m in missing[:5]:
    print('# missing %s %s' % m)
for c in corrupt[:5]:
    print('# corrupt %s' % c)
