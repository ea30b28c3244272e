#!/usr/bin/env bash
# `coctop logs` of a 200-host ticket beside the official SDK reading the same pages
# (README, "Performance"). Usage: nice -n 19 tests/sdk/logs_figure.sh [RUNS]
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
python="${PYTHON:-python3}"
runs="${1:-5}"
(cd "$root" && cargo build --quiet --bin coctop)

# shellcheck source=../start_sim.sh
source "$root/tests/start_sim.sh"
start_sim "$(mktemp -d)" "$root/target/debug/coctop" --speed 1000
proxy_port="$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$python" "$root/tests/sdk/logs_pages.py" "$url" "$proxy_port" "$root/target/debug/coctop" "$runs"
