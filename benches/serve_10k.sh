#!/usr/bin/env bash
# `coctop serve` over 10,000 tickets across 3 profiles (README, "Benchmarks"): three
# simulators, each with its own AK/SK and 3,334 (3,333) seeded executions, every one of
# them a `[[watch]]` of its profile. Waits until /metrics counts all 10,000 watched
# tickets, warms up WARMUP seconds more, then samples the serve process every 5 s (one
# poll cycle at the default interval: its work comes in bursts, once a cycle) for
# SECONDS seconds: CPU (% of one core over each 5 s, from /proc/PID/stat) and resident
# memory (VmRSS). Prints the medians, the p90 of CPU and the peak RSS.
# Usage: nice -n 19 benches/serve_10k.sh [SECONDS] [WARMUP] [MAX_RPS]
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-120}"
warmup="${2:-30}"
max_rps="${3:-10}"
(cd "$root" && cargo build --quiet --release --bin coctop)
coctop="$root/target/release/coctop"
home="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$home"
}
trap cleanup EXIT

# The address a process printed after `prefix` on its first line.
listening() {
    local out="$1" prefix="$2" url=""
    for _ in $(seq 1 300); do
        url="$(sed -n "s|^$prefix||p" "$out" | head -n 1)"
        [ -n "$url" ] && break
        sleep 0.1
    done
    [ -n "$url" ] || { echo "no address in $out" >&2; exit 1; }
    echo "$url"
}

counts=(3334 3333 3333)
config="$home/coctop.toml"
printf '[poll]\nmax_rps = %s\n' "$max_rps" >"$config"
for i in 1 2 3; do
    export "P${i}_AK=BENCHAK000$i" "P${i}_SK=bench-secret-$i"
    "$coctop" sim --listen 127.0.0.1:0 --seed "$i" --tickets "${counts[$((i - 1))]}" \
        --script-tickets 0 --ak "BENCHAK000$i" --sk "bench-secret-$i" >"$home/sim$i.out" &
    pids+=($!)
    url="$(listening "$home/sim$i.out" 'coctop sim listening on ')"
    printf '\n[[profile]]\nname = "p%s"\nendpoint = "%s"\nenv_prefix = "P%s"\n' \
        "$i" "$url" "$i" >>"$config"
done
cli() { HOME="$home" XDG_STATE_HOME="$home" XDG_CACHE_HOME="$home" "$coctop" --config "$config" "$@"; }
for i in 1 2 3; do
    cli --profile "p$i" list --since 3650d --limit "${counts[$((i - 1))]}" -o json |
        python3 -c '
import json, sys
profile = sys.argv[1]
for ticket in json.load(sys.stdin):
    execution = ticket["execution_id"]
    print(f"\n[[watch]]\nid = \"{execution}\"\nprofile = \"{profile}\"")
' "p$i" >>"$config"
done
echo "watching $(grep -c '^\[\[watch\]\]' "$config") tickets across 3 profiles, max_rps $max_rps each"

# The process itself, not a subshell around it: its CPU and memory are measured.
HOME="$home" XDG_STATE_HOME="$home" XDG_CACHE_HOME="$home" \
    "$coctop" --config "$config" serve --listen 127.0.0.1:0 >"$home/serve.out" 2>"$home/serve.err" &
serve_pid=$!
pids+=("$serve_pid")
serve_url="$(listening "$home/serve.out" 'coctop serve listening on ' | cut -d' ' -f1)"

# The watched tickets /metrics counts (a ticket counts once it was seen).
watched_seen() {
    curl -s "$serve_url/metrics" |
        awk '/^coctop_tickets\{/ && /query=""/ {s += $NF} END {print s + 0}'
}
started=$(date +%s)
until [ "$(watched_seen)" -ge 10000 ]; do
    if [ $(($(date +%s) - started)) -gt 1800 ]; then
        echo "only $(watched_seen) of 10,000 seen after 30 minutes" >&2
        exit 1
    fi
    sleep 2
done
echo "all 10,000 seen after $(($(date +%s) - started)) s; warming up ${warmup} s more"
sleep "$warmup"

python3 - "$serve_pid" "$seconds" <<'PY'
import os, statistics, sys, time
pid, seconds = int(sys.argv[1]), int(sys.argv[2])
hz = os.sysconf("SC_CLK_TCK")

def cpu_ticks():
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime

def rss_mb():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

step = 5
cpu, rss = [], []
ticks, at = cpu_ticks(), time.monotonic()
for _ in range(seconds // step):
    time.sleep(step)
    now_ticks, now = cpu_ticks(), time.monotonic()
    cpu.append(100 * (now_ticks - ticks) / hz / (now - at))
    rss.append(rss_mb())
    ticks, at = now_ticks, now
cpu.sort()
print(f"serve over {seconds} s, {len(cpu)} windows of {step} s: CPU median {statistics.median(cpu):.2f}% of one core, "
      f"p90 {cpu[int(0.9 * (len(cpu) - 1))]:.2f}%, mean {statistics.mean(cpu):.2f}%; "
      f"RSS median {statistics.median(rss):.1f} MB, peak {max(rss):.1f} MB; "
      f"load average {os.getloadavg()[0]:.1f}")
PY
curl -s "$serve_url/metrics" |
    awk '/^coctop_api_requests_total/ {s += $NF} END {print "requests so far: " s}'
