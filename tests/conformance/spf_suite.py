#!/usr/bin/python3
"""RFC 7208 conformance suite (openspf YAML) for postseal's SPF engines.

  spf_suite.py gen YAML OUTDIR     one directory per scenario: root.zone
                                   (zone "."), timeout.json (the (name, type)
                                   queries that must go unanswered), cases.tsv
                                   (id, host, mailfrom, helo)
  spf_suite.py score OUTDIR ENGINE SCOREFILE
                                   compare OUTDIR/sNN/out/ID (`postseal spf`
                                   output) with the expected results, print
                                   every failing case and the score; exit 1
                                   when the score is below the number in
                                   SCOREFILE

Zone data means what it means to the suite's own driver (pyspf's
testspf.py), which walks a name's entries in order: "X: NONE" entries are
dropped; a name with SPF records and no TXT entry also gets them as TXT,
after all its other entries.  A bare "TIMEOUT" entry makes a query of type T
for that name time out unless a T record comes before it (and records after
it are never seen); "T: TIMEOUT" makes T queries time out.  Other names and
types answer normally.  timeout.json maps an owner name (as in root.zone) to
{"except": [types that answer]} or {"only": [types that time out]}; the
test DNS server (spf_dns.py) serves root.zone and never answers those.
"""
import json
import os
import sys

import yaml

SOA = ". 300 IN SOA ns.root-servers.invalid. hostmaster.invalid. 1 3600 600 86400 300"


def raw(v):
    """YAML strings carry bytes as \\xNN code points."""
    try:
        return v.encode("latin-1")
    except UnicodeEncodeError:
        return v.encode("utf-8")


def txt_rdata(v):
    parts = v if isinstance(v, list) else [v]
    out = []
    for p in parts:
        b = raw(str(p))
        chunks = [b[i:i + 255] for i in range(0, len(b), 255)] or [b""]
        for c in chunks:
            s = "".join(chr(x) if 0x20 < x < 0x7f and x not in (0x22, 0x5c)
                        else "\\%03d" % x for x in c)
            out.append('"%s"' % s)
    return " ".join(out) if out else '""'


def owner(name):
    name = str(name).rstrip(".")
    s = ""
    for x in raw(name):
        c = chr(x)
        s += c if (c.isalnum() and x < 0x80) or c in "-_.*" else "\\%03d" % x
    return s + "."


def target(v):
    v = str(v)
    return "." if v in ("", ".") else owner(v)


def driver_order(entries):
    """A name's entries as the suite's driver sees them: (type, value)
    pairs and ("TIMEOUT", None), NONE dropped, TXT copies of SPF last."""
    out, copies, gen = [], [], True
    for e in entries:
        if e == "TIMEOUT":
            out.append(("TIMEOUT", None))
            continue
        (t, v), = e.items()
        if t == "TXT":
            gen = False
        elif t == "SPF" and v != "NONE":
            copies.append(("TXT", v))
        if v != "NONE":
            out.append((t, v))
    return out + (copies if gen else [])


def visible(entries):
    """(records a query can see, timeout spec or None) of one name."""
    ordered = driver_order(entries)
    cut = next((i for i, (t, _) in enumerate(ordered) if t == "TIMEOUT"),
               len(ordered))
    before = ordered[:cut]
    typed = sorted({t for t, v in before if v == "TIMEOUT"})
    recs = [(t, v) for t, v in before if v != "TIMEOUT" and t not in typed]
    if cut < len(ordered):
        return recs, {"except": sorted({t for t, _ in recs})}
    return recs, ({"only": typed} if typed else None)


def zone_line(o, t, v):
    if t in ("TXT", "SPF"):
        return ["%s 300 IN %s %s" % (o, t, txt_rdata(v))]
    if t == "MX":
        return ["%s 300 IN MX %d %s" % (o, int(v[0]), target(v[1]))]
    if t in ("PTR", "CNAME"):
        return ["%s 300 IN %s %s" % (o, t, target(v))]
    if t in ("A", "AAAA"):
        return ["%s 300 IN %s %s" % (o, t, a)
                for a in (v if isinstance(v, list) else [v])]
    raise ValueError("record type %s not supported" % t)


def records(name, entries):
    """Zone lines for one owner name, and its timeout spec (or None)."""
    recs, timeout = visible(entries)
    o = owner(name)
    return [line for t, v in recs for line in zone_line(o, t, v)], timeout


def generate(path, outdir):
    with open(path, "rb") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    expected = {}
    for n, doc in enumerate(docs):
        sdir = os.path.join(outdir, "s%02d" % n)
        os.makedirs(os.path.join(sdir, "out"), exist_ok=True)
        zone, timeouts = ["$ORIGIN .", SOA, ". 300 IN NS ns.root-servers.invalid."], {}
        for name, entries in (doc.get("zonedata") or {}).items():
            lines, timeout = records(name, entries or [])
            zone += lines
            if timeout:
                timeouts[owner(name)] = timeout
        with open(os.path.join(sdir, "root.zone"), "w") as f:
            f.write("\n".join(zone) + "\n")
        with open(os.path.join(sdir, "timeout.json"), "w") as f:
            json.dump(timeouts, f, indent=1, sort_keys=True)
        with open(os.path.join(sdir, "cases.tsv"), "w") as f:
            for cid, t in doc["tests"].items():
                f.write("%s\t%s\t%s\t%s\n" % (cid, t["host"], t.get("mailfrom", ""),
                                              t.get("helo", "")))
                res = t["result"]
                expected["s%02d/%s" % (n, cid)] = {
                    "results": res if isinstance(res, list) else [res],
                    "explanation": t.get("explanation"),
                    "description": doc.get("description", ""),
                }
    with open(os.path.join(outdir, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
    print(len(expected))


def parse_output(path):
    got = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                k, _, v = line.rstrip("\n").partition(": ")
                got.setdefault(k, v)
    except OSError:
        pass
    return got


def score(outdir, engine, scorefile):
    with open(os.path.join(outdir, "expected.json")) as f:
        expected = json.load(f)
    passed, failures = 0, []
    for key, exp in sorted(expected.items()):
        sdir, cid = key.split("/", 1)
        got = parse_output(os.path.join(outdir, sdir, "out", cid))
        result = got.get("result", "(no output)")
        ok = result in exp["results"]
        want_exp = exp["explanation"]
        if ok and result == "fail" and want_exp not in (None, "DEFAULT"):
            ok = got.get("explanation") == want_exp
        if ok:
            passed += 1
        else:
            failures.append("FAIL %s: expected %s%s, got %s%s" % (
                key, "|".join(exp["results"]),
                " (explanation %r)" % want_exp if want_exp else "", result,
                " (explanation %r)" % got.get("explanation", "")))
    for line in failures:
        print(line)
    total = len(expected)
    print("SPF conformance (%s): %d/%d" % (engine, passed, total))
    floor = 0
    if os.path.exists(scorefile):
        with open(scorefile) as f:
            floor = int(f.read().split("/")[0].strip() or 0)
    if passed < floor:
        print("score %d is below the recorded %d (%s)" % (passed, floor, scorefile))
        return 1
    return 0


def main(argv):
    if len(argv) == 4 and argv[1] == "gen":
        generate(argv[2], argv[3])
        return 0
    if len(argv) == 5 and argv[1] == "score":
        return score(argv[2], argv[3], argv[4])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
