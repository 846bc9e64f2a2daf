#!/usr/bin/python3
"""An SMTP client that can kill a process in the middle of a message.

  faults_smtp.py PORT FROM SUBJECT SIZE KILL_AT PID

Sends one message (FROM to user@dest.example, Subject SUBJECT, a body of
about SIZE bytes) to 127.0.0.1:PORT from 127.0.0.1.  KILL_AT says when
PID gets SIGKILL: "none"; "rcpt" (after RCPT TO, before DATA); "body"
(after the first megabyte of the body, or half of it when smaller).
Prints the final reply as "CODE TEXT"; exit 0 for 2xx, 4 for 4xx, 5 for
5xx, 1 when the session broke.
"""
import os
import signal
import smtplib
import sys
import time


def message(sender, subject, size):
    head = ("From: <%s>\r\nTo: user@dest.example\r\nSubject: %s\r\n"
            "Date: %s\r\nMessage-ID: <%s.%d@faults.test>\r\n\r\n" %
            (sender, subject, time.strftime("%a, %d %b %Y %H:%M:%S +0000",
                                            time.gmtime()),
             subject, os.getpid()))
    line = "The quick brown fox jumps over the lazy dog, fault test.\r\n"
    return (head + line * max(1, size // len(line))).encode()


def kill(pid):
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.3)


def send(port, sender, subject, size, kill_at, pid):
    s = smtplib.SMTP("127.0.0.1", port, timeout=60,
                     source_address=("127.0.0.1", 0))
    s.ehlo("client.faults.test")
    s.mail(sender)
    code, text = s.rcpt("user@dest.example")
    if code >= 400:
        return code, text
    if kill_at == "rcpt":
        kill(pid)
    code, text = s.docmd("DATA")
    if code != 354:
        return code, text
    data = message(sender, subject, size)
    cut = min(1 << 20, len(data) // 2)
    s.sock.sendall(data[:cut])
    if kill_at == "body":
        kill(pid)
    s.sock.sendall(data[cut:] + b".\r\n")
    code, text = s.getreply()
    try:
        s.quit()
    except smtplib.SMTPException:
        pass
    return code, text


def main(argv):
    if len(argv) != 7 or argv[5] not in ("none", "rcpt", "body"):
        sys.stderr.write(__doc__)
        return 2
    try:
        code, text = send(int(argv[1]), argv[2], argv[3], int(argv[4]),
                          argv[5], int(argv[6]))
    except (OSError, smtplib.SMTPException) as e:
        print("session broke: %r" % e)
        return 1
    print(code, text.decode(errors="replace") if isinstance(text, bytes) else text)
    return 0 if code < 400 else (4 if code < 500 else 5)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
