#!/usr/bin/python3
# 82-dmarc-opendmarc.py LIST CASE...: Debian's libopendmarc (the library
# of opendmarc, through ctypes) on DMARC cases, for t/8231. LIST is the
# public suffix list it loads; each CASE is FROM[,spf=DOMAIN][,dkim=DOMAIN]...
# (each an identity that passed). One line a case:
#   FROM status=S [p=P sp=SP adkim=A aspf=A pct=N] policy=X
# S is what opendmarc_policy_query_dmarc said (ok, none, temp, bad), X
# what opendmarc_get_policy_to_enforce said (pass, none, quarantine,
# reject, absent). DNS comes from the resolver libresolv is pointed at.
import ctypes
import sys

lib = ctypes.CDLL("libopendmarc.so.2")
V = ctypes.c_char_p
P = ctypes.c_void_p
lib.opendmarc_policy_connect_init.restype = P
lib.opendmarc_policy_connect_init.argtypes = [V, ctypes.c_int]
lib.opendmarc_policy_connect_shutdown.argtypes = [P]
lib.opendmarc_policy_store_from_domain.argtypes = [P, V]
lib.opendmarc_policy_query_dmarc.argtypes = [P, V]
lib.opendmarc_policy_store_spf.argtypes = [P, V, ctypes.c_int, ctypes.c_int, V]
lib.opendmarc_policy_store_dkim.argtypes = [P, V, V, ctypes.c_int, V]
lib.opendmarc_get_policy_to_enforce.argtypes = [P]
for f in ("p", "sp", "pct", "adkim", "aspf"):
    getattr(lib, "opendmarc_policy_fetch_" + f).argtypes = [
        P, ctypes.POINTER(ctypes.c_int)]

# OPENDMARC_LIB_T (dmarc.h): int tld_type; u_char tld_source_file[MAXPATHLEN
# (4096 on Linux)]; int nscount; struct sockaddr_in nsaddr_list[MAXNS (3)].
# nscount 0: the resolver's own configuration.
buf = ctypes.create_string_buffer(8192)
ctypes.c_int.from_buffer(buf, 0).value = 1          # OPENDMARC_TLD_TYPE_MOZILLA
path = sys.argv[1].encode()
ctypes.memmove(ctypes.addressof(buf) + 4, path, len(path))
if lib.opendmarc_policy_library_init(buf) != 0:
    sys.exit("opendmarc_policy_library_init failed")

STATUS = {0: "ok", 9: "none", 10: "none", 11: "temp"}
ENFORCE = {14: "absent", 15: "pass", 16: "reject", 17: "quarantine",
           18: "none"}
POLICY = {ord("n"): "none", ord("q"): "quarantine", ord("r"): "reject"}
MODE = {ord("r"): "r", ord("s"): "s"}

for case in sys.argv[2:]:
    parts = case.split(",")
    frm = parts[0].encode()
    ctx = lib.opendmarc_policy_connect_init(b"192.0.2.1", 0)
    lib.opendmarc_policy_store_from_domain(ctx, frm)
    st = lib.opendmarc_policy_query_dmarc(ctx, frm)
    out = [parts[0], "status=" + STATUS.get(st, "bad")]
    if st == 0:
        for p in parts[1:]:
            k, d = p.split("=", 1)
            if k == "spf":
                lib.opendmarc_policy_store_spf(ctx, d.encode(), 1, 1, None)
            else:
                lib.opendmarc_policy_store_dkim(ctx, d.encode(), b"s", 1,
                                                None)
        v = {}
        for f in ("p", "sp", "pct", "adkim", "aspf"):
            n = ctypes.c_int(0)
            getattr(lib, "opendmarc_policy_fetch_" + f)(ctx, ctypes.byref(n))
            v[f] = n.value
        sp = v["sp"] if v["sp"] else v["p"]     # unspecified: as p
        out += ["p=" + POLICY.get(v["p"], "?"), "sp=" + POLICY.get(sp, "?"),
                "adkim=" + MODE.get(v["adkim"], "?"),
                "aspf=" + MODE.get(v["aspf"], "?"), "pct=%d" % v["pct"]]
    out.append("policy=" + ENFORCE.get(lib.opendmarc_get_policy_to_enforce(ctx),
                                       "?"))
    lib.opendmarc_policy_connect_shutdown(ctx)
    print(" ".join(out))
