#!/usr/bin/python3
"""Misbehaving name servers for the fault tests (run with /usr/bin/python3).

  faults_dns.py serve MODE DIR [UPSTREAM_PORT]

Serves on a free 127.0.0.1 port, writes DIR/MODE.port, runs until killed.
MODE:
  truncated   every UDP answer is empty with TC=1; the TCP port is held
              but never listens, so the TCP retry is refused;
  malformed   every UDP answer carries the query id and then garbage;
  tcponly     every UDP answer is empty with TC=1; TCP queries are passed
              to 127.0.0.1@UPSTREAM_PORT and its answers returned, so a
              resolver that retries over TCP gets the real data.
"""
import os
import selectors
import socket
import sys
import threading

import dns.flags
import dns.message
import dns.query

# The same loopback port pair as the fixture servers (tests/fixtures/dns).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "fixtures", "dns"))
from dnstool import bind_pair  # noqa: E402


def truncated(wire):
    try:
        q = dns.message.from_wire(wire)
    except Exception:
        return None
    r = dns.message.make_response(q)
    r.flags |= dns.flags.TC
    return r.to_wire()


def malformed(wire):
    if len(wire) < 2:
        return None
    # id, QR|RD, RA, qdcount=1 ancount=3 ... then bytes that are no name.
    return wire[:2] + b"\x81\x80\x00\x01\x00\x03\x00\x00\x00\x00" + \
        b"\xff\xfe\xc0\xff" * 8


def tcp_forward(conn, upstream):
    """Answer the length-prefixed queries on conn from the upstream server."""
    conn.settimeout(5)
    buf = b""
    try:
        while True:
            data = conn.recv(65536)
            if not data:
                return
            buf += data
            while len(buf) >= 2 and len(buf) >= 2 + int.from_bytes(buf[:2], "big"):
                n = int.from_bytes(buf[:2], "big")
                q = dns.message.from_wire(buf[2:2 + n])
                buf = buf[2 + n:]
                r = dns.query.tcp(q, "127.0.0.1", port=upstream, timeout=3)
                out = r.to_wire()
                conn.sendall(len(out).to_bytes(2, "big") + out)
    except Exception:
        return
    finally:
        conn.close()


def serve(mode, directory, upstream):
    answer = {"truncated": truncated, "malformed": malformed,
              "tcponly": truncated}.get(mode)
    if answer is None:
        sys.exit("unknown mode " + mode)
    tcp, udp, port = bind_pair()
    if mode == "tcponly":
        tcp.listen(16)
    tmp = os.path.join(directory, mode + ".port.tmp")
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, os.path.join(directory, mode + ".port"))
    sel = selectors.DefaultSelector()
    sel.register(udp, selectors.EVENT_READ, "udp")
    if mode == "tcponly":
        sel.register(tcp, selectors.EVENT_READ, "accept")
    while True:
        for key, _ in sel.select():
            if key.data == "accept":
                conn, _ = tcp.accept()
                threading.Thread(target=tcp_forward, args=(conn, upstream),
                                 daemon=True).start()
                continue
            wire, peer = udp.recvfrom(65536)
            out = answer(wire)
            if out is not None:
                udp.sendto(out, peer)


def main(argv):
    if len(argv) in (4, 5) and argv[1] == "serve":
        upstream = int(argv[4]) if len(argv) == 5 else 0
        if argv[2] == "tcponly" and upstream == 0:
            sys.exit("tcponly needs UPSTREAM_PORT")
        serve(argv[2], argv[3], upstream)
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
