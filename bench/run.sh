#!/usr/bin/env bash
# Side-by-side performance harness: POST /advise against
#   ceiling  bench/ceiling, an echo server that decodes the same request and
#            answers a fixed answer of typical size (the HTTP floor);
#   advise   "advise serve" with its defaults;
#   opa      OPA's own server ("opa run --server", the version go.mod pins)
#            with the policy/rego rules, evaluating data.advise.decision.answer
#            over its REST API;
#   baseline with BASELINE_REV set, "advise serve" built from that revision
#            (a git worktree of this repository), for before and after in
#            one run;
# each started fresh on a free loopback port, timed to its first answer, then
# loaded by bench/loadgen with the same generated workload mix. It prints a
# table and the ratios against the goals of issue 5, and keeps each run's raw
# JSON in a results directory. It does not fail when a goal is missed: it is a
# measurement. It fails only when a target cannot be built, started or loaded.
#
#   bash bench/run.sh
#
# Environment:
#   ROUNDS             rounds over the targets (default 2)
#   BASELINE_REV       a revision to build and measure as "baseline" beside
#                      advise, in-process too (default none)
#   BASELINE_OMIT      request fields the baseline's contract lacks, left out
#                      of every target's workloads so all of them answer the
#                      same bodies (comma-separated; default none)
#   BENCH_DURATION     load per target and round (default 10s)
#   BENCH_CONNECTIONS  concurrent connections (default 32)
#   BENCH_WARMUP       1 (default): before the timed load, send each target
#                      every workload of the mix once, untimed, at the same
#                      concurrency, and wait for the answers; 0: do not. A
#                      fresh advise meets each workload for the first time
#                      then and evaluates the rules for it, which the timed
#                      load is not meant to measure (BenchmarkFirstAnswers
#                      is)
#   RESULTS_DIR        where the JSON results go (default a new temp dir)
#   INPROCESS_BENCHTIME  -benchtime of each in-process pass (default 2s);
#                      there are ROUNDS passes
#   BENCH_PIN          1: pin server and load generator to separate cores with
#                      taskset (default when taskset exists and there are at
#                      least 2 cores); 0: do not pin
set -euo pipefail

cd "$(dirname "$0")/.."

rounds="${ROUNDS:-2}"
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "ROUNDS must be a positive integer, not $rounds" >&2; exit 2; }
duration="${BENCH_DURATION:-10s}"
warmup="${BENCH_WARMUP:-1}"
baseline_rev="${BASELINE_REV:-}"
omit="${BASELINE_OMIT:-}"
targets=(ceiling advise opa)
[[ -z "$baseline_rev" ]] || targets=(ceiling advise baseline opa)
connections="${BENCH_CONNECTIONS:-32}"
results="${RESULTS_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/advise-bench.XXXXXX")}"
mkdir -p "$results"

work="$(mktemp -d "${TMPDIR:-/tmp}/advise-bench-bin.XXXXXX")"
# loadgen's own CPU time, from bash's time keyword.
TIMEFORMAT='%3U %3S'

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

echo "==> machine: $cores CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(go version)"
echo "==> $(date -u +%Y-%m-%dT%H:%M:%SZ): $rounds rounds × ${#targets[@]} targets, $duration each at $connections connections (warm-up pass: $warmup)"
echo "==> $placement"
# Anything else running takes CPU from the targets: say how busy it was.
echo "==> load average $(cut -d ' ' -f 1-3 /proc/loadavg) before the first build"
echo "==> results: $results"

echo "==> build advise, ceiling, loadgen and opa (the version go.mod pins) into $work"
go build -o "$work/advise" ./cmd/advise
go build -o "$work/ceiling" ./bench/ceiling
go build -o "$work/loadgen" ./bench/loadgen
# The binary "go tool opa" runs, built once: timing "go tool opa" itself
# would add the go command's own start-up to OPA's.
go build -o "$work/opa" github.com/open-policy-agent/opa
if [[ -n "$baseline_rev" ]]; then
	echo "==> build the baseline: advise at $baseline_rev ($(git rev-parse --short "$baseline_rev^{commit}"))"
	git worktree add --detach --quiet "$work/baseline-src" "$baseline_rev" || fail "cannot check out $baseline_rev"
	(cd "$work/baseline-src" && go build -o "$work/baseline" ./cmd/advise) || fail "cannot build advise at $baseline_rev"
fi

# OPA loads every file under a directory, tests included; it gets the same
# rules as the advisor's engine embeds: policy/rego without *_test.rego.
mkdir -p "$work/opa-policy"
(cd policy/rego && find . -name '*.rego' ! -name '*_test.rego' -exec cp --parents -t "$work/opa-policy" {} +)

# run_target NAME ROUND: start NAME on a free port, time it to its first 200
# answer to a real workload, load it, stop it. The start time is bash's
# $EPOCHREALTIME (bash 5; no fork) read just before the launch; loadgen then
# polls every millisecond. Its own start-up (about 5 ms on a 2-CPU VM) runs
# meanwhile and is the resolution of the figure: a target ready sooner shows
# as loadgen's start-up.
run_target() {
	local name="$1" round="$2" port path mode t0 log
	port="$("$work/loadgen" -free-port)"
	log="$results/$name-r$round.log"
	case "$name" in
	ceiling)
		path=/advise mode=advise
		t0="${EPOCHREALTIME:-$(date +%s.%N)}"
		"${server_cmd[@]}" "$work/ceiling" -addr "127.0.0.1:$port" >"$log" 2>&1 &
		;;
	advise | baseline)
		path=/advise mode=advise
		t0="${EPOCHREALTIME:-$(date +%s.%N)}"
		"${server_cmd[@]}" "$work/$name" serve --addr "127.0.0.1:$port" >"$log" 2>&1 &
		;;
	opa)
		path=/v1/data/advise/decision/answer mode=opa
		t0="${EPOCHREALTIME:-$(date +%s.%N)}"
		"${server_cmd[@]}" "$work/opa" run --server --log-level error --skip-version-check \
			--addr "127.0.0.1:$port" "$work/opa-policy" >"$log" 2>&1 &
		;;
	esac
	target_pid=$!
	"${load_cmd[@]}" "$work/loadgen" -wait-ready 30s -since "$t0" -omit "$omit" -mode "$mode" \
		-url "http://127.0.0.1:$port$path" -json >"$results/$name-r$round.ready.json" ||
		fail "$name did not answer a workload within 30 s (log: $log)"
	if [[ "$warmup" == 1 ]]; then
		"${load_cmd[@]}" "$work/loadgen" -once -duration 5m -omit "$omit" -mode "$mode" -url "http://127.0.0.1:$port$path" \
			-connections "$connections" -json >"$results/$name-r$round.warmup.json" ||
			fail "warm-up pass failed against $name"
	fi
	# CPU accounting around the load, as in loadtest.sh: how much of the
	# machine went to processes other than the target and loadgen.
	local busy0 target0 busy1 target1 own
	busy0="$(busy_ticks)" target0="$(proc_ticks "$target_pid")"
	if ! { time "${load_cmd[@]}" "$work/loadgen" -omit "$omit" -mode "$mode" -url "http://127.0.0.1:$port$path" \
		-duration "$duration" -connections "$connections" -pid "$target_pid" -label "$name" \
		-json >"$results/$name-r$round.json" 2>"$work/loadgen.err"; } 2>"$work/loadgen.time"; then
		cat "$work/loadgen.err" >&2
		fail "loadgen failed against $name"
	fi
	busy1="$(busy_ticks)" target1="$(proc_ticks "$target_pid")"
	local wall own loadgen_pct other_pct
	wall="$(json_field "$results/$name-r$round.json" seconds)"
	own="$(awk -v t="$((target1 - target0))" -v tck="$(getconf CLK_TCK)" '{ print t / tck + $1 + $2 }' "$work/loadgen.time")"
	other_pct="$(other_cpu "$((busy1 - busy0))" "$own" "$wall")"
	# loadgen's CPU as a share of the CPUs it may use: near 100 means the
	# figure is the load generator's limit, not the target's.
	loadgen_pct="$(awk -v wall="$wall" -v cpus="${load_cpus_count:-$cores}" '{ printf "%.0f", ($1 + $2) / (wall * cpus) * 100 }' "$work/loadgen.time")"
	printf '%s\t%s\n' "$loadgen_pct" "$other_pct" >"$results/$name-r$round.cpu"
	stop_target "$name" "$log"
	printf '    %-8s round %d: %8.0f req/s  p99 %8.2f ms  ready in %6.1f ms  errors %s  loadgen CPU %s%%  other CPU %s%%\n' \
		"$name" "$round" "$(json_field "$results/$name-r$round.json" rps)" "$(json_field "$results/$name-r$round.json" p99_ms)" \
		"$(json_field "$results/$name-r$round.ready.json" ready_ms)" "$(json_field "$results/$name-r$round.json" errors)" \
		"$loadgen_pct" "$other_pct"
}

for round in $(seq 1 "$rounds"); do
	# Alternate the order, so no target always runs on a machine just warmed
	# (or just heated) by the same neighbour.
	order=("${targets[@]}")
	if ((round % 2 == 0)); then
		order=()
		for ((i = ${#targets[@]} - 1; i >= 0; i--)); do order+=("${targets[i]}"); done
	fi
	echo "==> round $round: ${order[*]}"
	for name in "${order[@]}"; do
		run_target "$name" "$round"
	done
done

# One line per run: target round rps p50 p99 peak_rss ready_ms errors
# loadgen% other%.
table="$results/summary.tsv"
for round in $(seq 1 "$rounds"); do
	for name in "${targets[@]}"; do
		r="$results/$name-r$round.json"
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$round" \
			"$(json_field "$r" rps)" "$(json_field "$r" p50_ms)" "$(json_field "$r" p99_ms)" \
			"$(json_field "$r" peak_rss_mb)" "$(json_field "$results/$name-r$round.ready.json" ready_ms)" \
			"$(json_field "$r" errors)" "$(cat "$results/$name-r$round.cpu")"
	done
done >"$table"

echo
echo "$placement; $duration per run at $connections connections"
echo "(loadgen%: its CPU use against the CPUs it may use; near 100 the figure is loadgen's limit, not the target's."
echo " other%: the machine's CPU used by processes other than the target and loadgen during the run.)"
awk -F '\t' "$awk_median"'
function verdict(ok) { return ok ? "met" : "MISSED" }
BEGIN {
	printf "%-8s %5s %10s %9s %9s %9s %10s %7s %9s %7s\n", "target", "round", "req/s", "p50 ms", "p99 ms", "peak MB", "start ms", "errors", "loadgen%", "other%"
}
{
	printf "%-8s %5d %10.0f %9.2f %9.2f %9.1f %10.1f %7d %9d %7d\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10
	rps[$1, $2] = $3; p99[$1, $2] = $5; rss[$1, $2] = $6; start[$1, $2] = $7
	if ($2 > rounds) rounds = $2
}
END {
	print ""
	printf "%5s %16s %12s %17s\n", "round", "advise/ceiling", "advise/opa", "advise/baseline"
	for (r = 1; r <= rounds; r++) {
		c[r] = rps["ceiling", r] > 0 ? rps["advise", r] / rps["ceiling", r] : 0
		o[r] = rps["opa", r] > 0 ? rps["advise", r] / rps["opa", r] : 0
		b[r] = rps["baseline", r] > 0 ? rps["advise", r] / rps["baseline", r] : 0
		ap99[r] = p99["advise", r]; astart[r] = start["advise", r]; arss[r] = rss["advise", r]
		printf "%5d %15.3fx %11.3fx %16s\n", r, c[r], o[r], (b[r] > 0 ? sprintf("%.3fx", b[r]) : "-")
	}
	mc = median(c, rounds); mo = median(o, rounds); mb = median(b, rounds)
	mp = median(ap99, rounds); ms = median(astart, rounds); mr = median(arss, rounds)
	printf "%5s %15.3fx %11.3fx %16s\n", "median", mc, mo, (mb > 0 ? sprintf("%.3fx", mb) : "-")
	print ""
	print "advise against the goals (median of the rounds):"
	printf "  throughput vs ceiling  %8.3fx  goal >= 0.5x   %s\n", mc, verdict(mc >= 0.5)
	printf "  throughput vs OPA      %8.3fx  goal >= 4x     %s\n", mo, verdict(mo >= 4)
	if (mb > 0)
		printf "  throughput vs baseline %8.3fx  goal >= 0.8x   %s\n", mb, verdict(mb >= 0.8)
	printf "  p99                    %8.2f ms goal <= 5 ms   %s\n", mp, verdict(mp <= 5)
	printf "  start-up               %8.1f ms goal <= 20 ms  %s\n", ms, verdict(ms <= 20)
	printf "  peak RSS               %8.1f MB goal <= 40 MB  %s\n", mr, verdict(mr <= 40)
}' "$table"

# The in-process goals: BenchmarkWhatIfCost takes each body of the corpus
# through decode, validate, advise and encode without what-if and ask-next
# (a) and with them (b), alternating, and reports each median and the ratio
# of their total times.
inprocess="$results/inprocess.txt"
echo
echo "==> in-process: go test -bench WhatIfCost, $rounds passes of ${INPROCESS_BENCHTIME:-2s} a set"
go test -run '^$' -bench 'WhatIfCost' -benchtime "${INPROCESS_BENCHTIME:-2s}" -count "$rounds" ./policy >"$inprocess" ||
	fail "in-process benchmark failed: $(tail -5 "$inprocess")"
if [[ -n "$baseline_rev" ]]; then
	# The baseline's passes, labelled so the summary tells them apart.
	(cd "$work/baseline-src" && go test -run '^$' -bench 'WhatIfCost' -benchtime "${INPROCESS_BENCHTIME:-2s}" -count "$rounds" ./policy) |
		sed 's|^BenchmarkWhatIfCost/|BenchmarkWhatIfCost/baseline-|' >>"$inprocess" ||
		fail "in-process benchmark of the baseline failed: $(tail -5 "$inprocess")"
fi
awk "$awk_median"'
function verdict(ok) { return ok ? "met" : "MISSED" }
/^BenchmarkWhatIfCost\// {
	split($1, name, "/"); set = name[2]; sub(/-[0-9]+$/, "", set)
	for (i = 3; i < NF; i++) {
		if ($(i+1) == "b/a") ratio = $i
		if ($(i+1) == "median-a-ns") only = $i
		if ($(i+1) == "median-b-ns") full = $i
	}
	n[set]++; r[set, n[set]] = ratio; a[set, n[set]] = only / 1000; b[set, n[set]] = full / 1000
	if (!(set in seen)) { seen[set] = 1; sets[++nsets] = set }
}
END {
	printf "%-10s %6s %18s %18s %16s\n", "set", "passes", "answer only µs", "full answer µs", "full/only"
	for (k = 1; k <= nsets; k++) {
		s = sets[k]
		for (i = 1; i <= n[s]; i++) { rr[i] = r[s, i]; aa[i] = a[s, i]; bb[i] = b[s, i] }
		mr[s] = median(rr, n[s]); ma[s] = median(aa, n[s]); mb[s] = median(bb, n[s])
		printf "%-10s %6d %18.1f %18.1f %15.2fx\n", s, n[s], ma[s], mb[s], mr[s]
	}
	print ""
	print "in process, against the goals (median of the passes, each set):"
	for (k = 1; k <= nsets; k++) {
		s = sets[k]
		if (s ~ /^baseline-/) continue
		printf "  full answer %-10s %8.1f µs goal <= 60 µs  %s\n", s, mb[s], verdict(mb[s] <= 60)
		printf "  what-if cost %-9s %8.2fx  goal <= 2x     %s\n", s, mr[s], verdict(mr[s] <= 2)
	}
}' "$inprocess"

echo
echo "raw results (one JSON per run, *.ready.json for start-up, target logs, summary.tsv, inprocess.txt): $results"
