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

# shellcheck source=../start_sim.sh
source "$root/tests/start_sim.sh"
# The secret key through the environment, as `ps` would otherwise show it.
COCTOP_SIM_SK="$sk" start_sim "$(mktemp -d)" "$root/target/debug/coctop" --ak "$ak" --seed 11
echo "sim at $url"

"$python" "$root/tests/sdk/sdk_compat.py" "$url" "$ak" "$sk"
