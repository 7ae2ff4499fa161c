#!/usr/bin/env bash
# Cairn in front of a real nginx, on loopback only, from one terminal:
#   1. `cairn template -dev` (store + daemon in one process) renders examples/nginx/upstream.conf.ctmpl;
#   2. nginx (unprivileged, in a temp prefix folder) includes the rendered upstream.conf;
#   3. two small web backends register as service "web": the upstream gains them, nginx -t checks
#      the result, nginx reloads, and requests through nginx reach them;
#   4. one deregisters: it leaves the upstream.
# Needs nginx, python3 (or busybox) and curl. Everything it starts is stopped on exit.
# Ports (override with env): CAIRN_PORT 18500, NGINX_PORT 18080, BACKEND_PORTS "18081 18082".
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CAIRN_PORT=${CAIRN_PORT:-18500}
NGINX_PORT=${NGINX_PORT:-18080}
read -r -a BACKEND_PORTS <<< "${BACKEND_PORTS:-18081 18082}"
store="http://127.0.0.1:$CAIRN_PORT"

for tool in nginx curl; do
  command -v "$tool" >/dev/null || { echo "walkthrough: $tool is needed (apt-get install $tool)" >&2; exit 1; }
done

dir="$(mktemp -d /tmp/cairn-walkthrough.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
# waits up to 20 s for a command to succeed
wait_for() {
  local what=$1; shift
  for _ in $(seq 200); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "walkthrough: timed out waiting for $what" >&2
  exit 1
}

step "building the jar if needed"
[ -f "$repo/dist/target/cairn.jar" ] || "$repo/bin/cairn" version

step "nginx prefix in $dir (listening on 127.0.0.1:$NGINX_PORT)"
mkdir -p "$dir/logs" "$dir/temp"
sed "s/127.0.0.1:18080/127.0.0.1:$NGINX_PORT/" "$repo/examples/nginx/nginx.conf" > "$dir/nginx.conf"
nginx_cmd="nginx -p $dir -c $dir/nginx.conf"

# The daemon's config: the template, the check (nginx -t on nginx.conf with the rendered file
# swapped in) and the reload. The first render starts nginx; later ones reload it.
cat > "$dir/cairn.json" <<JSON
{"template": [{
  "source": "$repo/examples/nginx/upstream.conf.ctmpl",
  "destination": "$dir/upstream.conf",
  "check_command": "$repo/examples/nginx/check.sh $dir",
  "command": "if [ -s $dir/logs/nginx.pid ]; then $nginx_cmd -s reload; fi"
}]}
JSON
cat "$dir/cairn.json"

step "starting: cairn template -dev -config $dir/cairn.json -http-addr 127.0.0.1:$CAIRN_PORT"
"$repo/bin/cairn" template -dev -http-addr "127.0.0.1:$CAIRN_PORT" -config "$dir/cairn.json" \
  > "$dir/cairn.log" 2>&1 &
pids+=($!)
wait_for "the -dev store" curl -sf "$store/v1/status/leader"
wait_for "the first render" test -s "$dir/upstream.conf"
echo "--- $dir/upstream.conf (no backend yet):"
cat "$dir/upstream.conf"

step "starting nginx: $nginx_cmd"
$nginx_cmd > "$dir/nginx.out" 2>&1 &
pids+=($!)
wait_for "nginx" test -s "$dir/logs/nginx.pid"
echo "GET / through nginx: HTTP $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$NGINX_PORT/") (no healthy instance yet)"

step "two backends on ${BACKEND_PORTS[*]}, registered as service web"
for i in 0 1; do
  port=${BACKEND_PORTS[$i]}
  mkdir -p "$dir/backend$((i + 1))"
  echo "hello from backend$((i + 1)) on port $port" > "$dir/backend$((i + 1))/index.html"
  if command -v python3 >/dev/null; then
    python3 -m http.server "$port" --bind 127.0.0.1 --directory "$dir/backend$((i + 1))" > /dev/null 2>&1 &
  else
    busybox httpd -f -p "127.0.0.1:$port" -h "$dir/backend$((i + 1))" &
  fi
  pids+=($!)
  wait_for "backend on $port" curl -sf "http://127.0.0.1:$port/"
  curl -sf -X PUT "$store/v1/agent/service/register" \
    -d "{\"ID\":\"web-$((i + 1))\",\"Name\":\"web\",\"Address\":\"127.0.0.1\",\"Port\":$port}"
done
wait_for "both backends in upstream.conf" grep -q "${BACKEND_PORTS[1]}" "$dir/upstream.conf"
echo "--- $dir/upstream.conf:"
cat "$dir/upstream.conf"
# the reload is asynchronous: nginx's new workers take over within moments
wait_for "nginx to answer from a backend" curl -sf "http://127.0.0.1:$NGINX_PORT/"
for _ in 1 2 3 4; do
  echo "GET / through nginx: $(curl -s "http://127.0.0.1:$NGINX_PORT/")"
done

step "deregistering web-1"
curl -sf -X PUT "$store/v1/agent/service/deregister/web-1"
wait_for "web-1 to leave upstream.conf" sh -c "! grep -q ':${BACKEND_PORTS[0]};' '$dir/upstream.conf'"
echo "--- $dir/upstream.conf:"
cat "$dir/upstream.conf"
sleep 0.5
for _ in 1 2 3; do
  echo "GET / through nginx: $(curl -s "http://127.0.0.1:$NGINX_PORT/")"
done

step "what the daemon logged (one line per render, check, write and command)"
cat "$dir/cairn.log"
echo
echo "walkthrough: done; stopping everything it started."
