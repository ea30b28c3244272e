# Sourced by the scripts that measure or check against the simulator
# (benches/run_follow.sh, tests/sdk/logs_figure.sh, tests/sdk/run.sh).
#
# start_sim DIR COCTOP [SIM ARGS...]: `COCTOP sim --listen 127.0.0.1:0 SIM ARGS...` in
# the background, its output in DIR/sim.out; on exit the simulator is stopped and DIR
# removed. Sets `url` to the address the simulator printed, or exits 1 when it exited
# or printed none within 10 s.
start_sim() {
    sim_dir="$1"
    local coctop="$2"
    shift 2
    "$coctop" sim --listen 127.0.0.1:0 "$@" >"$sim_dir/sim.out" &
    sim_pid=$!
    trap 'kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; rm -rf "$sim_dir"' EXIT
    url=""
    for _ in $(seq 1 100); do
        url="$(sed -n 's/^coctop sim listening on //p' "$sim_dir/sim.out")"
        [ -n "$url" ] && break
        kill -0 "$sim_pid" 2>/dev/null || { echo "coctop sim exited early" >&2; exit 1; }
        sleep 0.1
    done
    [ -n "$url" ] || { echo "coctop sim printed no address" >&2; exit 1; }
}
