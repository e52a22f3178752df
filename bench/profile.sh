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
# connections, BENCH_PEERS [auto], BENCH_PORT [18080], BENCH_OUT
# [bench/results], WS [./ws], WS_REV [git describe --dirty].
set -euo pipefail
cd "$(dirname "$0")/.."

SECS=${BENCH_SECS:-3}
CONNS=${PROFILE_CONNS:-10}
PORT=${BENCH_PORT:-18080}
OUT=${BENCH_OUT:-bench/results}
WS=${WS:-./ws}
# before this run writes its results into the tree, which would make it dirty
REV=${WS_REV:-$(git describe --always --dirty 2>/dev/null || echo '?')}
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

# Stop a server that runs under a wrapper (strace, perf): the server
# first, so that the wrapper sees it end and writes its report.
stop_wrapped() {
	local s=$1 i
	pkill -TERM -P "${pid[$s]}" 2>/dev/null || true
	for i in $(seq 150); do
		kill -0 "${pid[$s]}" 2>/dev/null || break
		sleep 0.1
	done
	stop "$s"
}

# One profile of SERVER under CONN, with TOOL: strace or perf.
profile() {
	local s=$1 conn=$2 tool=$3 n cpu0 cpu1 out=$tmp/$1-$2.$3
	case $tool in
	strace) WRAP=(strace -f -c -o "$out" --) ;;
	perf) WRAP=(perf record -q -e cpu-clock -F 2000 -o "$out" --) ;;
	esac
	start "$s"
	cpu0=$(cpu "${pid[$s]}")
	n=$(load "$s" "$conn")
	settle "$s"
	cpu1=$(cpu "${pid[$s]}")
	stop_wrapped "$s"
	echo "${n:-0}" >"$out.n"
	echo "$(( (cpu1 - cpu0) * 1000000 / $(getconf CLK_TCK) / (n > 0 ? n : 1) ))" >"$out.cpu_us"
	say "profile: $s $conn under $tool: $n requests"
}

# Calls per request of each system call, a column per profile named in
# the arguments (SERVER-CONN).
syscall_table() {
	local f
	for f in "$@"; do printf '%s %s\n' "$f" "$(cat "$tmp/$f.strace.n")"; done >"$tmp/counts"
	for f in "$@"; do cat "$tmp/$f.strace"; echo "== end"; done |
	awk -v counts="$tmp/counts" '
		BEGIN {
			while ((getline line < counts) > 0) {
				split(line, w, " ")
				sub(/-keep-alive$/, " k-a", w[1])
				sub(/-close$/, " close", w[1])
				sub(/^ws-/, "", w[1])
				head[++ncol] = w[1]
				n[ncol] = w[2]
			}
			col = 1
		}
		/^== end/ { col++; next }
		$1 ~ /^[0-9.]+$/ && $NF != "total" {
			calls[$NF, col] = $4
			if (NF == 6) errs[$NF, col] = $5
			total[col] += $4
			if (!($NF in seen)) { seen[$NF] = 1; names[++k] = $NF }
		}
		END {
			printf "%-15s", "per request"
			for (c = 1; c <= ncol; c++) printf " %12s", head[c]
			print ""
			for (i = 1; i <= k; i++) {
				line = sprintf("%-15s", names[i]); show = 0
				for (c = 1; c <= ncol; c++) {
					v = n[c] ? calls[names[i], c] / n[c] : 0
					e = n[c] ? errs[names[i], c] / n[c] : 0
					if (v >= 0.005) show = 1
					cell = v >= 0.005 ? sprintf("%.2f", v) : "-"
					if (e >= 0.005) cell = cell sprintf("(%.0f%%E)", 100 * e / v)
					line = line sprintf(" %12s", cell)
				}
				if (show) print line
			}
			printf "%-15s", "total"
			for (c = 1; c <= ncol; c++) printf " %12.2f", n[c] ? total[c] / n[c] : 0
			printf "\n%-15s", "(requests)"
			for (c = 1; c <= ncol; c++) printf " %12d", n[c]
			print ""
		}'
}

# The busiest functions of one perf profile, and the split by object.
perf_top() {
	local f=$tmp/$1.perf
	echo "== $1: $(cat "$f.cpu_us") us of server CPU per request" \
		"($(cat "$f.n") requests, under perf)"
	perf report -i "$f" --no-children --sort dso --stdio 2>/dev/null |
		awk '/^ +[0-9]/ && $1 + 0 >= 1 && n++ < 6 { print "  " $0 }'
	echo "  --"
	perf report -i "$f" --no-children --sort sym --stdio 2>/dev/null |
		awk -v top="${PROFILE_TOP:-20}" '/^ +[0-9]/ && n++ < top { print "  " $0 }'
	echo
}

pick_servers "${BENCH_PEERS:-auto}"
setup
mkdir -p "$OUT"
runs=()
for s in "${servers[@]}"; do
	for conn in keep-alive close; do
		profile "$s" "$conn" strace
		runs+=("$s-$conn")
	done
done
has_perf=0
perf record -q -e cpu-clock -o "$tmp/probe.perf" true >/dev/null 2>&1 && has_perf=1
if [ $has_perf = 1 ]; then
	for s in ws-fork ws-thread; do
		for conn in keep-alive close; do
			profile "$s" "$conn" perf
		done
	done
fi
{
	echo "the 1 KiB page: wrk -t2 -c$CONNS, ${SECS} s per profile;" \
		"$(nproc) cores, Linux $(uname -r | cut -d- -f1)," \
		"ws $REV"
	echo
	echo "system calls per request (strace -c -f; (N%E): the share that failed)"
	echo
	syscall_table "${runs[@]}"
	echo
	if [ $has_perf = 1 ]; then
		echo "CPU samples of ws (perf record -e cpu-clock), by object and by function"
		echo
		for s in ws-fork ws-thread; do
			for conn in keep-alive close; do
				perf_top "$s-$conn"
			done
		done
	else
		echo "(no perf here: no CPU profile)"
	fi
} >"$OUT/profile.txt"
cat "$OUT/profile.txt"
