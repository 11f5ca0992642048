#!/usr/bin/python3
# 5-sink.py: a scriptable SMTP server for the family-5 tests (remote).
# Listens on ADDR:PORT, answers RCPTs by the recipient's local part
# ("temp..." 450, "perm..." 550, "full..." 552 too many recipients, "odd..."
# a 354 where none belongs, else 250), and records each transaction in
# DIR: N.env (JSON: helo, mail, rcpt, tls, auth) and N.raw (DATA as sent on
# the wire, dot-stuffing and CRLF included); DIR/verbs gets the verb of every
# command received, in every session (DIR/commands the whole line, but
# for AUTH), and DIR/sessions the number of
# connections. Each N.env also names its session (1, 2, ...) and says
# whether RCPT ("pipelined") and DATA ("data_pipelined") were already
# waiting when MAIL was read, before any reply to it. --drop-at N drops
# the connection at the Nth message, after its final dot and before the
# reply. Writes DIR/ready when listening.
# --tls offers STARTTLS; --smtps speaks TLS from the start (port 465);
# --starttls-reply offers STARTTLS but answers it with that reply.
# --dsn offers DSN (RFC 3461); without it a MAIL with RET= or ENVID= or a
# RCPT with NOTIFY= or ORCPT= gets 555 (RFC 5321 4.1.1.11). N.env's
# "mail" holds MAIL's path and parameters as sent, "rcpt_args" what
# followed "RCPT TO:" in each RCPT of the transaction, accepted or not.
# --requiretls offers REQUIRETLS (RFC 8689) once TLS is on; without it a
# MAIL with REQUIRETLS gets 555.
import argparse, json, os, socket, socketserver, ssl, sys, threading, base64

p = argparse.ArgumentParser()
p.add_argument('--listen', required=True)           # 127.0.5.2:25 or [::1]:25
p.add_argument('--dir', required=True)
p.add_argument('--greeting', default='220 sink ESMTP')
p.add_argument('--hang', action='store_true')       # accept, never answer
p.add_argument('--no-ehlo', action='store_true')
p.add_argument('--no-pipelining', action='store_true')
p.add_argument('--no-smtputf8', action='store_true')
p.add_argument('--tls', nargs=2, metavar=('CERT', 'KEY'))
p.add_argument('--tls13-only', action='store_true')
p.add_argument('--starttls-reply')                  # e.g. 454 4.7.0 no
p.add_argument('--smtps', nargs=2, metavar=('CERT', 'KEY'))  # implicit TLS
p.add_argument('--drop-after-data', action='store_true')
p.add_argument('--drop-at', type=int, default=0)
p.add_argument('--temp-once', action='store_true')  # temp* fails once
p.add_argument('--hang-after-data', action='store_true')
p.add_argument('--data-always', action='store_true')  # 354 without rcpts
p.add_argument('--tls-hang', action='store_true')  # 220, then silence
p.add_argument('--auth')                            # user:pass, required
p.add_argument('--mail-reply', default='250 2.1.0 ok')
p.add_argument('--data-reply', default='250 2.0.0 queued as %d')
p.add_argument('--size', type=int, default=0)
p.add_argument('--ehlo-reply')                      # instead of the list
p.add_argument('--helo-reply', default='250 sink')
p.add_argument('--dsn', action='store_true')        # offer DSN (RFC 3461)
p.add_argument('--requiretls', action='store_true')  # offer it inside TLS
a = p.parse_args()

host, port = a.listen.rsplit(':', 1)
host = host.strip('[]')
count = [0]
sessions = [0]
tried = set()
lock = threading.Lock()

class Lines:
    # readline over a socket with a visible buffer (to see pipelining)
    def __init__(self, sock):
        self.sock, self.buf = sock, b''
    def readline(self, limit):
        while b'\n' not in self.buf and len(self.buf) < limit:
            d = self.sock.recv(65536)
            if not d:
                break
            self.buf += d
        i = self.buf.find(b'\n')
        i = len(self.buf) if i < 0 else i + 1
        i = min(i, limit)
        l, self.buf = self.buf[:i], self.buf[i:]
        return l
    def read(self):
        while self.sock.recv(65536):
            pass

def dsn_params(args, names):
    # any of the parameters after the path
    return any(w.upper().startswith(names) for w in args.split()[1:])

class H(socketserver.StreamRequestHandler):
    def setup(self):
        self.sock = self.request
        self.f = Lines(self.sock)
        self.tls = False
        self.authed = None

    def finish(self):
        pass                        # no rfile/wfile: the server closes it

    def send(self, s):
        self.sock.sendall(s.encode() + b'\r\n')

    def line(self):
        l = self.f.readline(4096)
        if not l:
            raise EOFError
        return l.rstrip(b'\r\n').decode('utf-8', 'replace')

    def ehlo(self, name):
        ext = ['8BITMIME', 'ENHANCEDSTATUSCODES']
        if not a.no_pipelining: ext.append('PIPELINING')
        if not a.no_smtputf8: ext.append('SMTPUTF8')
        ext.append('SIZE %d' % a.size if a.size else 'SIZE')
        if a.dsn: ext.append('DSN')
        if a.requiretls and self.tls: ext.append('REQUIRETLS')
        if (a.tls or a.starttls_reply) and not self.tls:
            ext.append('STARTTLS')
        if a.auth and self.tls: ext.append('AUTH PLAIN LOGIN')
        out = ['250-sink hello ' + name] + ['250-' + e for e in ext]
        out[-1] = '250 ' + out[-1][4:]
        self.sock.sendall(('\r\n'.join(out) + '\r\n').encode())

    def handle(self):
        with lock:
            sessions[0] += 1; self.sid = sessions[0]
            with open(os.path.join(a.dir, 'sessions'), 'w') as sf:
                sf.write('%d\n' % sessions[0])
        if a.hang:
            self.f.read()           # until the client goes away
            return
        if a.smtps:                 # RFC 8314: TLS first, then the greeting
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(a.smtps[0], a.smtps[1])
            try:
                self.sock = ctx.wrap_socket(self.sock, server_side=True)
            except (ssl.SSLError, OSError):
                return
            self.f = Lines(self.sock)
            self.tls = True
        self.send(a.greeting)
        if not a.greeting.startswith('2'):
            try: self.line()
            except EOFError: pass
            return
        env = {'rcpt': []}
        helo = ''
        try:
            while True:
                l = self.line()
                v = l[:4].upper()
                with lock, open(os.path.join(a.dir, 'verbs'), 'a') as vf:
                    vf.write((l.split() or [''])[0][:12].upper() + '\n')
                with lock, open(os.path.join(a.dir, 'commands'), 'a',
                                         encoding='utf-8') as cf:
                    cf.write((l if v != 'AUTH' else 'AUTH') + '\n')
                if v == 'EHLO' and a.ehlo_reply:
                    self.send(a.ehlo_reply)
                elif v == 'EHLO' and not a.no_ehlo:
                    helo = l[5:]; self.ehlo(helo)
                elif v in ('HELO', 'EHLO'):
                    if v == 'EHLO': self.send('502 5.5.1 no EHLO'); continue
                    helo = l[5:]; self.send(a.helo_reply)
                elif l.upper() == 'STARTTLS' and a.starttls_reply:
                    self.send(a.starttls_reply)
                elif l.upper() == 'STARTTLS' and a.tls and not self.tls:
                    self.send('220 2.0.0 go ahead')
                    if a.tls_hang:
                        self.f.read(); return
                    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                    ctx.load_cert_chain(a.tls[0], a.tls[1])
                    if a.tls13_only:
                        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
                    self.sock = ctx.wrap_socket(self.sock, server_side=True)
                    self.f = Lines(self.sock)
                    self.tls = True
                    env = {'rcpt': []}
                elif v == 'AUTH':
                    w = l.split()
                    if len(w) >= 3 and w[1].upper() == 'PLAIN':
                        cred = base64.b64decode(w[2]).split(b'\0')
                        u, pw = cred[1].decode(), cred[2].decode()
                    elif len(w) == 2 and w[1].upper() == 'LOGIN':
                        self.send('334 VXNlcm5hbWU6')
                        u = base64.b64decode(self.line()).decode()
                        self.send('334 UGFzc3dvcmQ6')
                        pw = base64.b64decode(self.line()).decode()
                    else:
                        self.send('504 5.5.4 mechanism'); continue
                    if a.auth == u + ':' + pw:
                        self.authed = u; self.send('235 2.7.0 ok')
                    else:
                        self.send('535 5.7.8 bad credentials')
                elif v == 'MAIL':
                    if a.auth and not self.authed:
                        self.send('530 5.7.0 authentication required'); continue
                    if not a.dsn and dsn_params(l[10:], ('RET=', 'ENVID=')):
                        self.send('555 5.5.4 DSN not offered'); continue
                    if not (a.requiretls and self.tls) and \
                            'REQUIRETLS' in l[10:].upper().split():
                        self.send('555 5.5.4 REQUIRETLS not offered'); continue
                    env = {'rcpt': [], 'mail': l[10:], 'helo': helo,
                           'rcpt_args': [],
                           'pipelined': self.f.buf.startswith(b'RCPT'),
                           'data_pipelined': b'\nDATA\r\n' in b'\n' + self.f.buf,
                           'session': self.sid,
                           'tls': self.tls, 'auth': self.authed,
                           'tls_version': self.sock.version() if self.tls else None}
                    self.send(a.mail_reply)
                elif v == 'RCPT':
                    r = l[8:]
                    env.setdefault('rcpt_args', []).append(r)
                    if not a.dsn and dsn_params(r, ('NOTIFY=', 'ORCPT=')):
                        self.send('555 5.5.4 DSN not offered'); continue
                    loc = r.strip('<>').split('@')[0]
                    again = loc in tried
                    tried.add(loc)
                    if loc.startswith('temp') and not (a.temp_once and again):
                        self.send('450 4.2.0 %s mailbox busy' % loc)
                    elif loc.startswith('perm') and not loc.startswith('temp'):
                        self.send('550 5.1.1 %s no such user' % loc)
                    elif loc.startswith('full'):
                        self.send('552 5.5.3 too many recipients')
                    elif loc.startswith('odd'):
                        self.send('354 what')
                    else:
                        env['rcpt'].append(r.split()[0]); self.send('250 2.1.5 ok')
                elif v == 'DATA':
                    if not env['rcpt'] and not a.data_always:
                        self.send('554 5.5.1 no valid recipients'); continue
                    self.send('354 go ahead')
                    raw = b''
                    while True:
                        l2 = self.f.readline(1 << 20)
                        if not l2: raise EOFError
                        raw += l2
                        if l2 == b'.\r\n': break
                    with lock:
                        count[0] += 1; n = count[0]
                    with open(os.path.join(a.dir, '%d.raw' % n), 'wb') as f:
                        f.write(raw)
                    with open(os.path.join(a.dir, '%d.env' % n), 'w') as f:
                        json.dump(env, f)
                    if a.hang_after_data:
                        self.f.read(); return
                    if a.drop_after_data or n == a.drop_at:
                        self.sock.shutdown(socket.SHUT_RDWR); return
                    self.send(a.data_reply.replace('%d', str(n)))
                elif v == 'RSET':
                    env = {'rcpt': []}; self.send('250 ok')
                elif v == 'QUIT':
                    self.send('221 bye'); return
                elif v == 'NOOP':
                    self.send('250 ok')
                else:
                    self.send('500 5.5.2 what')
        except (EOFError, ConnectionError, ssl.SSLError, OSError):
            return

class S(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    daemon_threads = True
    address_family = socket.AF_INET6 if ':' in host else socket.AF_INET

s = S((host, int(port)), H)
open(os.path.join(a.dir, 'ready'), 'w').close()
s.serve_forever()
