# Sourced by the bench scripts (from the repository root): the JVM flags the README recommends
# (JAVA_FLAGS overrides), the shaded jar (built if missing), a work directory, and an exit trap
# that stops every process whose pid was added to `pids` and removes the work directory; for
# benchmarks with Redis, start_redis and rc.
JAVA_FLAGS=${JAVA_FLAGS:-"$(sed -n 's/^JAVA_OPTS_RECOMMENDED="\(.*\)"$/\1/p' bench/jvm-flags)"}
[[ -f target/caretaker.jar ]] || mvn -B -q -ntp package -DskipTests
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# Waits (up to 10 s) until the agent on port $1 answers /ready.
wait_ready() {
  for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$1/ready" 2>/dev/null && return; sleep 0.1; done
  echo "the agent on port $1 did not become ready" >&2
  return 1
}

# redis-cli against the private redis-server of start_redis.
rc() { redis-cli -p "$RPORT" "$@"; }

# Starts a private redis-server on $RPORT (no persistence, files in $work; arguments are extra
# server options) and waits up to 5 s until it answers.
start_redis() {
  redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" "$@" \
    >/dev/null &
  pids+=($!)
  for _ in $(seq 1 50); do rc ping >/dev/null 2>&1 && return; sleep 0.1; done
  echo "redis-server on port $RPORT did not answer" >&2
  return 1
}
