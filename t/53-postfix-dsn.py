#!/usr/bin/python3
# 53-postfix-dsn.py FILE: the fields of the delivery status notification in
# FILE, one a line, for exact comparison: "type" and "report-type" of the
# top part; "msg NAME: VALUE" for the per-message fields, "rcpt NAME: VALUE"
# for each recipient's (in order, a blank-named "rcpt --" between
# recipients); "part TYPE" for each part; "returned-body yes|no" whether the
# returned message (or headers) holds the original body text given as
# argument 2.
import email, email.policy, sys

with open(sys.argv[1], 'rb') as f:
    m = email.message_from_binary_file(f, policy=email.policy.compat32)
print('type', m.get_content_type())
print('report-type', m.get_param('report-type'))
body = sys.argv[2].encode() if len(sys.argv) > 2 else None
returned = False
for part in m.get_payload() if m.is_multipart() else []:
    ct = part.get_content_type()
    print('part', ct)
    if ct == 'message/delivery-status':
        blocks = part.get_payload()
        for i, b in enumerate(blocks):
            tag = 'msg' if i == 0 else 'rcpt'
            if i > 1:
                print('rcpt --')
            for k, v in b.items():
                print('%s %s: %s' % (tag, k, ' '.join(v.split())))
    elif ct in ('message/rfc822', 'text/rfc822-headers') and body:
        raw = part.as_bytes()
        returned = returned or body in raw
if body is not None:
    print('returned-body', 'yes' if returned else 'no')
