#!/bin/sh
# 7301-bounce-hostile-headers.t: the headers a sender wrote are attached
# to a bounce; a header line that starts with "--" and the bounce's
# default boundary ("postel-QID") must not end or forge a MIME part
# (found by fuzz/bounce). The report keeps its three parts.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
plan 4
setup_instance
as_recipients
id=$(printf 'Subject: hostile\nX-A: 1\n\nbody\n' |
    "$B/enqueue" -f alice@example.test nosuch@example.test 2>/dev/null)
f=$POSTEL_ROOT/queue/new/$id
ok "$([ -n "$id" ] && [ -f "$f" ]; echo $?)" "queued $id"
# put the boundary the bounce would use into the header section
$PY - "$f" "$id" <<'PY'
import sys
p, qid = sys.argv[1], sys.argv[2]
s = open(p, 'rb').read()
env, _, msg = s.partition(b'\n\n')
hole = ('--postel-%s\nX-B: 2\n--postel-%s--\n' % (qid, qid)).encode()
msg = msg.replace(b'X-A: 1\n', b'X-A: 1\n' + hole, 1)
open(p, 'wb').write(env + b'\n\n' + msg)
PY
pass
pass
wait_for 10 has_new alice 1
ok $? "the bounce reached the sender"
$PY - "$POSTEL_ROOT/mail/alice/Maildir/new" <<'PY' >"$T/parts"
import email, os, sys
d = sys.argv[1]
m = email.message_from_binary_file(open(os.path.join(d, os.listdir(d)[0]), 'rb'))
parts = m.get_payload()
print(len(parts))
print(' '.join(p.get_content_type() for p in parts))
print('X-B' in parts[2].as_string())
PY
sed 's/^/# /' "$T/parts"
is "$(sed -n 1,2p "$T/parts" | tr '\n' ' ')" \
    "3 text/plain message/delivery-status text/rfc822-headers " \
    "the report has its three parts"
is "$(sed -n 3p "$T/parts")" True "the hostile lines stay inside the attached headers"
done_testing
