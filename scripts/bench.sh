#!/usr/bin/env bash
# Runs every Cacheplane benchmark on this machine and writes BENCHMARKS.md (see that file for what is measured).
#
#   scripts/bench.sh [--quick] [--skip-build] [--only data,retune,propagation,footprint] [--out FILE]
#
# --quick       short runs (wrk 3 rounds of 4 s per case instead of 20 s, short JMH, 10 and 50 agents instead of
#               10, 50 and 100, 20 changes instead of 30, 20 s steady-state window instead of 60 s)
# --skip-build  reuse benchmarks/target (built by an earlier run)
# --no-real-api skip the propagation run against a local kube-apiserver (run when scripts/k8s/install.sh was run)
# --only LIST   run only these parts (comma-separated)
# --out FILE    where to write the results (default BENCHMARKS.md at the repository root)
#
# BENCH_AGENT_JAVA_OPTS  extra JVM flags for the agent of the data-path run (e.g. "-XX:+UseG1GC"); BENCH_KEEP=1 keeps
#                        the work directory (logs, wrk output, the agent's GC log)
#
# Needs a JDK 17+, Maven 3.8+, Linux; installs the Debian packages wrk and nginx with apt-get when missing, and
# Maven fetches JMH. Processes it starts are stopped at the end, also on Ctrl-C.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

QUICK=0
BUILD=1
REAL_API=1
ONLY="data,retune,propagation,footprint"
OUT="$ROOT/BENCHMARKS.md"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --skip-build) BUILD=0 ;;
    --no-real-api) REAL_API=0 ;;
    --only) ONLY="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
part() { [[ ",$ONLY," == *",$1,"* ]]; }

if [ "$QUICK" = 1 ]; then
  WRK_DURATION=4s; ROUNDS=3; AGENT_COUNTS="10 50"; CHANGES=20; FOOTPRINT_WINDOW=20; JMH_ARGS="quick"
else
  WRK_DURATION=20s; ROUNDS=3; AGENT_COUNTS="10 50 100"; CHANGES=30; FOOTPRINT_WINDOW=60; JMH_ARGS="full"
fi
WRK_THREADS=1
WRK_CONNECTIONS=64

WORK="$(mktemp -d "${TMPDIR:-/tmp}/cacheplane-bench.XXXXXX")"
PIDS=()
K8S_STATE=""
cleanup() {
  local p
  if [ -n "$K8S_STATE" ]; then scripts/k8s/stop.sh "$K8S_STATE" --clean >/dev/null 2>&1 || true; fi
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null || true
  done
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] && wait "$p" 2>/dev/null || true
  done
  if [ -n "${BENCH_KEEP:-}" ]; then echo "kept $WORK ${NGX_TMP:-}" >&2; else rm -rf "$WORK" "${NGX_TMP:-}"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
load() { uptime | sed 's/.*load average: //'; }

# --- tools -------------------------------------------------------------------------------------------------------
need_pkgs=()
command -v wrk >/dev/null 2>&1 || need_pkgs+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need_pkgs+=(nginx)
if [ ${#need_pkgs[@]} -gt 0 ] && part data; then
  log "installing ${need_pkgs[*]} with apt-get"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

if [ "$BUILD" = 1 ]; then
  log "building (mvn -Pbenchmarks -pl benchmarks -am package)"
  mvn -B -ntp -q -Pbenchmarks -pl benchmarks -am package -DskipTests
fi
CP="$ROOT/benchmarks/target/classes:$ROOT/benchmarks/target/lib/*"
JAVA_OPTS=(-Djava.util.logging.manager=org.jboss.logmanager.LogManager)

# --- pinning -----------------------------------------------------------------------------------------------------
CORES="$(nproc)"
if [ "$CORES" -ge 2 ] && command -v taskset >/dev/null 2>&1; then
  SERVER_PIN=(taskset -c 0); LOAD_PIN=(taskset -c 1)
  PINNING="server under test (agent JVM / nginx master+worker) on CPU 0; wrk, the upstream and the embedded API on CPU 1"
else
  SERVER_PIN=(); LOAD_PIN=()
  PINNING="not pinned (fewer than 2 CPUs or no taskset)"
fi

# Starts a background process (pinned by the given prefix), records its pid; stdout/stderr in $WORK/<name>.out/.err.
start_bg() {
  local name="$1"; shift
  "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
  local pid=$!
  PIDS+=("$pid")
  echo "$pid" >"$WORK/$name.pid"
}
wait_ready() {
  local name="$1" secs="${2:-120}" i
  for ((i = 0; i < secs * 5; i++)); do
    if grep -q '^READY' "$WORK/$name.out" 2>/dev/null; then
      grep '^READY' "$WORK/$name.out" | head -1
      return 0
    fi
    if ! kill -0 "$(cat "$WORK/$name.pid")" 2>/dev/null; then
      echo "$name exited before it was ready:" >&2; tail -20 "$WORK/$name.err" >&2; return 1
    fi
    sleep 0.2
  done
  echo "$name not ready after ${secs}s" >&2; tail -20 "$WORK/$name.err" >&2; return 1
}
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }
# Lines in the agent's GC log so far; the pauses logged after line $1 up to line $2 as "count total_ms longest_ms".
gc_lines() { wc -l <"$AGENT_GC_LOG" 2>/dev/null || echo 0; }
gc_pauses() {
  sed -n "$(($1 + 1)),$2p" "$AGENT_GC_LOG" |
    awk '/Pause/ { v = $NF; sub(/ms$/, "", v); n++; t += v; if (v + 0 > m) m = v + 0 } END { printf "%d %.1f %.1f\n", n, t, m }'
}
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
# RSS of a process and its children (nginx: master + worker), KiB.
tree_rss_kib() {
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do total=$((total + $(rss_kib "$p"))); done
  echo "$total"
}
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

# wrk output -> "rps p99_ms errors"
parse_wrk() {
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec:/ { rps = $2 }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { err += $NF }
    /Socket errors:/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
    END { printf "%.0f %.2f %d\n", rps, p99, err }' "$1"
}
run_wrk() { # name url [lua [script argument]]
  local name="$1" url="$2" script="${3:-}" script_arg="${4:-}"
  local args=(-t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$WRK_DURATION" --latency)
  if [ -n "$script" ]; then args+=(-s "$script"); fi
  local extra=()
  if [ -n "$script_arg" ]; then extra=(-- "$script_arg"); fi
  "${LOAD_PIN[@]}" wrk "${args[@]}" "$url" "${extra[@]}" >"$WORK/wrk-$name.txt" 2>&1
  parse_wrk "$WORK/wrk-$name.txt"
}
# Fills the cache for a key and checks that the second request is a hit.
prime() { # base path
  curl -s -o /dev/null "$1$2"
  local h
  h="$(curl -s -D - -o /dev/null "$1$2" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-cache" {print $2}')"
  if [ "$h" != "HIT" ]; then
    echo "expected X-Cache: HIT from $1$2, got '$h' (BENCH_KEEP=1 keeps the logs)" >&2
    return 1
  fi
}

# --- machine -----------------------------------------------------------------------------------------------------
CPU_MODEL="$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)"
[ -n "$CPU_MODEL" ] || CPU_MODEL="$(sed -n 's/^model name\t: //p' /proc/cpuinfo | head -1)"
MEM_GIB="$(awk '/MemTotal/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)"
JDK="$(java -version 2>&1 | head -2 | tail -1)"
STARTED="$(date -u '+%Y-%m-%d %H:%M UTC')"
LOAD_START="$(load)"
SECTIONS=()

# --- 1. data path ------------------------------------------------------------------------------------------------
if part data; then
  log "data path: starting upstream, embedded API + operator, agent, nginx (wrk $WRK_DURATION per case)"
  start_bg upstream "${LOAD_PIN[@]}" java "${JAVA_OPTS[@]}" -cp "$CP" io.cacheplane.bench.UpstreamMain
  start_bg cluster "${LOAD_PIN[@]}" java "${JAVA_OPTS[@]}" -cp "$CP" io.cacheplane.bench.ClusterMain \
    --policies bench/policies.yaml
  UP_PORT="$(field "$(wait_ready upstream)" port)"
  API="$(field "$(wait_ready cluster 180)" api)"
  AGENT_GC_LOG="$WORK/agent-gc.log"
  # shellcheck disable=SC2086 # BENCH_AGENT_JAVA_OPTS is a list of JVM flags
  start_bg agent "${SERVER_PIN[@]}" java "${JAVA_OPTS[@]}" "-Xlog:gc:file=$AGENT_GC_LOG" ${BENCH_AGENT_JAVA_OPTS:-} \
    -cp "$CP" io.cacheplane.bench.AgentMain \
    --api "$API" --upstream-port "$UP_PORT"
  AGENT_READY="$(wait_ready agent 180)"
  AGENT_PORT="$(field "$AGENT_READY" port)"
  AGENT_PID="$(cat "$WORK/agent.pid")"
  AGENT_RSS_START="$(rss_kib "$AGENT_PID")"

  # NGINX keeps its cache in files and writes them from its event loop: put them in memory (tmpfs) when there is
  # one, as the agent's cache is, so a busy disk does not count against NGINX.
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    NGX="$(mktemp -d /dev/shm/cacheplane-bench-nginx.XXXXXX)"; NGINX_CACHE_ON="tmpfs (/dev/shm)"
  else
    NGX="$WORK/nginx"; NGINX_CACHE_ON="disk (no writable /dev/shm)"
  fi
  NGX_TMP="$NGX"
  mkdir -p "$NGX/cache" "$NGX/tmp" "$NGX/logs"
  NGINX_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18080)"
  sed -e "s/@PORT@/$NGINX_PORT/" -e "s/@UPSTREAM_PORT@/$UP_PORT/" bench/nginx.conf >"$NGX/nginx.conf"
  chmod a+x "$WORK" "$NGX"; chmod -R a+rwX "$NGX"  # the worker may run as an unprivileged user
  start_bg nginx "${SERVER_PIN[@]}" "$NGINX" -p "$NGX/" -c "$NGX/nginx.conf" -e stderr
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/" && break; sleep 0.1; done
  NGINX_PID="$(cat "$WORK/nginx.pid")"
  NGINX_RSS_START="$(tree_rss_kib "$NGINX_PID")"

  AGENT_URL="http://127.0.0.1:$AGENT_PORT"
  NGINX_URL="http://127.0.0.1:$NGINX_PORT"
  # State warm-up only: one request per hit key fills each cache (checked: the next one is a HIT).
  for base in "$AGENT_URL" "$NGINX_URL"; do
    prime "$base" "/1k?id=1"
    prime "$base" "/16k?id=1"
  done

  for ((round = 1; round <= ROUNDS; round++)); do
    for case in hit-1k hit-16k miss-1k; do
      for server in agent nginx; do
        if [ "$server" = agent ]; then base="$AGENT_URL"; else base="$NGINX_URL"; fi
        l="$(load | cut -d, -f1)"
        gc_from="$(gc_lines)"
        case "$case" in
          hit-1k) res="$(run_wrk "$case-$server-$round" "$base/1k?id=1")" ;;
          hit-16k) res="$(run_wrk "$case-$server-$round" "$base/16k?id=1")" ;;
          miss-1k)
            sampler=""
            if [ "$round" = 1 ]; then
              ( sleep "$(( ${WRK_DURATION%s} / 2 ))"
                if [ "$server" = agent ]; then rss_kib "$AGENT_PID"; else tree_rss_kib "$NGINX_PID"; fi
              ) >"$WORK/rss-load-$server" &
              sampler=$!
            fi
            res="$(run_wrk "$case-$server-$round" "$base/miss" bench/miss.lua "r$round")"
            if [ -n "$sampler" ]; then wait "$sampler" || true; fi ;;
        esac
        if [ "$server" = agent ]; then echo "$(gc_pauses "$gc_from" "$(gc_lines)")" >>"$WORK/gc-$case"; fi
        echo "$res $l" >>"$WORK/res-$case-$server"
        log "  round $round/$ROUNDS $case $server: $res (req/s, p99 ms, errors, load)"
      done
    done
  done
  AGENT_RSS_LOAD="$(cat "$WORK/rss-load-agent")"
  NGINX_RSS_LOAD="$(cat "$WORK/rss-load-nginx")"
  AGENT_HWM="$(hwm_kib "$AGENT_PID")"

  gc_table="| case | agent GC pauses | paused (share of the run) | longest pause |
| --- | ---: | ---: | ---: |"
  table="| case | agent req/s | NGINX req/s | **ratio** | agent p99 | NGINX p99 | **p99 ratio** | errors (agent / NGINX) | load (1 min) per round, agent / NGINX |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
  median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
  for case in hit-1k hit-16k miss-1k; do
    for server in agent nginx; do
      f="$WORK/res-$case-$server"
      eval "${server}_rps=\$(cut -d' ' -f1 \"$f\" | median)"
      eval "${server}_p99=\$(cut -d' ' -f2 \"$f\" | median)"
      eval "${server}_err=\$(awk '{ s += \$3 } END { print s }' \"$f\")"
      eval "${server}_load=\"\$(cut -d' ' -f4 \"$f\" | paste -sd' ')\""
    done
    ratio="$(awk -v a="$agent_rps" -v n="$nginx_rps" 'BEGIN { if (n > 0) printf "%.2f", a / n; else print "n/a" }')"
    pratio="$(awk -v a="$agent_p99" -v n="$nginx_p99" 'BEGIN { if (n > 0) printf "%.2f", a / n; else print "n/a" }')"
    table+="
| $case | $agent_rps | $nginx_rps | **$ratio** | $agent_p99 ms | $nginx_p99 ms | **$pratio** | $agent_err / $nginx_err | $agent_load / $nginx_load |"
    # GC pauses of the agent during this case, all rounds together; share of the time wrk ran.
    gc_table+="
| $case | $(awk -v secs="$((ROUNDS * ${WRK_DURATION%s}))" '{ n += $1; t += $2; if ($3 > m) m = $3 }
      END { printf "%d | %.0f ms (%.1f %%) | %.1f ms", n, t, t / (secs * 10), m }' "$WORK/gc-$case") |"
  done
  GC_NAME="$(sed -n 's/.*Using \(.*\)$/\1/p' "$AGENT_GC_LOG" | head -1)"
  SECTIONS+=("## 1. Data path: agent vs NGINX proxy_cache

wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'), \`-t$WRK_THREADS -c$WRK_CONNECTIONS -d$WRK_DURATION --latency\`, same for both, run
alternately (agent, then NGINX, per case) against both servers running side by side, $ROUNDS round(s); the
table gives the median over rounds. Pinning: $PINNING.
The agent is \`Agent.start\` in its own JVM (\`AgentMain\`, default JVM flags plus \`-Xlog:gc\`${BENCH_AGENT_JAVA_OPTS:+ and \`$BENCH_AGENT_JAVA_OPTS\`}; collector: ${GC_NAME:-unknown}), watching an
embedded API (fabric8 mock server + operator, \`ClusterMain\`) that applied [bench/policies.yaml](bench/policies.yaml);
NGINX $("$NGINX" -v 2>&1 | sed 's/.*nginx\///') runs [bench/nginx.conf](bench/nginx.conf) (one worker; its cache files
on $NGINX_CACHE_ON under a temporary prefix). Upstream: \`UpstreamMain\` (Vert.x), 1 KiB or 16 KiB bodies, no Cache-Control.
Hit cases request one key filled beforehand (one request, checked to be a HIT next); the miss case
([bench/miss.lua](bench/miss.lua)) sends a new \`id\` (part of both keys) with every request, so every request
goes upstream and is stored. No other warm-up: the agent's JIT warms up during the first case.
Ratio = agent / NGINX (throughput: above 1 is better for the agent; p99: below 1 is better for the agent).

$table

The agent's stop-the-world GC pauses while wrk ran (from its \`-Xlog:gc\` log, all rounds of a case together). A
pause stops every request in flight, so pauses of tens of milliseconds land directly in the p99; compare another
collector with \`BENCH_AGENT_JAVA_OPTS\` (e.g. \`-XX:+UseG1GC\`). The miss case stores a new 1 KiB entry with every
request, so the cache's live data grows and is copied by each young collection until \`maximumSize\` is reached.

$gc_table")
  FOOT_AGENT="| standalone agent process (\`AgentMain\`) | start-to-ready $(field "$AGENT_READY" startMs | cut -d. -f1) ms (\`Agent.start\` until both policies applied), JVM start to ready $(field "$AGENT_READY" uptimeMs) ms | RSS after start $(mib "$AGENT_RSS_START") MiB; under the miss load $(mib "$AGENT_RSS_LOAD") MiB; peak (VmHWM) $(mib "$AGENT_HWM") MiB |
| NGINX (master + 1 worker), for comparison (its cache files live in tmpfs or the page cache, outside its RSS) | - | RSS after start $(mib "$NGINX_RSS_START") MiB; under the miss load $(mib "$NGINX_RSS_LOAD") MiB |"

  for p in "$NGINX_PID" "$AGENT_PID" "$(cat "$WORK/cluster.pid")" "$(cat "$WORK/upstream.pid")"; do
    kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true
  done
fi

# --- 2. live retuning (JMH) --------------------------------------------------------------------------------------
if part retune; then
  log "live retuning: JMH ($JMH_ARGS), 1,000,000 entries"
  l0="$(load)"
  java "${JAVA_OPTS[@]}" -cp "$CP" io.cacheplane.bench.RetuneMain "$JMH_ARGS" >"$WORK/retune.out" 2>&1 \
    || { tail -30 "$WORK/retune.out" >&2; exit 1; }
  l1="$(load)"
  table="$(sed -n '/^RESULTS$/,$p' "$WORK/retune.out" | tail -n +2)"
  if [ "$JMH_ARGS" = quick ]; then jmh_cfg="1 fork, 1 warm-up iteration and 3 measured iterations of 2 s"
  else jmh_cfg="2 forks, 3 warm-up iterations and 5 measured iterations of 5 s"; fi
  SECTIONS+=("## 2. Live retuning under concurrent reads (JMH)

JMH $(ls "$ROOT"/benchmarks/target/lib/jmh-core-*.jar | sed 's/.*jmh-core-//; s/.jar$//'), sample-time mode, $jmh_cfg per group
([RetuneBenchmark](benchmarks/src/main/java/io/cacheplane/bench/RetuneBenchmark.java)), not pinned (JMH runs two
threads per group on the two cores). A cache of 1,000,000 entries is filled once per trial (state warm-up). In each
group one thread reads random present keys while another retunes back to back: \`setMaximum\` and
\`setExpiresAfter\` through \`cache.policy()\` on a Caffeine cache built as the agent builds its caches; \`envelope\`
is the agent's whole apply path for a changed CachePolicy ConfigMap (\`PolicyApplier.upsert\`: decode, validate,
recompute the revision, retune in place). \`baseline\` reads next to a thread that burns CPU instead of retuning:
compare the read rows with it, not with zero. A read that finds no entry fails its group (none did if every group
has rows). Slow reads are counted among JMH's sampled calls. Load average before / after: $l0 / $l1.

$table")
fi

# --- 3. propagation ----------------------------------------------------------------------------------------------
if part propagation; then
  log "propagation: agents $AGENT_COUNTS, $CHANGES changes each, and the informer floor"
  java -Xmx2g "${JAVA_OPTS[@]}" -cp "$CP" io.cacheplane.bench.PropagationMain --agents "$AGENT_COUNTS" \
    --changes "$CHANGES" >"$WORK/propagation.out" 2>"$WORK/propagation.err" \
    || { tail -30 "$WORK/propagation.err" >&2; exit 1; }
  table="$(sed -n '/^RESULTS$/,$p' "$WORK/propagation.out" | tail -n +2)"
  real_note="Not measured against a real kube-apiserver in this run (\`--no-real-api\`, or \`scripts/k8s/install.sh\` not run)."
  if [ "$REAL_API" = 1 ]; then
    # shellcheck source=k8s/env.sh
    . scripts/k8s/env.sh
    if [ -x "$CACHEPLANE_K8S_BIN_DIR/kube-apiserver" ]; then
      log "propagation against a local kube-apiserver 1.20 (scripts/k8s/start.sh)"
      K8S_STATE="$WORK/k8s"
      scripts/k8s/start.sh "$K8S_STATE" >"$WORK/k8s-start.out" 2>"$WORK/k8s-start.err" \
        || { tail -20 "$WORK/k8s-start.err" >&2; exit 1; }
      java -Xmx2g "${JAVA_OPTS[@]}" -cp "$CP" io.cacheplane.bench.PropagationMain --agents "$AGENT_COUNTS" \
        --changes "$CHANGES" --kubeconfig "$K8S_STATE/kubeconfig" --label "kube-apiserver 1.20.2 + etcd (local)" \
        >"$WORK/propagation-real.out" 2>"$WORK/propagation-real.err" \
        || { tail -30 "$WORK/propagation-real.err" >&2; exit 1; }
      table="$table
$(sed -n '/^RESULTS$/,$p' "$WORK/propagation-real.out" | tail -n +4)"
      real_note="The rows on a real API server ran against kube-apiserver 1.20.2, etcd and kube-controller-manager on this
machine (\`scripts/k8s/start.sh\`, not pinned), a fresh namespace per measurement; clients authenticate as the admin."
      scripts/k8s/stop.sh "$K8S_STATE" --clean >/dev/null 2>&1 || true
      K8S_STATE=""
    fi
  fi
  SECTIONS+=("## 3. Propagation of a policy change to N agents

One JVM ([PropagationMain](benchmarks/src/main/java/io/cacheplane/bench/PropagationMain.java), \`-Xmx2g\`, not
pinned) on the embedded API (fabric8 mock server, a fresh one per measurement). **Ours**: the operator and N agents
(each with its own API client and a Pod object; default Lease timing, 15 s / 5 s); a CachePolicy with an
all-at-once rollout (\`steps: [setWeight: 100]\`) is changed $CHANGES times in a row (JSON merge patch of
\`spec.cache.maximumSize\`); per change, the time from just before the API write until every agent's
\`Agent.policies()\` shows the new revision. That path is two watch hops (policy -> operator reconcile -> ConfigMap ->
agents, which decode, validate and apply). **Floor**: the same N as bare fabric8 informers (one client each) on a
plain labelled ConfigMap; per change of its data, the time until every informer has seen it (one watch hop).
Both are observed by one thread polling every 0.2 ms. Ratio = ours / floor. With $CHANGES changes, p99 is the
slowest change. $real_note

$table")
fi

# --- 4. footprint (in process) -----------------------------------------------------------------------------------
if part footprint; then
  log "footprint: operator and agent start, operator with 1,000 policies (steady-state window ${FOOTPRINT_WINDOW}s)"
  l0="$(load | cut -d, -f1)"
  java -Xmx2g "${JAVA_OPTS[@]}" -cp "$CP" io.cacheplane.bench.FootprintMain --policies 1000 --settle 10 \
    --window "$FOOTPRINT_WINDOW" >"$WORK/footprint.out" 2>"$WORK/footprint.err" \
    || { tail -30 "$WORK/footprint.err" >&2; exit 1; }
  FOOT_JAVA="$(sed -n '/^RESULTS$/,$p' "$WORK/footprint.out" | tail -n +2)"
  FOOT_NOTE="In-process rows: [FootprintMain](benchmarks/src/main/java/io/cacheplane/bench/FootprintMain.java), one fresh
JVM (\`-Xmx2g\`, not pinned) on the embedded API, load average $l0 at its start; writes are counted by the embedded
API server (creates, updates, patches, deletes). The standalone agent row comes from the data-path run above
(RSS read from \`/proc/<pid>/status\`)."
fi

# --- write -------------------------------------------------------------------------------------------------------
MODE="full run"
[ "$QUICK" = 1 ] && MODE="--quick run (short durations: indicative only)"
if awk -v l="${LOAD_START%%,*}" -v c="$CORES" 'BEGIN { exit !(l > c) }'; then
  MODE="$MODE; **the machine was loaded** (1-minute load average above the core count at start): other work shared the CPUs, so the absolute numbers are low and noisy and even the ratios are only indicative"
fi
{
  cat <<EOF
# Benchmarks

Reproduce with one command: \`scripts/bench.sh\` (\`scripts/bench.sh --quick\` for a short run). It installs wrk and
NGINX from the OS packages when missing, builds the \`benchmarks\` module (\`mvn -Pbenchmarks -pl benchmarks -am
package\`), runs everything on this machine in one go and rewrites this file. Benchmarks are not tests: they are not
part of \`mvn verify\`. Every configuration used is in the repository: [bench/](bench/), [benchmarks/](benchmarks/),
[scripts/bench.sh](scripts/bench.sh).

## Machine and run

| | |
| --- | --- |
| mode | $MODE |
| date | $STARTED |
| CPU | $CPU_MODEL, $CORES cores |
| memory | $MEM_GIB GiB |
| kernel | $(uname -r) |
| JDK | $JDK |
| load average (1, 5, 15 min) at start | $LOAD_START |
| load average at end | $(load) |

How to read it: every comparison is measured in the same run on the same machine, alternating the two sides, and
given as a ratio (ours / theirs). Absolute numbers depend on the machine; on a shared or loaded machine even the
ratios move between runs (a short \`--quick\` run on a loaded 2-core machine was seen to move the data-path ratios
by 2x), so quote a full run on an otherwise idle machine. Not measured yet: several agent processes or several
NGINX workers on the data path, TLS, propagation with more than 100 agents.

EOF
  for s in "${SECTIONS[@]}"; do
    printf '%s\n\n' "$s"
  done
  if [ -n "${FOOT_AGENT:-}${FOOT_JAVA:-}" ]; then
    printf '## 4. Footprint\n\n| what | start-to-ready | memory / writes |\n| --- | --- | --- |\n'
    if [ -n "${FOOT_AGENT:-}" ]; then printf '%s\n' "$FOOT_AGENT"; fi
    if [ -n "${FOOT_JAVA:-}" ]; then printf '%s\n' "$FOOT_JAVA"; fi
    if [ -n "${FOOT_NOTE:-}" ]; then printf '\n%s\n' "$FOOT_NOTE"; fi
  fi
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
log "wrote $OUT"
sed -n '/^## [0-9]/,$p' "$OUT" | grep -E '^\|' || true
