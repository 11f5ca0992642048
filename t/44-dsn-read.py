#!/usr/bin/python3
# t/44-dsn-read.py MAILDIR [MARK]: the delivery status reports in a
# Maildir (new/ and cur/), one summary each, in the order of their
# Subject and first Final-Recipient, for the 44xx tests to compare
# whole: the envelope sender, the MIME shape, every field of the
# message/delivery-status part but the dates, and whether the returned
# part holds MARK (a word of the original body). Other mail is counted
# on an "other N" line.
import email
import email.policy
import os
import sys

maildir = sys.argv[1]
mark = sys.argv[2] if len(sys.argv) > 2 else "BODYMARK"
reports, other = [], 0
for sub in ("new", "cur"):
    d = os.path.join(maildir, sub)
    for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        with open(os.path.join(d, name), "rb") as f:
            m = email.message_from_binary_file(f, policy=email.policy.compat32)
        if m.get_content_type() != "multipart/report":
            other += 1
            continue
        out = ["report " + str(m["Subject"]),
               "return-path " + str(m["Return-Path"]),
               "type %s %s" % (m.get_content_type(), m.get_param("report-type"))]
        parts = m.get_payload()
        out.append("parts " + " ".join(p.get_content_type() for p in parts))
        first = ""
        for k, block in enumerate(parts[1].get_payload()):
            for key, val in block.items():
                if key.endswith("-Date") or key.startswith("X-Postel"):
                    continue
                out.append("%s %s: %s" % ("msg" if k == 0 else "rcpt", key, val))
                if key == "Final-Recipient" and not first:
                    first = val
        ret = parts[2].as_string() if len(parts) > 2 else ""
        out.append("returned %s %s" % ("body" if mark in ret else "no-body",
                   "subject" if "\nSubject: " in ret else "no-subject"))
        reports.append((str(m["Subject"]), first, out))
for _, _, out in sorted(reports, key=lambda r: (r[0], r[1])):
    print("\n".join(out))
print("other %d" % other)
