#!/usr/bin/python3
"""Authoritative test DNS for the RFC 7208 conformance suite.

  spf_dns.py serve SUITEDIR      serve every scenario SUITEDIR/sNN (made by
                                 `spf_suite.py gen`) on its own port of
                                 127.0.0.1, UDP and TCP; write the port to
                                 SUITEDIR/sNN/port, then create
                                 SUITEDIR/dns.ready; run until killed

Each scenario's root.zone (zone ".") is answered as its only authority:
NXDOMAIN for a name that is neither in the zone nor above a name in it,
NODATA (NOERROR, no answer, SOA) for a name that exists without the type
asked, CNAME chains followed inside the zone.  The (name, type) queries
that timeout.json lists get no answer at all, so the resolver asking sees a
time-out for exactly those, and for every name under "error." that is not
in the zone (the suite driver's own convention).
"""
import json
import os
import selectors
import socket
import sys

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone

MAX_CHAIN = 8


class Scenario:
    """One scenario's zone and the queries it leaves unanswered."""

    def __init__(self, sdir):
        with open(os.path.join(sdir, "root.zone")) as f:
            self.zone = dns.zone.from_text(f.read(), origin=dns.name.root,
                                           relativize=False)
        with open(os.path.join(sdir, "timeout.json")) as f:
            self.timeouts = {dns.name.from_text(k): v
                             for k, v in json.load(f).items()}
        self.soa = self.zone.find_rrset(dns.name.root, dns.rdatatype.SOA)
        # Every name that exists: owners and the names above them (empty
        # non-terminals exist too, RFC 8020).
        self.exists = set()
        for n in self.zone.nodes:
            while n not in self.exists:
                self.exists.add(n)
                if n == dns.name.root:
                    break
                n = n.parent()

    def times_out(self, name, rdtype):
        spec = self.timeouts.get(name)
        t = dns.rdatatype.to_text(rdtype)
        if spec is not None:
            return t not in spec["except"] if "except" in spec else \
                t in spec["only"]
        return name not in self.exists and len(name.labels) > 1 and \
            name.labels[0].lower() == b"error"

    def lookup(self, qname, rdtype):
        """(rcode, answer rrsets), or None when the query must go unanswered."""
        answer, name, seen = [], qname, set()
        for _ in range(MAX_CHAIN):
            if self.times_out(name, rdtype):
                return None
            if name not in self.exists:
                return dns.rcode.NXDOMAIN, answer
            node = self.zone.get_node(name)
            rds = node.get_rdataset(dns.rdataclass.IN, rdtype) if node else None
            if rds is not None:
                return dns.rcode.NOERROR, answer + [self.rrset(name, rds)]
            cname = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME) \
                if node else None
            if cname is None or name in seen:
                return dns.rcode.NOERROR, answer
            seen.add(name)
            answer.append(self.rrset(name, cname))
            name = cname[0].target
        return dns.rcode.NOERROR, answer

    @staticmethod
    def rrset(name, rds):
        rr = dns.rrset.RRset(name, rds.rdclass, rds.rdtype)
        rr.update(rds)
        return rr


def reply(scen, wire, udp):
    """The reply to one query in wire format, or None (no answer)."""
    try:
        q = dns.message.from_wire(wire)
    except dns.exception.DNSException:
        return None
    r = dns.message.make_response(q)
    r.flags |= dns.flags.AA | dns.flags.RA
    if len(q.question) != 1 or q.question[0].rdclass != dns.rdataclass.IN:
        r.set_rcode(dns.rcode.REFUSED)
        return r.to_wire()
    qname, rdtype = q.question[0].name, q.question[0].rdtype
    found = scen.lookup(qname, rdtype)
    if found is None:
        return None
    rcode, r.answer = found
    r.set_rcode(rcode)
    if rcode == dns.rcode.NXDOMAIN or not r.answer or \
            r.answer[-1].rdtype != rdtype:
        r.authority = [scen.soa]
    limit = max(512, q.payload) if udp and q.edns >= 0 else \
        512 if udp else 65535
    try:
        return r.to_wire(max_size=limit)
    except dns.exception.TooBig:
        r.answer, r.authority = [], []
        r.flags |= dns.flags.TC
        return r.to_wire()


def bind_pair():
    """A TCP listener and a UDP socket on one free port of 127.0.0.1."""
    for _ in range(50):
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        tcp.bind(("127.0.0.1", 0))
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            udp.bind(("127.0.0.1", tcp.getsockname()[1]))
        except OSError:
            tcp.close()
            udp.close()
            continue
        tcp.listen(16)
        return tcp, udp
    sys.exit("no free port pair on 127.0.0.1")


def write_atomic(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


class Server:
    def __init__(self):
        self.sel = selectors.DefaultSelector()
        self.buf = {}

    def add(self, scen):
        tcp, udp = bind_pair()
        self.sel.register(tcp, selectors.EVENT_READ, ("accept", scen))
        self.sel.register(udp, selectors.EVENT_READ, ("udp", scen))
        return tcp.getsockname()[1]

    def on_tcp(self, conn, scen):
        try:
            data = conn.recv(65536)
        except OSError:
            data = b""
        if not data:
            self.sel.unregister(conn)
            self.buf.pop(conn, None)
            conn.close()
            return
        buf = self.buf.get(conn, b"") + data
        while len(buf) >= 2 and len(buf) >= 2 + int.from_bytes(buf[:2], "big"):
            n = int.from_bytes(buf[:2], "big")
            out = reply(scen, buf[2:2 + n], False)
            buf = buf[2 + n:]
            if out is not None:
                conn.sendall(len(out).to_bytes(2, "big") + out)
        self.buf[conn] = buf

    def run(self):
        while True:
            for key, _ in self.sel.select():
                kind, scen = key.data
                if kind == "accept":
                    conn, _ = key.fileobj.accept()
                    self.sel.register(conn, selectors.EVENT_READ, ("tcp", scen))
                elif kind == "udp":
                    wire, peer = key.fileobj.recvfrom(65536)
                    out = reply(scen, wire, True)
                    if out is not None:
                        key.fileobj.sendto(out, peer)
                else:
                    self.on_tcp(key.fileobj, scen)


def serve(suitedir):
    server = Server()
    dirs = sorted(d for d in os.listdir(suitedir)
                  if os.path.isfile(os.path.join(suitedir, d, "root.zone")))
    for d in dirs:
        port = server.add(Scenario(os.path.join(suitedir, d)))
        write_atomic(os.path.join(suitedir, d, "port"), "%d\n" % port)
    write_atomic(os.path.join(suitedir, "dns.ready"), "%d\n" % len(dirs))
    server.run()


def main(argv):
    if len(argv) == 3 and argv[1] == "serve":
        serve(argv[2])
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
