#!/usr/bin/python3
# 2-fifo-reader.py FIFO READY SECONDS: stand in for a running qrun on
# queue/trigger: open it for reading (so writers find a reader), create
# READY, then print each chunk read, as one repr per line, until a
# newline arrives or SECONDS pass.
import os, select, sys, time

fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
open(sys.argv[2], "w").close()
end = time.monotonic() + float(sys.argv[3])
data = b""
while time.monotonic() < end and b"\n" not in data:
    r, _, _ = select.select([fd], [], [], 0.1)
    if not r:
        continue
    chunk = os.read(fd, 4096)
    if chunk:
        print(repr(chunk))
        data += chunk
    else:
        time.sleep(0.05)        # no writer now: wait for the next
sys.stdout.flush()
