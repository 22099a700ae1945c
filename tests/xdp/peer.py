#!/usr/bin/python3
"""Traffic for the sipedge XDP integration test, run inside the test's own namespaces.

  peer.py udp SRC DST PORT COUNT PAYLOAD   send COUNT datagrams (payload: 'invite'|'garbage'|text)
  peer.py udp-nocsum SRC DST PORT COUNT PAYLOAD   the same with UDP checksum 0 (SO_NO_CHECK)
  peer.py udp-paced SRC DST PORT RATE SECONDS PAYLOAD   send RATE datagrams/s for SECONDS on
                                           a fixed schedule; print "SENT ELAPSED_SECONDS"
  peer.py tcp SRC DST PORT                 connect, send a line, close; exit 0 if connected
  peer.py listen-tcp ADDR PORT SECONDS     accept connections until SECONDS pass
  peer.py recv-udp ADDR PORT SECONDS       count datagrams until SECONDS pass of silence; print N
Bounded in count and time; never sends anywhere but the addresses given by the test.
"""
import socket
import sys
import time

INVITE = (b"INVITE sip:bob@192.0.2.1 SIP/2.0\r\n"
          b"Via: SIP/2.0/UDP 192.0.2.2:5062;branch=z9hG4bK776asdhds\r\n"
          b"Max-Forwards: 70\r\nTo: <sip:bob@192.0.2.1>\r\n"
          b"From: <sip:alice@192.0.2.2>;tag=1928301774\r\nCall-ID: a84b4c76e66710\r\n"
          b"CSeq: 314159 INVITE\r\nContent-Length: 0\r\n\r\n")
SO_NO_CHECK = 11  # <asm-generic/socket.h>
GARBAGE = b"\x16\x03\x01 this is not a SIP message, it is garbage"


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def udp(src, dst, port, count, payload, no_check=False):
    data = {"invite": INVITE, "garbage": GARBAGE}.get(payload, payload.encode())
    s = socket.socket(family(dst), socket.SOCK_DGRAM)
    if no_check:
        s.setsockopt(socket.SOL_SOCKET, SO_NO_CHECK, 1)
    s.bind((src, 0))
    for _ in range(int(count)):
        s.sendto(data, (dst, int(port)))
    s.close()


def udp_nocsum(src, dst, port, count, payload):
    # A veth hands checksum-offloaded (CHECKSUM_PARTIAL) datagrams across; once a frame is
    # rebuilt from an XDP frame on another CPU (CPUMAP), that state is gone and the unfinished
    # checksum fails. A real NIC delivers finished checksums; IPv4 UDP with checksum 0 stands in.
    udp(src, dst, port, count, payload, no_check=True)


def udp_paced(src, dst, port, rate, seconds, payload):
    # An absolute schedule: a late send (the machine was busy) goes out at once, so the offered
    # rate stays the asked one on average. ELAPSED runs from just before the first send to just
    # after the last: every one of these frames reached the DUT within it (plus queueing).
    data = {"invite": INVITE, "garbage": GARBAGE}.get(payload, payload.encode())
    s = socket.socket(family(dst), socket.SOCK_DGRAM)
    s.bind((src, 0))
    rate, seconds = float(rate), float(seconds)
    total = int(rate * seconds)
    start = time.monotonic()
    for i in range(total):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        s.sendto(data, (dst, int(port)))
    elapsed = time.monotonic() - start
    s.close()
    print(total, "%.6f" % elapsed)


def tcp(src, dst, port):
    s = socket.socket(family(dst), socket.SOCK_STREAM)
    s.settimeout(3)
    s.bind((src, 0))
    try:
        s.connect((dst, int(port)))
        s.sendall(b"hello\r\n")
        s.close()
        return 0
    except OSError as e:
        print("tcp connect failed:", e, file=sys.stderr)
        return 1


def listen_tcp(addr, port, seconds):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(port)))
    s.listen(16)
    s.settimeout(float(seconds))
    try:
        while True:
            c, _ = s.accept()
            c.close()
    except socket.timeout:
        pass


def recv_udp(addr, port, seconds):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    s.settimeout(float(seconds))
    n = 0
    try:
        while True:
            s.recv(65535)
            n += 1
    except socket.timeout:
        pass
    print(n)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    rc = {"udp": udp, "udp-paced": udp_paced, "udp-nocsum": udp_nocsum, "tcp": tcp, "listen-tcp": listen_tcp, "recv-udp": recv_udp}[cmd](*args)
    sys.exit(rc or 0)
