#!/usr/bin/python3
"""What an attacker (or a victim) does at the trust boundary, for the lab.

  forge.py sink ADDR PORT LOG
      Records every UDP datagram and every TCP connection (and what it sent) arriving at
      ADDR:PORT, one JSON object per line in LOG; never answers. Prints "ready".
  forge.py send SRC DST PORT FILE [--tcp]
      Sends FILE's bytes once from SRC to DST:PORT (LF turned into CRLF), then waits 0.3 s
      for anything coming back and prints it (JSON: {"replies": [...]}).
  forge.py respond SRC DST PORT REQUEST_JSONL [--index N]
      Builds a 200 OK for the N-th request a sink recorded (its Via rows as received, its
      From/To/Call-ID/CSeq) and sends it from SRC to DST:PORT over UDP: the response a next
      hop that received the request would send.
  forge.py nat SRC DST PORT URI COUNT
      COUNT TCP connections from SRC (what COUNT subscribers behind one NAT look like), each
      with the same private Via sent-by, each sending one MESSAGE to URI with its own
      Call-ID; prints {"connections": [{"sent": CALL_ID, "got": [CALL_ID, ...]}, ...]} with the
      Call-IDs of the responses each connection received within 5 s.
  forge.py flood SRC DST PORT COUNT
      COUNT malformed requests (a header line without a colon) from one socket at SRC, as
      fast as possible; counts the replies that come back while sending and 1 s after;
      prints {"sent": N, "replies": R, "seconds": S} (S: from the first send to the last
      reply window's end).
"""
import json
import selectors
import socket
import sys
import time
import uuid


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def crlf(data):
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def header_values(message, *names):
    head = message.split("\r\n\r\n", 1)[0].split("\r\n")
    wanted = {n.lower() for n in names}
    out = []
    for line in head[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() in wanted:
            out.append(value.strip())
    return out


def sink(addr, port, log_path):
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
    print("ready", flush=True)
    while True:
        for key, _ in sel.select():
            if key.data == "udp":
                data, source = udp.recvfrom(65536)
                log.write(json.dumps({"transport": "udp", "source": f"{source[0]}:{source[1]}",
                                      "message": data.decode(errors="replace")}) + "\n")
            elif key.data == "accept":
                conn, source = tcp.accept()
                log.write(json.dumps({"transport": "tcp", "source": f"{source[0]}:{source[1]}",
                                      "message": ""}) + "\n")
                sel.register(conn, selectors.EVENT_READ, f"{source[0]}:{source[1]}")
            else:
                chunk = b""
                try:
                    chunk = key.fileobj.recv(65536)
                except OSError:
                    pass
                if not chunk:
                    sel.unregister(key.fileobj)
                    key.fileobj.close()
                    continue
                log.write(json.dumps({"transport": "tcp", "source": key.data,
                                      "message": chunk.decode(errors="replace")}) + "\n")


def send(src, dst, port, path, tcp):
    data = crlf(open(path, "rb").read())
    if tcp:
        s = socket.socket(family(dst), socket.SOCK_STREAM)
        s.bind((src, 0))
        s.connect((dst, port))
        s.sendall(data)
    else:
        s = socket.socket(family(dst), socket.SOCK_DGRAM)
        s.bind((src, 0))
        s.sendto(data, (dst, port))
    s.settimeout(0.3)
    replies = []
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            replies.append(chunk.decode(errors="replace").split("\r\n", 1)[0])
    except OSError:
        pass
    print(json.dumps({"replies": replies}))


def respond(src, dst, port, jsonl, index):
    records = [json.loads(line) for line in open(jsonl) if line.strip()]
    request = [r for r in records if r["message"] and not r["message"].startswith("SIP/2.0")][index]
    m = request["message"]
    out = ["SIP/2.0 200 OK"]
    out += [f"Via: {v}" for v in header_values(m, "Via", "v")]
    out += [f"From: {v}" for v in header_values(m, "From", "f")]
    out += [f"To: {v};tag=forged" for v in header_values(m, "To", "t")]
    out += [f"Call-ID: {v}" for v in header_values(m, "Call-ID", "i")]
    out += [f"CSeq: {v}" for v in header_values(m, "CSeq")]
    out += ["Content-Length: 0", "", ""]
    s = socket.socket(family(dst), socket.SOCK_DGRAM)
    s.bind((src, 0))
    s.sendto("\r\n".join(out).encode(), (dst, port))
    print(json.dumps({"sent": out[1:]}))


def nat(src, dst, port, uri, count):
    conns = []
    for i in range(count):
        s = socket.socket(family(dst), socket.SOCK_STREAM)
        s.bind((src, 0))
        s.connect((dst, port))
        call_id = f"nat-{i}-{uuid.uuid4().hex[:8]}@192.168.1.10"
        msg = (f"MESSAGE {uri} SIP/2.0\r\n"
               f"Via: SIP/2.0/TCP 192.168.1.10:5060;branch=z9hG4bK-nat-{i}-{uuid.uuid4().hex[:6]};rport\r\n"
               "Max-Forwards: 70\r\n"
               f"From: <sip:sub{i}@lab.test>;tag=nat{i}\r\n"
               f"To: {uri}\r\n"
               f"Call-ID: {call_id}\r\n"
               "CSeq: 1 MESSAGE\r\n"
               "Content-Type: text/plain\r\n"
               "Content-Length: 2\r\n\r\nhi")
        conns.append({"sock": s, "sent": call_id, "got": [], "buf": b"", "msg": msg})
    # Every subscriber has connected before any sends: the last connection is the latest.
    for c in conns:
        c["sock"].sendall(c["msg"].encode())
    deadline = time.monotonic() + 5
    sel = selectors.DefaultSelector()
    for c in conns:
        c["sock"].setblocking(False)
        sel.register(c["sock"], selectors.EVENT_READ, c)
    while time.monotonic() < deadline and not all(c["got"] for c in conns):
        for key, _ in sel.select(timeout=0.2):
            c = key.data
            try:
                chunk = c["sock"].recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                sel.unregister(c["sock"])
                continue
            c["buf"] += chunk
            while b"\r\n\r\n" in c["buf"]:
                head, _, rest = c["buf"].partition(b"\r\n\r\n")
                text = head.decode(errors="replace")
                length = int((header_values(text + "\r\n\r\n", "Content-Length", "l") or ["0"])[0])
                c["buf"] = rest[length:]
                c["got"] += header_values(text + "\r\n\r\n", "Call-ID", "i")
    # Whatever else arrives shortly after (a response that went to the wrong subscriber).
    end = time.monotonic() + 0.5
    while time.monotonic() < end:
        for key, _ in sel.select(timeout=0.1):
            c = key.data
            try:
                chunk = c["sock"].recv(65536)
            except OSError:
                chunk = b""
            if chunk:
                c["got"] += header_values(chunk.decode(errors="replace"), "Call-ID", "i")
    print(json.dumps({"connections": [{"sent": c["sent"], "got": c["got"]} for c in conns]}))


def flood(src, dst, port, count):
    s = socket.socket(family(dst), socket.SOCK_DGRAM)
    s.bind((src, 0))
    s.setblocking(False)
    lport = s.getsockname()[1]
    replies = 0
    start = time.monotonic()
    for i in range(count):
        msg = (f"OPTIONS sip:bob@lab.test SIP/2.0\r\n"
               f"Via: SIP/2.0/UDP {src}:{lport};branch=z9hG4bK-flood-{i};rport\r\n"
               "Max-Forwards: 70\r\nFrom: <sip:f@lab.test>;tag=f\r\nTo: <sip:bob@lab.test>\r\n"
               f"Call-ID: flood-{i}@lab.test\r\nCSeq: 1 OPTIONS\r\nThis line has no colon\r\n"
               "Content-Length: 0\r\n\r\n")
        while True:
            try:
                s.sendto(msg.encode(), (dst, port))
                break
            except BlockingIOError:
                time.sleep(0.001)
        while True:
            try:
                s.recv(65536)
                replies += 1
            except BlockingIOError:
                break
    end = time.monotonic() + 1.0
    while time.monotonic() < end:
        try:
            s.recv(65536)
            replies += 1
        except BlockingIOError:
            time.sleep(0.01)
    print(json.dumps({"sent": count, "replies": replies,
                      "seconds": round(time.monotonic() - start, 3)}))


def main():
    cmd = sys.argv[1]
    a = sys.argv[2:]
    if cmd == "sink":
        sink(a[0], int(a[1]), a[2])
    elif cmd == "send":
        send(a[0], a[1], int(a[2]), a[3], "--tcp" in a[4:])
    elif cmd == "respond":
        index = int(a[a.index("--index") + 1]) if "--index" in a else 0
        respond(a[0], a[1], int(a[2]), a[3], index)
    elif cmd == "nat":
        nat(a[0], a[1], int(a[2]), a[3], int(a[4]))
    elif cmd == "flood":
        flood(a[0], a[1], int(a[2]), int(a[3]))
    else:
        sys.exit(f"forge.py: unknown command {cmd}")


if __name__ == "__main__":
    main()
