#!/usr/bin/env bash
# caretaker (host + Redis + node_compat) against Debian's prometheus-redis-exporter and
# prometheus-node-exporter, in the same run, on one private redis-server:
#   1. the series each serves for what Grafana 763, the redis-mixin and Grafana 1860's first two
#      rows query (src/test/resources/peer-queries.txt), by metric name;
#   2. Redis time per scrape: INFO commandstats' usec summed, after CONFIG RESETSTAT, with only
#      one of the two asking Redis, both at the same pace (redis_exporter scraped every 5 s,
#      caretaker collecting every 5 s: Redis answers a command slower after an idle spell than
#      back to back, so a burst of scrapes would flatter the exporter);
#   3. CPU over a window scraped every SCRAPE_EVERY s (caretaker also collects every 5 s on its
#      own), per scrape, and RSS at the end: caretaker alone against the two exporters together.
#
#   bench/exporter-parity.sh                 # ROUNDS=2, WINDOW=60 s
#   ROUNDS=1 WINDOW=30 bench/exporter-parity.sh
#
# Needs: prometheus-redis-exporter, prometheus-node-exporter, redis-server, redis-cli, curl.
# Every process it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-2}
WINDOW=${WINDOW:-60}
SCRAPE_EVERY=${SCRAPE_EVERY:-5}
REDIS_SCRAPES=${REDIS_SCRAPES:-6}
CT_PORT=${CT_PORT:-19464}
NE_PORT=${NE_PORT:-19100}
RE_PORT=${RE_PORT:-19121}
RPORT=${RPORT:-16399}
for tool in prometheus-redis-exporter prometheus-node-exporter redis-server redis-cli curl; do
  command -v "$tool" >/dev/null || {
    echo "missing $tool: apt-get install -y prometheus-redis-exporter prometheus-node-exporter redis-server curl" >&2
    exit 1
  }
done
source bench/lib.sh

start_redis
# Some data and traffic, so commandstats, keyspace and the slow log have something to say.
for i in $(seq 1 20); do
  rc eval "for i=1,500 do redis.call('SET','md:last:'..ARGV[1]..i, i) end" 0 "$i" >/dev/null
done
rc config set slowlog-log-slower-than 0 >/dev/null
rc config set latency-monitor-threshold 1 >/dev/null

cat > "$work/caretaker.yml" <<YAML
agent: { data_dir: $work/data }
server: { port: $CT_PORT }
collect: { node_compat: true }
redis: { uri: "redis://127.0.0.1:$RPORT/0" }
YAML

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_mib() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
redis_usec() { rc info commandstats | awk -F'[=,]' '/^cmdstat_/ {s += $4} END {print s + 0}'; }
names() { curl -s "$1" | grep -v '^#' | sed 's/[{ ].*//' | sort -u; }
calls() { rc info commandstats | awk -F'[:=,]' -v c="cmdstat_$1" '$1 == c {print $3}'; }

start_exporters() {
  prometheus-node-exporter --web.listen-address=127.0.0.1:$NE_PORT >"$work/ne.log" 2>&1 &
  pids+=($!); ne_pid=$!
  prometheus-redis-exporter -redis.addr "redis://127.0.0.1:$RPORT" \
    -web.listen-address 127.0.0.1:$RE_PORT >"$work/re.log" 2>&1 &
  pids+=($!); re_pid=$!
  for url in "http://127.0.0.1:$NE_PORT/metrics" "http://127.0.0.1:$RE_PORT/metrics"; do
    for _ in $(seq 1 100); do curl -sf -o /dev/null "$url" && break; sleep 0.1; done
  done
}
stop() { kill "$@" 2>/dev/null || true; wait "$@" 2>/dev/null || true; }
start_caretaker() {
  # Through the launcher, as installed (its flags, or JAVA_FLAGS when given; MALLOC_ARENA_MAX)
  JAVA_OPTS="$JAVA_FLAGS" CARETAKER_JAR="$PWD/target/caretaker.jar" \
    bin/caretaker serve --config "$work/caretaker.yml" >"$work/ct.log" 2>&1 &
  pids+=($!); ct_pid=$!
  wait_ready "$CT_PORT"
  sleep 6 # two collections, so rates and the slow log have been read
}

echo "== series for the peer dashboards' and alerts' metrics"
start_exporters
start_caretaker
wanted=$(grep -v '^#' src/test/resources/peer-queries.txt | sed 's/^[^|]*| //' \
  | grep -oE '\b(redis|node)_[A-Za-z0-9_]+' | sort -u)
names "http://127.0.0.1:$RE_PORT/metrics" > "$work/re.names"
names "http://127.0.0.1:$NE_PORT/metrics" > "$work/ne.names"
names "http://127.0.0.1:$CT_PORT/metrics" > "$work/ct.names"
printf '| metric | redis_exporter / node_exporter | caretaker |\n| --- | --- | --- |\n'
missing=0
for m in $wanted; do
  peer=no; grep -qx "$m" "$work/re.names" "$work/ne.names" && peer=yes
  ours=no; grep -qx "$m" "$work/ct.names" && ours=yes
  [[ $ours == no ]] && missing=$((missing + 1))
  printf '| `%s` | %s | %s |\n' "$m" "$peer" "$ours"
done
echo "metrics the peers' queries use: $(echo "$wanted" | wc -w); caretaker lacks: $missing"
echo "series: redis_exporter $(curl -s "http://127.0.0.1:$RE_PORT/metrics" | grep -vc '^#')," \
  "node_exporter $(curl -s "http://127.0.0.1:$NE_PORT/metrics" | grep -vc '^#')," \
  "caretaker $(curl -s "http://127.0.0.1:$CT_PORT/metrics" | grep -vc '^#')"
stop "$ct_pid" "$re_pid" "$ne_pid"

printf '\n| round | Redis usec per redis_exporter scrape | Redis usec per caretaker collection | CPU ms per scrape: exporters (node + redis) | caretaker | RSS MiB: exporters (node + redis) | caretaker |\n| --- | --- | --- | --- | --- | --- | --- |\n'
for round in $(seq 1 "$ROUNDS"); do
  # Redis time: redis_exporter alone, scraped REDIS_SCRAPES times
  start_exporters
  rc config resetstat >/dev/null
  for _ in $(seq 1 "$REDIS_SCRAPES"); do
    curl -s -o /dev/null "http://127.0.0.1:$RE_PORT/metrics"; sleep 5
  done
  re_usec=$(( $(redis_usec) / REDIS_SCRAPES ))
  # CPU and RSS of the two exporters over the window, scraped every SCRAPE_EVERY s
  t0=$(( $(cpu_ticks "$ne_pid") + $(cpu_ticks "$re_pid") ))
  scrapes=0
  for _ in $(seq 1 $((WINDOW / SCRAPE_EVERY))); do
    curl -s -o /dev/null "http://127.0.0.1:$NE_PORT/metrics"
    curl -s -o /dev/null "http://127.0.0.1:$RE_PORT/metrics"
    scrapes=$((scrapes + 1)); sleep "$SCRAPE_EVERY"
  done
  ex_ms=$(( ($(cpu_ticks "$ne_pid") + $(cpu_ticks "$re_pid") - t0) * 10 / scrapes ))
  ex_rss=$(awk "BEGIN {print $(rss_mib "$ne_pid") + $(rss_mib "$re_pid")}")
  stop "$ne_pid" "$re_pid"

  # caretaker alone: Redis time per collection (every 5 s), then the same window
  start_caretaker
  rc config resetstat >/dev/null
  sleep $((REDIS_SCRAPES * 5))
  cycles=$(calls 'slowlog|len') # one SLOWLOG LEN per collection
  ct_usec=$(( $(redis_usec) / cycles ))
  t0=$(cpu_ticks "$ct_pid")
  scrapes=0
  for _ in $(seq 1 $((WINDOW / SCRAPE_EVERY))); do
    curl -s -o /dev/null "http://127.0.0.1:$CT_PORT/metrics"
    scrapes=$((scrapes + 1)); sleep "$SCRAPE_EVERY"
  done
  ct_ms=$(( ($(cpu_ticks "$ct_pid") - t0) * 10 / scrapes ))
  ct_rss=$(rss_mib "$ct_pid")
  stop "$ct_pid"
  printf '| %d | %d | %d | %d | %d | %s | %s |\n' "$round" "$re_usec" "$ct_usec" "$ex_ms" "$ct_ms" "$ex_rss" "$ct_rss"
done
