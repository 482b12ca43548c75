#!/usr/bin/env bash
# Retention under a concurrent insert load: deleting ROWS old rows of a table with one
# `DELETE ... WHERE`, against caretaker's postgres-maintenance retention (batches by primary key,
# each its own transaction), while pgbench inserts into the same table from CLIENTS sessions.
# Reports the delete's duration, the inserts' latency (p99, max, how many over 50 ms, from
# pgbench's per-transaction log) and the most lock requests seen waiting at once (pg_locks,
# sampled every 50 ms by one psql session).
#
#   bench/postgres-retention.sh                  # 1,000,000 old rows, 4 insert clients
#
# Needs: postgresql (server binaries and pgbench), curl. Every process it starts is stopped.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-1000000}
CLIENTS=${CLIENTS:-4}
BATCH=${BATCH:-5000}
PG_PORT=${PG_PORT:-15497}
CT_PORT=${CT_PORT:-19497}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
source bench/lib.sh
cp target/caretaker.jar "$work/caretaker.jar"
chmod 755 "$work"
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir -p "$work/pg" && { [[ $(id -u) -ne 0 ]] || chown postgres "$work/pg"; }
as_pg "$bin/initdb" -D "$work/pg/data" -U caretaker -A trust --no-sync --no-instructions >/dev/null
as_pg "$bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w \
  -o "-p $PG_PORT -k $work/pg -c listen_addresses=127.0.0.1 -c autovacuum=off" start >/dev/null
trap 'as_pg "$bin/pg_ctl" -D "$work/pg/data" -m fast stop >/dev/null 2>&1 || true; cleanup' EXIT
psql() { "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U caretaker -qAt -d bench "$@"; }
"$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U caretaker -qAt -d postgres -c "CREATE DATABASE bench"

cat >"$work/c.yml" <<YAML
agent: { data_dir: $work/data }
server: { port: $CT_PORT, tokens: [bench] }
postgres: { databases: [ { name: bench, uri: "postgresql://caretaker@127.0.0.1:$PG_PORT/bench" } ] }
actions:
  retention: { type: postgres-maintenance, database: bench, timeout: 30m, max_rows: $ROWS,
               vacuum: { dead_ratio: 1.0, dead_tuples: 2000000000 },
               retention: [ { table: trade_log, column: created_at, older_than: 365d, batch: $BATCH } ] }
YAML
# shellcheck disable=SC2086
java $JAVA_FLAGS -jar "$work/caretaker.jar" serve --config "$work/c.yml" 2>"$work/agent.log" &
pids+=($!)
wait_ready "$CT_PORT"
echo "INSERT INTO trade_log (created_at, payload) VALUES (now(), 'order');" >"$work/insert.sql"

setup() {
  psql -c "DROP TABLE IF EXISTS trade_log" -c "CREATE TABLE trade_log (id bigserial PRIMARY KEY,
    created_at timestamptz NOT NULL, payload text)" -c "CREATE INDEX ON trade_log (created_at)" \
    -c "INSERT INTO trade_log (created_at, payload) SELECT now() - interval '400 days', 'old'
        FROM generate_series(1, $ROWS)" -c "VACUUM ANALYZE trade_log" >/dev/null
}

# run NAME COMMAND...: the insert load around one delete
run() {
  local name=$1; shift
  setup
  rm -f "$work"/pgbench_log.*
  (cd "$work" && "$bin/pgbench" -h 127.0.0.1 -p "$PG_PORT" -U caretaker -n -c "$CLIENTS" -T 600 \
    -f insert.sql -l bench >/dev/null 2>&1) &
  local load=$!
  sleep 2
  local max_wait=0 start end
  # One session samples (\watch), not a psql process every 50 ms: the sampler must not be the load.
  echo "SELECT count(*) FROM pg_locks WHERE NOT granted \\watch 0.05" |
    psql >"$work/waits" 2>/dev/null &
  local sampler=$!
  start=$(date +%s.%N)
  "$@" >/dev/null
  end=$(date +%s.%N)
  sleep 2
  kill "$sampler" "$load" 2>/dev/null; wait "$load" 2>/dev/null || true
  max_wait=$(sort -n "$work/waits" | tail -1)
  # pgbench -l: client_id transaction_no time(us) script_no epoch epoch_us
  cat "$work"/pgbench_log.* | awk -v name="$name" -v secs="$(echo "$end - $start" | bc -l)" -v waits="$max_wait" '
    { v[NR] = $3 / 1000; if ($3 > 50000) over++ }
    END { n = asort(v); printf "%-28s delete %6.1f s   inserts %7d   p99 %6.2f ms   max %7.2f ms   over 50 ms %5d   most locks waiting %s\n",
          name, secs, n, v[int(n * 0.99)], v[n], over + 0, waits }'
  echo "    rows left old: $(psql -c "SELECT count(*) FROM trade_log WHERE created_at < now() - interval '365 days'")"
}

echo "machine: $(nproc) cores, PostgreSQL $("$bin/postgres" --version | awk '{print $3}'); $ROWS old rows, $CLIENTS insert clients, caretaker batch $BATCH"
run "single DELETE ... WHERE" psql -c "DELETE FROM trade_log WHERE created_at < now() - interval '365 days'"
run "caretaker retention" curl -sf -XPOST -H 'Authorization: Bearer bench' \
  "http://127.0.0.1:$CT_PORT/api/v1/actions/retention/run?wait=true"
