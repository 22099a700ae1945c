#!/usr/bin/python3
"""A minimal SIP UAS for the lab: answers every request but ACK with 200 OK, over UDP and
TCP on ADDR:PORT, and records each request it receives.

  sip_responder.py ADDR PORT LOG

LOG gets one JSON object per received request: {"transport", "source", "message"}.
UDP responses go where the top Via says (received/rport honoured, RFC 3261 18.2.2 and
RFC 3581), so a proxy that writes a wrong Via gets no answer; TCP responses go back on the
connection the request came in on. Prints "ready" on stdout once both sockets listen.
Runs until killed.
"""
import json
import selectors
import socket
import sys


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def header_lines(message):
    head = message.split(b"\r\n\r\n", 1)[0].decode(errors="replace")
    return head.split("\r\n")


def header_values(lines, *names):
    wanted = {n.lower() for n in names}
    out = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() in wanted:
            out.append(value.strip())
    return out


def split_host_port(sent_by):
    if sent_by.startswith("["):
        host, _, rest = sent_by[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    else:
        host, _, port = sent_by.partition(":")
    return host, int(port) if port else 5060


def via_destination(top_via):
    """Where a UDP response to this top Via goes: received/rport first, then sent-by."""
    _, _, rest = top_via.partition(" ")
    parts = rest.strip().split(";")
    host, port = split_host_port(parts[0].strip())
    for param in parts[1:]:
        name, _, value = param.strip().partition("=")
        if name.lower() == "received" and value:
            host = value
        elif name.lower() == "rport" and value:
            port = int(value)
    return host, port


def response_for(message):
    lines = header_lines(message)
    method = lines[0].split(" ", 1)[0]
    if method == "ACK":
        return None, None
    vias = header_values(lines, "Via", "v")
    out = ["SIP/2.0 200 OK"]
    out += [f"Via: {v}" for v in vias]
    for name, short in (("From", "f"), ("Call-ID", "i"), ("CSeq", None)):
        out += [f"{name}: {v}" for v in header_values(lines, name, short or name)]
    for v in header_values(lines, "To", "t"):
        out.append(f"To: {v}" if ";tag=" in v else f"To: {v};tag=responder")
    out += ["Content-Length: 0", "", ""]
    return "\r\n".join(out).encode(), (vias[0] if vias else None)


def split_stream(buf):
    """Complete messages at the front of a TCP buffer, and the rest."""
    messages = []
    while True:
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            return messages, buf
        length = 0
        for v in header_values(header_lines(buf[:end + 4]), "Content-Length", "l"):
            length = int(v)
        if len(buf) < end + 4 + length:
            return messages, buf
        messages.append(buf[:end + 4 + length])
        buf = buf[end + 4 + length:]


def main():
    addr, port, log_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    log = open(log_path, "a", buffering=1)
    udp = socket.socket(family(addr), socket.SOCK_DGRAM)
    udp.bind((addr, port))
    tcp = socket.socket(family(addr), socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind((addr, port))
    tcp.listen(64)
    sel = selectors.DefaultSelector()
    sel.register(udp, selectors.EVENT_READ, "udp")
    sel.register(tcp, selectors.EVENT_READ, "accept")
    buffers = {}
    print("ready", flush=True)

    def record(transport, source, message):
        log.write(json.dumps({"transport": transport, "source": source,
                              "message": message.decode(errors="replace")}) + "\n")

    while True:
        for key, _ in sel.select():
            if key.data == "udp":
                data, source = udp.recvfrom(65536)
                if data.strip() == b"" or data.startswith(b"SIP/2.0"):
                    continue
                record("udp", f"{source[0]}:{source[1]}", data)
                response, top_via = response_for(data)
                if response and top_via:
                    try:
                        udp.sendto(response, via_destination(top_via))
                    except OSError as e:
                        print(f"responder: cannot answer {top_via}: {e}", file=sys.stderr)
            elif key.data == "accept":
                conn, source = tcp.accept()
                buffers[conn] = b""
                sel.register(conn, selectors.EVENT_READ, f"{source[0]}:{source[1]}")
            else:
                conn = key.fileobj
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    sel.unregister(conn)
                    buffers.pop(conn, None)
                    conn.close()
                    continue
                messages, buffers[conn] = split_stream(buffers[conn] + chunk)
                for m in messages:
                    if m.startswith(b"SIP/2.0"):
                        continue
                    record("tcp", key.data, m)
                    response, _ = response_for(m)
                    if response:
                        conn.sendall(response)


if __name__ == "__main__":
    main()
