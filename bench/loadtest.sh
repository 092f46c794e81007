#!/usr/bin/env bash
# Reliability load test: build advise and the load generator, serve on a free
# loopback port with the shipped defaults, send a varied workload mix at
# LOADTEST_CONNECTIONS connections for LOADTEST_DURATION, then SIGTERM the
# server. It fails when any request failed (a 503, overloaded or
# evaluation-timeout, counts: the defaults must carry this load) or when the
# server does not stop cleanly with exit status 0.
#
#   bash bench/loadtest.sh                          # 60 s at 64 connections
#   LOADTEST_DURATION=10s bash bench/loadtest.sh    # what CI runs
#
# All 64 are admitted (the in-flight limit is 32 per CPU) but only as many
# evaluations run at once as there are CPUs; the rest wait in line, first come
# first served, so none is starved past the 2 s evaluation deadline.
#
# Environment:
#   LOADTEST_DURATION     how long to send load (default 60s)
#   LOADTEST_CONNECTIONS  concurrent connections (default 64, as the issue asks)
#   LOADTEST_SERVE_ARGS   extra flags for "advise serve", split on spaces, to
#                         try another configuration (default none: defaults)
set -euo pipefail

cd "$(dirname "$0")/.."

duration="${LOADTEST_DURATION:-60s}"
connections="${LOADTEST_CONNECTIONS:-64}"
read -r -a serve_args <<<"${LOADTEST_SERVE_ARGS:-}"

work="$(mktemp -d "${TMPDIR:-/tmp}/advise-loadtest.XXXXXX")"
log="$work/server.log"
server_pid=""
keep_work=false

# On any exit: never leave a server behind, and keep the server log when the
# test failed, since it is the evidence.
cleanup() {
	if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
		kill -KILL "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	if [[ "$keep_work" == true ]]; then
		echo "server log kept in $log"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
# A signal runs the EXIT trap too, by way of exit.
trap 'exit 130' INT TERM

fail() {
	echo "FAIL: $*" >&2
	keep_work=true
	if [[ -s "$log" ]]; then
		echo "last lines of the server log:" >&2
		tail -n 20 "$log" >&2
	fi
	exit 1
}

# shellcheck source=bench/lib.sh
source bench/lib.sh

# Anything else running on the machine takes CPU from the server: say how
# busy it was, so a slow or failing run can be told from a slow server.
echo "==> $(nproc) CPUs, load average $(cut -d ' ' -f 1-3 /proc/loadavg) before the test"
echo "==> build advise and loadgen into $work"
go build -o "$work/advise" ./cmd/advise
go build -o "$work/loadgen" ./bench/loadgen

# Port 0: the kernel picks a free port, and the server's "serving" log line
# says which, so no other process can take it in between.
echo "==> start advise serve ${serve_args[*]:-(defaults)}"
"$work/advise" serve --addr 127.0.0.1:0 "${serve_args[@]}" 2>"$log" &
server_pid=$!

addr=""
for _ in $(seq 1 300); do # at most 30 s: compiling the rules takes well under 1 s
	addr="$(sed -n 's/.*"msg":"serving","addr":"\([^"]*\)".*/\1/p' "$log" | head -n 1)"
	[[ -n "$addr" ]] && break
	kill -0 "$server_pid" 2>/dev/null || fail "advise serve exited before serving"
	sleep 0.1
done
[[ -n "$addr" ]] || fail "advise serve did not report its address within 30 s"
max_in_flight="$(sed -n 's/.*"msg":"serving",.*"max_in_flight":\([0-9]*\).*/\1/p' "$log" | head -n 1)"
echo "serving on $addr (pid $server_pid), max in flight ${max_in_flight:-unknown}"
if [[ -n "$max_in_flight" ]] && ((connections > max_in_flight)); then
	echo "note: $connections connections against a limit of $max_in_flight: expect 503 overloaded"
fi

"$work/loadgen" -mode get -wait-ready 10s -url "http://$addr/healthz" >/dev/null ||
	fail "/healthz did not answer 200 within 10 s"
rss_idle="$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$server_pid/status")"
echo "healthy; resident memory ${rss_idle} MB"

echo "==> load: $duration at $connections connections, loadgen's generated mix of 512 workloads"
result="$work/result.json"
# CPU accounting around the run: the server's and loadgen's own time against
# everything the machine did, to show whether anything else competed.
busy0="$(busy_ticks)" server0="$(proc_ticks "$server_pid")"
TIMEFORMAT='%3U %3S'
if ! { time "$work/loadgen" -url "http://$addr/advise" -mode advise -corpus 512 \
	-duration "$duration" -connections "$connections" -pid "$server_pid" \
	-label advise -json >"$result" 2>"$work/loadgen.err"; } 2>"$work/loadgen.time"; then
	cat "$work/loadgen.err" >&2
	fail "loadgen failed"
fi
busy1="$(busy_ticks)" server1="$(proc_ticks "$server_pid")"
tck="$(getconf CLK_TCK)"
server_cpu="$(awk -v t="$((server1 - server0))" -v tck="$tck" 'BEGIN { printf "%.1f", t / tck }')"
loadgen_cpu="$(awk '{ printf "%.1f", $1 + $2 }' "$work/loadgen.time")"
other="$(other_cpu $((busy1 - busy0)) "$(awk -v a="$server_cpu" -v b="$loadgen_cpu" 'BEGIN { print a + b }')" \
	"$(json_field "$result" seconds)")"

echo "==> SIGTERM"
kill -TERM "$server_pid" 2>/dev/null || fail "advise serve was gone before SIGTERM (it exited during the load)"
# The default grace is 10 s; with the load over, shutdown takes milliseconds.
for _ in $(seq 1 300); do
	kill -0 "$server_pid" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$server_pid" 2>/dev/null; then
	fail "advise serve still running 30 s after SIGTERM"
fi
server_rc=0
wait "$server_pid" || server_rc=$?
server_pid=""

requests="$(json_field "$result" requests)"
errors="$(json_field "$result" errors)"
first_error="$(sed -n 's/.*"first_error":"\([^"]*\)".*/\1/p' "$result")"

# What the server itself answered, from its access lines: the load
# generator only sees "not 200". A 499 is a request the load generator
# abandoned when its time ran out, not a failure.
statuses="$(sed -n 's/.*"msg":"request",.*"status":\([0-9]*\),.*/\1/p' "$log" | sort | uniq -c |
	awk '{ printf "%s%s×%s", sep, $2, $1; sep = "  " }')"
timeouts="$(grep -c '"msg":"request failed".*deadline exceeded' "$log" || true)"
overloaded="$(grep -c '"msg":"request",.*"status":503' "$log" || true)"
overloaded=$((overloaded - timeouts))

echo
echo "load test: $duration at $connections connections"
printf '  requests     %s\n' "$requests"
printf '  errors       %s%s\n' "$errors" "${first_error:+ (first: $first_error)}"
printf '  req/s        %.0f\n' "$(json_field "$result" rps)"
printf '  p50          %.2f ms\n' "$(json_field "$result" p50_ms)"
printf '  p99          %.2f ms\n' "$(json_field "$result" p99_ms)"
printf '  max          %.2f ms\n' "$(json_field "$result" max_ms)"
printf '  RSS          before %.1f MB, after %.1f MB, peak %.1f MB\n' \
	"$(json_field "$result" rss_before_mb)" "$(json_field "$result" rss_after_mb)" "$(json_field "$result" peak_rss_mb)"
printf '  statuses     %s\n' "${statuses:-none}"
printf '  503s         %d evaluation-timeout, %d overloaded\n' "$timeouts" "$overloaded"
printf '  CPU          server %s s, loadgen %s s; other processes %s%% of the machine\n' "$server_cpu" "$loadgen_cpu" "$other"
printf '  exit status  %d after SIGTERM\n' "$server_rc"

status=0
if [[ "$errors" != 0 ]]; then
	echo "FAIL: $errors of $requests requests failed" >&2
	if ((timeouts > 0)); then
		echo "  evaluation-timeout: requests admitted under the in-flight limit waited for a CPU past the evaluation deadline" >&2
	fi
	if ((overloaded > 0)); then
		echo "  overloaded: more requests arrived at once than --max-in-flight admits" >&2
	fi
	status=1
fi
if [[ "$server_rc" != 0 ]]; then
	echo "FAIL: advise serve exited $server_rc after SIGTERM, not 0" >&2
	status=1
fi
if ! grep -q '"msg":"stopped"' "$log"; then
	echo "FAIL: the server log has no \"stopped\" line: shutdown did not complete" >&2
	status=1
fi
if ((status != 0)); then
	keep_work=true
	exit 1
fi
echo "PASS"
