#!/usr/bin/python3
# t/5-fault.py: faulty SMTP servers and a faulty DNS server for t/5101.
#   5-fault.py smtp ADDR MODE DIR   an SMTP server on ADDR:25
#   5-fault.py dns ADDR MODE DIR    a DNS server on ADDR:53 (UDP)
# SMTP modes: bytewise (every reply one byte at a time, otherwise a good
# server), longline (a 600-byte greeting line), longok (a 600-byte EHLO
# line), manylines (EHLO answered with 5000 continuation lines), garbage
# (a greeting without a code), mixed (a multiline reply whose codes
# differ), closemid (the EHLO reply cut in the middle of a line),
# hangmid (half a reply line, then silence), quitdrop (250 after the dot,
# then the connection closes before QUIT), datadrop (354, then a close
# after the first line of data). DNS modes: timeout (never
# answers), truncated (TC set, no answer; nothing listens on TCP),
# garbage (random bytes with the query's ID). Writes DIR/ready.
import os, random, socket, socketserver, sys, threading, time

kind, addr, mode, d = sys.argv[1:5]

def ready():
    open(os.path.join(d, 'ready'), 'w').close()

if kind == 'dns':
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 53))
    ready()
    rng = random.Random(1)
    while True:
        q, peer = s.recvfrom(4096)
        if mode == 'timeout':
            continue
        if mode == 'truncated':
            # the header of the query, QR and TC set, no answers
            h = bytearray(q[:12])
            h[2] |= 0x82
            h[6:12] = b'\0' * 6
            s.sendto(bytes(h) + q[12:], peer)
        elif mode == 'garbage':
            n = rng.randint(0, 600)
            s.sendto(q[:2] + bytes(rng.getrandbits(8) for _ in range(n)), peer)
    sys.exit(0)

class H(socketserver.BaseRequestHandler):
    def send(self, b):
        if mode == 'bytewise':
            for i in range(len(b)):
                self.request.sendall(b[i:i + 1])
                time.sleep(0.001)
        else:
            self.request.sendall(b)

    def handle(self):
        f = self.request.makefile('rb')
        if mode == 'garbage':
            self.send(b'hello there, I am not SMTP\r\n'); f.readline(); return
        if mode == 'longline':
            self.send(b'220 ' + b'x' * 600 + b'\r\n'); f.readline(); return
        if mode == 'hangmid':
            self.send(b'220 mx ES'); time.sleep(60); return
        self.send(b'220 fault ESMTP\r\n')
        data = False
        while True:
            l = f.readline()
            if not l:
                return
            v = l[:4].upper()
            if data:
                if mode == 'datadrop':
                    # the sender's writes after this draw a reset, then EPIPE
                    self.request.shutdown(socket.SHUT_RDWR)
                    self.request.close()
                    return
                if l == b'.\r\n':
                    data = False
                    self.send(b'250 2.0.0 queued\r\n')
                    if mode == 'quitdrop':
                        self.request.shutdown(socket.SHUT_RDWR)
                        return
                continue
            if v == b'EHLO':
                if mode == 'manylines':
                    self.send(b''.join(b'250-line %d\r\n' % i
                                       for i in range(5000)) + b'250 OK\r\n')
                elif mode == 'longok':
                    self.send(b'250-' + b'y' * 600 + b'\r\n250 OK\r\n')
                elif mode == 'mixed':
                    self.send(b'250-fault\r\n251-odd\r\n550 OK\r\n')
                elif mode == 'closemid':
                    self.send(b'250-fault\r\n250-PIPEL')
                    self.request.shutdown(socket.SHUT_RDWR)
                    return
                else:
                    self.send(b'250-fault\r\n250 8BITMIME\r\n')
            elif v == b'HELO':
                self.send(b'250 fault\r\n')
            elif v == b'DATA':
                data = True
                self.send(b'354 go\r\n')
            elif v == b'QUIT':
                self.send(b'221 bye\r\n'); return
            else:
                self.send(b'250 ok\r\n')

class S(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    daemon_threads = True

srv = S((addr, 25), H)
ready()
srv.serve_forever()
