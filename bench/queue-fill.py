#!/usr/bin/env python3
# queue-fill: grow a postel queue to N waiting messages by copying the
# messages already in cur/ with their state files (written by enqueue and
# qrun themselves) under fresh queue IDs, as postel-queue(5) describes
# them: "seconds.microseconds.pid", the arrival line set to those
# seconds, the old ID replaced by the new one wherever the file names it.
# The copies are older than the seeds, one second per thousand, so they
# sort before them as IDs do by arrival. Owner and mode are the seeds'.
# Ends with one sync, so that writeback does not run into what the
# caller measures next.
# usage: queue-fill.py QUEUE N
import os
import re
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: queue-fill.py QUEUE N")
    q, n = sys.argv[1], int(sys.argv[2])
    cur, state = os.path.join(q, "cur"), os.path.join(q, "state")
    seeds = []
    for sid in sorted(os.listdir(cur)):
        if not os.path.exists(os.path.join(state, sid)):
            continue
        with open(os.path.join(cur, sid), "rb") as f:
            msg = f.read()
        with open(os.path.join(state, sid), "rb") as f:
            st = f.read()
        m = re.search(rb"^arrival ([0-9]+)$", msg, re.M)
        if not m or not st.startswith(b"postel-state 1\n"):
            sys.exit("queue-fill: %s is not a queued message with state" % sid)
        sb = os.stat(os.path.join(cur, sid))
        ss = os.stat(os.path.join(state, sid))
        seeds.append((sid.encode(), msg, st, int(m.group(1)), sb, ss))
    if not seeds:
        sys.exit("queue-fill: no message with a state file in %s" % cur)
    base = min(s[3] for s in seeds) - 1
    root = os.geteuid() == 0
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    for i in range(n):
        sid, msg, st, _, sb, ss = seeds[i % len(seeds)]
        sec = base - i // 1000
        nid = b"%d.%06d.%d" % (sec, (i % 1000) * 1000 + 1, 2000 + i % 997)
        body = msg.replace(sid, nid)
        body = re.sub(rb"^arrival [0-9]+$", b"arrival %d" % sec, body,
                      count=1, flags=re.M)
        for d, data, src in ((cur, body, sb), (state, st, ss)):
            p = os.path.join(d, nid.decode())
            fd = os.open(p, flags, src.st_mode & 0o7777)
            try:
                os.write(fd, data)
                if root and (src.st_uid, src.st_gid) != (0, 0):
                    os.fchown(fd, src.st_uid, src.st_gid)
            finally:
                os.close(fd)
    os.sync()


if __name__ == "__main__":
    main()
