#!/usr/bin/python3
# t/82-dkim-peer.py: Debian's dkimpy as the peer of postel's DKIM (t/8201,
# t/8202). Run with /usr/bin/python3 (Debian's python3-dkim).
#   sign KEY DOMAIN SELECTOR HCANON BCANON ALG [l] < msg > signed
#       the message (LF or CRLF) signed over From, To, Subject and Date,
#       printed with CRLF line ends; "l" adds l= (the body's length)
#   verify RECORD < msg
#       checks the top signature with RECORD as the key's TXT record
#       (whatever name is asked): prints pass or fail and why; exit 0 or 1
import sys

import dkim


def main():
    mode = sys.argv[1]
    msg = sys.stdin.buffer.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if mode == "sign":
        key, dom, sel, hc, bc, alg = sys.argv[2:8]
        sig = dkim.sign(msg, sel.encode(), dom.encode(), open(key, "rb").read(),
                        canonicalize=(hc.encode(), bc.encode()),
                        signature_algorithm=alg.encode(),
                        include_headers=[b"from", b"to", b"subject", b"date"],
                        length=len(sys.argv) > 8 and sys.argv[8] == "l")
        sys.stdout.buffer.write(sig + msg)
        return 0
    record = open(sys.argv[2], "rb").read().strip()
    try:
        good = dkim.verify(msg, dnsfunc=lambda name, timeout=5: record,
                           minkey=1024)
        print("pass" if good else "fail")
    except dkim.DKIMException as e:
        good = False
        print("fail", e)
    return 0 if good else 1


sys.exit(main())
