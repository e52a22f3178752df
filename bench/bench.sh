#!/bin/bash
# bench/bench.sh: requests/s and memory of ws in fork and thread mode, and
# of nginx and lighttpd where they are installed, all on loopback. Run by
# `make bench` and `make bench-peers`; see BENCHMARKS.md.
#
# Settings, from the environment (defaults in brackets):
#   BENCH_SECS       seconds of each wrk run, a cell [2]
#   BENCH_PASSES     passes over the whole matrix; medians are reported [5]
#   BENCH_PEERS      auto: nginx and lighttpd when installed; 1: required;
#                    0: ws only [auto]
#   BENCH_FILES      files served: 1k (a 1 KiB page), 1m (a 1 MiB file) [1k 1m]
#   BENCH_KEEPALIVE  connection counts with keep-alive [1 10 100 1000]
#   BENCH_CLOSE      connection counts with Connection: close [10 100]
#   BENCH_IDLE       idle keep-alive connections for memory; 0: skip [1000]
#   BENCH_PORT       first of four loopback ports, six with WS_BASE [18080]
#   BENCH_OUT        directory of the results [bench/results]
#   WS, WS_REV       the ws binary [./ws] and the version it is named by
#                    [git describe --dirty]
#   WS_BASE          a baseline ws binary to compare WS with [none]: the
#                    servers base-fork and base-thread (it, in fork and thread
#                    mode, with ws's configuration and document root, on
#                    ports BENCH_PORT+4 and +5) join every pass, each right
#                    after ws-fork or ws-thread in the same rotation; the
#                    report adds new / base per cell, requests/s and CPU
#                    per request: old binary against new in the same run.
#                    E.g. make bench WS_BASE=/tmp/ws-old
#   WS_BASE_REV      the name of the baseline in the report [WS_BASE]
# Five short passes rather than three long ones: on a shared machine the
# median of five shrugs off two disturbed runs of a cell.
#
# Every server is started here, on 127.0.0.1 with a temporary document
# root and configuration, and stopped at the end; no system service is
# touched. Every wrk run lasts BENCH_SECS and is cut off by timeout(1).
# `bench/bench.sh report` makes the table and chart again from BENCH_OUT.
set -euo pipefail
WS_BASE=${WS_BASE:-}
BASE_REV=${WS_BASE_REV:-$WS_BASE}
case $WS_BASE in ''|/*) ;; *) WS_BASE=$PWD/$WS_BASE ;; esac	# before the cd
cd "$(dirname "$0")/.."

SECS=${BENCH_SECS:-2}
PASSES=${BENCH_PASSES:-5}
PEERS=${BENCH_PEERS:-auto}
FILES=${BENCH_FILES:-1k 1m}
KEEPALIVE=${BENCH_KEEPALIVE:-1 10 100 1000}
CLOSE=${BENCH_CLOSE:-10 100}
IDLE=${BENCH_IDLE:-1000}
PORT=${BENCH_PORT:-18080}
OUT=${BENCH_OUT:-bench/results}
WS=${WS:-./ws}
# before this run writes its results into the tree, which would make it dirty
REV=${WS_REV:-$(git describe --always --dirty 2>/dev/null || echo '?')}
started=$(date +%s)
RUNS=$OUT/runs.csv
. bench/lib.sh

# --- memory: idle, and with IDLE idle keep-alive connections -------------

memory() {
	local s=$1 h idle loaded ok i
	settle "$s"
	idle=$(mem "${pid[$s]}")
	$HOLD "${port[$s]}" "$IDLE" 60 "${path[1k]}" >"$tmp/hold.out" 2>&1 &
	h=$!
	helpers+=("$h")
	for i in $(seq 400); do		# at most 40 s to connect them all
		grep -q '^ready' "$tmp/hold.out" && break
		sleep 0.1
	done
	sleep 1		# let every child or thread reach its idle wait
	loaded=$(mem "${pid[$s]}")
	ok=$(sed -n 's/^ready ok=\([0-9]*\).*/\1/p' "$tmp/hold.out")
	kill "$h" 2>/dev/null || true
	wait "$h" 2>/dev/null || true
	helpers=()
	[ "${ok:-0}" -gt 0 ] || { say "bench: $s: no idle connection held"; return 0; }
	[ "$ok" -eq "$IDLE" ] || say "bench: $s held only $ok of $IDLE connections"
	echo "$s $ok $idle $loaded" | awk '{
		printf "%s,%d,%d,%d,%d,%d,%d,%d,%d,%d,%.1f,%.1f\n", $1, $2,
		    $3, $4, $5, $6, $7, $8, $9, $10,
		    ($9 - $5) / $2, ($10 - $6) / $2 }' >>"$OUT/memory.csv"
	settle "$s"
}

# The cells of one pass; the servers' order turns with each cell and pass,
# so no server always runs first or right after another's heavy run.
pass() {
	local p=$1 f conn c k=0 i n=${#servers[@]}
	for f in $FILES; do
		for cell in $(for c in $KEEPALIVE; do echo keep-alive:$c; done
			      for c in $CLOSE; do echo close:$c; done); do
			conn=${cell%:*} c=${cell#*:}
			printf 'pass %d/%d %s %s c=%s:' "$p" "$PASSES" "$f" "$conn" "$c" >&2
			for i in $(seq 0 $((n - 1))); do
				run "$p" "${servers[$(((i + k + p) % n))]}" "$f" "$conn" "$c"
			done
			echo >&2
			k=$((k + 1))
		done
	done
}

# --- the report: medians, ratios, table and chart -------------------------

# summary.csv: per cell, the median requests/s of each server, ws's ratios
# to the faster peer, the errors of all runs, the median server CPU time
# per request (microseconds, from /proc: user plus system), and the spread:
# the largest (max - min) / median of requests/s among the cell's servers.
# With a baseline (base-fork, base-thread in runs.csv) more columns follow:
# its medians, new / base of requests/s and of CPU per request, and the
# least and greatest new / base of requests/s in single passes.
summarize() {
	awk -F, -v OFS=, "$AWK_MEDIAN"'
		function ratio(a, b) { return (a != "" && b + 0 > 0) ? sprintf("%.2f", a / b) : "" }
		# least and greatest new / base of requests/s over the passes
		function range(cell, new, old,   p, r, lo, hi) {
			lo = hi = ""
			for (p in passes)
				if ((cell, new, p) in rps && rps[cell, old, p] + 0 > 0) {
					r = rps[cell, new, p] / rps[cell, old, p]
					if (lo == "" || r < lo) lo = r
					if (hi == "" || r > hi) hi = r
				}
			return lo == "" ? OFS : sprintf("%.2f%s%.2f", lo, OFS, hi)
		}
		NR == 1 { next }
		{
			cell = $3 OFS $4 OFS $5
			if (!(cell in seen)) { seen[cell] = 1; cells[++ncells] = cell }
			key = cell OFS $2 OFS "rps"
			val[key, ++count[key]] = $8
			key = cell OFS $2 OFS "cpu"
			val[key, ++count[key]] = $14
			errs[cell] += $13
			rps[cell, $2, $1] = $8
			passes[$1] = 1
			if ($2 ~ /^base-/) hasbase = 1
		}
		END {
			nservers = split("ws-fork ws-thread nginx lighttpd", name, " ")
			head = ""
			if (hasbase) {
				nservers = split("ws-fork ws-thread nginx lighttpd base-fork base-thread", name, " ")
				head = ",base_fork,base_thread,base_fork_cpu_us,base_thread_cpu_us," \
				    "fork_vs_base,thread_vs_base,fork_cpu_vs_base,thread_cpu_vs_base," \
				    "fork_vs_base_lo,fork_vs_base_hi,thread_vs_base_lo,thread_vs_base_hi"
			}
			print "file,conn,conns,ws_fork,ws_thread,nginx,lighttpd,fork_ratio,thread_ratio,errors," \
			    "ws_fork_cpu_us,ws_thread_cpu_us,nginx_cpu_us,lighttpd_cpu_us,spread_pct" head
			for (i = 1; i <= ncells; i++) {
				cell = cells[i]
				spread = 0
				for (s = 1; s <= nservers; s++) {
					key = cell OFS name[s] OFS "rps"
					m[s] = (key in count) ? sprintf("%.0f", median(key)) : ""
					if (m[s] > 0 && (hi - lo) / m[s] > spread)
						spread = (hi - lo) / m[s]
					key = cell OFS name[s] OFS "cpu"
					cpu[s] = (key in count) ? sprintf("%.1f", median(key)) : ""
				}
				peer = (m[3] + 0 > m[4] + 0) ? m[3] : m[4]
				fr = tr = ""
				if (peer > 0) {
					fr = sprintf("%.2f", m[1] / peer)
					tr = sprintf("%.2f", m[2] / peer)
				}
				tail = ""
				if (hasbase)
					tail = OFS m[5] OFS m[6] OFS cpu[5] OFS cpu[6] \
					    OFS ratio(m[1], m[5]) OFS ratio(m[2], m[6]) \
					    OFS ratio(cpu[1], cpu[5]) OFS ratio(cpu[2], cpu[6]) \
					    OFS range(cell, "ws-fork", "base-fork") \
					    OFS range(cell, "ws-thread", "base-thread")
				print cell, m[1], m[2], m[3], m[4], fr, tr, errs[cell] + 0,
				    cpu[1], cpu[2], cpu[3], cpu[4], sprintf("%.0f", 100 * spread) tail
			}
		}' "$OUT/runs.csv" >"$OUT/summary.csv"
}

# Whether summary.csv has the baseline's columns (a run with WS_BASE).
has_base() { head -n 1 "$OUT/summary.csv" | grep -q ',base_fork,'; }

table() {
	{
		echo "requests/s ($(cat "$OUT/env.txt" 2>/dev/null))"
		echo "ratio: ws / the faster of nginx and lighttpd (targets: thread >= 1.0;"
		echo "fork >= 1.0 with keep-alive, >= 0.5 with close); spread: the largest"
		echo "(max - min) / median among the servers' passes in that cell"
		echo
		awk -F, '
			NR == 1 { printf "%-4s %-10s %5s %9s %9s %9s %9s %6s %6s %4s %6s\n",
			    "file", "conn", "conns", "ws-fork", "ws-thread", "nginx", "lighttpd",
			    "fork", "thread", "errs", "spread"; next }
			{ printf "%-4s %-10s %5s %9s %9s %9s %9s %6s %6s %4s %5s%%\n",
			    $1, $2, $3, $4, $5, $6 == "" ? "-" : $6, $7 == "" ? "-" : $7,
			    $8 == "" ? "-" : $8 "x", $9 == "" ? "-" : $9 "x", $10, $15 }' "$OUT/summary.csv"
		echo
		echo "server CPU time per request (microseconds, user + system, median)"
		echo
		awk -F, '
			NR == 1 { printf "%-4s %-10s %5s %9s %9s %9s %9s\n", "file", "conn",
			    "conns", "ws-fork", "ws-thread", "nginx", "lighttpd"; next }
			{ printf "%-4s %-10s %5s %9s %9s %9s %9s\n", $1, $2, $3, $11, $12,
			    $13 == "" ? "-" : $13, $14 == "" ? "-" : $14 }' "$OUT/summary.csv"
		if has_base; then base_table; fi
		if [ -s "$OUT/memory.csv" ]; then
			echo
			echo "memory of the whole server (KiB), idle and with idle keep-alive connections"
			echo "(targets per connection, PSS: thread <= 12 KiB, fork <= 24 KiB)"
			echo
			# the first column as wide as the longest name (base-thread)
			awk -F, -v w=9 '
				NR == FNR { if (length($1) > w) w = length($1); next }
				FNR == 1 { printf "%-" w "s %5s %5s %8s %8s %9s %9s %8s %8s\n", "server",
				    "conns", "procs", "idle RSS", "idle PSS", "held RSS", "held PSS",
				    "RSS/conn", "PSS/conn"; next }
				{ printf "%-" w "s %5s %5s %8s %8s %9s %9s %8s %8s\n",
				    $1, $2, $7, $5, $6, $9, $10, $11, $12 }' "$OUT/memory.csv" "$OUT/memory.csv"
		fi
		if [ -s "$OUT/spawn.csv" ]; then
			echo
			echo "a bare spawn, microseconds (bench/spawn: start, end and wait)"
			echo
			awk -F, '{ printf "%-9s %8s %8s\n", $1 == "kind" ? "" : $1,
			    $2 == "wall_us" ? "wall" : $2, $3 == "cpu_us" ? "CPU" : $3 }' "$OUT/spawn.csv"
		fi
	} >"$OUT/table.txt"
	cat "$OUT/table.txt"
}

# The baseline's tables for table.txt: old binary against new, per mode,
# requests/s and CPU per request, from the same passes.
base_table() {
	echo
	echo "old binary against new, same passes: new = ws-fork, ws-thread (WS);"
	echo "base = base-fork, base-thread (WS_BASE). requests/s, median of the passes;"
	echo "ratio: new / base (>= 1.00x: new is no slower); range: the least and the"
	echo "greatest new / base of single passes, the two runs of a pass paired"
	echo
	awk -F, '
		function v(x) { return x == "" ? "-" : x }
		function rx(r) { return r == "" ? "-" : r "x" }
		function rg(lo, hi) { return lo == "" ? "-" : lo "-" hi }
		NR == 1 { printf "%-4s %-10s %5s %9s %9s %6s %9s %9s %11s %6s %9s\n",
		    "file", "conn", "conns", "ws-fork", "base-fork", "fork", "range",
		    "ws-thread", "base-thread", "thread", "range"; next }
		{ printf "%-4s %-10s %5s %9s %9s %6s %9s %9s %11s %6s %9s\n",
		    $1, $2, $3, v($4), v($16), rx($20), rg($24, $25),
		    v($5), v($17), rx($21), rg($26, $27) }' "$OUT/summary.csv"
	echo
	echo "server CPU time per request, new against base (microseconds, median);"
	echo "ratio: new / base (<= 1.00x: new costs no more CPU per request)"
	echo
	awk -F, '
		function v(x) { return x == "" ? "-" : x }
		function rx(r) { return r == "" ? "-" : r "x" }
		NR == 1 { printf "%-4s %-10s %5s %9s %9s %6s %9s %11s %6s\n",
		    "file", "conn", "conns", "ws-fork", "base-fork", "fork",
		    "ws-thread", "base-thread", "thread"; next }
		{ printf "%-4s %-10s %5s %9s %9s %6s %9s %11s %6s\n",
		    $1, $2, $3, v($11), v($18), rx($22), v($12), v($19), rx($23) }' "$OUT/summary.csv"
}

# table.md: the tables again in Markdown, for BENCHMARKS.md
markdown() {
	local row='function v(x) { return x == "" ? "-" : x }
		function f(x) { return x == "1k" ? "1 KiB" : "1 MiB" }'
	{
		echo "Requests/s, median of the passes ($(cat "$OUT/env.txt" 2>/dev/null))."
		echo "Ratio: ws over the faster of nginx and lighttpd in that cell."
		echo
		echo "| file | connections | | ws fork | ws thread | nginx | lighttpd | fork | thread | errors | spread |"
		echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
		awk -F, "$row"'
			NR > 1 { printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s%% |\n",
			    f($1), $2, $3, $4, $5, v($6), v($7), $8 == "" ? "-" : $8 "x",
			    $9 == "" ? "-" : $9 "x", $10, $15 }' "$OUT/summary.csv"
		echo
		echo "Server CPU time per request, microseconds (median):"
		echo
		echo "| file | connections | | ws fork | ws thread | nginx | lighttpd |"
		echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
		awk -F, "$row"'
			NR > 1 { printf "| %s | %s | %s | %s | %s | %s | %s |\n",
			    f($1), $2, $3, $11, $12, v($13), v($14) }' "$OUT/summary.csv"
		if has_base; then
			echo
			echo "Old binary against new, in the same passes: ws fork and ws thread run WS,"
			echo "base fork and base thread run the baseline, WS_BASE. Requests/s, median of the"
			echo "passes; ratio: new over base (1.00x or more: new is no slower); range: the"
			echo "least and the greatest new over base of single passes, the two runs of a pass paired."
			echo
			echo "| file | connections | | ws fork | base fork | fork | range | ws thread | base thread | thread | range |"
			echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
			awk -F, "$row"'
				function rx(r) { return r == "" ? "-" : r "x" }
				function rg(lo, hi) { return lo == "" ? "-" : lo "-" hi }
				NR > 1 { printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
				    f($1), $2, $3, v($4), v($16), rx($20), rg($24, $25),
				    v($5), v($17), rx($21), rg($26, $27) }' "$OUT/summary.csv"
			echo
			echo "Server CPU time per request, microseconds (median), new against base;"
			echo "ratio: new over base (1.00x or less: new costs no more CPU per request):"
			echo
			echo "| file | connections | | ws fork | base fork | fork | ws thread | base thread | thread |"
			echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
			awk -F, "$row"'
				function rx(r) { return r == "" ? "-" : r "x" }
				NR > 1 { printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
				    f($1), $2, $3, v($11), v($18), rx($22), v($12), v($19), rx($23) }' "$OUT/summary.csv"
		fi
		if [ -s "$OUT/memory.csv" ]; then
			echo
			echo "Memory of the whole server, KiB, idle and with idle keep-alive connections:"
			echo
			echo "| server | connections | processes | idle RSS | idle PSS | held RSS | held PSS | RSS per connection | PSS per connection |"
			echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
			awk -F, 'NR > 1 { printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			    $1, $2, $7, $5, $6, $9, $10, $11, $12 }' "$OUT/memory.csv"
		fi
	} >"$OUT/table.md"
}

# Requests/s by connections: one panel per file, a line per server and
# connection model (solid: keep-alive, dashed: Connection: close).
chart() {
	command -v gnuplot >/dev/null || { say "bench: no gnuplot, no chart"; return 0; }
	local f s col plots lines=(4:ws-fork 5:ws-thread 6:nginx 7:lighttpd)
	if has_base; then lines+=(16:base-fork 17:base-thread); fi
	for f in $FILES; do
		for s in "${lines[@]}"; do
			for conn in keep-alive close; do
				awk -F, -v f="$f" -v conn="$conn" -v col="${s%%:*}" \
					'$1 == f && $2 == conn && $col != "" { print $3, $col }' \
					"$OUT/summary.csv" >"$tmp/$f-${s#*:}-$conn.dat"
			done
		done
	done
	{
		echo 'set terminal svg size 1100,560 dynamic font "sans,12" background "white"'
		echo "set output '$OUT/chart.svg'"
		echo 'set multiplot layout 1,2 title "requests/s by connections, median of passes (solid: keep-alive, dashed: Connection: close)"'
		echo 'set logscale xy; set xrange [0.7:1500]; set xtics ("1" 1, "10" 10, "100" 100, "1000" 1000)'
		echo 'set xlabel "connections"; set ylabel "requests/s"; set grid; set key below font ",10" maxrows 2 width 2'
		echo 'set format y "%.0s%c"'
		for f in $FILES; do
			[ "$f" = 1k ] && echo 'set title "1 KiB page"' || echo 'set title "1 MiB file"'
			plots=""
			col=1
			for s in "${lines[@]#*:}"; do
				for conn in keep-alive close; do
					[ -s "$tmp/$f-$s-$conn.dat" ] || continue
					dt=1 lab="$s"
					[ "$conn" = close ] && dt=2 lab="$s, close"
					plots="$plots${plots:+, }'$tmp/$f-$s-$conn.dat' using 1:2 with linespoints lc $col dt $dt lw 2 pt 7 ps 0.6 title '$lab'"
				done
				col=$((col + 1))
			done
			echo "plot $plots"
		done
		echo 'unset multiplot'
	} >"$tmp/chart.gp"
	gnuplot "$tmp/chart.gp" && say "chart: $OUT/chart.svg"
}

# --- the run ----------------------------------------------------------------

if [ "${1:-}" = report ]; then	# the table and chart again, from $OUT/runs.csv
	tmp=$(mktemp -d /tmp/ws-bench.XXXXXX)
	trap 'rm -rf "$tmp"' EXIT
	FILES=$(awk -F, 'NR > 1 && !seen[$3]++ { printf "%s ", $3 }' "$OUT/runs.csv")
	summarize
	table
	markdown
	chart
	exit 0
fi
mkdir -p "$OUT"
pick_servers "$PEERS" "$WS_BASE"
setup
say "bench: ${servers[*]}; $PASSES passes of ${SECS} s cells; results in $OUT"
for s in "${servers[@]}"; do start "$s"; done

if [ "$IDLE" -gt 0 ]; then
	echo "server,conns,idle_procs,idle_tasks,idle_rss_kib,idle_pss_kib,procs,tasks,rss_kib,pss_kib,rss_per_conn_kib,pss_per_conn_kib" >"$OUT/memory.csv"
	for s in "${servers[@]}"; do
		say "memory: $s, idle and with $IDLE idle connections"
		memory "$s"
	done
else
	rm -f "$OUT/memory.csv"
fi

say "spawn: what a bare fork and a bare thread cost here"
bench/spawn 1 | awk 'BEGIN { print "kind,wall_us,cpu_us" }
	{ sub("wall_us=", "", $2); sub("cpu_us=", "", $3); print $1 "," $2 "," $3 }' \
	>"$OUT/spawn.csv"

echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, Linux $(uname -r | cut -d- -f1)," \
	"ws $REV${WS_BASE:+, base $BASE_REV};" \
	"$SECS s cells," \
	"median of $PASSES passes; load average at start $(cut -d' ' -f1 /proc/loadavg)" \
	>"$OUT/env.txt"
echo "$RUNS_HEADER" >"$RUNS"
for p in $(seq "$PASSES"); do pass "$p"; done

summarize
echo >&2
table
markdown
chart
say "bench: done in $(( $(date +%s) - started )) s; CSV in $OUT"
