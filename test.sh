#!/usr/bin/env bash
# Runs every test: unit tests, then the shaded jar's integration tests (mvn verify).
# Installs the programs the tests use when they are missing and this runs as root;
# otherwise it names what to install and stops.
set -euo pipefail
cd "$(dirname "$0")"

# program -> Debian package
declare -A needs=([promtool]=prometheus [prometheus]=prometheus [redis-server]=redis-server
  [chromium]=chromium
  [prometheus-alertmanager]=prometheus-alertmanager [amtool]=prometheus-alertmanager
  [lintian]=lintian [dpkg-deb]=dpkg)

missing=()
for program in "${!needs[@]}"; do
  command -v "$program" >/dev/null 2>&1 || missing+=("${needs[$program]}")
done
# The PostgreSQL tests start their own server from Debian's binaries (not on PATH).
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
# Optional: file-retention compresses with libdeflate when it is there (the tests check both
# compressors), so it is installed when we can, not demanded.
if [[ $(id -u) -eq 0 ]] && ! ldconfig -p 2>/dev/null | grep -q 'libdeflate\.so\.0'; then
  missing+=(libdeflate0)
fi
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u | sed '/^$/d')
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "test.sh: installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "test.sh: missing Debian packages: ${missing[*]}" >&2
    echo "  install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

exec mvn -B -ntp verify "$@"
