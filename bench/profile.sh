#!/bin/bash
# bench/profile.sh: where ws spends its time serving the 1 KiB page, with
# keep-alive and with Connection: close, in fork and in thread mode:
#   - system calls per request, from strace -c -f;
#   - CPU time per request, and CPU samples by function, kernel included,
#     from perf record -e cpu-clock (a software event: it works in VMs
#     where the hardware counters, `perf stat -e instructions`, do not).
# Run by `make bench-profile`; the report goes to bench/results/profile.txt.
#
# Settings: BENCH_SECS [3] seconds of each load, PROFILE_CONNS [10] wrk
# connections, BENCH_PORT [18080], BENCH_OUT [bench/results], WS [./ws].
set -euo pipefail
cd "$(dirname "$0")/.."

SECS=${BENCH_SECS:-3}
CONNS=${PROFILE_CONNS:-10}
PORT=${BENCH_PORT:-18080}
OUT=${BENCH_OUT:-bench/results}
WS=${WS:-./ws}
FILES=1k
. bench/lib.sh

command -v strace >/dev/null || die "strace is not installed (make bench-profile installs it)"

# load SERVER CONN: wrk on the 1 KiB page for SECS; prints the requests done.
load() {
	local hdr=()
	[ "$2" = close ] && hdr=(-H 'Connection: close')
	timeout $((SECS + 30)) wrk -t2 -c"$CONNS" -d"${SECS}s" "${hdr[@]}" \
		-s bench/report.lua "http://127.0.0.1:${port[$1]}${path[1k]}" |
		sed -n 's/^BENCH requests=\([0-9]*\).*/\1/p'
}

# Stop a ws that runs under a wrapper (strace, perf): ws first, so that
# the wrapper sees it end and writes its report.
stop_wrapped() {
	local s=$1 i
	pkill -TERM -P "${pid[$s]}" 2>/dev/null || true
	for i in $(seq 150); do
		kill -0 "${pid[$s]}" 2>/dev/null || break
		sleep 0.1
	done
	stop "$s"
}

# One profile of ws in MODE under CONN: "strace" or "perf" as $3.
profile() {
	local mode=$1 conn=$2 tool=$3 s=ws-$1 n cpu0 cpu1
	case $tool in
	strace) WRAP=(strace -f -c -o "$tmp/$mode-$conn.strace" --) ;;
	perf) WRAP=(perf record -q -e cpu-clock -F 2000 -o "$tmp/$mode-$conn.perf" --) ;;
	esac
	start "$s"
	cpu0=$(cpu "${pid[$s]}")
	n=$(load "$s" "$conn")
	settle "$s"
	cpu1=$(cpu "${pid[$s]}")
	stop_wrapped "$s"
	echo "${n:-0}" >"$tmp/$mode-$conn.$tool.n"
	[ "$tool" = perf ] &&
		echo "$(( (cpu1 - cpu0) * 1000000 / $(getconf CLK_TCK) / (n > 0 ? n : 1) ))" \
			>"$tmp/$mode-$conn.cpu_us"
	say "profile: $s $conn under $tool: $n requests"
}

# Calls per request of each system call, a column per profile.
syscall_table() {
	local f cols=()
	for f in fork-keep-alive fork-close thread-keep-alive thread-close; do
		cols+=("$tmp/$f.strace")
	done
	awk -v n1="$(cat "$tmp/fork-keep-alive.strace.n")" \
	    -v n2="$(cat "$tmp/fork-close.strace.n")" \
	    -v n3="$(cat "$tmp/thread-keep-alive.strace.n")" \
	    -v n4="$(cat "$tmp/thread-close.strace.n")" '
		FNR == 1 { col++ }
		$1 ~ /^[0-9.]+$/ && $NF != "total" {
			calls[$NF, col] = $4
			if (NF == 6) errs[$NF, col] = $5
			if (!($NF in seen)) { seen[$NF] = 1; names[++k] = $NF }
		}
		END {
			n[1] = n1; n[2] = n2; n[3] = n3; n[4] = n4
			printf "%-16s %10s %10s %10s %10s\n", "per request", "fork k-a",
			    "fork close", "thread k-a", "thread close"
			for (i = 1; i <= k; i++) {
				line = sprintf("%-16s", names[i]); show = 0
				for (c = 1; c <= 4; c++) {
					v = n[c] ? calls[names[i], c] / n[c] : 0
					e = n[c] ? errs[names[i], c] / n[c] : 0
					if (v >= 0.005) show = 1
					cell = v >= 0.005 ? sprintf("%.2f", v) : "-"
					if (e >= 0.005) cell = cell sprintf("(%.0f%%E)", 100 * e / v)
					line = line sprintf(" %10s", cell)
				}
				if (show) print line
			}
			for (c = 1; c <= 4; c++) {
				t = 0
				for (i = 1; i <= k; i++) t += calls[names[i], c]
				tot[c] = n[c] ? t / n[c] : 0
			}
			printf "%-16s %10.2f %10.2f %10.2f %10.2f\n", "total", tot[1], tot[2],
			    tot[3], tot[4]
			printf "%-16s %10d %10d %10d %10d\n", "(requests)", n1, n2, n3, n4
		}' "${cols[@]}"
}

# The busiest functions of one perf profile, and the split by object.
perf_top() {
	local f=$tmp/$1.perf
	echo "== ws $1: $(cat "$tmp/$1.cpu_us") us of server CPU per request" \
		"($(cat "$tmp/$1.perf.n") requests; under perf)"
	perf report -i "$f" --no-children --sort dso --stdio 2>/dev/null |
		awk '/^ +[0-9]/ && $1 + 0 >= 1 && n++ < 6 { print "  " $0 }'
	echo "  --"
	perf report -i "$f" --no-children --sort sym --stdio 2>/dev/null |
		awk -v top="${PROFILE_TOP:-20}" '/^ +[0-9]/ && n++ < top { print "  " $0 }'
	echo
}

pick_servers 0
setup
mkdir -p "$OUT"
for mode in fork thread; do
	for conn in keep-alive close; do
		profile "$mode" "$conn" strace
	done
done
has_perf=0
perf record -q -e cpu-clock -o "$tmp/probe.perf" true >/dev/null 2>&1 && has_perf=1
if [ $has_perf = 1 ]; then
	for mode in fork thread; do
		for conn in keep-alive close; do
			profile "$mode" "$conn" perf
		done
	done
fi
{
	echo "ws serving the 1 KiB page: wrk -t2 -c$CONNS, ${SECS} s per profile;" \
		"$(nproc) cores, Linux $(uname -r | cut -d- -f1)," \
		"ws $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
	echo
	echo "system calls per request (strace -c -f; (N%E): share that failed)"
	echo
	syscall_table
	echo
	if [ $has_perf = 1 ]; then
		echo "CPU samples (perf record -e cpu-clock), by object and by function"
		echo
		for mode in fork thread; do
			for conn in keep-alive close; do
				perf_top "$mode-$conn"
			done
		done
	else
		echo "(no perf here: no CPU profile)"
	fi
} >"$OUT/profile.txt"
cat "$OUT/profile.txt"
