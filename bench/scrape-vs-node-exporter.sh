#!/usr/bin/env bash
# Scrape throughput, latency, series, bytes, collection time, idle CPU and RSS of caretaker
# against Debian's prometheus-node-exporter, both on loopback, in the same run.
#
#   bench/scrape-vs-node-exporter.sh            # full run: 30 s of wrk each, 300 s idle CPU
#   IDLE_SECONDS=60 WRK_SECONDS=10 bench/scrape-vs-node-exporter.sh   # quicker
#
# Needs: wrk, prometheus-node-exporter, curl (apt-get install -y wrk prometheus-node-exporter).
# Every process it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

WRK_SECONDS=${WRK_SECONDS:-30}
IDLE_SECONDS=${IDLE_SECONDS:-300}
SCRAPE_EVERY=${SCRAPE_EVERY:-15}
CT_PORT=${CT_PORT:-19464}
NE_PORT=${NE_PORT:-19100}
for tool in wrk curl prometheus-node-exporter; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y wrk prometheus-node-exporter curl" >&2; exit 1; }
done
# The flags the README recommends for production (see docs/BENCHMARKS.md for why), the jar, $work.
source bench/lib.sh

cat > "$work/caretaker.yml" <<YAML
agent: { data_dir: $work/data }
server: { port: $CT_PORT }
YAML

prometheus-node-exporter --web.listen-address=127.0.0.1:$NE_PORT >"$work/ne.log" 2>&1 &
pids+=($!); ne_pid=$!
# shellcheck disable=SC2086
java $JAVA_FLAGS -jar target/caretaker.jar serve --config "$work/caretaker.yml" >"$work/ct.log" 2>&1 &
pids+=($!); ct_pid=$!

for url in "http://127.0.0.1:$CT_PORT/ready" "http://127.0.0.1:$NE_PORT/metrics"; do
  for _ in $(seq 1 100); do curl -sf -o /dev/null "$url" && break; sleep 0.1; done
done

series() { curl -s "$1" | grep -vc '^#'; }
bytes() { curl -s "$1" | wc -c; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_mib() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

run_wrk() {  # url -> "requests/s p99_ms"
  wrk -t2 -c4 -d"${WRK_SECONDS}s" --latency "$1" >"$work/wrk.txt"
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' "$work/wrk.txt")
  grep -q "Non-2xx" "$work/wrk.txt" && { echo "wrk saw errors:"; cat "$work/wrk.txt"; exit 1; }
  echo "$rps $p99"
}

ct_url="http://127.0.0.1:$CT_PORT/metrics"
ne_url="http://127.0.0.1:$NE_PORT/metrics"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r), $(java -version 2>&1 | head -1)"
echo "node_exporter: $(prometheus-node-exporter --version 2>&1 | head -1)"
echo "caretaker flags: $JAVA_FLAGS"
echo
ct_series=$(series "$ct_url"); ne_series=$(series "$ne_url")
ct_bytes=$(bytes "$ct_url"); ne_bytes=$(bytes "$ne_url")

read -r ne_rps ne_p99 < <(run_wrk "$ne_url")
read -r ct_rps ct_p99 < <(run_wrk "$ct_url")
ct_rss_load=$(rss_mib "$ct_pid")

printf '%-14s %12s %10s %8s %10s %16s\n' tool "requests/s" "p99 ms" series "bytes" "series/s served"
printf '%-14s %12s %10s %8s %10s %16.0f\n' node_exporter "$ne_rps" "$ne_p99" "$ne_series" "$ne_bytes" "$(echo "$ne_rps * $ne_series" | bc -l)"
printf '%-14s %12s %10s %8s %10s %16.0f\n' caretaker "$ct_rps" "$ct_p99" "$ct_series" "$ct_bytes" "$(echo "$ct_rps * $ct_series" | bc -l)"
echo "ratio: requests/s x$(echo "scale=1; $ct_rps / $ne_rps" | bc -l), p99 x$(echo "scale=3; $ct_p99 / $ne_p99" | bc -l)"
echo "caretaker RSS right after load: ${ct_rss_load} MiB"
echo

# Idle: the 5 s collection plus one scrape every SCRAPE_EVERY seconds, as Prometheus would.
hz=$(getconf CLK_TCK)
t0=$(cpu_ticks "$ct_pid"); n0=$(cpu_ticks "$ne_pid"); start=$(date +%s.%N)
durations=()
end=$((SECONDS + IDLE_SECONDS))
while ((SECONDS < end)); do
  d=$(curl -s "$ct_url?name[]=caretaker_collection_duration_seconds" | awk '/^caretaker_collection_duration_seconds / {print $2}')
  durations+=("$d")
  curl -s -o /dev/null "$ne_url"
  sleep "$SCRAPE_EVERY"
done
elapsed=$(echo "$(date +%s.%N) - $start" | bc -l)
t1=$(cpu_ticks "$ct_pid"); n1=$(cpu_ticks "$ne_pid")
median_ms=$(printf '%s\n' "${durations[@]}" | sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m*1000}')
echo "idle ${IDLE_SECONDS}s (collect every 5 s, scrape every ${SCRAPE_EVERY} s):"
echo "  caretaker CPU: $(echo "scale=3; 100 * ($t1 - $t0) / $hz / $elapsed" | bc -l)% of one core"
echo "  node_exporter CPU: $(echo "scale=3; 100 * ($n1 - $n0) / $hz / $elapsed" | bc -l)% of one core (scraped only)"
echo "  collection cycle median: ${median_ms} ms over ${#durations[@]} samples"
echo "  caretaker RSS: $(rss_mib "$ct_pid") MiB (node_exporter $(rss_mib "$ne_pid") MiB)"
