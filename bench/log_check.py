#!/usr/bin/env python3
"""Counts the numbered lines of bench/log_writer.py across rotated files and the live one:
lines lost, lines duplicated, lines damaged (cut or with NUL bytes).

    log_check.py WRITTEN FILE...     (files oldest first, the live file last)
"""
import gzip
import sys

written = int(sys.argv[1])
seen = bytearray(written)
duplicated = damaged = 0
parts = []
for name in sys.argv[2:]:
    opener = gzip.open if name.endswith(".gz") else open
    with opener(name, "rb") as f:
        parts.append(f.read())
data = b"".join(parts)
for line in data.split(b"\n"):
    if not line:
        continue
    head = line[:12]
    if len(line) != 199 or b"\0" in line or not head.isdigit():
        damaged += 1
        continue
    n = int(head)
    if n >= written:
        damaged += 1
    elif seen[n]:
        duplicated += 1
    else:
        seen[n] = 1
lost = written - sum(seen)
print(f"lost {lost} duplicated {duplicated} damaged {damaged}")
