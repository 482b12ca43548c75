#!/usr/bin/env bash
# Compressing one large generated log: the file-retention action (through the running agent,
# with the README's JVM flags, so a 48 MiB heap) against `gzip -6` and `pigz -p 1 -6` in the
# same run. Reports MB/s, ratio, and the agent's heap before and after.
#   SIZE_MB=500 bench/compress-vs-gzip.sh
# Needs: gzip, pigz, python3, curl (apt-get install -y pigz).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB=${SIZE_MB:-500}
PORT=${PORT:-19468}
JAVA_FLAGS=${JAVA_FLAGS:-"$(sed -n 's/^JAVA_OPTS_RECOMMENDED="\(.*\)"$/\1/p' bench/jvm-flags)"}
command -v pigz >/dev/null || { echo "missing pigz: apt-get install -y pigz" >&2; exit 1; }
[[ -f target/caretaker.jar ]] || mvn -B -q -ntp package -DskipTests
work=$(mktemp -d)
pid=
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# A deterministic order-router log, compressible like a real one.
python3 - "$work/source.log" "$SIZE_MB" <<'PY'
import random, sys
random.seed(42)
syms = ["AAPL","MSFT","GOOG","AMZN","TSLA","NVDA","META","JPM","XOM","BRK.B"]
venues = ["XNAS","XNYS","BATS","ARCA","IEX"]
levels = ["INFO","INFO","INFO","DEBUG","WARN"]
limit, size, t = int(sys.argv[2]) * 1024 * 1024, 0, 1763888400.0
with open(sys.argv[1], "w") as f:
    while size < limit:
        t += random.random() * 0.002
        line = (f"2026-11-23T{int(t % 86400 // 3600):02d}:{int(t % 3600 // 60):02d}:{t % 60:06.3f}Z "
                f"{random.choice(levels)} [order-router-{random.randint(1, 8)}] o.r.OrderRouter - order "
                f"{random.randint(10**9, 10**10)} {random.choice(['NEW','FILLED','PARTIAL','CANCELLED'])} "
                f"{random.choice(syms)} {random.choice(['BUY','SELL'])} qty={random.randint(1, 5000)} "
                f"px={random.uniform(10, 900):.2f} venue={random.choice(venues)} latency_us={random.randint(80, 4000)}\n")
        f.write(line); size += len(line)
PY
bytes=$(stat -c %s "$work/source.log")
mbps() { python3 -c "print(f'{$1 / 1e6 / $2:.1f}')"; }
timed() { local s e; s=$(date +%s.%N); "$@"; e=$(date +%s.%N); python3 -c "print($e - $s)"; }

cp "$work/source.log" "$work/g.log"; sync
t_gzip=$(timed gzip -6 "$work/g.log"); r_gzip=$(python3 -c "print(f'{$bytes / $(stat -c %s "$work/g.log.gz"):.3f}')")
cp "$work/source.log" "$work/p.log"; sync
t_pigz=$(timed pigz -p 1 -6 "$work/p.log"); r_pigz=$(python3 -c "print(f'{$bytes / $(stat -c %s "$work/p.log.gz"):.3f}')")

mkdir -p "$work/logs"; cp "$work/source.log" "$work/logs/app.log.1"; touch -d '2 days ago' "$work/logs/app.log.1"; sync
cat > "$work/c.yml" <<YAML
agent: { data_dir: $work/data }
server: { port: $PORT, tokens: [bench] }
actions:
  logs: { type: file-retention, roots: [$work/logs], compress_after: 1d, compression_level: 6 }
YAML
# shellcheck disable=SC2086
java $JAVA_FLAGS -jar target/caretaker.jar serve --config "$work/c.yml" 2>"$work/agent.log" &
pid=$!
for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/ready" && break; sleep 0.1; done
heap() { curl -s "http://127.0.0.1:$PORT/metrics?name[]=jvm_memory_used_bytes" | awk -F' ' '/area="heap"/ {printf "%.1f", $2/1048576}'; }
heap_before=$(heap)
record=$(curl -s -XPOST -H 'Authorization: Bearer bench' "http://127.0.0.1:$PORT/api/v1/actions/logs/run?wait=true")
sleep 6  # the next collection samples the heap after the run
heap_after=$(heap)
read -r t_ct gz_bytes outcome < <(python3 -c '
import json, sys
from datetime import datetime
r = json.loads(sys.argv[1])
def t(s):
    head, frac = (s.rstrip("Z").split(".") + ["0"])[:2]
    return datetime.fromisoformat(head).timestamp() + float("0." + frac)
print(t(r["finished_at"]) - t(r["started_at"]), r["details"]["bytes_after"], r["outcome"])' "$record")
[[ $outcome == success ]] || { echo "action failed: $record"; exit 1; }
zcat "$work/logs/app.log.1.gz" | cmp - "$work/source.log" && echo "round trip: identical"
r_ct=$(python3 -c "print(f'{$bytes / $gz_bytes:.3f}')")

echo "file: $((bytes / 1048576)) MiB generated log; machine: $(nproc) cores, $(java -version 2>&1 | head -1)"
printf '%-26s %8s %8s %8s\n' tool seconds "MB/s" ratio
printf '%-26s %8.2f %8s %8s\n' "gzip -6 ($(gzip --version | head -1 | awk '{print $2}'))" "$t_gzip" "$(mbps "$bytes" "$t_gzip")" "$r_gzip"
printf '%-26s %8.2f %8s %8s\n' "pigz -p 1 -6" "$t_pigz" "$(mbps "$bytes" "$t_pigz")" "$r_pigz"
printf '%-26s %8.2f %8s %8s\n' "caretaker file-retention" "$t_ct" "$(mbps "$bytes" "$t_ct")" "$r_ct"
echo "caretaker vs gzip: x$(python3 -c "print(f'{$t_gzip / $t_ct:.2f}')") throughput, ratio $(python3 -c "print(f'{($r_ct - $r_gzip) / $r_gzip * 100:+.2f}')")% (+ = smaller file)"
echo "compressor: $(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["details"].get("compressor"))' "$record")"
echo "agent heap used: ${heap_before} MiB before, ${heap_after} MiB after (-Xmx48m)"
