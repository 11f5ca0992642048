#!/usr/bin/python3
"""543-check.py: checks of the TLSRPT tests (RFC 8460).
  json FILE DOMAIN OK FAILED: FILE holds JSON reports one a line; the one
    for DOMAIN has exactly the RFC's fields and these counts; prints
    "result-type mx ip count" of its failure details, sorted.
  mail MSGFILE JSONOUT: the message is a 5.3 report; writes the gunzipped
    attachment to JSONOUT; prints "ok" or what is wrong.
  gz BODYFILE JSONOUT: gunzip BODYFILE into JSONOUT."""
import email, email.policy, gzip, json, re, sys

TOP = {"organization-name", "date-range", "contact-info", "report-id",
       "policies"}


def jsoncheck(path, dom, ok, failed):
    for line in open(path):
        r = json.loads(line)
        if r["policies"][0]["policy"]["policy-domain"] != dom:
            continue
        assert set(r) == TOP, sorted(r)
        assert set(r["date-range"]) == {"start-datetime", "end-datetime"}
        p = r["policies"][0]
        assert len(r["policies"]) == 1
        assert set(p) <= {"policy", "summary", "failure-details"}
        assert set(p["policy"]) <= {"policy-type", "policy-string",
                                    "policy-domain", "mx-host"}
        assert p["policy"]["policy-type"] in ("sts", "tlsa", "no-policy-found")
        s = p["summary"]
        assert s == {"total-successful-session-count": int(ok),
                     "total-failure-session-count": int(failed)}, s
        out = []
        for f in p.get("failure-details", []):
            assert set(f) <= {"result-type", "sending-mta-ip",
                              "receiving-mx-hostname", "receiving-ip",
                              "failed-session-count"}, f
            out.append("%s %s %s %d" % (f["result-type"],
                       f.get("receiving-mx-hostname", "-"),
                       f.get("receiving-ip", "-"), f["failed-session-count"]))
        print(" ".join([p["policy"]["policy-type"]] +
                       p["policy"].get("policy-string", [])))
        for o in sorted(out):
            print(o)
        return
    sys.exit("no report for " + dom)


def mailcheck(path, out):
    m = email.message_from_binary_file(open(path, "rb"),
                                       policy=email.policy.default)
    dom, sub = m["TLS-Report-Domain"], m["TLS-Report-Submitter"]
    if not dom or not sub:
        return print("no TLS-Report-Domain or -Submitter")
    subj = str(m["Subject"])
    mo = re.fullmatch(r"Report Domain: (\S+) Submitter: (\S+) "
                      r"Report-ID: <(\S+)>", subj)
    if not mo or mo.group(1) != dom or mo.group(2) != sub:
        return print("bad Subject: " + subj)
    if m.get_content_type() != "multipart/report" or \
            m.get_param("report-type") != "tlsrpt":
        return print("bad Content-Type " + str(m["Content-Type"]))
    parts = list(m.iter_parts())
    if [p.get_content_type() for p in parts] != \
            ["text/plain", "application/tlsrpt+gzip"]:
        return print("bad parts")
    a = parts[1]
    fn = a.get_filename()
    uid = re.sub(r"[^A-Za-z0-9]", "", mo.group(3).split("@")[0])
    want = r"%s!%s!\d+!\d+!%s\.json\.gz" % (re.escape(sub), re.escape(dom),
                                            uid)
    if a["Content-Transfer-Encoding"] != "base64" or \
            not re.fullmatch(want, fn or ""):
        return print("bad attachment %s" % fn)
    data = gzip.decompress(a.get_payload(decode=True))
    r = json.loads(data)
    if r["report-id"] != mo.group(3):
        return print("report-id differs from the Subject's")
    open(out, "wb").write(data + b"\n")
    print("ok")


if sys.argv[1] == "json":
    jsoncheck(*sys.argv[2:6])
elif sys.argv[1] == "mail":
    mailcheck(sys.argv[2], sys.argv[3])
elif sys.argv[1] == "gz":
    open(sys.argv[3], "wb").write(gzip.decompress(open(sys.argv[2], "rb")
                                                  .read()) + b"\n")
