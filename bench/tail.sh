#!/usr/bin/env bash
# Where the latency tail comes from: a diagnostic beside bench/run.sh, not a
# goal check. It loads, alternating, at the same connections and pinning as
# run.sh:
#   floor        bench/ceiling -cost COST: the HTTP floor spending COST of CPU
#                on each request, so it serves at about the advisor's rate
#                with none of the advisor's code;
#   floor-fifo   the same, built with Go's network poller changed to wake the
#                goroutines whose sockets became ready in the order they
#                did (see below);
#   advise       "advise serve" with its defaults;
#   advise-fifo  the same, built with that poller.
# and prints req/s and the p10, p50, p90 and p99 latency of each. With one
# CPU and 32 connections every request waits for the others ahead of it, so
# a fair queue gives every request about the same latency (p10 near p99);
# the spread between them is unfairness.
#
# The changed poller: on Linux the runtime's netpoll (runtime/netpoll_epoll.go
# in GOROOT) pushes the goroutines epoll reports ready onto a list that runs
# last-in first-out, so a batch of ready connections is served in reverse
# order of readiness. The -fifo builds overlay a copy of that file whose
# loop visits epoll's events from last to first, which makes the batch run
# in the order epoll gave it (go build -overlay; GOROOT is not touched). It
# is an experiment to measure with, not something to ship. When the file
# does not have the expected loop (another Go version), the -fifo targets
# are left out and the script says so.
#
#   bash bench/tail.sh
#
# Environment:
#   ROUNDS             rounds over the targets (default 2)
#   BENCH_DURATION     load per target and round (default 10s)
#   BENCH_CONNECTIONS  concurrent connections (default 32)
#   COST               the floor's CPU a request (default 90us: the floor then
#                      serves about what advise serves on this 2-CPU VM)
#   BENCH_PIN          as in bench/run.sh
#   RESULTS_DIR        where the JSON results go (default a new temp dir)
set -euo pipefail

cd "$(dirname "$0")/.."

rounds="${ROUNDS:-2}"
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "ROUNDS must be a positive integer, not $rounds" >&2; exit 2; }
duration="${BENCH_DURATION:-10s}"
connections="${BENCH_CONNECTIONS:-32}"
cost="${COST:-90us}"
results="${RESULTS_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/advise-tail.XXXXXX")}"
mkdir -p "$results"

work="$(mktemp -d "${TMPDIR:-/tmp}/advise-tail-bin.XXXXXX")"

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# shellcheck source=bench/lib.sh
source bench/lib.sh

# On any exit: stop the target still running, remove the binaries, keep the
# results.
trap clean_up_run EXIT
trap 'exit 130' INT TERM

pin_cpus

echo "==> $(date -u +%Y-%m-%dT%H:%M:%SZ): $(go version); $placement"
echo "==> $rounds rounds, $duration each at $connections connections; floor cost $cost a request"
echo "==> results: $results"

echo "==> build advise, the floor and loadgen"
go build -o "$work/advise" ./cmd/advise
go build -o "$work/floor" ./bench/ceiling
go build -o "$work/loadgen" ./bench/loadgen

targets=(floor advise)
poller="$(go env GOROOT)/src/runtime/netpoll_epoll.go"
loop='	for i := int32(0); i < n; i++ {'
if [[ -f "$poller" ]] && [[ "$(grep -cxF "$loop" "$poller")" == 1 ]]; then
	echo "==> build the -fifo variants (the first build of the runtime with an overlay takes a while)"
	sed "s/^\tfor i := int32(0); i < n; i++ {\$/\tfor i := n - 1; i >= 0; i-- {/" "$poller" >"$work/netpoll_epoll.go"
	printf '{"Replace":{"%s":"%s"}}\n' "$poller" "$work/netpoll_epoll.go" >"$work/overlay.json"
	go build -overlay "$work/overlay.json" -o "$work/advise-fifo" ./cmd/advise
	go build -overlay "$work/overlay.json" -o "$work/floor-fifo" ./bench/ceiling
	targets+=(floor-fifo advise-fifo)
else
	echo "==> $poller has not the loop this script changes: the -fifo targets are left out"
fi

# run_target NAME ROUND: start NAME on a free port, wait for its first
# answer, load it, stop it.
run_target() {
	local name="$1" round="$2" port log
	port="$("$work/loadgen" -free-port)"
	log="$results/$name-r$round.log"
	case "$name" in
	floor*) "${server_cmd[@]}" "$work/$name" -addr "127.0.0.1:$port" -cost "$cost" >"$log" 2>&1 & ;;
	advise*) "${server_cmd[@]}" "$work/$name" serve --addr "127.0.0.1:$port" >"$log" 2>&1 & ;;
	esac
	target_pid=$!
	"${load_cmd[@]}" "$work/loadgen" -wait-ready 30s -url "http://127.0.0.1:$port/advise" >/dev/null ||
		fail "$name did not answer within 30 s (log: $log)"
	"${load_cmd[@]}" "$work/loadgen" -url "http://127.0.0.1:$port/advise" -duration "$duration" \
		-connections "$connections" -label "$name" -json >"$results/$name-r$round.json" ||
		fail "loadgen failed against $name"
	stop_target "$name" "$log"
	printf '    %-12s round %d: %8.0f req/s  p10 %6.2f  p50 %6.2f  p90 %6.2f  p99 %6.2f ms\n' "$name" "$round" \
		"$(json_field "$results/$name-r$round.json" rps)" "$(json_field "$results/$name-r$round.json" p10_ms)" \
		"$(json_field "$results/$name-r$round.json" p50_ms)" "$(json_field "$results/$name-r$round.json" p90_ms)" \
		"$(json_field "$results/$name-r$round.json" p99_ms)"
}

for round in $(seq 1 "$rounds"); do
	order=("${targets[@]}")
	if ((round % 2 == 0)); then # reversed every other round, as in run.sh
		order=()
		for ((i = ${#targets[@]} - 1; i >= 0; i--)); do order+=("${targets[i]}"); done
	fi
	echo "==> round $round: ${order[*]}"
	for name in "${order[@]}"; do
		run_target "$name" "$round"
	done
done

echo
echo "median of the rounds ($placement; $duration per run at $connections connections):"
printf '%-12s %10s %8s %8s %8s %8s %9s\n' target req/s p10 p50 p90 p99 p99/p50
for name in "${targets[@]}"; do
	for round in $(seq 1 "$rounds"); do
		r="$results/$name-r$round.json"
		printf '%s %s %s %s %s\n' "$(json_field "$r" rps)" "$(json_field "$r" p10_ms)" \
			"$(json_field "$r" p50_ms)" "$(json_field "$r" p90_ms)" "$(json_field "$r" p99_ms)"
	done | awk -v name="$name" "$awk_median"'
{ for (k = 1; k <= 5; k++) col[k, NR] = $k }
END {
	for (k = 1; k <= 5; k++) { for (i = 1; i <= NR; i++) v[i] = col[k, i]; m[k] = median(v, NR) }
	printf "%-12s %10.0f %8.2f %8.2f %8.2f %8.2f %8.2fx\n", name, m[1], m[2], m[3], m[4], m[5], (m[3] > 0 ? m[5] / m[3] : 0)
}'
done
echo "(latencies in ms; raw results in $results)"
