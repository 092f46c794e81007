# Helpers shared by bench/loadtest.sh and bench/run.sh; sourced, not run.
# shellcheck shell=bash

# json_field FILE KEY prints a top-level number of loadgen's flat JSON output
# (Go writes plain decimals, never exponents, for the values loadgen reports).
json_field() {
	sed -n "s/.*\"$2\":\([-0-9.]*\).*/\1/p" "$1"
}

# busy_ticks prints the clock ticks all CPUs have spent busy since boot:
# user, nice, system, irq, softirq and steal from /proc/stat.
busy_ticks() {
	awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}

# proc_ticks PID prints the clock ticks process PID has used (user + system).
# The command name in field 2 holds no spaces for the binaries measured here.
proc_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# other_cpu BUSY_TICKS OWN_SECONDS WALL_SECONDS prints the percentage of the
# machine's CPU that processes other than the measured ones used during a
# run: everything busy minus what the target and the load generator took. It
# tells a measurement taken on a quiet machine from one that shared it.
other_cpu() {
	awk -v busy="$1" -v own="$2" -v wall="$3" -v tck="$(getconf CLK_TCK)" -v cpus="$(nproc)" \
		'BEGIN { o = (busy / tck - own) / (wall * cpus) * 100; printf "%.0f", o < 0 ? 0 : o }'
}

# pin_cpus decides where the target and the load generator run, and sets
# cores, server_cmd and load_cmd (command prefixes, empty when not pinned),
# load_cpus_count and placement (a sentence for the report). BENCH_PIN=1 pins,
# 0 does not; unset pins when taskset exists and there are at least 2 CPUs.
# The issue asks for p99 with the server and the load generator on separate
# cores, so neither steals the other's CPU. With taskset the CPUs this script
# may use are split in two halves, loadgen on the first and the target on the
# second (on 2 CPUs: one each); Go sizes GOMAXPROCS from the affinity mask,
# so each runs on its own half. The caller defines fail.
pin_cpus() {
	cores="$(nproc 2>/dev/null || echo 1)"
	local pin="${BENCH_PIN:-}" allowed half load_cpus server_cpus
	if [[ -z "$pin" ]]; then
		if command -v taskset >/dev/null && ((cores >= 2)); then pin=1; else pin=0; fi
	fi
	server_cmd=()
	load_cmd=()
	load_cpus_count=""
	if [[ "$pin" == 1 ]]; then
		command -v taskset >/dev/null || fail "BENCH_PIN=1 but taskset is not installed"
		((cores >= 2)) || fail "BENCH_PIN=1 needs at least 2 CPUs"
		# The allowed CPUs, such as "0-1" or "2,5-7", expanded to one id a line.
		mapfile -t allowed < <(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status | tr ',' '\n' |
			awk -F- '{ for (i = $1; i <= ($2 == "" ? $1 : $2); i++) print i }')
		half=$((${#allowed[@]} / 2))
		load_cpus="$(IFS=,; echo "${allowed[*]:0:half}")"
		server_cpus="$(IFS=,; echo "${allowed[*]:half}")"
		server_cmd=(taskset -c "$server_cpus")
		load_cmd=(taskset -c "$load_cpus")
		load_cpus_count="$half"
		placement="pinned with taskset: target on CPU $server_cpus, loadgen on CPU $load_cpus"
	else
		placement="not pinned: target and loadgen share all $cores CPUs"
	fi
}

# run.sh and tail.sh start one target at a time: its pid is target_pid (empty
# when none runs) and their binaries are under work. Both scripts define fail.
target_pid=""

# stop_target NAME LOG: SIGTERM the running target, give it at most 15 s
# (each stops in milliseconds once idle), then SIGKILL it.
stop_target() {
	kill -TERM "$target_pid" 2>/dev/null || fail "$1 exited during the load (log: $2)"
	local _
	for _ in $(seq 1 150); do
		kill -0 "$target_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$target_pid" 2>/dev/null || true
	wait "$target_pid" 2>/dev/null || true
	target_pid=""
}

# clean_up_run is the EXIT trap of run.sh and tail.sh: it kills a target still
# running and removes the binaries, and keeps the results.
clean_up_run() {
	if [[ -n "$target_pid" ]] && kill -0 "$target_pid" 2>/dev/null; then
		kill -KILL "$target_pid" 2>/dev/null || true
		wait "$target_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
	# run.sh may have checked out a baseline worktree under $work.
	git worktree prune 2>/dev/null || true
}

# awk_median is an awk function for the scripts' summaries to put before
# their programs: median(v, n) sorts v[1..n] in place and returns its median.
awk_median='function median(v, n,    i, j, t) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j-1] > v[j]; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
	return n % 2 ? v[(n+1)/2] : (v[n/2] + v[n/2+1]) / 2
}
'
