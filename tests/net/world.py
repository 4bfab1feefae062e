#!/usr/bin/env python3
# The "outside world" of the network tests: servers started inside the test's own network
# namespace (never on the machine's real network), which sandboxes reach through the helper.
#
#   world.py --log FILE --ready FILE [--tcp ADDR:PORT:NAME]... [--udp ADDR:PORT:NAME]...
#            [--dns ADDR:PORT]... [--abstract NAME]...
#
# ADDR is numeric, IPv6 in brackets. Every server logs one line per client to FILE:
#   tcp NAME peer=ADDR:PORT got=FIRST-LINE      (and answers "NAME peer=ADDR:PORT got=LINE")
#   udp NAME peer=ADDR:PORT got=DATAGRAM        (and answers "NAME peer=ADDR:PORT got=DATA")
#   dns peer=ADDR:PORT qname=NAME qtype=N proto=udp|tcp
#   abstract NAME connected
# The DNS server answers A and AAAA for names under .test from a fixed table, NXDOMAIN for the
# rest; over UDP and TCP. FILE --ready is written once everything listens.
import argparse
import os
import socket
import struct
import sys
import threading

RECORDS = {
    "world.test": {1: ["192.0.2.1"], 28: ["2001:db8::1"]},
    "www.world.test": {1: ["192.0.2.80"], 28: ["2001:db8::80"]},
}

lock = threading.Lock()
log_file = None


def log(line):
    with lock:
        log_file.write(line + "\n")
        log_file.flush()


def split_addr(spec):
    """ADDR:PORT[:NAME] with ADDR possibly [v6]."""
    if spec.startswith("["):
        addr, rest = spec[1:].split("]:", 1)
        family = socket.AF_INET6
    else:
        addr, rest = spec.split(":", 1)
        family = socket.AF_INET
    parts = rest.split(":", 1)
    return family, addr, int(parts[0]), parts[1] if len(parts) > 1 else ""


def peer_str(peer):
    host, port = peer[0], peer[1]
    if host.startswith("::ffff:"):
        host = host[7:]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def tcp_server(family, addr, port, name):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, port))
    s.listen(64)

    def serve(c, peer):
        with c:
            c.settimeout(3)
            data = b""
            try:
                while b"\n" not in data and len(data) < 4096:
                    chunk = c.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
            line = data.split(b"\n", 1)[0].decode(errors="replace")
            log(f"tcp {name} peer={peer_str(peer)} got={line}")
            try:
                c.sendall(f"{name} peer={peer_str(peer)} got={line}\n".encode())
            except OSError:
                pass

    def loop():
        while True:
            c, peer = s.accept()
            threading.Thread(target=serve, args=(c, peer), daemon=True).start()

    return loop


def udp_server(family, addr, port, name):
    s = socket.socket(family, socket.SOCK_DGRAM)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, port))

    def loop():
        while True:
            data, peer = s.recvfrom(4096)
            text = data.decode(errors="replace").strip()
            log(f"udp {name} peer={peer_str(peer)} got={text}")
            s.sendto(f"{name} peer={peer_str(peer)} got={text}\n".encode(), peer)

    return loop


def dns_answer(query):
    """The response to one DNS query (bytes), or None if it is not one."""
    if len(query) < 12:
        return None, "", 0
    qid, flags, qd = struct.unpack("!HHH", query[:6])
    off, labels = 12, []
    while off < len(query) and query[off] != 0:
        n = query[off]
        labels.append(query[off + 1:off + 1 + n].decode(errors="replace"))
        off += 1 + n
    off += 1
    if off + 4 > len(query):
        return None, "", 0
    qtype, qclass = struct.unpack("!HH", query[off:off + 4])
    qname = ".".join(labels).lower()
    question = query[12:off + 4]
    answers = RECORDS.get(qname, {}).get(qtype, [])
    rcode = 0 if qname in RECORDS else 3
    body = b""
    for a in answers:
        rdata = socket.inet_pton(socket.AF_INET if qtype == 1 else socket.AF_INET6, a)
        body += struct.pack("!HHHIH", 0xC00C, qtype, 1, 60, len(rdata)) + rdata
    header = struct.pack("!HHHHHH", qid, 0x8180 | rcode, 1, len(answers), 0, 0)
    return header + question + body, qname, qtype


def dns_servers(family, addr, port):
    u = socket.socket(family, socket.SOCK_DGRAM)
    t = socket.socket(family, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        for s in (u, t):
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    u.bind((addr, port))
    t.bind((addr, port))
    t.listen(16)

    def udp_loop():
        while True:
            q, peer = u.recvfrom(4096)
            resp, qname, qtype = dns_answer(q)
            log(f"dns peer={peer_str(peer)} qname={qname} qtype={qtype} proto=udp")
            if resp:
                u.sendto(resp, peer)

    def tcp_loop():
        while True:
            c, peer = t.accept()
            with c:
                c.settimeout(3)
                try:
                    n = struct.unpack("!H", c.recv(2))[0]
                    q = b""
                    while len(q) < n:
                        q += c.recv(n - len(q))
                    resp, qname, qtype = dns_answer(q)
                    log(f"dns peer={peer_str(peer)} qname={qname} qtype={qtype} proto=tcp")
                    if resp:
                        c.sendall(struct.pack("!H", len(resp)) + resp)
                except OSError:
                    pass

    return [udp_loop, tcp_loop]


def abstract_server(name):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind("\0" + name)
    s.listen(8)

    def loop():
        while True:
            c, _ = s.accept()
            log(f"abstract {name} connected")
            c.close()

    return loop


def main():
    global log_file
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True)
    ap.add_argument("--ready", required=True)
    ap.add_argument("--tcp", action="append", default=[])
    ap.add_argument("--udp", action="append", default=[])
    ap.add_argument("--dns", action="append", default=[])
    ap.add_argument("--abstract", action="append", default=[])
    args = ap.parse_args()
    log_file = open(args.log, "a")
    loops = []
    for spec in args.tcp:
        loops.append(tcp_server(*split_addr(spec)))
    for spec in args.udp:
        loops.append(udp_server(*split_addr(spec)))
    for spec in args.dns:
        family, addr, port, _ = split_addr(spec)
        loops.extend(dns_servers(family, addr, port))
    for name in args.abstract:
        loops.append(abstract_server(name))
    for loop in loops:
        threading.Thread(target=loop, daemon=True).start()
    with open(args.ready + ".tmp", "w") as f:
        f.write(f"{os.getpid()}\n")
    os.rename(args.ready + ".tmp", args.ready)
    threading.Event().wait()


if __name__ == "__main__":
    sys.exit(main())
