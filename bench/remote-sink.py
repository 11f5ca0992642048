#!/usr/bin/python3
# remote-sink.py: a minimal, fast SMTP sink for bench/remote-bench (asyncio,
# one task per connection). Accepts everything, keeps nothing, and counts
# the messages it accepted in FILE on exit (SIGTERM) and every 100 messages.
# usage: remote-sink.py ADDR PORT COUNTFILE
import asyncio, signal, sys

addr, port, countfile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
n = 0

def save():
    with open(countfile, 'w') as f:
        f.write('%d\n' % n)

async def session(r, w):
    global n
    w.write(b'220 sink ESMTP\r\n')
    try:
        while True:
            l = await r.readline()
            if not l:
                break
            v = l[:4].upper()
            if v == b'EHLO':
                w.write(b'250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n'
                        b'250-SIZE\r\n250 SMTPUTF8\r\n')
            elif v == b'DATA':
                w.write(b'354 go\r\n')
                while True:
                    d = await r.readline()
                    if not d or d == b'.\r\n':
                        break
                n += 1
                if n % 100 == 0:
                    save()
                w.write(b'250 2.0.0 ok\r\n')
            elif v == b'QUIT':
                w.write(b'221 bye\r\n')
                await w.drain()
                break
            else:
                w.write(b'250 ok\r\n')
            await w.drain()
    except ConnectionError:
        pass
    w.close()

async def main():
    srv = await asyncio.start_server(session, addr, port, backlog=512)
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, stop.set_result, None)
    save()
    async with srv:
        await stop
    save()

asyncio.run(main())
