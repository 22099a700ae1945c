#!/usr/bin/python3
"""One SIP request to a proxy, as a small UAC would send it; prints the final response.

  sip_probe.py [options] SRC DST PORT

  --transport udp|tcp|tls   (udp)
  --ca FILE                 tls: verify the proxy's certificate with these CAs (else: no check)
  --sni NAME                tls: the server name to send and verify (default: none sent)
  --method M                (OPTIONS)
  --uri URI                 Request-URI (default sip:DST)
  --max-forwards N          (70; 'none' leaves the header out)
  --route R                 a Route header value, e.g. '<sip:10.10.2.3;lr>' (repeatable)
  --via-port N              the port written in the Via sent-by (default: the real one);
                            a wrong one shows whether the answer followed rport
  --raw FILE                send FILE's bytes instead (LF turned into CRLF; {SRC} and {PORT}
                            replaced by the local address and port, for a Via that works)
  --save FILE               write the whole final response to FILE
  --timeout S               give up after S seconds (8)
  --once                    send over UDP exactly once (no retransmissions)

Prints the final response's status line ("SIP/2.0 200 OK") and exits 0; exits 1 with a
message on stderr when no final response came. Over UDP it retransmits like a UAC (T1
doubling). Sends only to DST, from SRC.
"""
import argparse
import random
import socket
import ssl
import sys
import time


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def hostport(addr, port):
    return f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"


def build_request(args, local_port):
    if args.raw:
        with open(args.raw, "rb") as f:
            data = f.read()
        src = f"[{args.src}]" if ":" in args.src else args.src
        data = data.replace(b"{SRC}", src.encode()).replace(b"{PORT}", str(local_port).encode())
        return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    tag = random.getrandbits(48)
    uri = args.uri or f"sip:{hostport(args.dst, args.port)}"
    scheme = "sips" if uri.startswith("sips:") else "sip"
    src = f"[{args.src}]" if ":" in args.src else args.src
    via_port = args.via_port or local_port
    lines = [
        f"{args.method} {uri} SIP/2.0",
        f"Via: SIP/2.0/{args.transport.upper()} {src}:{via_port};branch=z9hG4bK{tag:x};rport",
    ]
    if args.max_forwards != "none":
        lines.append(f"Max-Forwards: {args.max_forwards}")
    lines += [f"Route: {r}" for r in args.route]
    lines += [
        f"From: <{scheme}:probe@{src}>;tag={tag:x}",
        f"To: <{uri}>",
        f"Call-ID: {tag:x}@{src}",
        f"CSeq: 1 {args.method}",
        f"Contact: <{scheme}:probe@{src}:{local_port}>",
        "Content-Length: 0",
        "",
        "",
    ]
    return "\r\n".join(lines).encode()


def status_code(response):
    first = response.split(b"\r\n", 1)[0].decode(errors="replace")
    parts = first.split(" ", 2)
    if len(parts) >= 2 and parts[0] == "SIP/2.0" and parts[1].isdigit():
        return int(parts[1]), first
    return None, first


def read_tcp_message(sock, deadline):
    """One message from a stream: headers up to CRLFCRLF plus Content-Length bytes."""
    buf = b""
    while True:
        end = buf.find(b"\r\n\r\n")
        if end >= 0:
            length = 0
            for line in buf[:end].split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() in (b"content-length", b"l"):
                    length = int(value.strip())
            total = end + 4 + length
            if len(buf) >= total:
                return buf[:total], buf[total:]
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed by the peer")
        buf += chunk


def exchange_udp(args):
    s = socket.socket(family(args.dst), socket.SOCK_DGRAM)
    s.bind((args.src, 0))
    request = build_request(args, s.getsockname()[1])
    deadline = time.monotonic() + args.timeout
    interval = 0.5
    next_send = time.monotonic()
    while time.monotonic() < deadline:
        if time.monotonic() >= next_send:
            s.sendto(request, (args.dst, args.port))
            next_send = deadline if args.once else time.monotonic() + interval
            interval = min(interval * 2, 4.0)
        s.settimeout(max(0.01, min(next_send, deadline) - time.monotonic()))
        try:
            data, _ = s.recvfrom(65536)
        except socket.timeout:
            continue
        except ConnectionRefusedError:
            continue
        code, _ = status_code(data)
        if code is not None and code >= 200:
            return data
    return None


def exchange_tcp(args):
    s = socket.socket(family(args.dst), socket.SOCK_STREAM)
    s.bind((args.src, 0))
    s.settimeout(args.timeout)
    s.connect((args.dst, args.port))
    if args.transport == "tls":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if args.ca:
            ctx.load_verify_locations(args.ca)
            ctx.check_hostname = bool(args.sni)
        else:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        s = ctx.wrap_socket(s, server_hostname=args.sni)
    s.sendall(build_request(args, s.getsockname()[1]))
    deadline = time.monotonic() + args.timeout
    rest = b""
    while time.monotonic() < deadline:
        if rest:
            data, rest = rest, b""
        else:
            data, rest = read_tcp_message(s, deadline)
        code, _ = status_code(data)
        if code is not None and code >= 200:
            return data
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("src")
    p.add_argument("dst")
    p.add_argument("port", type=int)
    p.add_argument("--transport", choices=["udp", "tcp", "tls"], default="udp")
    p.add_argument("--ca")
    p.add_argument("--sni")
    p.add_argument("--method", default="OPTIONS")
    p.add_argument("--uri")
    p.add_argument("--max-forwards", default="70")
    p.add_argument("--route", action="append", default=[])
    p.add_argument("--via-port", type=int)
    p.add_argument("--raw")
    p.add_argument("--save")
    p.add_argument("--timeout", type=float, default=8.0)
    p.add_argument("--once", action="store_true")
    args = p.parse_args()
    try:
        response = exchange_udp(args) if args.transport == "udp" else exchange_tcp(args)
    except (OSError, ConnectionError) as e:
        print(f"sip_probe: {e}", file=sys.stderr)
        return 1
    if response is None:
        print(f"sip_probe: no final response from {hostport(args.dst, args.port)} within {args.timeout}s",
              file=sys.stderr)
        return 1
    if args.save:
        with open(args.save, "wb") as f:
            f.write(response)
    print(status_code(response)[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
