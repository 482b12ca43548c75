#!/usr/bin/env bash
# Trading events and metrics at load, against a private redis-server (free port, --save ''):
#  1. HTTP ingest: wrk posting NDJSON batches of 1,000 events for WRK_SECONDS;
#  2. stream: 1,000,000 entries in the Redis stream, consumed by the agent from its group;
#  3. /metrics with 1,000 symbols and 50 heartbeat components (wrk, as in the foundation bench).
# Targets: 200,000 events/s for 1 and 2; for 3, the foundation's scrape targets.
#   bench/trading-ingest.sh
# Needs: wrk, redis-server, redis-cli, python3, curl.
set -euo pipefail
cd "$(dirname "$0")/.."
WRK_SECONDS=${WRK_SECONDS:-15}
PORT=${PORT:-19469}
RPORT=${RPORT:-16399}
STREAM_ENTRIES=${STREAM_ENTRIES:-1000000}
source bench/lib.sh
start_redis

# Backlog for the stream consumer: group at the start, then the entries (RESP via --pipe).
rc xgroup create trading:events caretaker 0 MKSTREAM >/dev/null
python3 - "$STREAM_ENTRIES" > "$work/xadd.resp" <<'PY'
import sys
venues = ["XNAS", "XNYS", "BATS", "ARCA", "IEX"]
out = sys.stdout
for i in range(int(sys.argv[1])):
    args = ["XADD", "trading:events", "*", "type", "order", "status", "filled", "side",
            "buy" if i % 2 else "sell", "venue", venues[i % 5], "symbol", "S%d" % (i % 1000),
            "latency_ms", "%.3f" % ((i % 997) / 100)]
    out.write("*%d\r\n" % len(args) + "".join("$%d\r\n%s\r\n" % (len(a), a) for a in args))
PY
rc --pipe < "$work/xadd.resp" >/dev/null
# 1,000 symbols and 50 components for the scrape part.
now=$(date +%s)
python3 - "$now" > "$work/keys.resp" <<'PY'
import sys
now = int(sys.argv[1])
def cmd(*a): return "*%d\r\n" % len(a) + "".join("$%d\r\n%s\r\n" % (len(x), x) for x in a)
for i in range(1000): sys.stdout.write(cmd("SET", "md:last:S%d" % i, str(now * 1000)))
for i in range(50): sys.stdout.write(cmd("SET", "heartbeat:c%d" % i, str(now)))
PY
rc --pipe < "$work/keys.resp" >/dev/null

cat > "$work/c.yml" <<YAML
agent: { data_dir: $work/data, instance: bench }
server: { port: $PORT, tokens: [bench], max_body_bytes: 4MiB }
redis: { uri: "redis://127.0.0.1:$RPORT/0" }
trading:
  heartbeats: { pattern: "heartbeat:*", label: component }
  market_data: { pattern: "md:last:*", label: symbol }
  events: { stream: "trading:events", group: caretaker }
  max_label_values: 2000
YAML
start=$(date +%s.%N)
# shellcheck disable=SC2086
java $JAVA_FLAGS -jar target/caretaker.jar serve --config "$work/c.yml" 2>"$work/agent.log" &
pids+=($!); agent=$!
total() { curl -s "http://127.0.0.1:$PORT/metrics?name[]=trading_orders_total" | awk '/^trading_orders_total/ {s += $2} END {printf "%d", s}'; }
wait_ready "$PORT"
ready=$(date +%s.%N)
# The first fifth is the JIT's warm-up; the rest is the rate a running agent sustains.
warm=$((STREAM_ENTRIES / 5))
while (( $(total) < warm )); do sleep 0.02; done
warm_at=$(date +%s.%N)
while (( $(total) < STREAM_ENTRIES )); do sleep 0.02; done
done_at=$(date +%s.%N)
echo "stream: $STREAM_ENTRIES entries consumed in $(python3 -c "print(f'{$done_at - $ready:.2f}')") s after /ready: $(python3 -c "print(f'{$STREAM_ENTRIES / ($done_at - $ready):,.0f}')") events/s; after the first $warm (warm): $(python3 -c "print(f'{($STREAM_ENTRIES - $warm) / ($done_at - $warm_at):,.0f}')") events/s (pending after: $(rc xpending trading:events caretaker | head -1))"

# HTTP ingest: NDJSON batches of 1,000 events.
python3 - > "$work/batch.ndjson" <<'PY'
import json
venues = ["XNAS", "XNYS", "BATS", "ARCA", "IEX"]
for i in range(1000):
    print(json.dumps({"type": "order", "status": "filled", "side": "buy", "venue": venues[i % 5],
                      "symbol": "S%d" % i, "latency_ms": (i % 97) / 10}, separators=(",", ":")))
PY
cat > "$work/post.lua" <<LUA
local f = io.open("$work/batch.ndjson", "rb"); local body = f:read("*a"); f:close()
wrk.method = "POST"; wrk.body = body
wrk.headers["Authorization"] = "Bearer bench"; wrk.headers["Content-Type"] = "application/x-ndjson"
LUA
before=$(total)
wrk -t2 -c4 -d"${WRK_SECONDS}s" --latency -s "$work/post.lua" "http://127.0.0.1:$PORT/api/v1/trading/events" > "$work/wrk-post.txt"
after=$(total)
rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk-post.txt")
grep -q "Non-2xx" "$work/wrk-post.txt" && { cat "$work/wrk-post.txt"; exit 1; }
echo "http: $rps batches/s of 1,000 = $(python3 -c "print(f'{$rps * 1000:,.0f}')") events/s; counted $(( after - before )) events; p99 $(awk '$1 == "99%" {print $2}' "$work/wrk-post.txt")"

# /metrics with 1,000 symbols and 50 components.
sleep 6
series=$(curl -s "http://127.0.0.1:$PORT/metrics" | grep -vc '^#')
bytes=$(curl -s "http://127.0.0.1:$PORT/metrics" | wc -c)
wrk -t2 -c4 -d"${WRK_SECONDS}s" --latency "http://127.0.0.1:$PORT/metrics" > "$work/wrk-get.txt"
echo "scrape: $series series, $bytes bytes; $(awk '/Requests\/sec/ {print $2}' "$work/wrk-get.txt") requests/s, p99 $(awk '$1 == "99%" {print $2}' "$work/wrk-get.txt")"
echo "agent RSS: $(awk '/VmRSS/ {printf "%.1f MiB", $2 / 1024}' "/proc/$agent/status")"
