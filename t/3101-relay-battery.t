#!/bin/sh
# 3101-relay-battery.t: the open relay battery (postel(7), invariant 5).
# An unauthenticated client without RELAYCLIENT tries every known address
# trick -- percent hack, bang paths, source routes, quoted local parts
# with @, % and ! in the domain, trailing dots, IP literals (ours too),
# mixed case, UTF-8 look-alikes with and without SMTPUTF8, empty domains,
# postmaster forms, localhost -- each in its own transaction, with DATA
# after any 250. None may be accepted, and nothing but local recipients
# may land in the queue.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/3smtpd.sh"
setup_instance
start_smtpd

# one form per line: the RCPT argument; "v" is the victim's name
cat >"$T/forms" <<'EOF2'
<victim@example.net>
<victim%example.net@example.test>
<victim%example.net@mx.example.test>
<victim%example.net@[127.0.0.1]>
<victim%example.net@localhost>
<victim%example.net%example.test@example.test>
<alice%example.net@example.test>
<example.net!victim@example.test>
<example.net!victim>
<example.net!victim@[127.0.0.1]>
<example.test!example.net!victim@example.test>
<"example.net!victim"@example.test>
<@example.test:victim@example.net>
<@mx.example.test:victim@example.net>
<@[127.0.0.1]:victim@example.net>
<@example.test,@example.net:victim@example.net>
<@example.test:victim%example.net@example.test>
<"victim@example.net"@example.test>
<"victim@example.net">
<"victim%example.net"@example.test>
<"victim@example.net@"@example.test>
<"victim\@example.net"@example.test>
<victim\@example.net@example.test>
<"alice@example.test"@example.net>
<victim@example.net%example.test>
<victim@example.test%example.net>
<victim@example.net!example.test>
<victim@example.test!example.net>
<victim@example.net.>
<victim@example.test.>
<alice@example.test.>
<alice@example.test..>
<victim@.example.test>
<victim@example.net.example.test>
<alice@example.test.example.net>
<victim@[127.0.0.1]>
<alice@[127.0.0.1]>
<postmaster@[127.0.0.1]>
<victim@[127.0.0.2]>
<victim@[192.0.2.1]>
<victim@[IPv6:::1]>
<alice@[IPv6:::1]>
<victim@[]>
<VICTIM@EXAMPLE.NET>
<victim@Example.Net>
<victim%EXAMPLE.NET@EXAMPLE.TEST>
<Alice@Example.Net>
<alice@ex\320\260mple.test>
<victim@ex\320\260mple.net>
<alice@example.t\320\265st>
<alice@example\357\274\216test>
<alice@example\343\200\202test>
<\320\260lice@example.test>
<victim@example.net\342\200\213>
<victim@>
<@>
<@example.test:>
<victim>
<>
<postmaster@example.net>
<Postmaster@example.net>
<postmaster%example.net>
<postmaster%example.net@example.test>
<"postmaster"@example.net>
<postmaster@example.net@example.test>
<postmaster@example.test@example.net>
<victim@localhost>
<alice@localhost>
<alice@localhost.>
<victim%example.net@localhost.>
<victim@example.net> NOTIFY=NEVER
<victim@example.net >
< victim@example.net>
<<victim@example.net>>
victim@example.net
<victim@example.net\r\nRCPT TO:<alice@example.test>
EOF2
n=$(wc -l <"$T/forms")
plan $((n * 2 + 3))

cat >"$T/battery.py" <<'PY'
import codecs, socket, sys
port, forms = int(sys.argv[1]), sys.argv[2]
def session(utf8):
    s = socket.create_connection(('127.0.0.1', port), timeout=10)
    f = s.makefile('rb')
    def reply():
        while True:
            l = f.readline()
            if not l:
                return 'EOF'
            if l[3:4] != b'-':
                return l.decode('latin-1').rstrip('\r\n')
    def cmd(c):
        s.sendall(c + b'\r\n')
        return reply()
    reply()
    cmd(b'EHLO client.example.org')
    return s, cmd
out = []
for utf8 in (0, 1):
    # a session per form: smtpd drops a client after too many errors
    for i, line in enumerate(open(forms, 'rb').read().splitlines()):
        arg = codecs.escape_decode(line)[0]
        s, cmd = session(utf8)
        r = cmd(b'MAIL FROM:<a@example.org>' + (b' SMTPUTF8' if utf8 else b''))
        if not r.startswith('250'):
            out.append('%d %d MAIL %s' % (utf8, i, r)); s.close(); continue
        r = cmd(b'RCPT TO:' + arg)
        code = r[:3]
        if code == '250':
            d = cmd(b'DATA')
            if d.startswith('354'):
                cmd(b'Subject: battery %d %d\r\n\r\nx\r\n.' % (utf8, i))
        out.append('%d %d %s %s' % (utf8, i, code, r[:60]))
        s.close()
# a control: the harness can get a local recipient through
s, cmd = session(0)
cmd(b'MAIL FROM:<a@example.org>')
out.append('control ' + cmd(b'RCPT TO:<alice@example.test>')[:3])
print('\n'.join(out))
PY
$PY "$T/battery.py" "$port" "$T/forms" >"$T/replies" 2>"$T/battery.err"
ok $? "the battery ran"
is "$(sed -n 's/^control //p' "$T/replies")" 250 "control: a local user is accepted"
for u in 0 1; do
	i=0
	while IFS= read -r form; do
		code=$(awk -v u=$u -v i=$i '$1 == u && $2 == i { print $3 }' "$T/replies")
		form=$(printf '%s' "$form" | tr -d '\\')
		case $code in
		[45]??) ok 0 "refused (${code}) $form$([ $u = 1 ] && echo ' with SMTPUTF8')" ;;
		*) ok 1 "refused $form$([ $u = 1 ] && echo ' with SMTPUTF8')"
		   grep "^$u $i " "$T/replies" | sed 's/^/#   /' ;;
		esac
		i=$((i + 1))
	done <"$T/forms"
done
# whatever was accepted, only local recipients are queued
bad=$(cat "$POSTEL_ROOT"/queue/new/* 2>/dev/null | sed -n '/^rcpt /p' |
    grep -v -E '^rcpt <(alice|bob|postmaster)@(mx\.)?example\.test>$')
is "$bad" "" "no recipient outside the local domain is queued"
done_testing
