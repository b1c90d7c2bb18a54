#!/usr/bin/env python3
"""Work around a gpsfake race (gpsd 3.22 gps/fake.py): DaemonInstance.wait_ready() returns
as soon as the control socket file exists, i.e. after gpsd's bind() but possibly before its
listen(); add_device() then gets ECONNREFUSED, drops it silently, and gpsd never reads the
fake GPS. This waits until the control socket accepts, finds gpsfake's pty (its open
/dev/pts/N), makes it readable by the unprivileged gpsd, and adds it again ("+PATH": gpsd answers OK, or ERROR when it already has it,
i.e. when gpsfake's own attempt worked).
  gpsfake_add.py GPSFAKE_PID   (TMPDIR as given to gpsfake; needs /proc of its namespace)"""
import os
import socket
import sys
import time

pid = int(sys.argv[1])
sock_path = "%s/gpsfake-%d.sock" % (os.environ.get("TMPDIR", "/tmp"), pid)
deadline = time.time() + 10
pty = None
while time.time() < deadline:
    try:
        for fd in os.listdir("/proc/%d/fd" % pid):
            target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
            if target.startswith("/dev/pts/"):
                pty = target
    except OSError:
        pass
    if pty:
        try:
            # gpsd has dropped root by now (to its user, with the group of /dev/ttyS0,
            # gpsd.c PROTO_TTY) and the pty is root's, group tty, mode 620: opened late it
            # fails "Permission denied" and gpsfake reports "daemon died" (seen under load).
            # The pty is this test's own: let gpsd open it.
            os.chmod(pty, 0o666)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(sock_path)
            s.sendall(("+%s\r\n\x00" % pty).encode())
            reply = s.recv(12)
            s.close()
            print("added %s: %r" % (pty, reply))
            sys.exit(0)
        except OSError:
            pass
    time.sleep(0.05)
print("gpsfake %d: no pty or control socket %s" % (pid, sock_path))
sys.exit(1)
