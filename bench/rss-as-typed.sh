#!/usr/bin/env bash
# The README's run command as typed (bin/caretaker serve, the embedded default config) against
# the bare `java -jar target/caretaker.jar serve` it replaced, and the same command with Redis
# collection and node_exporter's names on (a private redis-server with 10,000 keys): idle RSS
# over IDLE_SECONDS, then /metrics request rate of the launcher-started agent against Debian's
# node_exporter, in the same run. The three agents run at once, idle, as a user would leave them.
#
#   bench/rss-as-typed.sh                     # 300 s idle, 20 s of wrk each
#   IDLE_SECONDS=60 bench/rss-as-typed.sh     # quicker
#
# Needs: wrk, prometheus-node-exporter, redis-server, redis-cli, curl. Every process it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

IDLE_SECONDS=${IDLE_SECONDS:-300}
WRK_SECONDS=${WRK_SECONDS:-20}
TYPED_PORT=${TYPED_PORT:-19481}
BARE_PORT=${BARE_PORT:-19482}
REDIS_PORT=${REDIS_PORT:-19483}
RPORT=${RPORT:-16398}
NE_PORT=${NE_PORT:-19183}
for tool in wrk curl prometheus-node-exporter redis-server redis-cli; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y wrk prometheus-node-exporter redis-server curl" >&2; exit 1; }
done
source bench/lib.sh
repo=$PWD

mkdir -p "$work/typed" "$work/bare" "$work/redis"
start_redis
for i in $(seq 1 20); do
  rc eval "for i=1,500 do redis.call('SET','md:last:'..ARGV[1]..i, i) end" 0 "$i" >/dev/null
done
cat > "$work/redis/caretaker.yml" <<YAML
server: { port: $REDIS_PORT }
collect: { node_compat: true }
redis: { uri: "redis://127.0.0.1:$RPORT/0" }
YAML
# A private copy of the jar: a rebuild during the run must not pull classes from under the agents.
cp target/caretaker.jar "$work/caretaker.jar"
# The same default config for both (data in ./caretaker-data); only the port differs.
(cd "$work/typed" && CARETAKER_JAR=$work/caretaker.jar CARETAKER_PORT=$TYPED_PORT exec "$repo/bin/caretaker" serve) 2>"$work/typed.log" &
pids+=($!); typed_pid=$!
(cd "$work/bare" && CARETAKER_PORT=$BARE_PORT exec java -jar "$work/caretaker.jar" serve) 2>"$work/bare.log" &
pids+=($!); bare_pid=$!
(cd "$work/redis" && CARETAKER_JAR=$work/caretaker.jar exec "$repo/bin/caretaker" serve --config caretaker.yml) 2>"$work/redis.log" &
pids+=($!); redis_pid=$!
prometheus-node-exporter --web.listen-address=127.0.0.1:$NE_PORT >"$work/ne.log" 2>&1 &
pids+=($!); ne_pid=$!
wait_ready "$TYPED_PORT"; wait_ready "$BARE_PORT"; wait_ready "$REDIS_PORT"

rss_mib() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)"
echo "typed: bin/caretaker serve    +redis: the same with Redis and node names    bare: java -jar target/caretaker.jar serve"
echo "idle ${IDLE_SECONDS}s, one scrape of each every 15 s:"
printf '%8s %12s %12s %12s\n' seconds "typed MiB" "+redis MiB" "bare MiB"
start=$SECONDS
next=0
while ((SECONDS - start < IDLE_SECONDS)); do
  curl -s -o /dev/null "http://127.0.0.1:$TYPED_PORT/metrics"
  curl -s -o /dev/null "http://127.0.0.1:$BARE_PORT/metrics"
  curl -s -o /dev/null "http://127.0.0.1:$REDIS_PORT/metrics"
  if ((SECONDS - start >= next)); then
    printf '%8d %12s %12s %12s\n' $((SECONDS - start)) "$(rss_mib $typed_pid)" "$(rss_mib $redis_pid)" "$(rss_mib $bare_pid)"
    next=$((next + 60))
  fi
  sleep 15
done
printf '%8d %12s %12s %12s\n' $((SECONDS - start)) "$(rss_mib $typed_pid)" "$(rss_mib $redis_pid)" "$(rss_mib $bare_pid)"
kill "$bare_pid" "$redis_pid"

run_wrk() {  # url -> requests/s
  wrk -t2 -c4 -d"${WRK_SECONDS}s" "$1" | awk '/Requests\/sec/ {print $2}'
}
ne=$(run_wrk "http://127.0.0.1:$NE_PORT/metrics")
ct=$(run_wrk "http://127.0.0.1:$TYPED_PORT/metrics")
echo "/metrics requests/s: node_exporter $ne, typed caretaker $ct (x$(echo "scale=1; $ct / $ne" | bc -l))"
echo "typed caretaker RSS after the load: $(rss_mib $typed_pid) MiB"
