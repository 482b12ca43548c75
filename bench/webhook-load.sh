#!/usr/bin/env bash
# The Alertmanager webhook under load: wrk on loopback posting bodies of 10 alerts at about
# RATE requests/s (20 connections, each pausing so the total holds) for SECONDS. The alerts mix
# new fingerprints (trigger an action), repeats (duplicate), alerts for other hosts
# (other_instance) and alerts no route matches (no_route), as a busy Alertmanager would send.
# Prints wrk's latency percentiles and errors, the alert accounting (received = triggered +
# ignored, and = 10 x the requests wrk completed), and the agent's heap after a full GC at the
# start, middle and end. Targets: no errors, p99 under 20 ms, every alert accounted for, heap flat.
#   bench/webhook-load.sh
# Needs: wrk, curl, python3, jcmd.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-19471}
RATE=${RATE:-1000}
SECONDS_=${SECONDS_:-60}
CONNECTIONS=20
source bench/lib.sh

cat > "$work/c.yml" <<YAML
agent: { data_dir: $work/data, instance: bench }
server: { port: $PORT, tokens: [bench] }
rules: []
schedules: []
actions:
  noop: { type: command, argv: ["true"], cooldown: 0s }
alertmanager:
  dedup_window: 10m
  routes:
    - { matchers: ['remediate=~".+"'], action_from_label: remediate }
YAML
# shellcheck disable=SC2086
java $JAVA_FLAGS -jar target/caretaker.jar serve --config "$work/c.yml" 2>"$work/agent.log" &
pids+=($!); agent=$!
wait_ready "$PORT"

# Each connection sends one request every CONNECTIONS/RATE seconds (minus the response time).
cat > "$work/am.lua" <<LUA
local n = 0
local interval = $CONNECTIONS * 1000 / $RATE - 1  -- minus about one round trip
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer bench"
wrk.headers["Content-Type"] = "application/json"
local function alert(i)
  local kind = i % 10
  local instance = kind == 8 and "db7.example:9464" or "127.0.0.1:9464"
  local remediate = kind == 9 and "" or ', "remediate": "noop"'
  -- fingerprints repeat every 2,000 alerts: most are duplicates within the 10m window
  return string.format('{"status": "firing", "labels": {"alertname": "Load%d", "instance": "%s"%s},'
    .. ' "annotations": {}, "startsAt": "2026-11-23T08:18:25.308Z", "endsAt": "0001-01-01T00:00:00Z",'
    .. ' "generatorURL": "http://prometheus/graph", "fingerprint": "%016x"}',
    i % 2000, instance, remediate, i % 2000)
end
request = function()
  local alerts = {}
  for i = 1, 10 do
    n = n + 1
    alerts[i] = alert(n * 7919)
  end
  wrk.body = '{"receiver": "caretaker", "status": "firing", "alerts": [' .. table.concat(alerts, ",")
    .. '], "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://am",'
    .. ' "version": "4", "groupKey": "{}:{}", "truncatedAlerts": 0}'
  return wrk.format()
end
delay = function() return interval end
LUA

metric() { curl -s "http://127.0.0.1:$PORT/metrics?name[]=$1" | awk -v m="$1" '$1 ~ "^"m {s += $2} END {printf "%d", s}'; }
heap() { jcmd "$agent" GC.run >/dev/null; curl -s "http://127.0.0.1:$PORT/metrics?name[]=jvm_memory_used_bytes" | awk '/area="heap"/ {printf "%.1f MiB", $2 / 1048576}'; }

echo "webhook load, $(date -u +%F), $(nproc) cores: ~$RATE requests/s x 10 alerts for ${SECONDS_}s"
h0=$(heap)
wrk -t2 -c$CONNECTIONS -d"${SECONDS_}s" --latency -s "$work/am.lua" "http://127.0.0.1:$PORT/api/v1/alertmanager" > "$work/wrk.txt" &
wrk_pid=$!
sleep $(( SECONDS_ / 2 )); h1=$(heap)
wait $wrk_pid
h2=$(heap)
sed -n '/Latency Distribution/,/requests in/p' "$work/wrk.txt"
grep -E "Requests/sec|Non-2xx|Socket errors" "$work/wrk.txt" || true
requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
received=$(metric caretaker_alerts_received_total)
triggered=$(metric caretaker_alerts_triggered_total)
ignored=$(metric caretaker_alerts_ignored_total)
echo "alerts sent $(( requests * 10 )), received $received, triggered $triggered + ignored $ignored = $(( triggered + ignored ))"
curl -s "http://127.0.0.1:$PORT/metrics?name[]=caretaker_alerts_ignored_total" | grep -v '^#'
echo "runs of noop by outcome (alert trigger):"
curl -s "http://127.0.0.1:$PORT/metrics?name[]=caretaker_action_runs_total" | grep 'trigger="alert"' | grep -v ' 0.0$'
echo "heap after full GC: start $h0, middle $h1, end $h2"
echo "agent RSS: $(awk '/VmRSS/ {printf "%.1f MiB", $2 / 1024}' "/proc/$agent/status")"
