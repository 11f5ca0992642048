#!/usr/bin/python3
# 53-postfix-sink.py: an aiosmtpd server standing for the MTA of a message's
# sender in the Postfix tests. It offers no DSN, as a plain MTA may not.
# Each transaction goes into DIR: N.env (JSON: mail_from, mail_options,
# rcpt_tos, rcpt_options) and N.eml (the message as received). Writes
# DIR/ready when listening; runs until killed.
import argparse, json, os, signal, threading
from aiosmtpd.controller import Controller

p = argparse.ArgumentParser()
p.add_argument('--listen', required=True)           # 127.0.0.1:2525
p.add_argument('--dir', required=True)
a = p.parse_args()
host, port = a.listen.rsplit(':', 1)
lock = threading.Lock()
count = [0]


class Handler:
    async def handle_DATA(self, server, session, env):
        with lock:
            count[0] += 1
            n = count[0]
        base = os.path.join(a.dir, str(n))
        with open(base + '.eml.tmp', 'wb') as f:
            f.write(env.original_content or env.content)
        os.rename(base + '.eml.tmp', base + '.eml')
        meta = {'mail_from': env.mail_from, 'mail_options': env.mail_options,
                'rcpt_tos': env.rcpt_tos, 'rcpt_options': env.rcpt_options}
        with open(base + '.env.tmp', 'w') as f:
            json.dump(meta, f)
        os.rename(base + '.env.tmp', base + '.env')
        return '250 2.0.0 queued as %d' % n


c = Controller(Handler(), hostname=host, port=int(port), ready_timeout=10)
c.start()
open(os.path.join(a.dir, 'ready'), 'w').close()
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *x: stop.set())
signal.signal(signal.SIGINT, lambda *x: stop.set())
stop.wait(3600)
c.stop()
