#!/usr/bin/env python3
"""Writes host.json, trading.json and caretaker.json (Grafana 10+ dashboards) from the panel
lists below, so every panel gets the same datasource, `job` and `instance` variables, a unit, a
description and, for metrics the default rules watch, the rules' thresholds.

    python3 dashboards/generate.py      # rewrites dashboards/*.json

The test suite runs every query below against a real Prometheus scraping a real agent.
"""
import json
import os

SEL = 'job=~"$job", instance=~"$instance"'
RATE = "$__rate_interval"

# Thresholds of the default rules (docs/configuration.md; `caretaker rules export`).
CPU = [0.70, 0.80]
MEMORY = [0.75, 0.85]
DISK = [0.80, 0.90]


def panel(title, description, unit, targets, thresholds=None, kind="timeseries", width=12,
          reverse=False, max_=None, no_data=None):
    """no_data: what the panel says while its series do not exist yet (no run, no Redis, ...);
    the test suite demands it of every panel that is empty on an agent with the default config."""
    return dict(title=title, description=description, unit=unit, targets=targets,
                thresholds=thresholds, kind=kind, width=width, reverse=reverse, max=max_,
                no_data=no_data)


def t(expr, legend=""):
    return {"expr": expr, "legend": legend}


HOST = [
    panel("CPU utilization", "Share of CPU time not idle, all cores (host_cpu_utilization_ratio). "
          "Lines: the cpu-high rule's warning and critical thresholds.", "percentunit",
          [t(f"host_cpu_utilization_ratio{{{SEL}}}", "{{instance}}")], CPU, max_=1),
    panel("CPU by mode", "CPU seconds per second by mode, divided by the number of CPUs.",
          "percentunit",
          [t(f"sum by (instance, mode) (rate(host_cpu_seconds_total{{{SEL}}}[{RATE}])) "
             f"/ on (instance) group_left host_cpus{{{SEL}}}", "{{instance}} {{mode}}")],
          max_=1),
    panel("Load average", "1, 5 and 15 minute load averages; compare with the CPU count.", "short",
          [t(f"host_load1{{{SEL}}}", "{{instance}} 1m"), t(f"host_load5{{{SEL}}}", "{{instance}} 5m"),
           t(f"host_load15{{{SEL}}}", "{{instance}} 15m"), t(f"host_cpus{{{SEL}}}", "{{instance}} CPUs")]),
    panel("Memory used", "Used share of memory (host_memory_used_ratio, from available memory). "
          "Lines: the memory-high rule's thresholds.", "percentunit",
          [t(f"host_memory_used_ratio{{{SEL}}}", "{{instance}}")], MEMORY, max_=1),
    panel("Memory", "Total and available memory, and swap in use.", "bytes",
          [t(f"host_memory_total_bytes{{{SEL}}}", "{{instance}} total"),
           t(f"host_memory_available_bytes{{{SEL}}}", "{{instance}} available"),
           t(f"host_swap_used_bytes{{{SEL}}}", "{{instance}} swap used"),
           t(f"host_swap_total_bytes{{{SEL}}}", "{{instance}} swap total")]),
    panel("Filesystem used", "Used share of each filesystem. Lines: the disk-full rule's thresholds.",
          "percentunit", [t(f"host_filesystem_used_ratio{{{SEL}}}", "{{instance}} {{mountpoint}}")],
          DISK, max_=1),
    panel("Filesystem free space", "Bytes available to unprivileged users, and size, per filesystem.",
          "bytes", [t(f"host_filesystem_avail_bytes{{{SEL}}}", "{{instance}} {{mountpoint}} free"),
                    t(f"host_filesystem_size_bytes{{{SEL}}}", "{{instance}} {{mountpoint}} size")]),
    panel("Inodes free", "Share of inodes still free per filesystem.", "percentunit",
          [t(f"host_filesystem_files_free{{{SEL}}} / host_filesystem_files{{{SEL}}}",
             "{{instance}} {{mountpoint}}")], max_=1),
    panel("Disk I/O", "Bytes read and written per second per disk.", "Bps",
          [t(f"rate(host_disk_read_bytes_total{{{SEL}}}[{RATE}])", "{{instance}} {{device}} read"),
           t(f"rate(host_disk_written_bytes_total{{{SEL}}}[{RATE}])", "{{instance}} {{device}} written")]),
    panel("Network traffic", "Bytes received and sent per second per interface.", "Bps",
          [t(f"rate(host_network_receive_bytes_total{{{SEL}}}[{RATE}])", "{{instance}} {{interface}} in"),
           t(f"rate(host_network_transmit_bytes_total{{{SEL}}}[{RATE}])", "{{instance}} {{interface}} out")]),
    panel("Network errors", "Receive and transmit errors per second per interface.", "pps",
          [t(f"rate(host_network_errors_total{{{SEL}}}[{RATE}])", "{{instance}} {{interface}} {{direction}}")]),
    panel("File descriptors", "Open file descriptors on the host and the system-wide limit.", "short",
          [t(f"host_file_descriptors_open{{{SEL}}}", "{{instance}} open"),
           t(f"host_file_descriptors_max{{{SEL}}}", "{{instance}} max")]),
    panel("Processes and threads", "Processes and threads on the host.", "short",
          [t(f"host_processes{{{SEL}}}", "{{instance}} processes"),
           t(f"host_threads{{{SEL}}}", "{{instance}} threads")]),
    panel("Uptime", "Time since the host booted.", "s",
          [t(f"time() - host_boot_time_seconds{{{SEL}}}", "{{instance}}")], kind="stat"),
]

TRADING = [
    panel("Orders by status", "Order events per second by status (HTTP and the Redis stream).",
          "ops", [t(f"sum by (status) (rate(trading_orders_total{{{SEL}}}[{RATE}]))", "{{status}}")], no_data="no order events yet"),
    panel("Reject ratio by venue", "Rejected orders as a share of all orders, per venue. Line: the "
          "TradingRejectRatioHigh alert's 5%.", "percentunit",
          [t(f'sum by (venue) (rate(trading_orders_total{{status="rejected", {SEL}}}[{RATE}])) '
             f"/ sum by (venue) (rate(trading_orders_total{{{SEL}}}[{RATE}]))", "{{venue}}")],
          [0.05], max_=1, no_data="no order events yet"),
    panel("Order latency quantiles", "p50, p90 and p99 order latency from the "
          "trading_order_latency_seconds histogram, all venues.", "s",
          [t(f"histogram_quantile({q}, sum by (le) (rate(trading_order_latency_seconds_bucket{{{SEL}}}[{RATE}])))",
             f"p{int(q * 100)}") for q in (0.5, 0.9, 0.99)], no_data="no order events with latency yet"),
    panel("Order latency p99 by venue", "p99 order latency per venue.", "s",
          [t(f"histogram_quantile(0.99, sum by (venue, le) (rate(trading_order_latency_seconds_bucket{{{SEL}}}[{RATE}])))",
             "{{venue}}")], no_data="no order events with latency yet"),
    panel("PnL", "The trading:pnl hash's numeric fields (trading_pnl_usd{period}); configure yours "
          "under trading.hashes.", "currencyUSD",
          [t(f"trading_pnl_usd{{{SEL}}}", "{{period}}")], kind="stat", no_data="no trading.hashes configured, or Redis unreachable"),
    panel("Open positions", "Size of the positions:open key (trading_open_positions); configure "
          "yours under trading.sizes.", "short", [t(f"trading_open_positions{{{SEL}}}", "{{instance}}")],
          kind="stat", no_data="no trading.sizes configured, or Redis unreachable"),
    panel("Heartbeat age", "Seconds since each component's last heartbeat. Line: the "
          "TradingHeartbeatStale alert's 30 s.", "s",
          [t(f"trading_heartbeat_age_seconds{{{SEL}}}", "{{component}}")], [30], no_data="no trading.heartbeats configured, or Redis unreachable"),
    panel("Market data staleness", "Seconds since the last tick, for the 20 stalest symbols. Line: "
          "the TradingMarketDataStale alert's 10 s.", "s",
          [t(f"topk(20, trading_market_data_age_seconds{{{SEL}}})", "{{symbol}}")], [10], no_data="no trading.market_data configured, or Redis unreachable"),
    panel("Trading processes up", "1 while a process matching the component's pattern runs.",
          "bool_yes_no", [t(f"trading_process_up{{{SEL}}}", "{{component}}")], kind="stat", no_data="no trading.processes configured"),
    panel("Trading process memory", "Resident memory per trading process.", "bytes",
          [t(f"trading_process_resident_memory_bytes{{{SEL}}}", "{{component}}")], no_data="no trading.processes configured"),
    panel("Trading process CPU", "CPU seconds per second per trading process.", "percentunit",
          [t(f"rate(trading_process_cpu_seconds_total{{{SEL}}}[{RATE}])", "{{component}}")], no_data="no trading.processes configured"),
    panel("Rejected events", "Order events refused by caretaker (bad fields), per second by reason.",
          "ops", [t(f"sum by (reason) (rate(trading_events_rejected_total{{{SEL}}}[{RATE}]))", "{{reason}}")]),
]

CARETAKER = [
    panel("Health score", "caretaker's 0-100 health score (rules firing, resources near full).",
          "none", [t(f"caretaker_health_score{{{SEL}}}", "{{instance}}")], [50, 80], kind="stat",
          reverse=True, max_=100),
    panel("Rule states", "Each rule instance: 0 ok, 1 pending, 2 warning, 3 critical.", "none",
          [t(f"caretaker_rule_state{{{SEL}}}", "{{instance}} {{rule}}")], [2, 3], max_=3),
    panel("Action runs by outcome", "Runs per interval by action and outcome (success, failure, "
          "skipped, timeout).", "short",
          [t(f"sum by (action, outcome) (increase(caretaker_action_runs_total{{{SEL}}}[{RATE}]))",
             "{{action}} {{outcome}}")]),
    panel("Action duration p90", "90th percentile run duration per action.", "s",
          [t(f"histogram_quantile(0.9, sum by (action, le) (rate(caretaker_action_duration_seconds_bucket{{{SEL}}}[{RATE}])))",
             "{{action}}")]),
    panel("Bytes freed", "Disk and heap freed by actions, per interval.", "bytes",
          [t(f"sum by (action) (increase(caretaker_bytes_freed_total{{{SEL}}}[{RATE}]))", "{{action}}")], no_data="no jvm-gc or file-retention run yet"),
    panel("Files compressed and deleted", "Files handled by file-retention per interval.", "short",
          [t(f"sum by (action) (increase(caretaker_files_compressed_total{{{SEL}}}[{RATE}]))", "{{action}} compressed"),
           t(f"sum by (action) (increase(caretaker_files_deleted_total{{{SEL}}}[{RATE}]))", "{{action}} deleted")]),
    panel("Live log sizes", "Size of each live log of a log-rotation action, every cycle; a "
          "sawtooth means rotation keeps up.", "bytes",
          [t(f"caretaker_log_file_bytes{{{SEL}}}", "{{file}}")], no_data="no log-rotation action configured"),
    panel("Log rotations", "Live logs rotated per interval, by set and method; bytes a "
          "copytruncate fallback may have lost.", "short",
          [t(f"sum by (set, method) (increase(caretaker_log_rotations_total{{{SEL}}}[{RATE}]))", "{{set}} {{method}}"),
           t(f"sum by (set) (increase(caretaker_log_rotation_at_risk_bytes_total{{{SEL}}}[{RATE}]))", "{{set}} bytes at risk")],
          no_data="no log-rotation action configured"),
    panel("PostgreSQL up", "1 while caretaker reaches each database.", "bool_yes_no",
          [t(f"caretaker_postgres_up{{{SEL}}}", "{{db}}")], kind="stat", no_data="no postgres section configured"),
    panel("PostgreSQL connections", "Client connections by state, and max_connections.", "short",
          [t(f"sum by (db, state) (postgres_connections{{{SEL}}})", "{{db}} {{state}}"),
           t(f"postgres_max_connections{{{SEL}}}", "{{db}} max")], no_data="no postgres section configured"),
    panel("PostgreSQL transactions", "Commits and rollbacks per second.", "ops",
          [t(f"sum by (db) (rate(postgres_transactions_committed_total{{{SEL}}}[{RATE}]))", "{{db}} commits"),
           t(f"sum by (db) (rate(postgres_transactions_rolled_back_total{{{SEL}}}[{RATE}]))", "{{db}} rollbacks")],
          no_data="no postgres section configured"),
    panel("PostgreSQL dead rows", "Dead rows as a share of each watched table; the maintenance "
          "action vacuums tables past its dead_ratio.", "percentunit",
          [t(f"postgres_table_dead_ratio{{{SEL}}}", "{{db}} {{table}}")], [0.2, 0.3], max_=1,
          no_data="no postgres section configured"),
    panel("PostgreSQL oldest transaction", "Age of the oldest open transaction, and of the oldest "
          "idle-in-transaction session.", "s",
          [t(f"postgres_oldest_transaction_age_seconds{{{SEL}}}", "{{db}} oldest"),
           t(f"postgres_oldest_idle_in_transaction_age_seconds{{{SEL}}}", "{{db}} idle in transaction")],
          [3600], no_data="no postgres section configured"),
    panel("PostgreSQL wraparound", "Transaction IDs used since the last freeze, as a share of the "
          "2^31 limit.", "percentunit",
          [t(f"postgres_xid_wraparound_ratio{{{SEL}}}", "{{db}}")], [0.5], max_=1,
          no_data="no postgres section configured"),
    panel("Certificates: time left", "Until each watched certificate expires (files, keystores, "
          "endpoints); the alerts warn at 14 days and page at 3.", "s",
          [t(f"caretaker_tls_cert_not_after_timestamp_seconds{{{SEL}}} - time()", "{{source}} {{subject}}")],
          [3 * 86400, 14 * 86400], kind="stat", reverse=True, no_data="no tls section configured"),
    panel("Redis keys deleted", "Keys removed by redis-cleanup per interval.", "short",
          [t(f"sum by (action) (increase(caretaker_redis_keys_deleted_total{{{SEL}}}[{RATE}]))", "{{action}}")], no_data="no redis-cleanup action configured"),
    panel("Backup age", "Time since each backup action's last verified archive.", "s",
          [t(f"time() - (caretaker_backup_last_success_timestamp_seconds{{{SEL}}} > 0)", "{{action}}")],
          [26 * 3600], kind="stat", no_data="no backup yet"),
    panel("Alerts received", "Alertmanager webhook alerts per second by status, and how many "
          "triggered an action.", "ops",
          [t(f"sum by (status) (rate(caretaker_alerts_received_total{{{SEL}}}[{RATE}]))", "{{status}}"),
           t(f"sum(rate(caretaker_alerts_triggered_total{{{SEL}}}[{RATE}]))", "triggered")]),
    panel("Alerts ignored", "Webhook alerts that triggered nothing, per second by reason.", "ops",
          [t(f"sum by (reason) (rate(caretaker_alerts_ignored_total{{{SEL}}}[{RATE}]))", "{{reason}}")]),
    panel("Maintenance mode", "1 while maintenance is on (operator or window).", "bool_on_off",
          [t(f"caretaker_maintenance_mode{{{SEL}}}", "{{instance}}")], kind="stat"),
    panel("Next scheduled runs", "Time until each schedule next comes due.", "s",
          [t(f"caretaker_schedule_next_run_timestamp_seconds{{{SEL}}} - time()", "{{schedule}}")],
          kind="stat"),
    panel("Collector duration", "How long each collector took in the last cycle.", "s",
          [t(f"caretaker_collector_duration_seconds{{{SEL}}}", "{{collector}}")]),
    panel("Collector errors", "Failed or timed-out collector runs per interval.", "short",
          [t(f"sum by (collector) (increase(caretaker_collector_errors_total{{{SEL}}}[{RATE}]))", "{{collector}}")]),
    panel("Redis up", "1 while caretaker reaches Redis.", "bool_yes_no",
          [t(f"caretaker_redis_up{{{SEL}}}", "{{instance}}")], kind="stat", no_data="no redis section configured"),
    panel("Redis memory", "Memory Redis uses, and its fragmentation ratio (right axis).", "bytes",
          [t(f"redis_memory_used_bytes{{{SEL}}}", "{{instance}} used")], no_data="no Redis configured, or unreachable"),
    panel("Redis clients and keys", "Connected clients and keys per database.", "short",
          [t(f"redis_connected_clients{{{SEL}}}", "{{instance}} clients"),
           t(f"redis_db_keys{{{SEL}}}", "{{instance}} {{db}} keys")], no_data="no Redis configured, or unreachable"),
    panel("Redis hit ratio", "Keyspace hits as a share of lookups.", "percentunit",
          [t(f"rate(redis_keyspace_hits_total{{{SEL}}}[{RATE}]) / (rate(redis_keyspace_hits_total{{{SEL}}}[{RATE}]) "
             f"+ rate(redis_keyspace_misses_total{{{SEL}}}[{RATE}]))", "{{instance}}")], max_=1, no_data="no Redis configured, or unreachable"),
]


def grafana_panel(p, pid, x, y):
    steps = [{"color": "green", "value": None}]
    colors = ["orange", "red"] if len(p["thresholds"] or []) > 1 else ["red"]
    if p["reverse"]:
        steps = [{"color": "red", "value": None}]
        colors = ["orange", "green"]
    for color, value in zip(colors, p["thresholds"] or []):
        steps.append({"color": color, "value": value})
    defaults = {"unit": p["unit"], "thresholds": {"mode": "absolute", "steps": steps}}
    if p["no_data"]:
        defaults["noValue"] = p["no_data"]
    if p["max"] is not None:
        defaults["min"] = 0
        defaults["max"] = p["max"]
    if p["kind"] == "timeseries":
        defaults["custom"] = {"thresholdsStyle": {"mode": "line" if p["thresholds"] else "off"}}
    return {
        "id": pid, "type": p["kind"], "title": p["title"], "description": p["description"],
        "datasource": {"type": "prometheus", "uid": "${datasource}"},
        "gridPos": {"h": 8, "w": p["width"], "x": x, "y": y},
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
                    "tooltip": {"mode": "multi", "sort": "desc"}} if p["kind"] == "timeseries"
        else {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
              "colorMode": "value", "graphMode": "area"},
        "targets": [{"refId": chr(65 + i), "datasource": {"type": "prometheus", "uid": "${datasource}"},
                     "expr": tg["expr"], "legendFormat": tg["legend"] or "__auto", "range": True}
                    for i, tg in enumerate(p["targets"])],
    }


def dashboard(uid, title, description, panels):
    out, x, y = [], 0, 0
    for i, p in enumerate(panels, start=1):
        if x + p["width"] > 24:
            x, y = 0, y + 8
        out.append(grafana_panel(p, i, x, y))
        x += p["width"]
    variable = lambda name, query: {
        "name": name, "label": name, "type": "query", "datasource": {"type": "prometheus", "uid": "${datasource}"},
        "query": {"query": query, "refId": name}, "definition": query, "refresh": 2,
        "includeAll": True, "multi": True, "allValue": ".*", "current": {"text": "All", "value": "$__all"},
        "sort": 1}
    return {
        "uid": uid, "title": title, "description": description, "tags": ["caretaker"],
        "editable": True, "graphTooltip": 1, "schemaVersion": 39, "version": 1,
        "time": {"from": "now-6h", "to": "now"}, "refresh": "30s", "timezone": "",
        "templating": {"list": [
            {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus",
             "current": {}, "hide": 0},
            variable("job", "label_values(caretaker_build_info, job)"),
            variable("instance", 'label_values(caretaker_build_info{job=~"$job"}, instance)'),
        ]},
        "annotations": {"list": []},
        "panels": out,
    }


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    for name, uid, title, description, panels in [
        ("host", "caretaker-host", "caretaker / Host", "Host metrics from caretaker (node-exporter style).", HOST),
        ("trading", "caretaker-trading", "caretaker / Trading", "Orders, latency, PnL, heartbeats and market data from caretaker.", TRADING),
        ("caretaker", "caretaker-agent", "caretaker / Agent", "Rules, actions, alerts, collectors and Redis as caretaker sees them.", CARETAKER),
    ]:
        with open(os.path.join(here, name + ".json"), "w") as f:
            json.dump(dashboard(uid, title, description, panels), f, indent=2)
            f.write("\n")
