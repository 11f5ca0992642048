#!/usr/bin/python3
# bench/logsum-gen.py SESSIONS: a synthetic postel log for logsum-bench.
# Each SMTP session (sid) brings three messages; every third message is
# for root@example.test (the busy address, as cron mail makes it); qrun
# lines for all of them follow, interleaved with later sessions.
import sys
n = int(sys.argv[1])
out, pending = [], []
for s in range(n):
    sid = 's%06d' % s
    out.append('smtpd: connect sid=%s ip=192.0.2.%d helo=h%d' % (sid, s % 250, s))
    for m in range(3):
        q = '1795%06d.%06d.%d' % (s, m, s)
        to = 'root@example.test' if (s * 3 + m) % 3 == 0 else 'u%d@example.test' % s
        out.append('smtpd: accepted sid=%s qid=%s from=<a%d@example.org> rcpts=1 size=4096' % (sid, q, s))
        pending.append((q, to))
    out.append('smtpd: disconnect sid=%s result=ok' % sid)
    if len(pending) >= 30:
        for q, to in pending:
            out.append('qrun: new qid=%s from=<x@example.org> rcpts=1 origin="smtpd 192.0.2.1"' % q)
            out.append('qrun: result qid=%s rcpt=<%s> channel=local status=ok dsn=2.0.0 attempt=1 delay=0 text="delivered to ./Maildir/"' % (q, to))
            out.append('qrun: done qid=%s' % q)
        pending = []
for q, to in pending:
    out.append('qrun: new qid=%s from=<x@example.org> rcpts=1 origin=""' % q)
    out.append('qrun: done qid=%s' % q)
sys.stdout.write('\n'.join(out) + '\n')
