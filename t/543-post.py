#!/usr/bin/python3
# 543-post.py ADDR PORT CERT KEY DIR STATUS: an HTTPS server for t/5432
# that takes TLSRPT reports (RFC 8460 5.4): each POST's path, Host and
# Content-Type go to DIR/N.head, its body (read by Content-Length) to
# DIR/N.body, and it answers STATUS. Writes DIR/ready when listening.
import http.server, os, ssl, sys

addr, port, cert, key, d, status = sys.argv[1:7]
n = [0]


class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n[0] += 1
        body = self.rfile.read(int(self.headers.get('Content-Length', '0')))
        with open(os.path.join(d, '%d.head' % n[0]), 'w') as f:
            f.write('%s %s %s\n' % (self.path, self.headers.get('Host'),
                                    self.headers.get('Content-Type')))
        with open(os.path.join(d, '%d.body' % n[0]), 'wb') as f:
            f.write(body)
        self.send_response(int(status))
        self.send_header('Content-Length', '0')
        self.end_headers()

    def log_message(self, *a):
        pass


s = http.server.HTTPServer((addr, int(port)), H)
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
c.load_cert_chain(cert, key)
s.socket = c.wrap_socket(s.socket, server_side=True)
open(os.path.join(d, 'ready'), 'w').close()
s.serve_forever()
