#!/usr/bin/python3
"""A bounded flood of non-SIP UDP datagrams at a SIP port, for the lab.

  garbage_flood.py SRC DST PORT COUNT RATE

Sends exactly COUNT datagrams (random bytes after a fixed non-SIP prefix, 40..400 bytes)
from SRC to DST:PORT at about RATE per second, then prints the number sent. Nothing here is
a SIP request line, a response or a keep-alive, so every datagram is 'malformed' to the
classifier and to the parser.
"""
import os
import random
import socket
import sys
import time


def main():
    src, dst, port, count, rate = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    s = socket.socket(socket.AF_INET6 if ":" in dst else socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    rng = random.Random(7)
    batch = max(1, int(rate / 100))  # sleep in 10 ms steps, not per datagram
    sent = 0
    start = time.monotonic()
    while sent < count:
        for _ in range(min(batch, count - sent)):
            payload = b"\x16\x03\x01GARBAGE " + os.urandom(rng.randint(32, 392))
            try:
                s.sendto(payload, (dst, port))
            except (ConnectionRefusedError, BlockingIOError):
                pass  # an ICMP error from an earlier datagram; keep going
            sent += 1
        ahead = sent / rate - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)
    print(sent)


if __name__ == "__main__":
    main()
