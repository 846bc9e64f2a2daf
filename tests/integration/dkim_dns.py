#!/usr/bin/python3
"""DKIM through the local test DNS, with dkimpy as the independent oracle.

  dkim_dns.py verify PORT MSG     verify every DKIM-Signature of MSG, keys
                                  looked up at 127.0.0.1:PORT; prints
                                  "INDEX d=... s=... pass|fail" per signature;
                                  exit 0 iff all passed (1 if none)
  dkim_dns.py sign KEY DOMAIN SELECTOR IN OUT
                                  sign IN with the PEM RSA key (relaxed/relaxed)
"""
import sys

import dkim
import dns.message
import dns.query
import dns.rdatatype


def dnsfunc_for(port):
    def dnsfunc(name, timeout=5):
        q = dns.message.make_query(name.decode().rstrip(".") + ".", "TXT")
        r = dns.query.udp(q, "127.0.0.1", timeout=timeout, port=port)
        for rrset in r.answer:
            if rrset.rdtype == dns.rdatatype.TXT:
                for rd in rrset:
                    return b"".join(rd.strings)
        return None
    return dnsfunc


def verify(port, path):
    with open(path, "rb") as f:
        msg = f.read()
    d = dkim.DKIM(msg)
    sigs = [h for h in d.headers if h[0].lower() == b"dkim-signature"]
    ok = len(sigs) > 0
    for i, (_, value) in enumerate(sigs):
        tags = dkim.util.parse_tag_value(b"".join(value.split()))
        try:
            res = d.verify(idx=i, dnsfunc=dnsfunc_for(port))
        except dkim.DKIMException as e:
            print("error:", e, file=sys.stderr)
            res = False
        print(i, "d=%s" % tags.get(b"d", b"").decode(),
              "s=%s" % tags.get(b"s", b"").decode(),
              "a=%s" % tags.get(b"a", b"").decode(),
              "pass" if res else "fail")
        ok = ok and res
    return 0 if ok else 1


def sign(key, domain, selector, src, dst):
    with open(key, "rb") as f:
        pem = f.read()
    with open(src, "rb") as f:
        msg = f.read()
    sig = dkim.sign(msg, selector.encode(), domain.encode(), pem,
                    canonicalize=(b"relaxed", b"relaxed"),
                    include_headers=[b"from", b"to", b"subject", b"date"])
    with open(dst, "wb") as f:
        f.write(sig + msg)
    return 0


if __name__ == "__main__":
    a = sys.argv
    if len(a) == 4 and a[1] == "verify":
        sys.exit(verify(int(a[2]), a[3]))
    if len(a) == 7 and a[1] == "sign":
        sys.exit(sign(*a[2:]))
    print(__doc__, file=sys.stderr)
    sys.exit(2)
