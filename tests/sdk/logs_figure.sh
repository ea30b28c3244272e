#!/usr/bin/env bash
# `coctop logs` of a 200-host ticket beside the official SDK reading the same pages
# (README, "Performance"). Usage: nice -n 19 tests/sdk/logs_figure.sh [RUNS]
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
python="${PYTHON:-python3}"
runs="${1:-5}"
(cd "$root" && cargo build --quiet --bin coctop)

out="$(mktemp)"
"$root/target/debug/coctop" sim --listen 127.0.0.1:0 --speed 1000 >"$out" &
sim_pid=$!
trap 'kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; rm -f "$out"' EXIT
url=""
for _ in $(seq 1 100); do
    url="$(sed -n 's/^coctop sim listening on //p' "$out")"
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ] || { echo "coctop sim printed no address" >&2; exit 1; }
proxy_port="$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$python" "$root/tests/sdk/logs_pages.py" "$url" "$proxy_port" "$root/target/debug/coctop" "$runs"
