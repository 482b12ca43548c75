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
# Every method runs once per round (ROUNDS, default 3), so a slow phase of a shared machine hits
# them all; the summary gives each method's median, and each ratio per round (both sides measured
# in the same round) with its median and how many rounds met the target.
#   bench/redis-cleanup.sh            ROUNDS=1 bench/redis-cleanup.sh
# Needs: redis-server, redis-cli, python3, curl.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-19470}
RPORT=${RPORT:-16400}
KEYS_N=${KEYS_N:-1000000}
ROUNDS=${ROUNDS:-3}
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
with open(sys.argv[7].replace("ping.txt", "results.tsv"), "a") as out:
    ok = left == 0 and protected == protected_n
    print(name[1], (n - left) / seconds, p['max_ms'], p['p99_ms'], ok, sep="\t", file=out)
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
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round of $ROUNDS"
  measure "(a) redis-cli --scan | xargs unlink" redis_cli_xargs
  measure "(b) KEYS+DEL Lua, batches of 5000" keys_lua
  measure "(c) bounded Lua SCAN+UNLINK step" bounded_lua
  measure "(d) caretaker redis-cleanup" caretaker cleanup
  measure "(e) caretaker redis-cleanup, min_idle" caretaker cleanup-idle
  measure "(f) caretaker, latency_target 20ms" caretaker cleanup-loose
  measure "(g) bounded Lua step + idle check" bounded_lua 1
done
python3 - "$work/results.tsv" <<'PY'
import statistics, sys
runs = {}  # method -> [(keys/s, worst ms, p99 ms, all kept)], one per round
for line in open(sys.argv[1]):
    m, rate, worst, p99, ok = line.split("\t")
    runs.setdefault(m, []).append((float(rate), float(worst), float(p99), ok.strip() == "True"))
med = statistics.median
print(f"\nmedians over {len(runs['a'])} rounds")
for m, r in runs.items():
    print(f"({m}) {med(x[0] for x in r):>10,.0f} keys/s  worst PING {med(x[1] for x in r):6.2f} ms "
          f"(max {max(x[1] for x in r):6.2f})  p99 {med(x[2] for x in r):5.2f} ms  "
          f"every protected key kept and every cache key gone: {all(x[3] for x in r)}")
print("ratios, per round, median, rounds meeting the target ((g): what Redis allows an idle filter)")
for num, den, target in (("d", "a", 3), ("d", "c", 0.75), ("e", "a", 3), ("e", "c", 0.75),
                         ("g", "a", 3), ("g", "c", 0.75), ("e", "g", None), ("f", "c", None)):
    q = [x[0] / y[0] for x, y in zip(runs[num], runs[den])]
    met = "" if target is None else f"  >= {target}: {sum(v >= target for v in q)} of {len(q)}"
    print(f"({num})/({den})  {' '.join(f'{v:.2f}' for v in q)}  median {med(q):.2f}{met}")
for m in "de":
    print(f"({m}) worst PING under 10 ms in {sum(x[1] < 10 for x in runs[m])} of {len(runs[m])}")
PY
