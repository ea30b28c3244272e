#!/usr/bin/env bash
# Runs tests/sdk/sdk_compat.py (the official Huawei Cloud Python SDK) against
# `coctop sim` with AK/SK checks on. Exits non-zero on any failure.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
python="${PYTHON:-python3}"
sdk_version="${HUAWEICLOUD_SDK_VERSION:-3.1.219}"
ak="SDKCOMPATAK"
sk="sdk-compat-secret"

if ! "$python" -c "import huaweicloudsdkcoc" 2>/dev/null; then
    "$python" -m pip install --quiet "huaweicloudsdkcoc==${sdk_version}"
fi
"$python" -c "import importlib.metadata as m; print('huaweicloudsdkcoc', m.version('huaweicloudsdkcoc'))"

(cd "$root" && cargo build --quiet --bin coctop)

out="$(mktemp)"
# The secret key through the environment, as `ps` would otherwise show it.
COCTOP_SIM_SK="$sk" "$root/target/debug/coctop" sim --listen 127.0.0.1:0 --ak "$ak" --seed 11 >"$out" &
sim_pid=$!
trap 'kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; rm -f "$out"' EXIT

url=""
for _ in $(seq 1 100); do
    url="$(sed -n 's/^coctop sim listening on //p' "$out")"
    [ -n "$url" ] && break
    kill -0 "$sim_pid" 2>/dev/null || { echo "coctop sim exited early" >&2; exit 1; }
    sleep 0.1
done
[ -n "$url" ] || { echo "coctop sim printed no address" >&2; exit 1; }
echo "sim at $url"

"$python" "$root/tests/sdk/sdk_compat.py" "$url" "$ak" "$sk"
