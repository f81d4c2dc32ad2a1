#!/usr/bin/env python3
"""`make bench`: the pages under load on a small and a big database, on SQLite and on
PostgreSQL, against the same policy-list HTML served as a static file by the same server.

For each engine and size: build the database once (`anxin bench-data`, cached per day under
target/bench/, or a PostgreSQL database per day), start the release server, log in as bulk
customer 1, save their policy list as a top-level file of a copy of the site root, restart
(timing how long until /health answers), then run wrk (its own process, 64 connections, one
thread, `Accept-Encoding: br` as browsers send) against each page a few times and keep the
medians. Peak resident memory of the server is sampled throughout. With
ANXIN_BENCH_PROFILE=1, perf samples the server during the policy list's runs and the CPU
time is shown by where it went. Then the old budgets: a flood of 500 logins (memory) and the
asset sizes. Results go to bench/results.md (and the terminal); README quotes them.

Benchmarks, not tests: throughput targets are reported as met or missed, never fail the
run; only the size budgets (deterministic) make the exit status non-zero.

Settings (environment):
  ANXIN_BENCH_SIZES   customers:policies pairs, default "1000:10000,100000:1000000"
  ANXIN_BENCH_PG      a PostgreSQL server URL without database (default
                      postgres://postgres@127.0.0.1:5432 when one answers; "off" skips it)
  ANXIN_BENCH_RUNS    wrk runs per page (default 3), ANXIN_BENCH_SECONDS (default 5)
  ANXIN_BENCH_PROFILE 1: perf profile of the policy list on each database
"""

import datetime
import gzip
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target/release/anxin")
SITE = os.path.join(ROOT, "target/site")
CACHE = os.path.join(ROOT, "target/bench")
PASSWORD = "Anxin-Demo-2026"
PHONE = "13900000001"  # bulk customer 1: a policy due, a claim in assessment
CONNECTIONS = 64
RUNS = int(os.environ.get("ANXIN_BENCH_RUNS", "3"))
SECONDS = int(os.environ.get("ANXIN_BENCH_SECONDS", "5"))
PROFILE = os.environ.get("ANXIN_BENCH_PROFILE") == "1"
TODAY = datetime.date.today().strftime("%Y%m%d")

# Targets of issue 20 (2 cores, wrk on the same machine, 64 connections).
LIST_TO_STATIC_MIN = 0.35
LIST_P99_MAX_MS = 15.0
PG_TO_SQLITE_MIN = 0.8
P50_GROWTH_MAX = 1.5
RSS_MAX_MB = 100
READY_MAX_S = 1.0
# Size budgets (deterministic: these fail the run).
WASM_GZIP_MAX = 100 * 1024
CSS_GZIP_MAX = 12 * 1024


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def get(url, cookie=None, data=None, headers=None):
    req = urllib.request.Request(url, data=data, headers=dict(headers or {}))
    if cookie:
        req.add_header("Cookie", f"anxin_sid={cookie}")
    try:
        with OPENER.open(req, timeout=30) as res:
            return res.status, res.headers, res.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Server:
    """The release binary on a free port; `ready_s` is start to first /health 200."""

    def __init__(self, url, site_root, extra_env=None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        env.update(
            DATABASE_URL=url,
            ANXIN_ADDR=f"127.0.0.1:{self.port}",
            ANXIN_SITE_ROOT=site_root,
        )
        # Logging as in production (the default filter), not silenced for the benchmark.
        env.pop("RUST_LOG", None)
        env.update(extra_env or {})
        self.log = tempfile.NamedTemporaryFile(prefix="anxin-bench-", suffix=".log", delete=False)
        started = time.monotonic()
        self.proc = subprocess.Popen([BIN, "serve"], env=env, stdout=self.log, stderr=self.log)
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"bench: the server stopped; see {self.log.name}")
            try:
                if get(self.base + "/health")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() - started > 120:
                raise SystemExit("bench: the server did not become ready in 120 s")
            time.sleep(0.005)
        self.ready_s = time.monotonic() - started
        self.peak_kb = 0
        self._sampling = True
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def rss_kb(self):
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _sample(self):
        while self._sampling:
            self.peak_kb = max(self.peak_kb, self.rss_kb())
            time.sleep(0.05)

    def stop(self):
        self._sampling = False
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.unlink(self.log.name)


def wrk(url, cookie=None):
    """One wrk run: (req/s, p50 ms, p99 ms, non-2xx count)."""
    cmd = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", "-H", "Accept-Encoding: br"]
    if cookie:
        cmd += ["-H", f"Cookie: anxin_sid={cookie}"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, pct(50), pct(99), int(bad.group(1)) if bad else 0


def measure(url, cookie=None):
    runs = [wrk(url, cookie) for _ in range(RUNS)]
    return {
        "rps": statistics.median(r[0] for r in runs),
        "p50": statistics.median(r[1] for r in runs),
        "p99": statistics.median(r[2] for r in runs),
        "non2xx": sum(r[3] for r in runs),
    }


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem_gb:.0f} GiB, Linux {platform.release()}"


def pg_base():
    setting = os.environ.get("ANXIN_BENCH_PG", "")
    if setting == "off":
        return None
    base = setting or "postgres://postgres@127.0.0.1:5432"
    if setting or subprocess.run(["pg_isready", "-q", "-d", base + "/postgres"]).returncode == 0:
        return base.rstrip("/")
    return None


def psql(base, sql):
    return subprocess.run(
        ["psql", "-qAt", "-d", base + "/postgres", "-c", sql], capture_output=True, text=True, check=True
    ).stdout


def database(engine, customers, policies):
    """The URL of a database with the bench data, built once per day and size."""
    name = f"anxin_bench_{policies}_{TODAY}"
    if engine == "sqlite":
        os.makedirs(CACHE, exist_ok=True)
        for old in os.listdir(CACHE):
            if old.startswith(f"anxin_bench_{policies}_") and not old.startswith(name):
                os.unlink(os.path.join(CACHE, old))
        path = os.path.join(CACHE, name + ".db")
        url = f"sqlite://{path}"
        if os.path.exists(path) and os.path.exists(path + ".done"):
            return url, None
        for suffix in ("", "-wal", "-shm", ".done"):
            if os.path.exists(path + suffix):
                os.unlink(path + suffix)
    else:
        base = pg_base()
        existing = psql(base, "SELECT datname FROM pg_database WHERE datname LIKE 'anxin_bench_%'").split()
        for old in existing:
            if old.startswith(f"anxin_bench_{policies}_") and old != name + "_done":
                psql(base, f'DROP DATABASE IF EXISTS "{old}"')
        url = f"{base}/{name}_done"
        if name + "_done" in existing:
            return url, None
        psql(base, f'CREATE DATABASE "{name}"')
        url = f"{base}/{name}"
    log(f"bench: generating {customers:,} customers / {policies:,} policies on {engine} …")
    started = time.monotonic()
    env = dict(os.environ, DATABASE_URL=url, RUST_LOG="warn")
    out = subprocess.run(
        [BIN, "bench-data", f"--customers={customers}", f"--policies={policies}"],
        env=env, capture_output=True, text=True,
    )
    if out.returncode != 0:
        raise SystemExit(f"bench: bench-data failed:\n{out.stderr}")
    took = time.monotonic() - started
    log(f"bench: {out.stdout.strip().splitlines()[0]} ({took:.0f} s with start-up)")
    if engine == "sqlite":
        # A checkpoint, so that the file is whole and the next start reads no WAL.
        subprocess.run(["python3", "-c", f"import sqlite3; c = sqlite3.connect({path!r}); c.execute('PRAGMA wal_checkpoint(TRUNCATE)'); c.close()"], check=True)
        open(path + ".done", "w").close()
    else:
        psql(base, f'ALTER DATABASE "{name}" RENAME TO "{name}_done"')
        url = f"{base}/{name}_done"
    return url, took


def login(base):
    body = urllib.parse.urlencode({"phone": PHONE, "password": PASSWORD, "next": "/"}).encode()
    status, headers, _ = get(base + "/api/login", data=body, headers={"Accept": "text/html"})
    for value in headers.get_all("Set-Cookie") or []:
        m = re.match(r"anxin_sid=([^;]+)", value)
        if m:
            return m.group(1)
    raise SystemExit(f"bench: could not log in as {PHONE} (HTTP {status})")


def pages(base, cookie):
    """The policy list's HTML and the URLs of one of each page, found as a user would."""
    status, _, html = get(base + "/policies", cookie)
    if status != 200 or b"/policies/" not in html:
        raise SystemExit(f"bench: /policies answered {status}")
    text = html.decode()
    renew = re.search(r'href="(/policies/[A-Za-z0-9]+/renew)"', text)
    policy = re.search(r'href="(/policies/[A-Za-z0-9]+)"', text)
    _, _, claims = get(base + "/claims", cookie)
    claim = re.search(r'href="(/claims/[A-Za-z0-9]{16,})"', claims.decode())
    if not (renew and policy and claim):
        raise SystemExit("bench: a policy, renewal or claim link is missing from the pages")
    return html, [
        ("policy list", "/policies"),
        ("policy page", policy.group(1)),
        ("renewal page", renew.group(1)),
        ("claim timeline", claim.group(1)),
    ]


def profile(pid, seconds):
    """perf samples of the server: (percent, group) by where the CPU time went."""
    data = tempfile.mktemp(suffix=".perf")
    rec = subprocess.Popen(
        ["perf", "record", "-e", "cpu-clock", "-F", "999", "-o", data, "-p", str(pid), "--", "sleep", str(seconds)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return rec, data


GROUPS = [
    ("kernel (thread switches, page faults, network)", r"^\[k\]"),
    ("SQLite engine", r"^sqlite3|^sqlite3Vdbe|^sqlite3Btree|\bsqlite3"),
    ("sqlx (driver, Any, decoding)", r"sqlx"),
    ("PostgreSQL protocol", r"postgres|tokio_postgres"),
    ("rendering (Leptos, tachys, our views)", r"tachys|leptos|reactive_graph|^app::pages|^app::components|either_of|<app::"),
    ("compression (brotli, gzip)", r"brotli|flate2|miniz|async_compression"),
    ("logging and tracing", r"tracing"),
    ("HTTP (hyper, axum, tower)", r"hyper|axum|tower|http::|h2::|httparse|matchit"),
    ("async runtime (tokio)", r"tokio"),
    ("memory (malloc, free, memcpy)", r"malloc|free|_int_|memcpy|memmove|memset|realloc|cfree|__memcmp"),
    ("hashing (sessions, keys)", r"sha2|hmac|sha256|blake"),
    ("serde, text, formatting", r"serde|core::fmt|alloc::fmt|fluent|icu|chrono"),
]


def summarize(data):
    out = subprocess.run(
        ["perf", "report", "-i", data, "--stdio", "--no-children", "--sort", "sym", "--percent-limit", "0"],
        capture_output=True, text=True,
    ).stdout
    totals, top = {}, []
    for line in out.splitlines():
        m = re.match(r"\s+([\d.]+)%\s+(\[[.k]\])\s+(.*)$", line)
        if not m:
            continue
        pct, kind, sym = float(m.group(1)), m.group(2), m.group(3).strip()
        sym = ("[k] " + sym) if kind == "[k]" else sym
        group = next((g for g, pat in GROUPS if re.search(pat, sym)), "other")
        totals[group] = totals.get(group, 0.0) + pct
        if len(top) < 12:
            top.append((sym[:90], pct))
    os.unlink(data)
    return {"groups": sorted(totals.items(), key=lambda kv: -kv[1]), "top": top}


def bench_database(engine, customers, policies):
    url, generated_s = database(engine, customers, policies)
    site = tempfile.mkdtemp(prefix="anxin-bench-site-")
    shutil.rmtree(site)
    shutil.copytree(SITE, site)
    try:
        server = Server(url, site)
        cookie = login(server.base)
        html, urls = pages(server.base, cookie)
        server.stop()
        # The baseline: the same bytes as a static file of the same server, compressed
        # as the build compresses the site.
        with open(os.path.join(site, "bench-policies.html"), "wb") as f:
            f.write(html)
        subprocess.run([BIN, "precompress", site], check=True, capture_output=True)
        server = Server(url, site)
        result = {
            "engine": engine,
            "customers": customers,
            "policies": policies,
            "generated_s": generated_s,
            "ready_s": server.ready_s,
            "html_bytes": len(html),
            "pages": {},
        }
        for name, path in urls + [("static baseline", "/bench-policies.html"), ("/health", "/health")]:
            log(f"bench: {engine} {policies:,}: {name} …")
            recorder = None
            if PROFILE and name == "policy list":
                recorder, data = profile(server.proc.pid, RUNS * SECONDS)
            result["pages"][name] = measure(server.base + path, None if path.startswith(("/bench", "/health")) else cookie)
            if recorder:
                recorder.wait()
                result["profile"] = summarize(data)
        server.stop()
        result["peak_rss_mb"] = server.peak_kb / 1024
        return result
    finally:
        shutil.rmtree(site, ignore_errors=True)


LIGHTHOUSE = os.path.join(ROOT, ".tools/lighthouse/node_modules/.bin/lighthouse")


def lighthouse():
    """Lighthouse, mobile (its default: a mid-range phone, slow 4G, 4× CPU slowdown), on the
    demo database: the landing of an SMS link, the renewal page, the policy list, a claim
    timeline, the services and booking pages. (score, LCP ms) per page, or None without it."""
    if os.environ.get("ANXIN_BENCH_LIGHTHOUSE") == "0" or not os.path.exists(LIGHTHOUSE):
        return None
    tmp = tempfile.mkdtemp(prefix="anxin-bench-lh-")
    db = f"{tmp}/lh.db"
    server = Server(f"sqlite://{db}", SITE, {"ANXIN_DEMO": "1"})
    try:
        import sqlite3
        body = sqlite3.connect(db).execute(
            "SELECT body FROM sms_outbox WHERE category = 'renewal_reminder' AND body LIKE '%/s/%' LIMIT 1"
        ).fetchone()[0]
        link = re.search(r"/s/[A-Za-z0-9]+", body).group(0)
        body = urllib.parse.urlencode({"phone": "13800000001", "password": PASSWORD, "next": "/"}).encode()
        _, headers, _ = get(server.base + "/api/login", data=body, headers={"Accept": "text/html"})
        cookie = next(re.match(r"anxin_sid=([^;]+)", v).group(1) for v in headers.get_all("Set-Cookie") if v.startswith("anxin_sid="))
        find = lambda page, pattern: re.search(pattern, get(server.base + page, cookie)[2].decode()).group(1)
        targets = [
            ("SMS link landing", link, False),
            ("renewal page", find("/policies", r'href="(/policies/[A-Za-z0-9]+/renew)"'), True),
            ("policy list", "/policies", True),
            ("claim timeline", find("/claims", r'href="(/claims/[A-Za-z0-9]{16,})"'), True),
            ("services", "/services", True),
            ("booking page", find("/services", r'href="(/services/book[^"]*)"').replace("&amp;", "&"), True),
        ]
        out = {}
        for name, path, signed_in in targets:
            log(f"bench: lighthouse {name} …")
            cmd = [LIGHTHOUSE, server.base + path, "--quiet", "--output=json", "--only-categories=performance",
                   "--chrome-path=/usr/bin/chromium", "--chrome-flags=--headless=new --no-sandbox"]
            if signed_in:
                cmd.append("--extra-headers=" + json.dumps({"Cookie": f"anxin_sid={cookie}"}))
            res = subprocess.run(cmd, capture_output=True, text=True)
            try:
                r = json.loads(res.stdout)
                out[name] = (round(r["categories"]["performance"]["score"] * 100),
                             r["audits"]["largest-contentful-paint"]["numericValue"])
            except (ValueError, KeyError, TypeError):
                out[name] = None
        return out
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def flood_and_sizes():
    """The budgets of before: memory through a flood of 500 logins, and asset sizes."""
    tmp = tempfile.mkdtemp(prefix="anxin-bench-flood-")
    server = Server(f"sqlite://{tmp}/bench.db", SITE, {"ANXIN_DEMO": "1", "ANXIN_TRUST_PROXY": "1"})
    answers = {}
    lock = threading.Lock()

    def attempt(i):
        body = f"phone=1370000{i:04d}&password=Flood-Guess-{i}&next=/".encode()
        try:
            status, headers, _ = get(server.base + "/api/login", data=body, headers={
                "Accept": "text/html", "X-Forwarded-For": f"10.{i // 250}.{i % 250}.1"})
            loc = headers.get("Location", "") or ""
            code = loc.split("error=")[1].split("&")[0] if "error=" in loc else str(status)
        except Exception as e:  # a refused or reset connection is an answer too
            code = type(e).__name__
        with lock:
            answers[code] = answers.get(code, 0) + 1

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(500)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    time.sleep(1)
    after_kb = server.rss_kb()
    server.stop()
    shutil.rmtree(tmp, ignore_errors=True)
    pkg = os.path.join(SITE, "pkg")
    wasm = next(os.path.join(pkg, f) for f in os.listdir(pkg) if f.endswith(".wasm"))
    css = next(os.path.join(pkg, f) for f in os.listdir(pkg) if f.endswith(".css"))
    size = lambda p: len(gzip.compress(open(p, "rb").read(), 9))
    return {
        "flood_answers": answers,
        "flood_peak_mb": server.peak_kb / 1024,
        "flood_after_mb": after_kb / 1024,
        "wasm_gzip": size(wasm),
        "css_gzip": size(css),
    }


def report(results, extra, started):
    lines = []
    add = lines.append
    rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    add("# Anxin benchmarks")
    add("")
    add(f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, commit `{rev}`, {machine()}.")
    add(f"Release build; wrk in its own process on the same machine, `-t1 -c{CONNECTIONS} -d{SECONDS}s --latency`,")
    add(f"`Accept-Encoding: br`; medians of {RUNS} runs per page. Signed in as bulk customer 1")
    add("(its own policies: the same number as every bulk customer). Written by `make bench`.")
    add("")
    add("| engine | policies | page | req/s | p50 ms | p99 ms | × static |")
    add("| --- | ---: | --- | ---: | ---: | ---: | ---: |")
    for r in results:
        static = r["pages"]["static baseline"]["rps"]
        for name, m in r["pages"].items():
            bad = f" ({m['non2xx']} non-2xx!)" if m["non2xx"] else ""
            add(f"| {r['engine']} | {r['policies']:,} | {name}{bad} | {m['rps']:,.0f} | {m['p50']:.2f} | {m['p99']:.2f} | {m['rps'] / static:.2f} |")
    add("")
    add("| engine | policies | ready after start | peak RSS under load | data generated in | policy list HTML |")
    add("| --- | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        gen = f"{r['generated_s']:.0f} s" if r["generated_s"] else "(cached)"
        add(f"| {r['engine']} | {r['policies']:,} | {r['ready_s'] * 1000:.0f} ms | {r['peak_rss_mb']:.0f} MB | {gen} | {r['html_bytes']:,} B |")
    add("")
    add("## Targets (issue 20)")
    add("")
    verdicts = []

    def verdict(what, ok, detail):
        verdicts.append(ok)
        add(f"- {'met' if ok else '**missed**'}: {what} — {detail}")

    by = {(r["engine"], r["policies"]): r for r in results}
    sizes = sorted({r["policies"] for r in results})
    for r in results:
        lst, static = r["pages"]["policy list"], r["pages"]["static baseline"]
        if r["engine"] == "sqlite":
            ratio = lst["rps"] / static["rps"]
            verdict(f"policy list ≥ {LIST_TO_STATIC_MIN} × static, SQLite, {r['policies']:,}", ratio >= LIST_TO_STATIC_MIN, f"{ratio:.2f} ({lst['rps']:,.0f} / {static['rps']:,.0f} req/s)")
            verdict(f"policy list p99 ≤ {LIST_P99_MAX_MS:.0f} ms, SQLite, {r['policies']:,}", lst["p99"] <= LIST_P99_MAX_MS, f"{lst['p99']:.1f} ms")
        verdict(f"peak RSS < {RSS_MAX_MB} MB, {r['engine']}, {r['policies']:,}", r["peak_rss_mb"] < RSS_MAX_MB, f"{r['peak_rss_mb']:.0f} MB")
        verdict(f"ready < {READY_MAX_S:.0f} s, {r['engine']}, {r['policies']:,}", r["ready_s"] < READY_MAX_S, f"{r['ready_s'] * 1000:.0f} ms")
    for p in sizes:
        if ("sqlite", p) in by and ("postgres", p) in by:
            for page in ("policy list", "policy page", "renewal page", "claim timeline"):
                a, b = by[("postgres", p)]["pages"][page]["rps"], by[("sqlite", p)]["pages"][page]["rps"]
                verdict(f"PostgreSQL ≥ {PG_TO_SQLITE_MIN} × SQLite, {page}, {p:,}", a / b >= PG_TO_SQLITE_MIN, f"{a / b:.2f}")
    if len(sizes) >= 2:
        small, big = sizes[0], sizes[-1]
        for engine in ("sqlite", "postgres"):
            if (engine, small) in by and (engine, big) in by:
                for page in ("policy list", "policy page", "renewal page", "claim timeline"):
                    a, b = by[(engine, big)]["pages"][page]["p50"], by[(engine, small)]["pages"][page]["p50"]
                    verdict(f"p50 growth ≤ {P50_GROWTH_MAX}× from {small:,} to {big:,}, {engine}, {page}", a / b <= P50_GROWTH_MAX, f"{a / b:.2f}× ({b:.2f} → {a:.2f} ms)")
    for r in results:
        if "profile" in r:
            add("")
            add(f"## Where the policy list's CPU time goes ({r['engine']}, {r['policies']:,} policies; perf, server process only)")
            add("")
            add("| where | share of samples |")
            add("| --- | ---: |")
            for group, pct in r["profile"]["groups"]:
                add(f"| {group} | {pct:.1f} % |")
            add("")
            add("| the busiest functions | share |")
            add("| --- | ---: |")
            for sym, pct in r["profile"]["top"]:
                add(f"| `{sym.replace('|', '/')}` | {pct:.1f} % |")
    add("")
    if extra.get("lighthouse"):
        add("## Lighthouse, mobile (demo data; aim: 100, LCP ≤ 1.0 s without an island, ≤ 1.5 s with one)")
        add("")
        add("| page | score | LCP |")
        add("| --- | ---: | ---: |")
        for name, v in extra["lighthouse"].items():
            add(f"| {name} | {v[0]} | {v[1] / 1000:.2f} s |" if v else f"| {name} | (failed) | |")
        add("")
    add("## Budgets of before")
    add("")
    answers = " ".join(f"{k}={v}" for k, v in sorted(extra["flood_answers"].items()))
    add(f"- 500 logins at once from 500 addresses: peak RSS {extra['flood_peak_mb']:.0f} MB, {extra['flood_after_mb']:.0f} MB after (answers: {answers})")
    size_ok = extra["wasm_gzip"] <= WASM_GZIP_MAX and extra["css_gzip"] <= CSS_GZIP_MAX
    add(f"- islands wasm {extra['wasm_gzip']:,} B gzip (budget {WASM_GZIP_MAX:,}); CSS {extra['css_gzip']:,} B gzip (budget {CSS_GZIP_MAX:,})")
    add("")
    add(f"{sum(verdicts)} of {len(verdicts)} targets met; the run took {time.monotonic() - started:.0f} s.")
    text = "\n".join(lines) + "\n"
    with open(os.path.join(ROOT, "bench/results.md"), "w") as f:
        f.write(text)
    with open(os.path.join(CACHE, "results.json"), "w") as f:
        json.dump({"results": results, "extra": extra}, f, indent=1)
    print(text)
    return size_ok


def main():
    started = time.monotonic()
    if not shutil.which("wrk"):
        raise SystemExit("bench: wrk is missing (bench/run.sh installs it)")
    sizes = [tuple(int(x) for x in pair.split(":")) for pair in os.environ.get("ANXIN_BENCH_SIZES", "1000:10000,100000:1000000").split(",")]
    engines = ["sqlite"] + (["postgres"] if pg_base() else [])
    os.makedirs(CACHE, exist_ok=True)
    results = [bench_database(e, c, p) for (c, p) in sizes for e in engines]
    extra = flood_and_sizes()
    extra["lighthouse"] = lighthouse()
    sys.exit(0 if report(results, extra, started) else 1)


if __name__ == "__main__":
    main()
