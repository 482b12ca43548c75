#!/usr/bin/env bash
# PostgreSQL metrics, caretaker against Debian's prometheus-postgres-exporter, on one private
# server (initdb in a temp dir, a free port) with a database of TABLES tables:
#   postgres_exporter: wall time and exporter CPU per scrape (each scrape queries the server);
#   caretaker: the postgres collector's time per cycle (its own gauge), /metrics wall time (served
#   from the last collection), and the agent's CPU per cycle over the same minute.
# Prints the metric families each exposes, for the equivalence table in docs/BENCHMARKS.md.
#
#   bench/postgres-vs-postgres-exporter.sh              # 1,000 tables, 60 scrapes / 60 s
#
# Needs: postgresql (server binaries), prometheus-postgres-exporter, curl; run as root or as a
# user initdb accepts. Every process it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

TABLES=${TABLES:-1000}
SCRAPES=${SCRAPES:-60}
PG_PORT=${PG_PORT:-15499}
CT_PORT=${CT_PORT:-19495}
PE_PORT=${PE_PORT:-19187}
for tool in prometheus-postgres-exporter curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y prometheus-postgres-exporter curl" >&2; exit 1; }
done
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
source bench/lib.sh
cp target/caretaker.jar "$work/caretaker.jar"
chmod 755 "$work"
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir -p "$work/pg" && [[ $(id -u) -ne 0 ]] || chown postgres "$work/pg"
as_pg "$bin/initdb" -D "$work/pg/data" -U caretaker -A trust --no-sync --no-instructions >/dev/null
as_pg "$bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w \
  -o "-p $PG_PORT -k $work/pg -c listen_addresses=127.0.0.1" start >/dev/null
trap 'as_pg "$bin/pg_ctl" -D "$work/pg/data" -m fast stop >/dev/null 2>&1 || true; cleanup' EXIT
psql() { "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U caretaker -qAt "$@"; }
psql -d postgres -c "CREATE DATABASE bench"
psql -d bench -c "DO \$\$ BEGIN FOR i IN 1..$TABLES LOOP
  EXECUTE format('CREATE TABLE t%s (id bigserial PRIMARY KEY, v int)', i);
  EXECUTE format('INSERT INTO t%s (v) SELECT g FROM generate_series(1, 100) g', i);
  EXECUTE format('DELETE FROM t%s WHERE id %% 3 = 0', i); END LOOP; END \$\$"
uri="postgresql://caretaker@127.0.0.1:$PG_PORT/bench"

cat >"$work/c.yml" <<YAML
agent: { data_dir: $work/data }
server: { port: $CT_PORT }
postgres: { databases: [ { name: bench, uri: "$uri" } ] }
YAML
# shellcheck disable=SC2086
java $JAVA_FLAGS -jar "$work/caretaker.jar" serve --config "$work/c.yml" 2>"$work/agent.log" &
ct_pid=$!; pids+=("$ct_pid")
DATA_SOURCE_NAME="$uri?sslmode=disable" prometheus-postgres-exporter \
  --web.listen-address=127.0.0.1:$PE_PORT >"$work/pe.log" 2>&1 &
pe_pid=$!; pids+=("$pe_pid")
wait_ready "$CT_PORT"
for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$PE_PORT/metrics" && break; sleep 0.1; done
sleep 6 # a first full collection, per-table statistics included

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), PostgreSQL $("$bin/postgres" --version | awk '{print $3}'), $(prometheus-postgres-exporter --version 2>&1 | head -1)"
echo "database: $TABLES tables; $SCRAPES scrapes of each, one a second"

pe0=$(ticks "$pe_pid"); ct0=$(ticks "$ct_pid"); pe_times=(); ct_times=(); durations=()
for _ in $(seq 1 "$SCRAPES"); do
  pe_times+=("$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$PE_PORT/metrics")")
  ct_times+=("$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$CT_PORT/metrics")")
  durations+=("$(curl -s "http://127.0.0.1:$CT_PORT/metrics?name[]=caretaker_collector_duration_seconds" | awk '/collector="postgres"/ {print $2}')")
  sleep 1
done
pe1=$(ticks "$pe_pid"); ct1=$(ticks "$ct_pid")
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]*1000}'; }
maxof() { printf '%s\n' "$@" | sort -g | tail -1 | awk '{printf "%.1f", $1*1000}'; }
cycles=$((SCRAPES / 5))
echo "postgres_exporter: scrape median $(median "${pe_times[@]}") ms, max $(maxof "${pe_times[@]}") ms; CPU $(echo "scale=1; 1000 * ($pe1 - $pe0) / $hz / $SCRAPES" | bc -l) ms per scrape"
echo "caretaker: /metrics median $(median "${ct_times[@]}") ms, max $(maxof "${ct_times[@]}") ms; postgres collector median $(median "${durations[@]}") ms, max $(maxof "${durations[@]}") ms per cycle; agent CPU $(echo "scale=1; 1000 * ($ct1 - $ct0) / $hz / $cycles" | bc -l) ms per 5 s cycle (everything it does)"
echo "series: postgres_exporter $(curl -s "http://127.0.0.1:$PE_PORT/metrics" | grep -c '^pg_'), caretaker $(curl -s "http://127.0.0.1:$CT_PORT/metrics" | grep -c '^postgres_\|^caretaker_postgres')"
echo "postgres_exporter families: $(curl -s "http://127.0.0.1:$PE_PORT/metrics" | awk '/^# TYPE pg_/ {print $3}' | tr '\n' ' ')"
