#!/usr/bin/env bash
# soak.sh [fork|thread] [COUNT]: COUNT requests (default 100000), good and
# bad mixed (test/hammer load), against ws on a loopback port. Prints the
# server's open descriptors, zombie children and RSS at the start, after
# the first 1,000 requests and at the end, and fails when descriptors or
# zombies are not back to their start values, or (thread mode) RSS grew by
# more than 10% after the first 1,000.
set -eu
mode=${1:-fork} count=${2:-100000}
here=$(cd "$(dirname "$0")" && pwd)
ws=${WS:-$here/../ws}
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
mkdir "$dir/www"
printf '<html><body>soak</body></html>\n' >"$dir/www/index.html"
cc -std=c99 -O2 -o "$dir/hammer" "$here/hammer.c"
for try in 1 2 3 4 5 6 7 8 9 10; do
	port=$((20000 + RANDOM % 40000))
	printf 'ServerIP 127.0.0.1\nListenPort %s\nDocumentRoot www\nContentType .html text/html\nAccessLog off\n' \
	    "$port" >"$dir/ws.conf"
	"$ws" -m "$mode" -f "$dir/ws.conf" 2>"$dir/err" &
	pid=$!
	for i in $(seq 100); do grep -q listening "$dir/err" && break; sleep 0.05; done
	grep -q listening "$dir/err" && break
done
settle() {	# until no connection is being served (children or threads), at most 10 s
	for i in $(seq 200); do
		[ -z "$(ps -o pid= --ppid "$pid")" ] && [ "$(ls /proc/$pid/task | wc -l)" = 1 ] && return
		sleep 0.05
	done
}
measure() {
	settle
	fds=$(ls /proc/$pid/fd | wc -l)
	zombies=$(ps -o stat= --ppid "$pid" | grep -c '^Z' || true)
	rss=$(awk '/^VmRSS/ {print $2}' /proc/$pid/status)
	printf '%-22s fds %3d  zombies %d  rss %6d KiB\n' "$1" "$fds" "$zombies" "$rss"
}
measure "$mode: start"; fds0=$fds; zombies0=$zombies
timeout 120 "$dir/hammer" load "$port" 1000
measure "after 1,000"; rss1=$rss
timeout 600 "$dir/hammer" load "$port" $((count - 1000))
measure "after $count"
ok=1
[ "$fds" = "$fds0" ] || { echo "FAIL: descriptors $fds0 -> $fds"; ok=0; }
[ "$zombies" = "$zombies0" ] || { echo "FAIL: zombies $zombies0 -> $zombies"; ok=0; }
if [ "$mode" = thread ] && [ "$rss" -gt $((rss1 * 110 / 100)) ]; then
	echo "FAIL: RSS grew from $rss1 to $rss KiB (more than 10%)"; ok=0
fi
[ "$ok" = 1 ] && echo "soak $mode: ok"
[ "$ok" = 1 ]
