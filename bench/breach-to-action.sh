#!/usr/bin/env bash
# Time from the collection in which a threshold is breached to the rule's action starting.
# Starts the agent RUNS times with a rule that is breached on its first collection
# (host_cpus >= 1, for: 0s) and reads the rule's `since` (the snapshot's time) and the
# run's `started_at` from the API. Target: the action starts within the same cycle.
#   RUNS=5 bench/breach-to-action.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
PORT=${PORT:-19467}
[[ -f target/caretaker.jar ]] || mvn -B -q -ntp package -DskipTests
work=$(mktemp -d)
pid=
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
cat > "$work/c.yml" <<YAML
agent: { data_dir: $work/data }
server: { port: $PORT }
rules:
  - { name: breach, metric: host_cpus, critical: 1, actions: { critical: [mark] } }
actions:
  mark: { type: command, argv: ["true"] }
YAML
for i in $(seq 1 "$RUNS"); do
  rm -rf "$work/data"
  java -jar target/caretaker.jar serve --config "$work/c.yml" 2>"$work/log" &
  pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/api/v1/runs" | grep -q started_at && break; sleep 0.1; done
  since=$(curl -s "http://127.0.0.1:$PORT/api/v1/rules" | python3 -c 'import json,sys; print(json.load(sys.stdin)["rules"][0]["since"])')
  started=$(curl -s "http://127.0.0.1:$PORT/api/v1/runs" | python3 -c 'import json,sys; print(json.load(sys.stdin)["runs"][-1]["started_at"])')
  python3 - "$since" "$started" <<'PY'
import sys
from datetime import datetime
def t(s):  # nanosecond ISO-8601 -> seconds
    head, frac = (s.rstrip("Z").split(".") + ["0"])[:2]
    return datetime.fromisoformat(head).timestamp() + float("0." + frac)
print(f"snapshot -> action start: {(t(sys.argv[2]) - t(sys.argv[1])) * 1000:.2f} ms")
PY
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
done
