#!/usr/bin/python3
# 541-policy.py ADDR CERT KEY DIR LOG READY: an MTA-STS policy server for
# the 541x tests (RFC 8461 3.3) on ADDR:443 over TLS: a GET of
# /.well-known/mta-sts.txt is answered with the file DIR/HOST (HOST the
# request's Host field), read at each request so that a test can change
# a policy, as text/plain; 404 if there is none. Each request is logged
# to LOG as "PATH HOST". Writes READY when listening.
import http.server, os, ssl, sys

addr, cert, key, pdir, log, ready = sys.argv[1:7]

class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        host = (self.headers.get('Host') or '').split(':')[0]
        with open(log, 'a') as f:
            f.write('%s %s\n' % (self.path, host))
        f = os.path.join(pdir, os.path.basename(host))
        if self.path != '/.well-known/mta-sts.txt' or not host or \
                not os.path.isfile(f):
            self.send_error(404)
            return
        body = open(f, 'rb').read()
        self.send_response(200)
        self.send_header('Content-Type', 'text/plain')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass

s = http.server.HTTPServer((addr, 443), H)
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
c.load_cert_chain(cert, key)
s.socket = c.wrap_socket(s.socket, server_side=True)
open(ready, 'w').close()
s.serve_forever()
