#!/usr/bin/python3
"""RFC 7208 conformance suite (openspf YAML) for postseal's SPF engines.

  spf_suite.py gen YAML OUTDIR     one directory per scenario: root.zone
                                   (zone "." for unbound), refuse.txt (names
                                   that must time out), cases.tsv
                                   (id, host, mailfrom, helo)
  spf_suite.py score OUTDIR ENGINE SCOREFILE
                                   compare OUTDIR/sNN/out/ID (`postseal spf`
                                   output) with the expected results, print
                                   every failing case and the score; exit 1
                                   when the score is below the number in
                                   SCOREFILE

Zone data follows the suite's own driver conventions: a name with SPF
records and no TXT records also gets them as TXT ("TXT: NONE" stops that);
"TIMEOUT" makes the name's queries fail (served as REFUSED).
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


def records(name, entries):
    """Zone lines for one owner name, and whether it must time out."""
    lines, spf, timeout, has_txt = [], [], False, False
    for e in entries:
        if e == "TIMEOUT":
            timeout = True
            continue
        (t, v), = e.items()
        if t == "TXT":
            has_txt = True
            if v == "NONE":
                continue
        if t == "SPF":
            if v == "NONE":
                continue
            spf.append(v)
        o = owner(name)
        if t in ("TXT", "SPF"):
            lines.append("%s 300 IN %s %s" % (o, t, txt_rdata(v)))
        elif t == "MX":
            lines.append("%s 300 IN MX %d %s" % (o, int(v[0]), target(v[1])))
        elif t in ("PTR", "CNAME"):
            lines.append("%s 300 IN %s %s" % (o, t, target(v)))
        elif t in ("A", "AAAA"):
            for a in (v if isinstance(v, list) else [v]):
                lines.append("%s 300 IN %s %s" % (o, t, a))
    if not has_txt:
        lines += ["%s 300 IN TXT %s" % (owner(name), txt_rdata(v)) for v in spf]
    return lines, timeout


def generate(path, outdir):
    with open(path, "rb") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    expected = {}
    for n, doc in enumerate(docs):
        sdir = os.path.join(outdir, "s%02d" % n)
        os.makedirs(os.path.join(sdir, "out"), exist_ok=True)
        zone, refuse = ["$ORIGIN .", SOA, ". 300 IN NS ns.root-servers.invalid."], []
        for name, entries in (doc.get("zonedata") or {}).items():
            lines, timeout = records(name, entries or [])
            zone += lines
            if timeout:
                refuse.append(owner(name))
        with open(os.path.join(sdir, "root.zone"), "w") as f:
            f.write("\n".join(zone) + "\n")
        with open(os.path.join(sdir, "refuse.txt"), "w") as f:
            f.write("".join(r + "\n" for r in refuse))
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
