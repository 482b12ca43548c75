#!/usr/bin/env bash
# redis-cleanup against the ways users clean Redis today, each on the same fresh data set in one
# private redis-server (free port, --save ''): 1,000,000 cache:* keys plus 200,000 protected
# position:* keys. While each method runs, another client PINGs Redis and records
# every round trip (bench/redis_ping.py, one PING per millisecond).
#   (a) redis-cli --scan --pattern 'cache:*' | xargs -n 1000 redis-cli unlink
#   (b) one EVAL: KEYS cache:* then DEL in batches of 5,000
#   (c) bounded Lua step: SCAN cursor MATCH cache:* COUNT 1000 + UNLINK, one EVALSHA per step
#   (d) caretaker, min_idle 0        (e) caretaker, min_idle 1s (keys idle for 2 s first)
#   (f) caretaker with its brake loosened (latency_target 20ms), to show what pacing costs
#   (g) the bounded Lua step of (c) with an OBJECT IDLETIME check per key (keys idle for 2 s
#       first): no client round trip at all, so the least an idle filter can cost Redis
# Targets: (d) and (e) at least 3x (a)'s keys/s and within 25% of (c)'s; worst PING under 10 ms;
# every protected key survives.
#   bench/redis-cleanup.sh
# Needs: redis-server, redis-cli, python3, curl.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-19470}
RPORT=${RPORT:-16400}
KEYS_N=${KEYS_N:-1000000}
PROTECTED_N=${PROTECTED_N:-200000}
source bench/lib.sh
start_redis --enable-debug-command local

cat > "$work/c.yml" <<YAML
agent: { data_dir: $work/data, instance: bench }
server: { port: $PORT, tokens: [bench] }
redis: { uri: "redis://127.0.0.1:$RPORT/0" }
rules: []
schedules: []
actions:
  cleanup:      { type: redis-cleanup, patterns: ["cache:*"], protect: ["position:*"], cooldown: 0s }
  cleanup-idle: { type: redis-cleanup, patterns: ["cache:*"], protect: ["position:*"], cooldown: 0s, min_idle: 1s }
  cleanup-loose: { type: redis-cleanup, patterns: ["cache:*"], protect: ["position:*"], cooldown: 0s, latency_target: 20ms }
YAML
# shellcheck disable=SC2086
java $JAVA_FLAGS -jar target/caretaker.jar serve --config "$work/c.yml" 2>"$work/agent.log" &
pids+=($!)
wait_ready "$PORT"

seed() {
  rc flushall >/dev/null
  rc debug populate "$KEYS_N" cache: >/dev/null
  rc debug populate "$PROTECTED_N" position: >/dev/null
}

# Runs "$@" while the PING prober runs; prints one result line.
measure() {
  local name=$1; shift
  seed
  [[ $name == *idle* ]] && sleep 2   # min_idle 1s: let every key become idle
  python3 bench/redis_ping.py "$RPORT" > "$work/ping.txt" &
  local prober=$!
  sleep 0.5   # python start-up and the first PINGs
  local t0 t1
  t0=$(date +%s.%N)
  "$@" > "$work/out.txt"
  t1=$(date +%s.%N)
  kill -TERM "$prober"; wait "$prober" || true
  local left protected
  left=$(rc eval "return #redis.call('KEYS', 'cache:*')" 0)
  protected=$(rc eval "return #redis.call('KEYS', 'position:*')" 0)
  local seconds
  seconds=$(python3 -c "print($t1 - $t0)")
  if [[ -s "$work/seconds" ]]; then seconds=$(cat "$work/seconds"); rm "$work/seconds"; fi
  python3 - "$name" "$KEYS_N" "$left" "$protected" "$PROTECTED_N" "$seconds" "$work/ping.txt" <<'PY'
import sys
name, n, left, protected, protected_n, seconds, ping = sys.argv[1:]
n, left, seconds = int(n), int(left), float(seconds)
p = dict(line.split() for line in open(ping))
print(f"{name:<38} {(n - left) / seconds:>10,.0f} keys/s  {seconds:6.2f} s  "
      f"left {left:>7}  protected {protected}/{protected_n}  "
      f"PING p99 {float(p['p99_ms']):5.2f} ms  worst {float(p['max_ms']):6.2f} ms  ({p['samples']} pings)")
PY
}

redis_cli_xargs() {
  redis-cli -p "$RPORT" --scan --pattern 'cache:*' | xargs -n 1000 redis-cli -p "$RPORT" unlink >/dev/null
}
keys_lua() {
  rc eval "local k = redis.call('KEYS', ARGV[1]) for i = 1, #k, 5000 do
    redis.call('DEL', unpack(k, i, math.min(i + 4999, #k))) end return #k" 0 'cache:*'
}
bounded_lua() { python3 bench/redis_ping.py "$RPORT" --bounded-lua 'cache:*' "$@"; }
caretaker() {
  curl -s -X POST -H "Authorization: Bearer bench" \
    "http://127.0.0.1:$PORT/api/v1/actions/$1/run?wait=true&force=true" > "$work/run.json" \
    || { echo "the agent did not answer; its log:" >&2; cat "$work/agent.log" >&2; return 1; }
  # The run's own duration, from its record (excludes HTTP and curl start-up).
  python3 -c "
import json, datetime
r = json.load(open('$work/run.json'))
assert r['outcome'] == 'success', r
t = lambda s: datetime.datetime.fromisoformat(s.replace('Z', '+00:00'))
print((t(r['finished_at']) - t(r['started_at'])).total_seconds())
d = r['details']
print({k: d[k] for k in d if 'sample' not in k})" > "$work/caretaker.txt"
  head -1 "$work/caretaker.txt" > "$work/seconds"
  tail -1 "$work/caretaker.txt" >&2
}

echo "redis-cleanup benchmark, $(date -u +%F), $(nproc) cores, $(redis-server --version | cut -d' ' -f3),"
echo "$KEYS_N cache:* keys + $PROTECTED_N protected position:* keys"
caretaker cleanup >/dev/null 2>&1 || true   # warm-up run on an empty keyspace (JIT, script load)
rm -f "$work/seconds"
measure "(a) redis-cli --scan | xargs unlink" redis_cli_xargs
measure "(b) KEYS+DEL Lua, batches of 5000" keys_lua
measure "(c) bounded Lua SCAN+UNLINK step" bounded_lua
measure "(d) caretaker redis-cleanup" caretaker cleanup
measure "(e) caretaker redis-cleanup, min_idle" caretaker cleanup-idle
measure "(f) caretaker, latency_target 20ms" caretaker cleanup-loose
measure "(g) bounded Lua step + idle check" bounded_lua 1
