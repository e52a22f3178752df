# bench/lib.sh: the servers of the benchmarks, and one wrk run, for
# bench.sh, forkpeers.sh and profile.sh. Each server runs on 127.0.0.1 with
# a temporary document root and its own configuration, started here and
# stopped at exit; no system service is touched. The caller sets PORT, WS,
# FILES, for run() SECS and RUNS, and optionally WRAP (a command that the
# servers run under, such as strace) and WS_BASE (a baseline ws binary, for
# the servers base-fork and base-thread that pick_servers adds on request).

HOLD=bench/hold
PATH=$PATH:/usr/sbin:/sbin	# nginx, lighttpd and mini_httpd live in sbin
WRAP=()
declare -A port pid base path
path[1k]=/1k.html
path[1m]=/1m.bin
helpers=()	# pids of hold clients still running
servers=()
tmp=

die() { echo "bench: $*" >&2; exit 1; }
say() { printf '%s\n' "$*" >&2; }

# --- setting up ------------------------------------------------------------

# The servers to run: ws in both modes, and the peers as $1 says (auto:
# those installed; 1: both, or fail; 0: none). Each gets its own port.
# With $2 (a baseline binary, WS_BASE) base-fork and base-thread join too,
# each right after ws in the same mode, on the ports PORT+4 and PORT+5.
pick_servers() {
	local i=0 s
	servers=(ws-fork ws-thread)
	case $1 in
	0) ;;
	1) command -v nginx >/dev/null && command -v lighttpd >/dev/null ||
		die "nginx and lighttpd are not installed (make bench-peers installs them)"
	   servers+=(nginx lighttpd) ;;
	*) if command -v nginx >/dev/null; then servers+=(nginx); fi
	   if command -v lighttpd >/dev/null; then servers+=(lighttpd); fi ;;
	esac
	for s in "${servers[@]}"; do
		port[$s]=$((PORT + i))
		i=$((i + 1))
	done
	if [ -n "${2:-}" ]; then
		servers=(ws-fork base-fork ws-thread base-thread "${servers[@]:2}")
		port[base-fork]=$((PORT + 4))
		port[base-thread]=$((PORT + 5))
	fi
}

# A temporary directory with the document root and every configuration,
# removed at exit with every server still running.
setup() {
	command -v wrk >/dev/null || die "wrk is not installed (make bench installs it)"
	[ -x "$WS" ] && [ -x $HOLD ] && [ -x bench/spawn ] ||
		die "build first: make ws bench/hold bench/spawn"
	if [ -n "${port[base-fork]:-}" ]; then
		[ -x "$WS_BASE" ] || die "WS_BASE: $WS_BASE is not an executable file"
	fi
	# 1000 connections need a descriptor each, in wrk and in a thread-mode
	# ws; 16384 at most, as the peers size their tables by it.
	NOFILE=$(ulimit -Hn)
	[ "$NOFILE" = unlimited ] || [ "$NOFILE" -gt 16384 ] && NOFILE=16384
	ulimit -n "$NOFILE"
	[ "$NOFILE" -ge 4096 ] ||
		say "bench: ulimit -n is $NOFILE; the 1000-connection cells may fail"
	tmp=$(mktemp -d /tmp/ws-bench.XXXXXX)
	chmod 755 "$tmp"	# peers' workers run as nobody when started by root
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	make_root
	conf_ws
	if [ -n "${port[nginx]:-}" ]; then conf_nginx; fi
	if [ -n "${port[lighttpd]:-}" ]; then conf_lighttpd; fi
}

cleanup() {
	local s p
	for p in "${helpers[@]}"; do kill "$p" 2>/dev/null || true; done
	for s in "${!pid[@]}"; do stop "$s"; done
	rm -rf "$tmp"
}

# The document root: a 1 KiB page and a 1 MiB file, the same for all.
make_root() {
	mkdir -p "$tmp/www"
	{
		printf '<!DOCTYPE html>\n<html><head><title>1 KiB</title></head><body>\n'
		head -c 2000 /dev/zero | tr '\0' 'x' | fold -w 63
	} | head -c 1008 >"$tmp/www/1k.html"
	printf '\n</body></html>\n' >>"$tmp/www/1k.html"
	head -c 1048576 /dev/zero | tr '\0' 'w' >"$tmp/www/1m.bin"
	[ "$(wc -c <"$tmp/www/1k.html")" -eq 1024 ] || die "1k.html is not 1024 bytes"
	chmod 644 "$tmp/www"/*
}

conf_ws() {
	cat >"$tmp/ws.conf" <<-EOF
	ServerIP 127.0.0.1
	ListenPort ${port[ws-fork]}
	DocumentRoot "$tmp/www"
	DirectoryIndex index.html
	ContentType .html text/html
	ContentType .bin application/octet-stream
	KeepaliveTime 60
	RequestMethodSupport GET,HEAD
	AccessLog off
	MaxClients 4096
	EOF
}

# Debian's nginx.conf settings for static files (sendfile, tcp_nopush),
# one worker, no access log, keep-alive as long as ws's.
conf_nginx() {
	local user=""
	[ "$(id -u)" = 0 ] && user="user nobody nogroup;"
	mkdir -p "$tmp/nginx"
	cat >"$tmp/nginx/nginx.conf" <<-EOF
	$user
	worker_processes 1;
	worker_rlimit_nofile $NOFILE;
	daemon off;
	pid $tmp/nginx/nginx.pid;
	error_log $tmp/nginx/error.log warn;
	events { worker_connections 4096; }
	http {
		access_log off;
		sendfile on;
		tcp_nopush on;
		keepalive_timeout 60s;
		keepalive_requests 1000000;
		types { text/html html; application/octet-stream bin; }
		default_type application/octet-stream;
		server {
			listen 127.0.0.1:${port[nginx]};
			root $tmp/www;
		}
	}
	EOF
}

# lighttpd's defaults (one process, sendfile), no mod_accesslog loaded.
conf_lighttpd() {
	local user=""
	[ "$(id -u)" = 0 ] && user='server.username = "nobody"
server.groupname = "nogroup"'
	cat >"$tmp/lighttpd.conf" <<-EOF
	$user
	server.document-root = "$tmp/www"
	server.bind = "127.0.0.1"
	server.port = ${port[lighttpd]}
	server.max-fds = $NOFILE
	server.max-connections = 4096
	server.max-keep-alive-requests = 1000000
	server.max-keep-alive-idle = 60
	index-file.names = ( "index.html" )
	mimetype.assign = ( ".html" => "text/html",
	                    ".bin" => "application/octet-stream" )
	EOF
}

# The pids of process $1 and all its descendants.
tree() {
	ps -e -o pid=,ppid= | awk -v root="$1" '
		{ parent[$1] = $2 }
		END {
			for (p in parent) {
				for (q = p; q != root && (q in parent) && q > 1; )
					q = parent[q]
				if (q == root)
					print p
			}
		}'
}

# "processes tasks rss_kib pss_kib" of the tree under $1.
mem() {
	local p files=() status=()
	for p in $(tree "$1"); do
		files+=("/proc/$p/smaps_rollup")
		status+=("/proc/$p/status")
	done
	[ ${#files[@]} -gt 0 ] || { echo 0 0 0 0; return; }
	{
		{ cat "${status[@]}" 2>/dev/null || true; }
		{ cat "${files[@]}" 2>/dev/null || true; }
	} | awk -v n=${#files[@]} '
		/^Threads:/ { t += $2 }
		/^Rss:/ { r += $2 }
		/^Pss:/ { p += $2 }
		END { print n, t, r, p }'
}

tasks() { mem "$1" | awk '{ print $2 }'; }

# CPU time (clock ticks) used by the tree under $1, with its reaped
# children: fork mode's finished connections count in the parent.
cpu() {
	local p files=()
	for p in $(tree "$1"); do files+=("/proc/$p/stat"); done
	[ ${#files[@]} -gt 0 ] || { echo 0; return; }
	{ cat "${files[@]}" 2>/dev/null || true; } |
		awk '{ sub(/.*\) /, ""); t += $12 + $13 + $14 + $15 } END { print t + 0 }'
}

# Wait (at most 10 s) until the server is back to its idle tasks: the
# children or threads of the last run's connections have finished.
settle() {
	local i
	for i in $(seq 100); do
		[ "$(tasks "${pid[$1]}")" -le "${base[$1]}" ] && return 0
		sleep 0.1
	done
	say "bench: $1 still has $(tasks "${pid[$1]}") tasks (idle: ${base[$1]})"
}

# probe PORT PATH: one HTTP/1.0 GET, answered 200 within 5 s.
probe() {
	local fd line
	exec {fd}<>"/dev/tcp/127.0.0.1/$1" || return 1
	printf 'GET %s HTTP/1.0\r\n\r\n' "$2" >&"$fd"
	IFS= read -r -t 5 -u "$fd" line || line=
	exec {fd}>&-
	[[ $line == "HTTP/1."[01]" 200 "* ]]
} 2>/dev/null

start() {
	local s=$1 i
	case $s in
	ws-fork) "${WRAP[@]}" "$WS" -m fork -f "$tmp/ws.conf" -p "${port[$s]}" 2>>"$tmp/$s.log" & ;;
	ws-thread) "${WRAP[@]}" "$WS" -m thread -f "$tmp/ws.conf" -p "${port[$s]}" 2>>"$tmp/$s.log" & ;;
	# the baseline binary: the same configuration and document root
	base-fork) "${WRAP[@]}" "$WS_BASE" -m fork -f "$tmp/ws.conf" -p "${port[$s]}" 2>>"$tmp/$s.log" & ;;
	base-thread) "${WRAP[@]}" "$WS_BASE" -m thread -f "$tmp/ws.conf" -p "${port[$s]}" 2>>"$tmp/$s.log" & ;;
	nginx) "${WRAP[@]}" nginx -e "$tmp/nginx/error.log" -p "$tmp/nginx" \
		-c "$tmp/nginx/nginx.conf" 2>>"$tmp/$s.log" & ;;
	lighttpd) "${WRAP[@]}" lighttpd -D -f "$tmp/lighttpd.conf" 2>>"$tmp/$s.log" & ;;
	# the fork-per-connection peers: no keep-alive, no access log
	busybox) "${WRAP[@]}" busybox httpd -f -p "127.0.0.1:${port[$s]}" -h "$tmp/www" \
		2>>"$tmp/$s.log" & ;;
	mini_httpd) "${WRAP[@]}" mini_httpd -D -h 127.0.0.1 -p "${port[$s]}" -d "$tmp/www" \
		-l /dev/null 2>>"$tmp/$s.log" & ;;
	esac
	pid[$s]=$!
	for i in $(seq 50); do
		probe "${port[$s]}" "${path[1k]}" && break
		kill -0 "${pid[$s]}" 2>/dev/null || { cat "$tmp/$s.log" >&2; die "$s did not start"; }
		sleep 0.1
	done
	for f in $FILES; do
		probe "${port[$s]}" "${path[$f]}" ||
			die "$s does not serve ${path[$f]} on port ${port[$s]}"
	done
	sleep 0.3	# the probes' connections end
	base[$s]=$(tasks "${pid[$s]}")
	settle "$s"
}

# --- measuring -------------------------------------------------------------

# An awk function for the reports: median(KEY), of the values
# VAL[KEY, 1..COUNT[KEY]]; it sets LO and HI to the least and greatest.
AWK_MEDIAN='
function median(key,   i, j, n, x, a) {
	n = count[key]
	for (i = 1; i <= n; i++) a[i] = val[key, i]
	for (i = 2; i <= n; i++)	# insertion sort: n is small
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			x = a[j]; a[j] = a[j - 1]; a[j - 1] = x
		}
	lo = a[1]; hi = a[n]
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}'

RUNS_HEADER=pass,server,file,conn,conns,requests,secs,rps,mib_s,bytes_per_req,p50_ms,p99_ms,errors,cpu_us_per_req

# run PASS SERVER FILE CONN(keep-alive|close) CONNS: one wrk run of SECS
# seconds, bounded by timeout(1); one CSV row appended to $RUNS.
run() {
	local pass=$1 s=$2 f=$3 conn=$4 c=$5 t=2 hdr=() out line cpu0
	[ "$c" -lt 2 ] && t=1
	[ "$conn" = close ] && hdr=(-H 'Connection: close')
	settle "$s"
	cpu0=$(cpu "${pid[$s]}")
	out=$(timeout $((SECS + 30)) wrk -t$t -c"$c" -d"${SECS}s" --timeout 5s \
		"${hdr[@]}" -s bench/report.lua \
		"http://127.0.0.1:${port[$s]}${path[$f]}" 2>&1) || true
	settle "$s"	# fork mode: the children are reaped, their time counted
	line="$(grep '^BENCH ' <<<"$out" || true) cpu=$(($(cpu "${pid[$s]}") - cpu0))"
	case $line in
	BENCH*) ;;
	*) say "bench: wrk failed on $s: $out"; line="BENCH requests=0 us=1" ;;
	esac
	awk -v OFS=, -v pass="$pass" -v s="$s" -v f="$f" -v conn="$conn" -v c="$c" \
	    -v hz="$(getconf CLK_TCK)" '
		{
			for (i = 2; i <= NF; i++) {
				split($i, kv, "=")
				v[kv[1]] = kv[2]
			}
			secs = v["us"] / 1e6
			n = v["requests"] + 0
			err = v["connect"] + v["read"] + v["write"] + v["status"] + v["timeout"]
			print pass, s, f, conn, c, n, sprintf("%.2f", secs),
			    sprintf("%.0f", n / secs), sprintf("%.1f", v["bytes"] / secs / 1048576),
			    (n ? sprintf("%.0f", v["bytes"] / n) : 0),
			    sprintf("%.3f", v["p50_us"] / 1000), sprintf("%.3f", v["p99_us"] / 1000),
			    err, (n ? sprintf("%.1f", v["cpu"] * 1e6 / hz / n) : "")
		}' <<<"$line" | tee -a "$RUNS" | awk -F, '{ printf " %s %s", $2, $8 }' >&2
}

# The start time of process $1 (in ticks since boot), to know it again.
born() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }

# Stop server $1: SIGTERM, up to 10 s to end, then SIGKILL to whatever is
# left of its processes (each known by pid and start time, never by name).
stop() {
	local s=$1 p i left=()
	[ -n "${pid[$s]:-}" ] || return 0
	for p in $(tree "${pid[$s]}"); do left+=("$p:$(born "$p")"); done
	kill -TERM "${pid[$s]}" 2>/dev/null || true
	for i in $(seq 100); do
		kill -0 "${pid[$s]}" 2>/dev/null || break
		sleep 0.1
	done
	for p in "${left[@]}"; do
		[ "$(born "${p%%:*}")" = "${p#*:}" ] && kill -KILL "${p%%:*}" 2>/dev/null
	done
	wait "${pid[$s]}" 2>/dev/null || true
	unset "pid[$s]"
}
