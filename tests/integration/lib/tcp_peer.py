#!/usr/bin/python3
"""A TCP peer that misbehaves on purpose, for the router's robustness tests.

  tcp_peer.py KIND SRC DST PORT [options]

KIND is what the peer sends on one connection from SRC to DST:PORT:
  options    a well-formed OPTIONS to the router (the control case)
  garbage    binary junk that looks like nothing (no request line)
  bad        a request line followed by a line that is not a header (looks like a request)
  oversize   a well-formed MESSAGE of --size bytes (the body pads it)
  oversize-headers  the same size without a body (an X-Padding header pads it)
  stall      a request's first lines without the blank line that ends the headers, then
             nothing (or, with --trickle, one more header byte every half second): the
             message never completes
  many       --count connections at once, each sending an OPTIONS (what one source
             opening too many connections sees)

Options:
  --size N      the oversize request's total size in bytes (3000)
  --count N     connections for `many` (10)
  --hold S      how long to wait for the router to answer or close (10); for `stall`, the
                longest time to wait for the router to close the connection
  --trickle     `stall` keeps sending a byte every half second instead of going silent
  --ready FILE  `stall`/`many`: create FILE once every connection is open and has sent
  --release FILE  `many`: keep the connections open until FILE exists (then close them);
                `stall --trickle`: stop trickling once FILE exists

Prints one JSON object on stdout. For one connection:
  {"responses": ["SIP/2.0 400 ...", ...], "closed_by_router": true|false, "reset": bool,
   "sent": BYTES}
where closed_by_router means the router closed the connection (EOF or reset) within --hold
seconds. For `many`: {"connections": N, "answered": K, "refused": R, "statuses": [...]}
where refused counts connections the router closed or reset without answering.
Exits 0 unless the connection itself could not be made.
"""
import argparse
import json
import os
import random
import socket
import sys
import time


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def request(method, uri, src, port, extra=(), body=b""):
    tag = random.getrandbits(48)
    lines = [
        f"{method} {uri} SIP/2.0",
        f"Via: SIP/2.0/TCP {src}:{port};branch=z9hG4bK{tag:012x};rport",
        "Max-Forwards: 70",
        f"From: <sip:peer@{src}>;tag={tag:012x}",
        f"To: <{uri}>",
        f"Call-ID: {tag:012x}@{src}",
        f"CSeq: 1 {method}",
        f"Contact: <sip:peer@{src}:{port};transport=tcp>",
        *extra,
        f"Content-Length: {len(body)}",
        "",
        "",
    ]
    return "\r\n".join(lines).encode() + body


def options(args, port):
    return request("OPTIONS", f"sip:{args.dst}:{args.port};transport=tcp", args.src, port)


def oversize(args, port):
    def build(n):
        return request("MESSAGE", f"sip:{args.dst}:{args.port}", args.src, port,
                       ("Content-Type: text/plain",), b"x" * n)

    # The body pads the message to args.size bytes (Content-Length's digits count too).
    body_len = max(0, args.size - len(build(0)))
    body_len -= len(build(body_len)) - args.size
    return build(max(0, body_len))


def oversize_headers(args, port):
    def build(n):
        return request("MESSAGE", f"sip:{args.dst}:{args.port}", args.src, port, (f"X-Padding: {'x' * n}",))

    # No body: the header block alone is args.size bytes.
    return build(max(1, args.size - len(build(0))))


def garbage(_args, _port):
    rnd = random.Random(7)
    return bytes([0x00, 0xFF, 0x16, 0x03]) + bytes(rnd.randrange(256) for _ in range(600)) + b"\r\n\r\n"


def bad(args, port):
    return (f"MESSAGE sip:{args.dst}:{args.port} SIP/2.0\r\n"
            f"Via: SIP/2.0/TCP {args.src}:{port};branch=z9hG4bKbad{random.getrandbits(32):x};rport\r\n"
            "this line is not a header\r\n"
            "Call-ID: bad@peer\r\n"
            "Content-Length: 0\r\n\r\n").encode()


def connect(args):
    s = socket.socket(family(args.dst), socket.SOCK_STREAM)
    s.bind((args.src, 0))
    s.settimeout(args.hold)
    s.connect((args.dst, args.port))
    return s


def read_until_close(s, deadline, one_message=False):
    """Everything the router sends until it closes, resets, or the deadline passes (or, with
    one_message, until a whole header block has arrived)."""
    data, closed, reset = b"", False, False
    while time.monotonic() < deadline and not (one_message and b"\r\n\r\n" in data):
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            closed = reset = True
            break
        if not chunk:
            closed = True
            break
        data += chunk
    return data, closed, reset


def status_lines(data):
    return [line.decode(errors="replace") for line in data.split(b"\r\n") if line.startswith(b"SIP/2.0 ")]


def one_shot(args, build, one_message=False):
    s = connect(args)
    msg = build(args, s.getsockname()[1])
    try:
        s.sendall(msg)
    except (BrokenPipeError, ConnectionResetError):
        pass
    data, closed, reset = read_until_close(s, time.monotonic() + args.hold, one_message)
    return {"responses": status_lines(data), "closed_by_router": closed, "reset": reset, "sent": len(msg)}


def touch(path):
    if path:
        with open(path, "w"):
            pass


def stall(args):
    s = connect(args)
    port = s.getsockname()[1]
    # The start of an INVITE: request line and a few headers, never the blank line.
    head = request("INVITE", f"sip:stall@{args.dst}", args.src, port)
    partial = head[: head.index(b"CSeq:")]
    s.sendall(partial)
    sent = len(partial)
    touch(args.ready)
    deadline = time.monotonic() + args.hold
    if not args.trickle:
        data, closed, reset = read_until_close(s, deadline)
        return {"responses": status_lines(data), "closed_by_router": closed, "reset": reset, "sent": sent}
    # One byte of a header value at a time: the message grows but never ends.
    data, closed, reset = b"", False, False
    s.sendall(b"X-Slow: ")
    while time.monotonic() < deadline and not (args.release and os.path.exists(args.release)):
        try:
            s.sendall(b"a")
            sent += 1
        except (BrokenPipeError, ConnectionResetError):
            closed = True
            break
        d, closed, reset = read_until_close(s, min(deadline, time.monotonic() + 0.5))
        data += d
        if closed:
            break
    return {"responses": status_lines(data), "closed_by_router": closed, "reset": reset, "sent": sent}


def many(args):
    socks = [connect(args) for _ in range(args.count)]
    for s in socks:
        try:
            s.sendall(options(args, s.getsockname()[1]))
        except (BrokenPipeError, ConnectionResetError):
            pass
    touch(args.ready)
    deadline = time.monotonic() + args.hold
    statuses, answered, refused = [], 0, 0
    for s in socks:
        buf = b""
        while time.monotonic() < deadline and b"\r\n\r\n" not in buf:
            s.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                break
            buf += chunk
        st = status_lines(buf)
        if st:
            answered += 1
            statuses.append(st[0])
        else:
            refused += 1
    if args.release:
        while not os.path.exists(args.release):
            time.sleep(0.05)
    for s in socks:
        s.close()
    return {"connections": len(socks), "answered": answered, "refused": refused, "statuses": statuses}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("kind", choices=["options", "garbage", "bad", "oversize", "oversize-headers", "stall", "many"])
    p.add_argument("src")
    p.add_argument("dst")
    p.add_argument("port", type=int)
    p.add_argument("--size", type=int, default=3000)
    p.add_argument("--count", type=int, default=10)
    p.add_argument("--hold", type=float, default=10.0)
    p.add_argument("--trickle", action="store_true")
    p.add_argument("--ready")
    p.add_argument("--release")
    args = p.parse_args()
    builders = {"options": options, "garbage": garbage, "bad": bad, "oversize": oversize,
                "oversize-headers": oversize_headers}
    try:
        if args.kind in builders:
            result = one_shot(args, builders[args.kind], one_message=args.kind == "options")
        elif args.kind == "stall":
            result = stall(args)
        else:
            result = many(args)
    except OSError as e:
        print(f"tcp_peer: {e}", file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
