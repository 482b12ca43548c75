"""A second Redis client for bench/redis-cleanup.sh, over a raw socket (no client library).

  redis_ping.py PORT                      PING every millisecond (as a busy app would; a busy
                                          loop would take a core from Redis on 2 cores) until
                                          SIGTERM, then print the round trips: samples, p99_ms,
                                          max_ms
  redis_ping.py PORT --bounded-lua GLOB   drive the bounded Lua cleanup step until the cursor is 0
  redis_ping.py PORT --bounded-lua GLOB MIN_IDLE
                                          the same step, unlinking only keys idle MIN_IDLE
                                          seconds or more (one OBJECT IDLETIME per key): the
                                          least an idle-filtered cleanup can cost Redis
"""
import signal
import socket
import sys
import time

STEP = """local r = redis.call('SCAN', ARGV[1], 'MATCH', ARGV[2], 'COUNT', 1000)
if #r[2] > 0 then redis.call('UNLINK', unpack(r[2])) end
return r[1]"""

STEP_IDLE = """local r = redis.call('SCAN', ARGV[1], 'MATCH', ARGV[2], 'COUNT', 1000)
local min_idle, doomed = tonumber(ARGV[3]), {}
for _, k in ipairs(r[2]) do
  local idle = redis.call('OBJECT', 'IDLETIME', k)
  if idle and idle >= min_idle then doomed[#doomed + 1] = k end
end
if #doomed > 0 then redis.call('UNLINK', unpack(doomed)) end
return r[1]"""


def command(*args):
    return b"*%d\r\n" % len(args) + b"".join(
        b"$%d\r\n%s\r\n" % (len(a), a) for a in (x.encode() if isinstance(x, str) else x for x in args))


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.file = self.sock.makefile("rb")

    def call(self, *args):
        self.sock.sendall(command(*args))
        return self.reply()

    def reply(self):
        line = self.file.readline()
        kind, rest = line[:1], line[1:-2]
        if kind in (b"+", b":"):
            return rest
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.file.read(n + 2)[:-2]
        if kind == b"*":
            return [self.reply() for _ in range(int(rest))]
        raise RuntimeError("unexpected reply %r" % line)


def ping(port):
    client = Client(port)
    stop = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.append(1))
    times = []
    while not stop:
        t0 = time.perf_counter()
        client.call("PING")
        t1 = time.perf_counter()
        times.append(t1 - t0)
        time.sleep(max(0.0, 0.001 - (t1 - t0)))
    times.sort()
    times = times or [float("nan")]
    print("samples", len(times))
    print("p99_ms", times[int(len(times) * 0.99)] * 1000)
    print("max_ms", times[-1] * 1000)


def bounded_lua(port, glob, min_idle=None):
    client = Client(port)
    sha = client.call("SCRIPT", "LOAD", STEP if min_idle is None else STEP_IDLE).decode()
    extra = [] if min_idle is None else [min_idle]
    cursor = b"0"
    while True:
        cursor = client.call("EVALSHA", sha, "0", cursor, glob, *extra)
        if cursor == b"0":
            break


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[2] == "--bounded-lua":
        bounded_lua(int(sys.argv[1]), sys.argv[3], *sys.argv[4:5])
    else:
        ping(int(sys.argv[1]))
