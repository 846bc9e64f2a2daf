#!/usr/bin/python3
"""One message through a milter over the milter protocol (version 6), as an
MTA sends it, with a pause before the body so a test can act on the milter
while the message is in flight.

    milter_client.py SOCKET FROM_ADDR [PAUSED_FILE GO_FILE]

Connects to the unix SOCKET, negotiates, sends CONNECT from 127.0.0.1, HELO,
MAIL, RCPT, the headers and end-of-headers; with PAUSED_FILE and GO_FILE it
then creates PAUSED_FILE and waits (at most 30 s) until GO_FILE exists; then
the body and end-of-message.  Prints each header the milter adds or inserts
as "add NAME: VALUE" and the final reply as "reply X"; exits 0 on an accept
or continue reply, 1 otherwise (including a connection the milter closed).
Replies the milter negotiated away (SMFIP_NR_*) are not awaited.
"""
import os
import socket
import struct
import sys
import time

NR = {b"C": 0x1000, b"H": 0x2000, b"M": 0x4000, b"R": 0x8000,
      b"L": 0x80, b"N": 0x40000, b"B": 0x80000}
ALL_PROTO = 0x1FFFFF
ALL_ACTIONS = 0x1FF


def recv_exact(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise EOFError("the milter closed the connection")
        data += chunk
    return data


def recv_packet(s):
    (length,) = struct.unpack(">I", recv_exact(s, 4))
    body = recv_exact(s, length)
    return body[:1], body[1:]


def send_packet(s, cmd, data=b""):
    s.sendall(struct.pack(">I", len(data) + 1) + cmd + data)


class Client:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(60)
        self.s.connect(path)
        send_packet(self.s, b"O", struct.pack(">III", 6, ALL_ACTIONS, ALL_PROTO))
        cmd, data = recv_packet(self.s)
        if cmd != b"O":
            raise ValueError("negotiation answered with %r" % cmd)
        self.proto = struct.unpack(">III", data[:12])[2]

    def step(self, cmd, data=b""):
        """Send one command; read the reply unless the milter waived it."""
        send_packet(self.s, cmd, data)
        if self.proto & NR.get(cmd, 0):
            return None
        rcmd, _ = recv_packet(self.s)
        return rcmd

    def end_of_message(self):
        send_packet(self.s, b"E")
        while True:
            cmd, data = recv_packet(self.s)
            if cmd == b"h":
                name, value = data.split(b"\0")[:2]
                print("add %s:%s" % (name.decode(), value.decode()))
            elif cmd == b"i":
                name, value = data[4:].split(b"\0")[:2]
                print("add %s:%s" % (name.decode(), value.decode()))
            elif cmd in (b"m", b"q", b"p"):
                continue
            else:
                return cmd


def z(*parts):
    return b"".join(p.encode() + b"\0" for p in parts)


def main():
    path, sender = sys.argv[1], sys.argv[2]
    paused = sys.argv[3] if len(sys.argv) > 4 else None
    go = sys.argv[4] if len(sys.argv) > 4 else None
    try:
        c = Client(path)
        c.step(b"C", z("localhost") + b"4" + struct.pack(">H", 25) + z("127.0.0.1"))
        c.step(b"H", z("client.test"))
        c.step(b"M", z("<%s>" % sender))
        c.step(b"R", z("<user@dest.test>"))
        for name, value in (("From", " <%s>" % sender), ("To", " <user@dest.test>"),
                            ("Subject", " in flight"),
                            ("Date", " Mon, 23 Nov 2026 10:00:00 +0000"),
                            ("Message-ID", " <stop.%d@client.test>" % os.getpid())):
            c.step(b"L", z(name, value))
        c.step(b"N")
        if paused:
            open(paused, "w").close()
            deadline = time.time() + 30
            while not os.path.exists(go) and time.time() < deadline:
                time.sleep(0.02)
        c.step(b"B", b"Hello while the milter stops.\r\n")
        reply = c.end_of_message()
        send_packet(c.s, b"Q")
    except (OSError, EOFError, ValueError) as e:
        print("error %s" % e)
        return 1
    print("reply %s" % reply.decode(errors="replace"))
    return 0 if reply in (b"a", b"c") else 1


if __name__ == "__main__":
    sys.exit(main())
