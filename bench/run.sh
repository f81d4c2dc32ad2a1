#!/usr/bin/env bash
# `make bench`: see bench/run.py (what is measured, settings, targets).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk)
if [ "${ANXIN_BENCH_PROFILE:-}" = 1 ] && ! command -v perf >/dev/null; then
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q linux-perf
fi
[ -x .tools/lighthouse/node_modules/.bin/lighthouse ] \
  || npm install --prefix .tools/lighthouse --no-audit --no-fund lighthouse@12.8.2 \
  || echo "bench: lighthouse could not be installed; its part is skipped"
exec python3 bench/run.py
