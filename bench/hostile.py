#!/usr/bin/env python3
"""Hostile clients for bench/hostile.sh, for SECONDS:
- IDLE TLS connections spread over 8 source addresses (127.0.0.10-17) that finish their
  handshake and then say nothing; whenever the server closes one, it is opened again at once.
- SLOW uploads from 127.0.0.2 declaring a 2 MiB body and sending it at ~1 KB/s, half of them
  without a token and half with a valid enumerator TOKEN; answered or closed, they start over.
Prints what the server did to each kind.
  hostile.py HOST PORT CAFILE IDLE SLOW SECONDS TOKEN"""
import resource
import selectors
import socket
import ssl
import sys
import threading
import time

from attackers import count, run, stop

host, port, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
idle, slow, seconds, token = int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), sys.argv[7]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
ctx = ssl.create_default_context(cafile=cafile)


def open_tls(source):
    raw = socket.create_connection((host, port), timeout=10, source_address=(source, 0))
    return ctx.wrap_socket(raw, server_hostname="localhost")


def idlers():
    sel = selectors.DefaultSelector()

    def add(i):
        source = "127.0.0.%d" % (10 + i % 8)
        try:
            s = open_tls(source)
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ, i)
            count("idle: opened")
        except (OSError, ssl.SSLError):
            count("idle: refused or reset")
            time.sleep(0.05)

    for i in range(idle):
        if stop.is_set():
            break
        add(i)
    while not stop.is_set():
        for key, _ in sel.select(timeout=0.2):
            sel.unregister(key.fileobj)
            try:
                data = key.fileobj.recv(256)
                count("idle: answered " + data[9:12].decode() if data else "idle: closed by the server")
            except (OSError, ssl.SSLError):
                count("idle: closed by the server")
            key.fileobj.close()
            add(key.data)


def uploader(with_token):
    kind = "slow with token" if with_token else "slow without token"
    head = ("POST /api/v1/submissions HTTP/1.1\r\nHost: localhost\r\n"
            + ("Authorization: Bearer %s\r\n" % token if with_token else "")
            + "Content-Type: application/json\r\nContent-Length: 2097152\r\n\r\n").encode()
    while not stop.is_set():
        try:
            s = open_tls("127.0.0.2")
            s.sendall(head)
            s.settimeout(1)
            while not stop.is_set():
                s.sendall(b"x" * 1100)
                try:
                    answer = s.recv(64)
                except socket.timeout:
                    continue
                count("%s: answered %s" % (kind, answer[9:12].decode()) if answer
                      else "%s: closed by the server" % kind)
                break
            s.close()
        except (OSError, ssl.SSLError):
            count("%s: refused or reset" % kind)
            time.sleep(0.2)


threads = [threading.Thread(target=idlers, daemon=True)]
threads += [threading.Thread(target=uploader, args=(i % 2 == 1,), daemon=True) for i in range(slow)]
for k, v in run(threads, seconds):
    print("attackers     %s: %d" % (k, v))
