#!/usr/bin/env bash
# Cairn vs etcd 3.4, one run: builds the server and the harness, installs etcd and wrk when
# missing (Debian packages etcd-server, wrk), then runs dev.cairn.bench.KvBenchmark.
# Extra arguments go to KvBenchmark (e.g. --rounds 1 --seconds 5, --etcd none, --jar other.jar).
# A/B test of a server change: benchmarks/run.sh --jar-b /path/to/other/cairn.jar (about 5.5 minutes).
# Figures: stdout and benchmarks/target/results.md. Takes about 4 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null || [ ! -x /usr/bin/etcd ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq etcd-server wrk >/dev/null
fi

# offline first (the usual case here), online if something is missing from ~/.m2
# (build output to stderr: stdout is the report)
{ mvn -q -B -o -pl benchmarks -am package -DskipTests || mvn -q -B -pl benchmarks -am package -DskipTests; } >&2

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

java -Xmx1g -cp benchmarks/target/classes dev.cairn.bench.KvBenchmark \
  --jar dist/target/cairn.jar --source "$(git describe --always --dirty 2>/dev/null || echo 'no git')" \
  --pid-file "$pids" --out benchmarks/target/results.md "$@"
