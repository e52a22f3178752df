#!/bin/bash
# bench/forkpeers.sh: ws in fork mode against the two small servers that
# also fork a process per connection, busybox httpd and mini_httpd, with
# Connection: close (neither keeps a connection alive). Run by
# `make bench-fork-peers`, which installs them; see BENCHMARKS.md.
#
# Settings, from the environment (defaults in brackets): BENCH_SECS [2],
# BENCH_PASSES [5], BENCH_FILES [1k 1m], BENCH_CLOSE [10 100], BENCH_PORT
# [18090], BENCH_OUT [bench/results], WS [./ws], as for bench.sh.
# Results: forkpeers-runs.csv (every run) and forkpeers.md (the medians).
set -euo pipefail
cd "$(dirname "$0")/.."

SECS=${BENCH_SECS:-2}
PASSES=${BENCH_PASSES:-5}
FILES=${BENCH_FILES:-1k 1m}
CLOSE=${BENCH_CLOSE:-10 100}
PORT=${BENCH_PORT:-18090}
OUT=${BENCH_OUT:-bench/results}
WS=${WS:-./ws}
REV=${WS_REV:-$(git describe --always --dirty 2>/dev/null || echo '?')}
RUNS=$OUT/forkpeers-runs.csv
. bench/lib.sh

servers=(ws-fork busybox mini_httpd)
for i in 0 1 2; do port[${servers[i]}]=$((PORT + i)); done
command -v busybox >/dev/null && command -v mini_httpd >/dev/null ||
	die "busybox and mini_httpd are not installed (make bench-fork-peers installs them)"
mkdir -p "$OUT"
setup
for s in "${servers[@]}"; do start "$s"; done
say "bench: ${servers[*]}; $PASSES passes of ${SECS} s cells, Connection: close"
echo "$RUNS_HEADER" >"$RUNS"
for p in $(seq "$PASSES"); do
	k=0
	for f in $FILES; do
		for c in $CLOSE; do
			printf 'pass %d/%d %s close c=%s:' "$p" "$PASSES" "$f" "$c" >&2
			for i in 0 1 2; do	# the order turns with each cell and pass
				run "$p" "${servers[$(((i + k + p) % 3))]}" "$f" close "$c"
			done
			echo >&2
			k=$((k + 1))
		done
	done
done

# The medians of requests/s and of server CPU time per request, and ws's
# ratio to busybox and to the faster of the two. Not busybox's CPU time:
# it ignores SIGCHLD, so its children are reaped by the kernel and their
# time is never added to the parent's (its figure in the CSV is too low).
{
	echo "ws $REV, $(nproc) cores, $SECS s cells, median of $PASSES passes," \
		"$(date -u +%Y-%m-%d); requests/s and server CPU time per request (µs)"
	echo
	echo "| file | connections | ws fork | busybox | mini_httpd | ws / busybox | ws / faster | CPU ws | CPU mini_httpd | errors |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	awk -F, "$AWK_MEDIAN"'
		NR == 1 { next }
		{
			cell = $3 " " $5
			if (!(cell in seen)) { seen[cell] = 1; cells[++ncells] = cell }
			val[cell, $2, "rps", ++count[cell, $2, "rps"]] = $8
			val[cell, $2, "cpu", ++count[cell, $2, "cpu"]] = $14
			errs[cell] += $13
		}
		END {
			for (i = 1; i <= ncells; i++) {
				split(cells[i], fc, " ")
				w = median(cells[i] SUBSEP "ws-fork" SUBSEP "rps")
				b = median(cells[i] SUBSEP "busybox" SUBSEP "rps")
				m = median(cells[i] SUBSEP "mini_httpd" SUBSEP "rps")
				printf "| %s | %s | %.0f | %.0f | %.0f | %.2fx | %.2fx | %.1f | %.1f | %d |\n",
				    fc[1] == "1k" ? "1 KiB" : "1 MiB", fc[2], w, b, m,
				    b ? w / b : 0, (b > m ? b : m) ? w / (b > m ? b : m) : 0,
				    median(cells[i] SUBSEP "ws-fork" SUBSEP "cpu"),
				    median(cells[i] SUBSEP "mini_httpd" SUBSEP "cpu"), errs[cells[i]]
			}
		}' "$RUNS"
} >"$OUT/forkpeers.md"
echo >&2
cat "$OUT/forkpeers.md"
