#!/usr/bin/env bash
# `coctop run JOB --yes --follow` end to end against the simulator (README,
# "Performance"): the POST, the new ID printed, then polls until the ticket ends, RUNS
# times. Prints each run's wall time beside the ticket's own run time (its end minus its
# start, from the simulator), and the medians. Usage: nice -n 19 benches/run_follow.sh [RUNS]
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-5}"
(cd "$root" && cargo build --quiet --bin coctop)
coctop="$root/target/debug/coctop"
home="$(mktemp -d)"
# shellcheck source=../tests/start_sim.sh
source "$root/tests/start_sim.sh"
start_sim "$home" "$coctop" --speed 60
printf '[poll]\ninterval = "1s"\nmax_rps = 10\n' >"$home/coctop.toml"
cli() { HOME="$home" XDG_STATE_HOME="$home" XDG_CACHE_HOME="$home" "$coctop" --config "$home/coctop.toml" --endpoint "$url" "$@"; }

# A job without targets, and a value for each of its required parameters.
read -r job params < <(cli list -o json --limit 100 | python3 -c '
import json, sys, urllib.request
url = sys.argv[1]
for t in json.load(sys.stdin):
    if t.get("type") == "NORMAL" and t.get("document_id"):
        doc = json.load(urllib.request.urlopen(url + "/v1/documents/" + t["document_id"]))["data"]
        required = [p["key"] for p in doc.get("parameters", []) if p.get("required")]
        print(doc["document_id"], " ".join(f"--param={k}=x" for k in required))
        break
' "$url")

walls=(); tickets=()
for _ in $(seq 1 "$runs"); do
    started=$(date +%s.%N)
    # shellcheck disable=SC2086
    code=0
    cli run "$job" $params --yes --follow >"$home/follow.out" || code=$?
    ended=$(date +%s.%N)
    id="$(head -n 1 "$home/follow.out")"
    took="$(cli get "$id" -o json | python3 -c 'import json,sys; t=json.load(sys.stdin); t=t[0] if isinstance(t,list) else t; print((t["end_time"]-t["start_time"])/1000)')"
    wall="$(python3 -c "print(round($ended - $started, 2))")"
    echo "run $id: exit $code ($(tail -n 1 "$home/follow.out")), wall ${wall} s, the ticket ran ${took} s"
    walls+=("$wall"); tickets+=("$took")
done
python3 - "${walls[*]}" "${tickets[*]}" <<'PY'
import statistics, sys
walls = [float(w) for w in sys.argv[1].split()]
runs = [float(t) for t in sys.argv[2].split()]
print(f"median wall {statistics.median(walls):.2f} s; median ticket run {statistics.median(runs):.2f} s; "
      f"median wall minus run {statistics.median([w - r for w, r in zip(walls, runs)]):.2f} s")
PY
