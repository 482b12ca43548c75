#!/usr/bin/env bash
# Live log rotation, caretaker against Debian's logrotate, on the same writer (bench/log_writer.py:
# RATE numbered 200-byte lines a second through O_APPEND, reopening on SIGHUP) for SECONDS each:
#   logrotate copytruncate, and create + postrotate kill -HUP, both forced (-f) every second;
#   caretaker log-rotation rename + signal HUP, and copytruncate, both on max_size (checked every
#   collection, interval 1 s).
# Reports lines lost, duplicated and damaged (bench/log_check.py), rotations, and for caretaker
# how long after crossing max_size each rotation happened (from how far past max_size the
# rotated file is, at the writer's rate).
#
#   bench/log-rotation-vs-logrotate.sh                 # 50,000 lines/s for 60 s each
#   SECONDS_EACH=20 bench/log-rotation-vs-logrotate.sh # quicker
#
# Needs: logrotate, python3, curl. Every process it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

RATE=${RATE:-50000}
SECONDS_EACH=${SECONDS_EACH:-60}
MAX_SIZE_MIB=${MAX_SIZE_MIB:-8}
CT_PORT=${CT_PORT:-19491}
for tool in logrotate python3 curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y logrotate python3 curl" >&2; exit 1; }
done
source bench/lib.sh
cp target/caretaker.jar "$work/caretaker.jar"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(df -T "$work" | awk 'NR==2 {print $2}') under $work, $(logrotate --version 2>&1 | head -1)"
echo "writer: $RATE lines/s of 200 bytes for ${SECONDS_EACH}s per run; caretaker max_size ${MAX_SIZE_MIB} MiB, interval 1s"
printf '%-34s %10s %10s %10s %10s %10s\n' run written lost duplicated damaged rotations

# check NAME DIR WRITTEN FILE... : one result line
check() {
  local name=$1 written=$2; shift 2
  read -r _ lost _ dup _ damaged < <(python3 bench/log_check.py "$written" "$@")
  printf '%-34s %10s %10s %10s %10s %10s\n' "$name" "$written" "$lost" "$dup" "$damaged" "$(($# - 1))"
}

logrotate_run() {  # method: copytruncate | create
  local method=$1 dir="$work/lr-$1"
  mkdir -p "$dir"
  if [[ $method == copytruncate ]]; then
    printf '%s {\n  copytruncate\n  rotate 100000\n  nocompress\n  missingok\n}\n' "$dir/app.log" >"$dir/conf"
  else
    printf '%s {\n  create\n  rotate 100000\n  nocompress\n  missingok\n  postrotate\n    kill -HUP $(cat %s)\n  endscript\n}\n' \
      "$dir/app.log" "$dir/writer.pid" >"$dir/conf"
  fi
  python3 bench/log_writer.py "$dir/app.log" "$dir/writer.pid" "$RATE" "$SECONDS_EACH" >"$dir/written" &
  local writer=$!
  pids+=("$writer")
  while kill -0 "$writer" 2>/dev/null; do
    sleep 1
    logrotate -f -s "$dir/state" "$dir/conf" 2>>"$dir/logrotate.err" || true
  done
  wait "$writer" || true
  # logrotate's numbered files: the highest number is the oldest.
  mapfile -t files < <(find "$dir" -name 'app.log.*' | sort -t. -k3,3nr)
  check "logrotate $method (-f every 1 s)" "$(cat "$dir/written")" "${files[@]}" "$dir/app.log"
}

caretaker_run() {  # method: rename | copytruncate
  local method=$1 dir="$work/ct-$1"
  mkdir -p "$dir/logs"
  local reopen=""
  [[ $method == rename ]] && reopen="signal: { pidfile: $dir/writer.pid, signal: HUP },"
  cat >"$dir/c.yml" <<YAML
agent: { data_dir: $dir/data }
server: { port: $CT_PORT }
collect: { interval: 1s }
actions:
  app-logs: { type: log-rotation, roots: [$dir/logs], method: $method, $reopen
              max_size: ${MAX_SIZE_MIB}MiB, keep: 100000, compress: false }
YAML
  : >"$dir/logs/app.log"
  echo 0 >"$dir/writer.pid"
  # shellcheck disable=SC2086
  java $JAVA_FLAGS -jar "$work/caretaker.jar" serve --config "$dir/c.yml" 2>"$dir/agent.log" &
  local agent=$!
  pids+=("$agent")
  wait_ready "$CT_PORT"
  python3 bench/log_writer.py "$dir/logs/app.log" "$dir/writer.pid" "$RATE" "$SECONDS_EACH" >"$dir/written"
  kill "$agent"; wait "$agent" 2>/dev/null || true
  mapfile -t files < <(find "$dir/logs" -name 'app.log.*' | sort)
  check "caretaker $method (max_size)" "$(cat "$dir/written")" "${files[@]}" "$dir/logs/app.log"
  # Seconds from crossing max_size to the rotation: the overshoot at the writer's byte rate.
  for f in "${files[@]}"; do stat -c %s "$f"; done | awk -v max=$((MAX_SIZE_MIB * 1048576)) -v rate=$((RATE * 200)) '
    { late = ($1 - max) / rate; if (late < 0) late = 0; v[NR] = late }
    END { n = asort(v); if (n) printf "    size crossed -> rotated: median %.2f s, max %.2f s over %d rotations\n", v[int((n + 1) / 2)], v[n], n }'
}

logrotate_run copytruncate
logrotate_run create
caretaker_run rename
caretaker_run copytruncate
