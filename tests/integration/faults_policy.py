#!/usr/bin/python3
"""Policy-protocol load and slow-client checks for the fault tests.

  faults_policy.py many PORT N DEADLINE
      open N connections to 127.0.0.1:PORT, all held open at once, then send
      one request on each (sender uI@pass.test) and read the answers; every
      answer must be an SPF pass naming that connection's own sender.
      Prints "connected C", "answered A", "correct K" (and "first-bad ...").
  faults_policy.py slow PORT NSLOW SECONDS
      NSLOW clients trickle a request one byte per second for SECONDS while
      another client sends a fresh request every 0.2 s and times each answer;
      then the slow clients send the rest and must be answered too.
      Prints "fast N max_latency_ms M", "slow answered A of NSLOW".
The whole run is bounded by DEADLINE (many) or SECONDS + 30 s (slow).
"""
import asyncio
import sys
import time


def request(i, tag):
    return ("request=smtpd_access_policy\nprotocol_state=RCPT\n"
            "protocol_name=ESMTP\nclient_address=192.0.2.10\n"
            "client_name=unknown\nhelo_name=mx.pass.test\n"
            "sender=u%d@pass.test\nrecipient=rcpt@dest.example\n"
            "instance=%s%d\n\n" % (i, tag, i)).encode()


def good(answer, i):
    return (answer.startswith("action=PREPEND Received-SPF: pass")
            and 'envelope-from="u%d@pass.test"' % i in answer)


async def read_answer(reader):
    data = await reader.readuntil(b"\n\n")
    return data.decode(errors="replace")


async def many(port, n):
    conns = await asyncio.gather(
        *[asyncio.open_connection("127.0.0.1", port) for _ in range(n)],
        return_exceptions=True)
    ok = [c for c in conns if not isinstance(c, Exception)]
    print("connected", len(ok))

    async def one(i, conn):
        reader, writer = conn
        try:
            writer.write(request(i, "m"))
            await writer.drain()
            return i, await read_answer(reader)
        except Exception as e:
            return i, "ERROR %r" % e
        finally:
            writer.close()

    results = await asyncio.gather(*[one(i, c) for i, c in enumerate(ok)])
    answered = [r for r in results if r[1].startswith("action=")]
    correct = [r for r in results if good(r[1], r[0])]
    print("answered", len(answered))
    print("correct", len(correct))
    bad = [r for r in results if not good(r[1], r[0])]
    if bad:
        print("first-bad", repr(bad[0]))


async def trickle(i, seconds):
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    req = request(i, "slow")
    sent = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end and sent < len(req) - 1:
        writer.write(req[sent:sent + 1])
        await writer.drain()
        sent += 1
        await asyncio.sleep(1)
    writer.write(req[sent:])
    await writer.drain()
    try:
        return good(await asyncio.wait_for(read_answer(reader), 10), i)
    finally:
        writer.close()


async def fast(seconds):
    worst, count = 0.0, 0
    end = time.monotonic() + seconds
    i = 100000
    while time.monotonic() < end:
        t0 = time.monotonic()
        reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
        writer.write(request(i, "fast"))
        await writer.drain()
        answer = await asyncio.wait_for(read_answer(reader), 10)
        writer.close()
        if not good(answer, i):
            raise SystemExit("fast client got %r" % answer)
        worst = max(worst, time.monotonic() - t0)
        count += 1
        i += 1
        await asyncio.sleep(0.2)
    return count, worst


async def slow(nslow, seconds):
    slows = [asyncio.ensure_future(trickle(i, seconds)) for i in range(nslow)]
    await asyncio.sleep(1.5)    # the slow clients are connected and trickling
    count, worst = await fast(seconds - 2)
    print("fast", count, "max_latency_ms", int(worst * 1000))
    done = await asyncio.gather(*slows, return_exceptions=True)
    print("slow answered", sum(1 for d in done if d is True), "of", nslow)


def main(argv):
    global PORT
    if len(argv) != 5 or argv[1] not in ("many", "slow"):
        sys.stderr.write(__doc__)
        return 2
    PORT = int(argv[2])
    if argv[1] == "many":
        coro, limit = many(PORT, int(argv[3])), float(argv[4])
    else:
        coro, limit = slow(int(argv[3]), float(argv[4])), float(argv[4]) + 30
    try:
        asyncio.run(asyncio.wait_for(coro, limit))
    except asyncio.TimeoutError:
        print("deadline of %g s passed" % limit)
        return 1
    return 0


PORT = 0

if __name__ == "__main__":
    sys.exit(main(sys.argv))
