#!/usr/bin/env bash
# Every benchmark of BENCHMARKS.md in one run (about 17 minutes): builds the server and the harness,
# installs etcd and wrk when missing (Debian packages etcd-server, wrk), then runs
#   kv        dev.cairn.bench.KvBenchmark: Cairn vs etcd 3.4, KV PUT/GET and blocking-query fan-out (~4 min)
#   registry  dev.cairn.bench.RegistryBenchmark: agent registrations/s, health/service GET/s (~1.5 min)
#   render    dev.cairn.bench.RenderBenchmark (JMH): haproxy template over 1,000 instances (~30 s)
#   daemon    dev.cairn.bench.DaemonBenchmark: KV write / registration -> file -> command, blocking queries held (~5 min)
#   registrator dev.cairn.bench.RegistratorBenchmark: docker start -> service in /v1/health/service (~30 s;
#             needs a Docker engine on $DOCKER_HOST or /var/run/docker.sock, and busybox-static)
#   cluster   dev.cairn.bench.ClusterBenchmark: 3 Cairn servers vs 3 etcd members, KV PUT/GET and
#             leader failover (kill -9 to the first acknowledged write, 10 rounds each)
#             (~8 min: 3-4 of them the JIT warm-up of 3 JVMs on 2 cores, 1.5 the kill/restart rounds)
# benchmarks/run.sh --only kv|registry|render|daemon|registrator|cluster runs one of them.
# Other arguments go to KvBenchmark (e.g. --rounds 1 --seconds 5, --etcd none, --jar other.jar), or with
# --only daemon to DaemonBenchmark (e.g. --changes 300), or with --only cluster to ClusterBenchmark
# (e.g. --failovers 3 --etcd-failovers 0).
# A/B test of a server change: benchmarks/run.sh --only kv --jar-b /path/to/other/cairn.jar (about 5.5 minutes).
# A/B test of a daemon change: benchmarks/run.sh --only daemon --jar-b /path/to/other/cairn.jar (about 9 minutes).
# Figures: stdout and benchmarks/target/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."

only=all
if [ "${1:-}" = "--only" ]; then
  only=${2:?--only needs kv, registry, render, daemon, registrator or cluster}
  shift 2
  case "$only" in kv|registry|render|daemon|registrator|cluster) ;;
    *) echo "--only: kv, registry, render, daemon, registrator or cluster, not $only" >&2; exit 2;; esac
fi
want() { [ "$only" = all ] || [ "$only" = "$1" ]; }
# the other arguments belong to KvBenchmark, or with --only daemon|cluster to that benchmark
kv_args=("$@")
cluster_args=()
if [ "$only" = cluster ]; then kv_args=(); cluster_args=("$@"); fi

if { want kv || want registry || want cluster; } && { ! command -v wrk >/dev/null || [ ! -x /usr/bin/etcd ]; }; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq etcd-server wrk >/dev/null
fi

# offline first (the usual case here), online if something is missing from ~/.m2
# (build output to stderr: stdout is the report)
{ mvn -q -B -o -pl benchmarks -am package -DskipTests || mvn -q -B -pl benchmarks -am package -DskipTests; } >&2
# the harness and its dependencies (JMH, template-engine, Jackson), written by the package phase
cp="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
# each harness copies this jar before it starts a process from it
jar=dist/target/cairn.jar
source=$(git describe --always --dirty 2>/dev/null || echo 'no git')
out=benchmarks/target/results.md
: >"$out"

# 10,000 parked queries need 10,000 sockets in the harness and in the server
ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 65536 2>/dev/null || true

pids=$(mktemp)
cleanup() {
  # the harness stops its servers itself and then empties the file; this is for when it could
  # not (killed, crashed)
  while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$pids"
  sleep 1
  while read -r pid; do kill -9 "$pid" 2>/dev/null || true; done <"$pids"
  rm -f "$pids"
}
trap cleanup EXIT

if want kv; then
  java -Xmx1g -cp "$cp" dev.cairn.bench.KvBenchmark \
    --jar "$jar" --source "$source" \
    --pid-file "$pids" --out "$out.kv" "${kv_args[@]}"
  cat "$out.kv" >>"$out"
  rm -f "$out.kv"
fi

if want registry; then
  java -Xmx1g -cp "$cp" dev.cairn.bench.RegistryBenchmark --jar "$jar" --pid-file "$pids" --out "$out"
fi

if want render; then
  # JMH: 1 fork, 3 x 1 s warm-up, 5 x 1 s measured (the class' annotations), one run per @Param set
  java -cp "$cp" org.openjdk.jmh.Main RenderBenchmark -foe true -rf csv -rff benchmarks/target/render.csv >&2
  {
    printf '\n### Template render (issue 4, JMH)\n\n'
    printf -- '- %s; `examples/haproxy/haproxy.cfg.ctmpl` compiled once, 1,000 instances (1 in 50 critical, dropped by the engine), in-memory DataSource; 1 fork, 3 x 1 s warm-up, 5 x 1 s measured\n\n' \
      "$(java -cp "$cp" dev.cairn.bench.RenderBenchmark 2>/dev/null | sed 's/, queries.*//') per render (50 services)"
    printf '| services x instances each | µs per render (mean ± 99.9%% CI) |\n|---|---:|\n'
    # "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit","Param: instances","Param: services","Param: template"
    tail -n +2 benchmarks/target/render.csv | tr -d '"' | awk -F, '{ printf "| %d x %d | **%.0f** ± %.0f |\n", $9, $8 / $9, $5, $6 }'
  } | tee -a "$out"
fi

if want daemon; then
  daemon_args=()
  if [ "$only" = daemon ]; then daemon_args=("$@"); fi
  java -Xmx1g -cp "$cp" dev.cairn.bench.DaemonBenchmark --jar "$jar" --pid-file "$pids" --out "$out" "${daemon_args[@]}"
fi

if want registrator; then
  if ! /usr/bin/docker info >/dev/null 2>&1 || [ ! -x /bin/busybox ]; then
    echo "registrator: skipped: needs a running Docker engine (/usr/bin/docker info) and busybox-static" >&2
    [ "$only" = all ] || exit 1
  else
    java -Xmx512m -cp "$cp" dev.cairn.bench.RegistratorBenchmark --jar "$jar" --pid-file "$pids" --out "$out"
  fi
fi

if want cluster; then
  # after the others: it starts 6 servers, and its failover rounds kill and restart them
  java -Xmx1g -cp "$cp" dev.cairn.bench.ClusterBenchmark --jar "$jar" --source "$source" \
    --pid-file "$pids" --out "$out" "${cluster_args[@]}"
fi
