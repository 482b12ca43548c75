#!/usr/bin/env bash
# The attack from the hardening issue, against the agent with the README's flags (-Xmx48m):
# 2,000 idle connections, then 40 clients without a token each sending a 1 MB body slowly to the
# webhook, then 40 with the token doing the same; /metrics is scraped every 100 ms throughout.
# Prints scrape latencies (p50, p99, max) per phase, the answers the senders got, the agent's
# RSS, and whether it is still alive. Loopback only; ends by itself (~50 s).
# Usage: bench/hostile-http.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
PORT=${PORT:-19477}
TOKEN=bench-token
cat > "$work/c.yml" <<YML
agent: { data_dir: $work/data }
server: { port: $PORT, tokens: [$TOKEN] }
YML
java $JAVA_FLAGS -jar target/caretaker.jar serve --config "$work/c.yml" 2>"$work/agent.log" &
agent=$!
pids+=($agent)
wait_ready "$PORT"
python3 - "$PORT" "$TOKEN" "$agent" <<'PY'
import socket, sys, threading, time, statistics, urllib.request
port, token, pid = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
def rss():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) // 1024
def scrape_for(seconds):
    lat = []
    end = time.time() + seconds
    while time.time() < end:
        t = time.perf_counter()
        urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read()
        lat.append((time.perf_counter() - t) * 1000)
        time.sleep(0.1)
    lat.sort()
    return f"n={len(lat)} p50={statistics.median(lat):.1f} ms p99={lat[int(len(lat)*0.99)-1]:.1f} ms max={lat[-1]:.1f} ms"
answers = {}
lock = threading.Lock()
def slow_sender(auth):
    s = socket.create_connection(("127.0.0.1", port))
    head = "POST /api/v1/alertmanager HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n"
    if auth:
        head += f"Authorization: Bearer {token}\r\n"
    s.sendall((head + "\r\n").encode())
    s.settimeout(0.2)
    sent, status = 0, "closed"
    end = time.time() + 15
    try:
        while sent < 1_000_000 and time.time() < end:
            try:
                data = s.recv(200)
                status = data.split(b"\r\n")[0].decode() if data else "closed"
                break
            except socket.timeout:
                pass
            s.sendall(b" " * 20_000); sent += 20_000
    except OSError:
        status = "reset"
    with lock:
        key = ("auth " if auth else "no token ") + status
        answers[key] = answers.get(key, 0) + 1
    s.close()
print(f"idle: rss {rss()} MiB, scrapes {scrape_for(3)}")
idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(2000)]
print(f"2,000 idle connections opened: scrapes {scrape_for(3)}, rss {rss()} MiB")
def attack(auth, label):
    threads = [threading.Thread(target=slow_sender, args=(auth,)) for i in range(40)]
    for t in threads: t.start()
    print(f"{label}: scrapes {scrape_for(8)}, rss {rss()} MiB")
    for t in threads: t.join()
attack(False, "+ 40 slow 1 MB senders without a token")
attack(True, "+ 40 slow 1 MB senders with the token")
print("answers to the slow senders:", dict(sorted(answers.items())))
time.sleep(3)
closed = 0
for s in idle:
    s.settimeout(0.01)
    try:
        closed += s.recv(1) == b""
    except (socket.timeout, OSError):
        pass
print(f"idle connections closed by the agent: {closed} of {len(idle)}")
print(f"after: rss {rss()} MiB, scrapes {scrape_for(3)}")
PY
kill -0 "$agent" && echo "agent alive" || { echo "agent died"; tail -5 "$work/agent.log"; }
