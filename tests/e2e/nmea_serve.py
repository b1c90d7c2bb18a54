#!/usr/bin/env python3
"""Serve an NMEA log to one TCP client (gpsd's tcp://HOST:PORT source), one line every
PER_LINE seconds, then linger. Used because gpsd never writes NTP SHM for gpsfake's pty
("don't talk to NTP when we're running inside the test harness", gpsd timehint.c)."""
import socket
import sys
import time

path, port, per_line = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
lines = open(path, "rb").read().splitlines(keepends=True)
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(1)
print("listening on %d" % port, flush=True)  # for whoever waits for it (no fixed sleeps)
conn, _ = srv.accept()
for line in lines:
    conn.sendall(line)
    time.sleep(per_line)
time.sleep(30)
