#!/usr/bin/env python3
"""A steady log writer for bench/log-rotation-vs-logrotate.sh: RATE numbered lines a second of
200 bytes each, one write(2) per line to a file opened with O_APPEND, for SECONDS seconds; reopens
the file on SIGHUP; writes its pid to PIDFILE; prints how many lines it wrote.

    log_writer.py FILE PIDFILE RATE SECONDS
"""
import os
import signal
import sys
import time

path, pidfile, rate, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
reopen = False


def on_hup(signum, frame):
    global reopen
    reopen = True


signal.signal(signal.SIGHUP, on_hup)
flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
fd = os.open(path, flags, 0o644)
with open(pidfile, "w") as f:
    f.write(str(os.getpid()))
pad = "x" * (200 - 13 - 1)
n = 0
start = time.monotonic()
batch = max(1, rate // 100)  # 100 batches a second
while True:
    elapsed = time.monotonic() - start
    if elapsed >= seconds:
        break
    due = int(elapsed * rate)
    while n < due:
        if reopen:
            reopen = False
            os.close(fd)
            fd = os.open(path, flags, 0o644)
        os.write(fd, b"%012d %s\n" % (n, pad.encode()))
        n += 1
    time.sleep(1 / 100)
os.close(fd)
print(n)
