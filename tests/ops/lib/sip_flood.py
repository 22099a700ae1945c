#!/usr/bin/python3
"""Well-formed SIP OPTIONS datagrams at a steady rate, until killed or for a number of seconds.

  sip_flood.py SRC DST PORT RATE [SECONDS]

Each datagram is a complete OPTIONS request (the XDP sniff classifies it as sip_udp, so the
per-source rate limit is what stops it). Prints the number sent when it ends.
"""
import signal
import socket
import sys
import time


def main():
    src, dst, port, rate = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    seconds = float(sys.argv[5]) if len(sys.argv) > 5 else float("inf")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    local_port = s.getsockname()[1]
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    sent = 0
    start = time.monotonic()
    while not stop and time.monotonic() - start < seconds:
        due = int((time.monotonic() - start) * rate) + 1
        while sent < due:
            msg = (f"OPTIONS sip:{dst} SIP/2.0\r\n"
                   f"Via: SIP/2.0/UDP {src}:{local_port};branch=z9hG4bK-flood-{sent};rport\r\n"
                   f"Max-Forwards: 70\r\nFrom: <sip:flood@{src}>;tag=f{sent}\r\nTo: <sip:{dst}>\r\n"
                   f"Call-ID: flood-{sent}@{src}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
            try:
                s.sendto(msg.encode(), (dst, port))
            except OSError:
                pass  # e.g. ICMP port unreachable reported back: keep sending
            sent += 1
        time.sleep(0.005)
    print(sent)


if __name__ == "__main__":
    main()
