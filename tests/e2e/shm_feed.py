#!/usr/bin/env python3
"""Feed an NTP SHM segment (unit N, key 0x4e545030 + N) the way phc2sys -E ntpshm does, with
the reference clock reading OFFSET_NS from the local clock (clock = receive + offset), for
DURATION seconds, 4 samples a second. Layout and protocol: ntpsec ntpd/refclock_shm.c
struct shmTime, mode 1 (count bumped before and after the write, then valid = 1), as linuxptp
ntpshm.c writes it. Only used inside a private IPC namespace (unshare -i)."""
import ctypes, sys, time

class ShmTime(ctypes.Structure):
    _fields_ = [("mode", ctypes.c_int), ("count", ctypes.c_int),
                ("clockTimeStampSec", ctypes.c_long), ("clockTimeStampUSec", ctypes.c_int),
                ("receiveTimeStampSec", ctypes.c_long), ("receiveTimeStampUSec", ctypes.c_int),
                ("leap", ctypes.c_int), ("precision", ctypes.c_int), ("nsamples", ctypes.c_int),
                ("valid", ctypes.c_int), ("clockTimeStampNSec", ctypes.c_uint),
                ("receiveTimeStampNSec", ctypes.c_uint), ("dummy", ctypes.c_int * 8)]

unit, offset_ns, duration = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
shmid = libc.shmget(0x4E545030 + unit, ctypes.sizeof(ShmTime), 0o1600)  # IPC_CREAT | 0600
if shmid < 0:
    sys.exit("shmget: errno %d" % ctypes.get_errno())
addr = libc.shmat(shmid, None, 0)
if addr in (None, ctypes.c_void_p(-1).value):
    sys.exit("shmat: errno %d" % ctypes.get_errno())
shm = ShmTime.from_address(addr)
end = time.monotonic() + duration
while time.monotonic() < end:
    rx = time.clock_gettime_ns(time.CLOCK_REALTIME)
    clk = rx + offset_ns
    shm.mode = 1
    shm.count += 1
    shm.valid = 0
    shm.clockTimeStampSec, ns = divmod(clk, 1000000000)
    shm.clockTimeStampUSec, shm.clockTimeStampNSec = ns // 1000, ns
    shm.receiveTimeStampSec, ns = divmod(rx, 1000000000)
    shm.receiveTimeStampUSec, shm.receiveTimeStampNSec = ns // 1000, ns
    shm.leap, shm.precision, shm.nsamples = 0, -30, 3
    shm.count += 1
    shm.valid = 1
    time.sleep(0.25)
