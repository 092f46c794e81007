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
