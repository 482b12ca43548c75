#!/usr/bin/env bash
# Secrets in logs: caretaker's security-audit against `grep -P -c` with the same patterns, on one
# core (taskset), over SIZE_MB of realistic trading log lines with 100 planted secrets; then an
# incremental rerun after appending 10 MB.
#
#   bench/secrets-vs-grep.sh              # 1024 MB
#   SIZE_MB=200 bench/secrets-vs-grep.sh  # quicker
#
# Needs: grep with -P, curl, taskset. Every process it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB=${SIZE_MB:-1024}
CT_PORT=${CT_PORT:-19496}
source bench/lib.sh
cp target/caretaker.jar "$work/caretaker.jar"
mkdir -p "$work/logs"

python3 - "$work/logs/app.log" "$SIZE_MB" <<'PY'
import random, sys
path, size = sys.argv[1], int(sys.argv[2]) * 1024 * 1024
rnd = random.Random(7)
secrets = ["AKIA" + "".join(rnd.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16)),
           "ghp_" + "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(36)),
           "password=" + "".join(rnd.choice("abcdefghijk0123456789") for _ in range(12))]
venues = ["XNAS", "XNYS", "BATS", "ARCA", "EDGX"]
written, planted, n = 0, 0, 0
every = size // 200 // 100  # about 100 secrets over the file
with open(path, "w") as f:
    while written < size:
        n += 1
        line = (f"2026-12-02T10:{n % 60:02d}:{n % 59:02d}.{n % 1000:03d}Z INFO  [router-{n % 8}] o.t.Router - "
                f"order {n} {rnd.choice(venues)} side={rnd.choice(['buy','sell'])} qty={n % 977} "
                f"px={100 + n % 50}.{n % 100:02d} latency_us={n % 4000} status=filled\n")
        if planted < 100 and n % every == 0:
            line = line[:-1] + " debug " + secrets[planted % 3] + "\n"
            planted += 1
        f.write(line)
        written += len(line)
print(planted, file=sys.stderr)
PY
bytes=$(stat -c %s "$work/logs/app.log")
pattern='(?:AKIA|ASIA)[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36,255}|xox[abposr]-[A-Za-z0-9-]{10,}|\d{8,10}:AA[A-Za-z0-9_-]{33}|eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}|[a-z][a-z0-9+.-]*://[^\s:/@]+:[^\s@/]{3,}@|(?i:bearer)\s+[A-Za-z0-9._~+/-]{20,}|(?i:password|passwd|pwd|secret|api[_-]?key|apikey|access[_-]?token|auth[_-]?token|client[_-]?secret)\s*[=:]\s*["'"'"']?[^\s"'"'"',;&]{6,}|-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----'
cat "$work/logs/app.log" >/dev/null # both read from the page cache
start=$(date +%s.%N)
grep_lines=$(LC_ALL=C taskset -c 0 grep -P -c "$pattern" "$work/logs/app.log")
grep_s=$(echo "$(date +%s.%N) - $start" | bc -l)

cat >"$work/c.yml" <<YAML
agent: { data_dir: $work/data }
server: { port: $CT_PORT, tokens: [bench] }
actions:
  audit: { type: security-audit, roots: [$work/logs], timeout: 1h, cooldown: 0s }
YAML
# shellcheck disable=SC2086
taskset -c 0 java $JAVA_FLAGS -jar "$work/caretaker.jar" serve --config "$work/c.yml" 2>"$work/agent.log" &
pids+=($!)
wait_ready "$CT_PORT"
run() { curl -sf -XPOST -H 'Authorization: Bearer bench' "http://127.0.0.1:$CT_PORT/api/v1/actions/audit/run?wait=true"; }
start=$(date +%s.%N); first=$(run); ct_s=$(echo "$(date +%s.%N) - $start" | bc -l)
found=$(echo "$first" | python3 -c 'import json,sys; d=json.load(sys.stdin)["details"]; print(d["findings"], d["bytes_scanned"])')
head -c $((10 * 1024 * 1024)) "$work/logs/app.log" >>"$work/logs/app.log"
start=$(date +%s.%N); second=$(run); inc_s=$(echo "$(date +%s.%N) - $start" | bc -l)
inc=$(echo "$second" | python3 -c 'import json,sys; d=json.load(sys.stdin)["details"]; print(d["findings"], d["bytes_scanned"])')

echo "machine: $(nproc) cores (both pinned to core 0), $(java -version 2>&1 | head -1), $(grep --version | head -1)"
echo "log: $((bytes / 1048576)) MiB, 100 planted secrets"
printf 'grep -P -c:  %6.1f s  %7.1f MB/s  %s matching lines\n' "$grep_s" "$(echo "$bytes / $grep_s / 1000000" | bc -l)" "$grep_lines"
printf 'caretaker:   %6.1f s  %7.1f MB/s  findings and bytes read: %s\n' "$ct_s" "$(echo "$bytes / $ct_s / 1000000" | bc -l)" "$found"
printf 'incremental after appending 10 MiB: %.2f s, findings and bytes read: %s\n' "$inc_s" "$inc"
