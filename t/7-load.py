#!/usr/bin/python3
# t/7-load.py: the load client of the family-7 tests. Runs SESSIONS SMTP
# sessions against 127.0.0.1:PORT, at most PARALLEL at a time, each
# sending PER messages; each message goes to alice and/or bob of
# example.test and/or a user of the remote domain. Prints one line per
# message that got 250 after the final dot:
#   ID rcpt,rcpt,... SHA256
# where SHA256 is of the message from its first line ("X-Load-ID: ID")
# with LF line ends, as a Maildir or the sink must hold it. Sessions that
# fail (a killed smtpd) are counted on stderr, never retried. With
# --bounce N, one message in N also goes to a perm* user the sink refuses
# (550), so qrun bounces it to the sender (--from).
import argparse, hashlib, random, socket, sys, threading

p = argparse.ArgumentParser()
p.add_argument('--port', type=int, required=True)
p.add_argument('--sessions', type=int, default=200)
p.add_argument('--parallel', type=int, default=50)
p.add_argument('--per', type=int, default=10)
p.add_argument('--remote', default='remote.test')
p.add_argument('--seed', type=int, default=1)
p.add_argument('--prefix', default='s')
p.add_argument('--bounce', type=int, default=0)    # 1 in N to perm@remote
p.add_argument('--from', dest='sender', default='load@example.org')
a = p.parse_args()

lock = threading.Lock()
sem = threading.Semaphore(a.parallel)
stats = {'ok': 0, 'refused': 0, 'broken': 0}

def message(rng, mid):
    lines = ['X-Load-ID: %s' % mid, 'From: <load@example.org>',
             'Subject: load %s' % mid, 'Message-ID: <%s@load.example>' % mid, '']
    for i in range(rng.randint(1, 60)):
        kind = rng.randint(0, 9)
        if kind == 0:
            lines.append('.' + 'd' * rng.randint(0, 40))   # dot-stuffed
        elif kind == 1:
            lines.append('x' * rng.randint(500, 998))
        elif kind == 2:
            lines.append('')
        else:
            lines.append(' '.join('w%d' % rng.randint(0, 99999)
                                  for _ in range(rng.randint(1, 12))))
    return lines

def session(n):
    rng = random.Random(a.seed * 100003 + n)
    out = []
    try:
        s = socket.create_connection(('127.0.0.1', a.port), timeout=60)
        f = s.makefile('rb')
        def reply():
            while True:
                l = f.readline()
                if not l:
                    raise EOFError
                if l[3:4] != b'-':
                    return l[:3]
        def cmd(c):
            s.sendall(c + b'\r\n')
            return reply()
        if reply() != b'220' or cmd(b'EHLO load.example.org') != b'250':
            raise EOFError
        for k in range(a.per):
            mid = '%s%dm%d' % (a.prefix, n, k)
            r = []
            sel = rng.randint(1, 7)
            if sel & 1: r.append('alice@example.test')
            if sel & 2: r.append('bob@example.test')
            if sel & 4: r.append('u%d@%s' % (n % 7, a.remote))
            if a.bounce and rng.randint(1, a.bounce) == 1:
                r.append('perm%d@%s' % (n % 7, a.remote))
            if cmd(b'MAIL FROM:<%s>' % a.sender.encode()) != b'250':
                stats['refused'] += 1; continue
            got = [x for x in r if cmd(b'RCPT TO:<%s>' % x.encode()) == b'250']
            if not got or cmd(b'DATA') != b'354':
                cmd(b'RSET'); stats['refused'] += 1; continue
            lines = message(rng, mid)
            wire = ''.join(('.' + l if l.startswith('.') else l) + '\r\n'
                           for l in lines) + '.\r\n'
            s.sendall(wire.encode())
            if reply() == b'250':
                h = hashlib.sha256(('\n'.join(lines) + '\n').encode())
                out.append('%s %s %s' % (mid, ','.join(got), h.hexdigest()))
            else:
                stats['refused'] += 1
        cmd(b'QUIT')
        s.close()
    except (EOFError, OSError):
        with lock:
            stats['broken'] += 1
    with lock:
        stats['ok'] += len(out)
        if out:
            sys.stdout.write('\n'.join(out) + '\n')
            sys.stdout.flush()

def run(n):
    try:
        session(n)
    finally:
        sem.release()

ts = []
for n in range(a.sessions):
    sem.acquire()
    t = threading.Thread(target=run, args=(n,))
    t.start()
    ts.append(t)
for t in ts:
    t.join()
print('accepted=%d refused=%d broken-sessions=%d' % (stats['ok'],
      stats['refused'], stats['broken']), file=sys.stderr)
