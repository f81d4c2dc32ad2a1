#!/usr/bin/env bash
# `make bench`: page throughput and asset weight against budgets. Medians of three runs;
# these machines are noisy (2 shared cores), so budgets are floors, not targets.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${ANXIN_BENCH_PORT:-3200}
BASE="http://127.0.0.1:$PORT"
DIR=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DIR"' EXIT

# Budgets.
WASM_GZIP_MAX=$((100 * 1024))   # the islands bundle, gzip
CSS_GZIP_MAX=$((12 * 1024))
LOGIN_RPS_MIN=1000               # anonymous SSR page
HOME_RPS_MIN=300                 # signed-in page: session lookup + policy query
RSS_MAX_KB=$((150 * 1024))       # resident memory during and after a flood of 500 logins

command -v wrk >/dev/null || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk)

# ANXIN_TRUST_PROXY=1: the login flood below comes "through our proxy" from 500 addresses.
DATABASE_URL="sqlite://$DIR/bench.db" ANXIN_ADDR="127.0.0.1:$PORT" ANXIN_DEMO=1 RUST_LOG=warn ANXIN_TRUST_PROXY=1 \
  target/release/anxin serve >"$DIR/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -fs "$BASE/health" >/dev/null && break; sleep 0.2; done

curl -fs -c "$DIR/jar" -H 'Accept: text/html' -o /dev/null \
  --data 'phone=13800000020&password=Anxin-Demo-2026&next=/' "$BASE/api/login" || true
SID=$(awk '$6 == "anxin_sid" { print $7 }' "$DIR/jar")
[ -n "$SID" ] || { echo "bench: could not log in"; exit 1; }

median_rps() { # url [header]
  local url=$1 header=${2:-}
  for _ in 1 2 3; do
    if [ -n "$header" ]; then wrk -t1 -c32 -d5s -H "$header" "$url"; else wrk -t1 -c32 -d5s "$url"; fi \
      | awk '/Requests\/sec/ { print int($2) }'
  done | sort -n | sed -n 2p
}

LOGIN=$(median_rps "$BASE/login")
HOME_RPS=$(median_rps "$BASE/" "Cookie: anxin_sid=$SID")
# The release build hashes the names (anxin.<hash>.wasm); an older build did not.
WASM=$(ls target/site/pkg/anxin*.wasm | head -1)
CSS=$(ls target/site/pkg/anxin*.css | head -1)
WASM_RAW=$(stat -c %s "$WASM")
WASM_GZ=$(gzip -9c "$WASM" | wc -c)
CSS_GZ=$(gzip -9c "$CSS" | wc -c)
LOGIN_BYTES=$(curl -fs "$BASE/login" | wc -c)
LOGIN_GZ=$(curl -fs -H 'Accept-Encoding: gzip' "$BASE/login" | wc -c)

# Login flood: 500 logins at once for unknown phones, each from its own address, so no
# per-address limit helps; only the bounded argon2 slots keep memory down. Resident memory
# is sampled every 50 ms during the flood and once after it.
rss() { ps -o rss= -p "$SERVER" | tr -d ' '; }
( while kill -0 "$SERVER" 2>/dev/null; do rss; sleep 0.05; done ) >"$DIR/rss" &
SAMPLER=$!
python3 - "$BASE" >"$DIR/flood" <<'PY'
import sys, threading, urllib.request, urllib.error, collections
base, answers, lock = sys.argv[1], collections.Counter(), threading.Lock()
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k): return None
opener = urllib.request.build_opener(NoRedirect)
def login(i):
    body = f"phone=1370000{i:04d}&password=Flood-Guess-{i}&next=/".encode()
    req = urllib.request.Request(base + "/api/login", data=body, headers={
        "Accept": "text/html", "X-Forwarded-For": f"10.{i // 250}.{i % 250}.1"})
    try:
        opener.open(req, timeout=60); code = "200"
    except urllib.error.HTTPError as e:
        loc = e.headers.get("Location", "")
        code = loc.split("error=")[1].split("&")[0] if "error=" in loc else str(e.code)
    except Exception as e:
        code = type(e).__name__
    with lock: answers[code] += 1
threads = [threading.Thread(target=login, args=(i,)) for i in range(500)]
[t.start() for t in threads]; [t.join() for t in threads]
print(" ".join(f"{k}={v}" for k, v in sorted(answers.items())))
PY
sleep 1
RSS_AFTER=$(rss)
kill $SAMPLER 2>/dev/null || true
RSS_PEAK=$(sort -n "$DIR/rss" | tail -1)

fail=0
check() { # name value budget op
  local ok
  if [ "$4" = max ]; then [ "$2" -le "$3" ] && ok=ok || ok=OVER; else [ "$2" -ge "$3" ] && ok=ok || ok=UNDER; fi
  [ "$ok" = ok ] || fail=1
  printf '%-34s %10s   budget %s %-8s %s\n' "$1" "$2" "$4" "$3" "$ok"
}
echo "Anxin benchmarks ($(date -u +%F), $(nproc) cores; medians of 3 × 5 s, wrk -t1 -c32)"
check "GET /login (req/s)" "$LOGIN" "$LOGIN_RPS_MIN" min
check "GET / signed in (req/s)" "$HOME_RPS" "$HOME_RPS_MIN" min
check "RSS peak, 500-login flood (KB)" "$RSS_PEAK" "$RSS_MAX_KB" max
check "RSS after the flood (KB)" "$RSS_AFTER" "$RSS_MAX_KB" max
printf '%-34s %s\n' "flood answers" "$(cat "$DIR/flood")"
check "islands wasm, gzip (bytes)" "$WASM_GZ" "$WASM_GZIP_MAX" max
check "CSS, gzip (bytes)" "$CSS_GZ" "$CSS_GZIP_MAX" max
printf '%-34s %10s\n' "islands wasm, raw (bytes)" "$WASM_RAW" "/login HTML (bytes)" "$LOGIN_BYTES" "/login HTML, gzip (bytes)" "$LOGIN_GZ"
exit $fail
