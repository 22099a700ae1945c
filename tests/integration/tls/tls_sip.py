#!/usr/bin/python3
"""A small SIP-over-TLS user agent for the sipedge TLS integration tests (Debian's python3 ssl).

  tls_sip.py request SRC DST PORT [options]   one request over TLS; prints the final
                                              response's status line and the server
                                              certificate's serial ("SIP/2.0 200 OK|SERIAL")
  tls_sip.py call SRC DST PORT --uri URI      INVITE, then ACK and BYE along the dialog's
                                              route set (RFC 3261 12.1.2), all on one TLS
                                              connection; prints the INVITE's and the BYE's
                                              status codes ("200 200")
  tls_sip.py hold SRC DST PORT --trigger F    OPTIONS on a new connection, prints
                                              "ready SERIAL STATUS", waits until file F exists,
                                              then sends another OPTIONS on the SAME
                                              connection and prints "after STATUS"
  tls_sip.py many SRC DST PORT --count N --trigger F
                                              N connections, each with its handshake done and
                                              one OPTIONS answered, all held open; prints one
                                              JSON line {"opened":..,"answered":..,"versions":..}
                                              then waits until F exists and closes them all

Options:
  --uri URI            Request-URI (request/hold/many: sip:DST:PORT)
  --method M           (request) the method (OPTIONS)
  --ca FILE            verify the server against this CA bundle (else: no verification)
  --servername NAME    SNI and the name checked in the server's certificate (none: no check)
  --cert FILE --key F  our client certificate (mutual TLS)
  --tls-max 1.2|1.3    highest TLS version offered; --tls-min likewise
  --timeout S          per-step timeout in seconds (8)

Exit status: 0 when every step got a final response (whatever its code); 2 when the TLS
handshake failed (the reason on stderr, "handshake failed: ..."); 1 for anything else.
Sends only to DST, from SRC.
"""
import argparse
import json
import os
import random
import socket
import ssl
import sys
import time


def tls_version(v):
    return {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}[v]


def make_context(args):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if args.ca:
        ctx.load_verify_locations(args.ca)
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.check_hostname = bool(args.servername)
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if args.cert:
        ctx.load_cert_chain(args.cert, args.key)
    if args.tls_max:
        ctx.maximum_version = tls_version(args.tls_max)
    if args.tls_min:
        ctx.minimum_version = tls_version(args.tls_min)
    return ctx


class Conn:
    """One TLS connection speaking SIP (stream framing by Content-Length)."""

    def __init__(self, args, ctx):
        self.args = args
        raw = socket.create_connection((args.dst, args.port), timeout=args.timeout,
                                       source_address=(args.src, 0))
        try:
            self.sock = ctx.wrap_socket(raw, server_hostname=args.servername or None)
        except (ssl.SSLError, OSError) as e:
            raw.close()
            raise HandshakeFailed(str(e)) from e
        self.local_port = self.sock.getsockname()[1]
        self.buf = b""

    def serial(self):
        der = self.sock.getpeercert(binary_form=True)
        if der is None:
            return "-"
        # The serial is the first INTEGER of the TBSCertificate after the version ([0]).
        return parse_serial(der)

    def version(self):
        return self.sock.version()

    def send(self, text):
        self.sock.sendall(text.replace("\n", "\r\n").encode())

    def read_message(self):
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed by the server")
            self.buf += chunk
        head, _, rest = self.buf.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() in (b"content-length", b"l"):
                length = int(value.strip())
        while len(rest) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed inside a message")
            rest += chunk
        self.buf = rest[length:]
        return head.decode(errors="replace"), rest[:length]

    def final_response(self):
        """Reads until a final response; returns (status code, header lines)."""
        while True:
            head, _ = self.read_message()
            lines = head.split("\r\n")
            if not lines[0].startswith("SIP/2.0 "):
                continue  # a request from the other side: not expected here, ignored
            code = int(lines[0].split()[1])
            if code >= 200:
                return code, lines

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class HandshakeFailed(Exception):
    pass


def parse_serial(der):
    def tlv(b, i):
        tag = b[i]
        n = b[i + 1]
        i += 2
        if n & 0x80:
            k = n & 0x7F
            n = int.from_bytes(b[i:i + k], "big")
            i += k
        return tag, i, n

    _, i, _ = tlv(der, 0)          # Certificate SEQUENCE
    _, i, _ = tlv(der, i)          # TBSCertificate SEQUENCE
    tag, j, n = tlv(der, i)
    if tag == 0xA0:                # [0] version
        i = j + n
        tag, j, n = tlv(der, i)
    value = int.from_bytes(der[j:j + n], "big")
    return format(value, "X")


def request_text(args, conn, method, uri, cseq=1, call_id=None, extra=""):
    tag = random.getrandbits(40)
    call_id = call_id or f"{random.getrandbits(64):x}@{args.src}"
    scheme = "sips" if uri.startswith("sips:") else "sip"
    return (f"{method} {uri} SIP/2.0\n"
            f"Via: SIP/2.0/TLS {args.src}:{conn.local_port};branch=z9hG4bK{random.getrandbits(48):x};rport\n"
            f"Max-Forwards: 70\n"
            f"From: <{scheme}:tls-probe@{args.src}>;tag={tag:x}\n"
            f"To: <{uri}>\n"
            f"Call-ID: {call_id}\n"
            f"CSeq: {cseq} {method}\n"
            f"Contact: <{scheme}:tls-probe@{args.src}:{conn.local_port};transport=tls>\n"
            f"{extra}"
            f"Content-Length: 0\n\n")


def default_uri(args):
    return args.uri or f"sip:{args.dst}:{args.port}"


def cmd_request(args, ctx):
    conn = Conn(args, ctx)
    conn.send(request_text(args, conn, args.method, default_uri(args)))
    code, lines = conn.final_response()
    print(f"{lines[0]}|{conn.serial()}|{conn.version()}")
    conn.close()


def header_values(lines, name):
    out = []
    for line in lines[1:]:
        n, _, v = line.partition(":")
        if n.strip().lower() == name.lower():
            out += [x.strip() for x in split_commas(v)]
    return out


def split_commas(v):
    parts, depth, cur = [], 0, ""
    for ch in v:
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return parts


def cmd_call(args, ctx):
    conn = Conn(args, ctx)
    call_id = f"{random.getrandbits(64):x}@{args.src}"
    tag = f"{random.getrandbits(40):x}"
    scheme = "sips" if args.uri.startswith("sips:") else "sip"
    frm = f"From: <{scheme}:tls-probe@{args.src}>;tag={tag}\n"

    def msg(method, uri, cseq, to, routes=(), body=""):
        route = "".join(f"Route: {r}\n" for r in routes)
        return (f"{method} {uri} SIP/2.0\n"
                f"Via: SIP/2.0/TLS {args.src}:{conn.local_port};branch=z9hG4bK{random.getrandbits(48):x};rport\n"
                f"Max-Forwards: 70\n{route}{frm}To: {to}\nCall-ID: {call_id}\nCSeq: {cseq} {method}\n"
                f"Contact: <{scheme}:tls-probe@{args.src}:{conn.local_port};transport=tls>\n"
                f"Content-Length: {len(body)}\n\n{body}")

    conn.send(msg("INVITE", args.uri, 1, f"<{args.uri}>"))
    code, lines = conn.final_response()
    if code != 200:
        print(f"{code} -")
        return
    to = next(line.split(":", 1)[1].strip() for line in lines if line.lower().startswith("to:"))
    contact = header_values(lines, "Contact")[0]
    target = contact[contact.index("<") + 1:contact.index(">")] if "<" in contact else contact
    routes = list(reversed(header_values(lines, "Record-Route")))
    conn.send(msg("ACK", target, 1, to, routes))
    time.sleep(0.1)
    conn.send(msg("BYE", target, 2, to, routes))
    bye, _ = conn.final_response()
    print(f"{code} {bye}")
    conn.close()


def wait_for(path, timeout):
    end = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > end:
            raise TimeoutError(f"{path} did not appear")
        time.sleep(0.05)


def cmd_hold(args, ctx):
    conn = Conn(args, ctx)
    conn.send(request_text(args, conn, "OPTIONS", default_uri(args)))
    code, _ = conn.final_response()
    print(f"ready {conn.serial()} {code}", flush=True)
    wait_for(args.trigger, 60)
    conn.send(request_text(args, conn, "OPTIONS", default_uri(args)))
    code, _ = conn.final_response()
    print(f"after {code}", flush=True)
    conn.close()


def cmd_many(args, ctx):
    conns, answered, versions, failures = [], 0, {}, []
    for _ in range(args.count):
        try:
            c = Conn(args, ctx)
            conns.append(c)
            c.send(request_text(args, c, "OPTIONS", default_uri(args)))
            code, _ = c.final_response()
            if code == 200:
                answered += 1
            versions[c.version()] = versions.get(c.version(), 0) + 1
        except (HandshakeFailed, OSError, EOFError) as e:
            failures.append(str(e))
            if len(failures) > 20:
                break
    # Every connection still answers after all of them are open (none was dropped).
    alive = 0
    for c in conns:
        try:
            c.send(request_text(args, c, "OPTIONS", default_uri(args)))
            code, _ = c.final_response()
            alive += code == 200
        except (OSError, EOFError):
            pass
    print(json.dumps({"opened": len(conns), "answered": answered, "answered_again": alive,
                      "versions": versions, "failures": failures[:3]}), flush=True)
    wait_for(args.trigger, 600)
    for c in conns:
        c.close()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=["request", "call", "hold", "many"])
    p.add_argument("src")
    p.add_argument("dst")
    p.add_argument("port", type=int)
    p.add_argument("--uri")
    p.add_argument("--method", default="OPTIONS")
    p.add_argument("--ca")
    p.add_argument("--servername")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--tls-max", choices=["1.2", "1.3"])
    p.add_argument("--tls-min", choices=["1.2", "1.3"])
    p.add_argument("--timeout", type=float, default=8)
    p.add_argument("--trigger")
    p.add_argument("--count", type=int, default=1000)
    args = p.parse_args()
    if args.command == "call" and not args.uri:
        p.error("call needs --uri")
    if args.command in ("hold", "many") and not args.trigger:
        p.error(f"{args.command} needs --trigger")
    ctx = make_context(args)
    try:
        {"request": cmd_request, "call": cmd_call, "hold": cmd_hold, "many": cmd_many}[args.command](args, ctx)
    except (HandshakeFailed, ssl.SSLError) as e:
        # In TLS 1.3 a server's refusal of our certificate arrives after our side of the
        # handshake is done: as an alert on the first read. Both are the handshake failing.
        print(f"handshake failed: {e}", file=sys.stderr)
        sys.exit(2)
    except (OSError, EOFError, TimeoutError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
