#!/usr/bin/python3
"""dkimpy as an independent DKIM oracle for the postseal tests.

  dkimpy_tool.py verify KEYS MSG...
      KEYS: lines "selector._domainkey.domain TXT-RECORD".  Verifies every
      DKIM-Signature of each message with that table as DNS and prints
      "MSG INDEX pass|fail" per signature ("MSG - none" when unsigned).
      Exit 0 when every signature passed.
  dkimpy_tool.py sign ALG KEY DOMAIN SELECTOR CANON IN OUT
      ALG rsa-sha256 (KEY: PEM) or ed25519-sha256 (KEY: base64 of the
      32-byte seed); CANON e.g. relaxed/simple.  Writes the signed message.
"""
import sys

import dkim


def load_keys(path):
    table = {}
    with open(path, "rb") as f:
        for line in f:
            name, _, txt = line.strip().partition(b" ")
            if name:
                table[name.lower().rstrip(b".")] = txt
    return table


def verify(keys_path, messages):
    table = load_keys(keys_path)

    def dnsfunc(name, timeout=5):
        return table.get(name.lower().rstrip(b"."))

    ok = True
    for path in messages:
        with open(path, "rb") as f:
            msg = f.read()
        d = dkim.DKIM(msg)
        n = sum(1 for h in d.headers if h[0].lower() == b"dkim-signature")
        if n == 0:
            print(path, "-", "none")
            ok = False
        for i in range(n):
            try:
                res = d.verify(idx=i, dnsfunc=dnsfunc)
            except dkim.DKIMException as e:
                print(path, i, "fail", "(%s)" % e, file=sys.stderr)
                res = False
            print(path, i, "pass" if res else "fail")
            ok = ok and res
    return 0 if ok else 1


def sign(alg, key_path, domain, selector, canon, src, dst):
    with open(key_path, "rb") as f:
        key = f.read().strip()
    with open(src, "rb") as f:
        msg = f.read()
    hc, _, bc = canon.partition("/")
    sig = dkim.sign(msg, selector.encode(), domain.encode(), key,
                    canonicalize=(hc.encode(), (bc or hc).encode()),
                    signature_algorithm=alg.encode(),
                    include_headers=[b"from", b"to", b"subject", b"date"])
    with open(dst, "wb") as f:
        f.write(sig + msg)
    return 0


def main(argv):
    if len(argv) >= 4 and argv[1] == "verify":
        return verify(argv[2], argv[3:])
    if len(argv) == 9 and argv[1] == "sign":
        return sign(*argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
