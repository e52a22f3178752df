#!/usr/bin/env bats
# Running ws for real: daemon, pid file, signals, reload, access log,
# socket activation, privileges, chroot, ReusePort, install, manuals.

load helper

TOOL=$BATS_TEST_DIRNAME/admintool
BIG=$((8 * 1024 * 1024))

setup() {
	ws_init
	[ -x "$TOOL" ] || flunk "test/admintool not built (make test/admintool)"
}

# eventually TRIES COMMAND...: COMMAND succeeds within TRIES tries, 20 ms
# apart; TRIES is for WS_TIMEOUT=5 and grows with it (valgrind runs use 15).
eventually() {
	local n=$(($1 * WS_TIMEOUT / 5))
	shift
	until "$@"; do
		((--n > 0)) || return 1
		sleep 0.02
	done
}

said() { grep -q -- "$1" "$WS_DIR/stderr"; }
refused() { ! (: <>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
size_at_least() { [ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -ge "$2" ]; }
logged() { grep -qF -- "$2" "$1" 2>/dev/null; }
# lines_over N FILE...: the FILEs hold more than N lines now (counted anew
# on each call, so that eventually retries it)
lines_over() { local n=$1; shift; [ "$(cat -- "$@" 2>/dev/null | wc -l)" -gt "$n" ]; }

# ws_exit PID: wait (bounded) for ws, a child of this shell; WS_RC is its
# exit status.
ws_exit() {
	WS_RC=0
	wait_dead "$1" 5 || flunk "ws $1 still running"
	wait "$1" || WS_RC=$?
}

get() {
	ws_request "GET $1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
}

big_file() {
	head -c "$BIG" /dev/urandom >"$WS_ROOT/big.bin"
}

# A slow download of big.bin on port $WS_PORT at RATE bytes a second, in
# the background: SLOW_PID, body in $WS_DIR/got.
slow_download() {
	"$TOOL" slowget "$WS_PORT" /big.bin "$1" "$WS_DIR/got" >"$WS_DIR/slowget" 2>&1 &
	SLOW_PID=$!
	eventually 150 size_at_least "$WS_DIR/got" 65536 || flunk "the download did not start"
}

# ---------------------------------------------------------------- daemon

# daemon: ws -d on a free port with PidFile; D_RC, D_PID, WS_PORT.
daemon() {
	local try
	write_conf_template "PidFile $WS_DIR/ws.pid"
	for ((try = 0; try < 10; try++)); do
		WS_PORT=$(random_port)
		sed "s/@PORT@/$WS_PORT/" "$WS_CONF.in" >"$WS_CONF"
		D_RC=0
		(cd "$WS_DIR/cwd" && exec timeout 5 "$WS" -d -f "$WS_CONF" -m "$WS_MODE" \
			</dev/null >"$WS_DIR/stdout" 2>"$WS_DIR/stderr" 3>&-) || D_RC=$?
		[ "$D_RC" != 0 ] && said 'bind' && continue
		break
	done
	D_PID=$(cat "$WS_DIR/ws.pid" 2>/dev/null) || true
	[ -z "$D_PID" ] || WS_PIDS+=("$D_PID")
}

@test "daemon: -d returns 0 once listening; the daemon serves, then stops on SIGTERM" {
	daemon
	assert_eq "$D_RC" 0 "$(cat "$WS_DIR/stderr")"
	# no retry: the parent left only after the child was listening
	get /index.html
	assert_status "HTTP/1.1 200 OK"
	assert_body "$INDEX_HTML"
	said "ws: listening on 127.0.0.1:$WS_PORT ($WS_MODE mode)" || flunk "no listening line"
	tr '\0' ' ' <"/proc/$D_PID/cmdline" | grep -qF -- "-d -f $WS_CONF" || flunk "pid file names $D_PID, not the daemon"
	assert_eq "$(ps -o sid= -p "$D_PID" | tr -d ' ')" "$D_PID" "the daemon leads a session of its own"
	assert_eq "$(readlink "/proc/$D_PID/fd/2")" /dev/null
	ws_close_all
	kill -TERM "$D_PID"
	wait_dead "$D_PID" 3 || flunk "daemon still running 3 s after SIGTERM"
	[ ! -e "$WS_DIR/ws.pid" ] || flunk "pid file left behind"
}

@test "daemon: a port in use makes ws -d exit non-zero with the reason; nothing stays" {
	start_ws
	sed -e "s/@PORT@/$WS_PORT/" -e '$a PidFile '"$WS_DIR/second.pid" "$WS_CONF.in" >"$WS_DIR/second.conf"
	run --separate-stderr bash -c 'cd "$1" && exec timeout 5 "$2" -d -f "$3" -m "$4" 3>&-' \
		_ "$WS_DIR/cwd" "$WS" "$WS_DIR/second.conf" "$WS_MODE"
	[ "$status" -ne 0 ] || flunk "ws -d on a busy port exited 0"
	[ "$status" -ne 124 ] || flunk "ws -d hung"
	assert_contains "$stderr" "bind 127.0.0.1:$WS_PORT: Address already in use"
	! pgrep -f -- "$WS_DIR/second.conf" >/dev/null || flunk "a daemon stayed: $(pgrep -af -- "$WS_DIR/second.conf")"
	[ ! -e "$WS_DIR/second.pid" ] || flunk "pid file left behind"
	get /index.html
	assert_status "HTTP/1.1 200 OK"
}

# ---------------------------------------------------------------- pid file

@test "pid file: holds the pid, is locked, keeps a second ws out, is removed on exit" {
	start_ws "PidFile $WS_DIR/ws.pid"
	assert_eq "$(cat "$WS_DIR/ws.pid")" "$WS_PID"
	local ino
	ino=$(stat -c %i "$WS_DIR/ws.pid")
	grep -Eq "POSIX +ADVISORY +WRITE +$WS_PID +[0-9a-f]+:[0-9a-f]+:$ino " /proc/locks ||
		flunk "no write lock by $WS_PID on the pid file: $(cat /proc/locks)"
	run --separate-stderr timeout 5 "$WS" -f "$WS_CONF" -m "$WS_MODE"
	assert_eq "$status" 1 "$stderr"
	assert_contains "$stderr" "$WS_DIR/ws.pid: ws is already running (pid $WS_PID)"
	assert_eq "$(cat "$WS_DIR/ws.pid")" "$WS_PID"
	kill -TERM "$WS_PID"
	ws_exit "$WS_PID"
	assert_eq "$WS_RC" 0
	[ ! -e "$WS_DIR/ws.pid" ] || flunk "pid file left behind"
}

@test "pid file: a stale one, left unlocked by a dead ws, is replaced" {
	echo 999999 >"$WS_DIR/ws.pid"
	start_ws "PidFile $WS_DIR/ws.pid"
	assert_eq "$(cat "$WS_DIR/ws.pid")" "$WS_PID"
}

# ---------------------------------------------------------------- stopping

@test "SIGTERM: an 8 MB download in flight is finished, new connections are refused, exit 0" {
	start_ws "ContentType .bin application/octet-stream"
	big_file
	slow_download 4000000
	kill -TERM "$WS_PID"
	eventually 100 refused "$WS_PORT" || flunk "still accepting after SIGTERM"
	size_at_least "$WS_DIR/got" "$BIG" && flunk "the download was over too soon to tell"
	ws_alive "$WS_PID" || flunk "ws exited with the download in flight"
	wait "$SLOW_PID" || flunk "download cut short: $(cat "$WS_DIR/slowget")"
	cmp -s "$WS_ROOT/big.bin" "$WS_DIR/got" || flunk "the body differs"
	ws_exit "$WS_PID"
	assert_eq "$WS_RC" 0
}

@test "SIGTERM: idle keep-alive connections close at once; ws exits without waiting out GracefulTimeout" {
	start_ws "GracefulTimeout 30"
	ws_open
	ws_send "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
	read_response
	assert_header Connection keep-alive
	kill -TERM "$WS_PID"
	expect_closed 2
	ws_close
	wait_dead "$WS_PID" 2 || flunk "ws still running 2 s after SIGTERM"
	ws_exit "$WS_PID"
	assert_eq "$WS_RC" 0
}

@test "GracefulTimeout: a response still running after it is cut; ws exits 0" {
	start_ws "ContentType .bin application/octet-stream" "GracefulTimeout 1"
	big_file
	slow_download 1000000
	local kids t0 t1 k
	kids=$(ws_children "$WS_PID")
	t0=$(date +%s%N)
	kill -TERM "$WS_PID"
	ws_exit "$WS_PID"
	assert_eq "$WS_RC" 0
	t1=$(date +%s%N)
	kill "$SLOW_PID" 2>/dev/null || true
	(((t1 - t0) / 1000000 >= 900)) || flunk "ws exited $(((t1 - t0) / 1000000)) ms after SIGTERM, before GracefulTimeout"
	# uncut, the download would take 8 s more
	(((t1 - t0) / 1000000 < 5000)) || flunk "ws took $(((t1 - t0) / 1000000)) ms to exit"
	said "GracefulTimeout: cutting 1 connection short" || flunk "no word of the cut connection"
	for k in $kids; do
		eventually 50 eval '! ws_alive "$k"' || flunk "child $k outlived ws"
	done
}

# ---------------------------------------------------------------- SIGHUP

@test "SIGHUP: a good file is used by new connections; an open one keeps the old" {
	start_ws
	ws_open
	local old=$WS_FD
	ws_send "GET /file.xyz HTTP/1.1\r\nHost: x\r\n\r\n"
	read_response
	assert_code 501
	echo 'ContentType .xyz text/plain' >>"$WS_CONF"
	kill -HUP "$WS_PID"
	eventually 150 said "$WS_CONF: configuration reloaded" || flunk "no reload: $(cat "$WS_DIR/stderr")"
	get /file.xyz
	assert_status "HTTP/1.1 200 OK"
	assert_body $'unknown type\n'
	WS_FD=$old
	ws_send "GET /file.xyz HTTP/1.1\r\nHost: x\r\n\r\n"
	read_response
	assert_code 501
	ws_alive "$WS_PID"
}

@test "SIGHUP: a bad file is reported as FILE:LINE and the running configuration stays" {
	start_ws
	echo 'NoSuchDirective 1' >>"$WS_CONF"
	local line
	line=$(wc -l <"$WS_CONF")
	kill -HUP "$WS_PID"
	eventually 150 said "the running configuration stays" || flunk "no word of the bad file: $(cat "$WS_DIR/stderr")"
	said "^$WS_CONF:$line: " || flunk "no $WS_CONF:$line: on stderr: $(cat "$WS_DIR/stderr")"
	get /index.html
	assert_status "HTTP/1.1 200 OK"
	assert_body "$INDEX_HTML"
	# and a later good file still takes
	sed -i '$d' "$WS_CONF"
	echo 'ContentType .xyz text/plain' >>"$WS_CONF"
	kill -HUP "$WS_PID"
	eventually 150 said "configuration reloaded" || flunk "no reload after the fix"
	get /file.xyz
	assert_status "HTTP/1.1 200 OK"
}

@test "SIGHUP: a server started with a broken file is healed by a good one" {
	start_ws "Bogus 1"
	get /index.html
	assert_code 500
	sed -i '/^Bogus/d' "$WS_CONF"
	kill -HUP "$WS_PID"
	eventually 150 said "configuration reloaded" || flunk "no reload: $(cat "$WS_DIR/stderr")"
	get /index.html
	assert_status "HTTP/1.1 200 OK"
}

@test "SIGHUP: a changed ListenPort is reported as needing a restart; the old port serves" {
	start_ws
	sed -i "s/^ListenPort .*/ListenPort $((WS_PORT == 65535 ? 1025 : WS_PORT + 1))/" "$WS_CONF"
	kill -HUP "$WS_PID"
	eventually 150 said "ListenPort changed: it takes effect when ws is restarted" || flunk "$(cat "$WS_DIR/stderr")"
	get /index.html
	assert_status "HTTP/1.1 200 OK"
}

# ---------------------------------------------------------------- access log

@test "SIGUSR1: the access log is reopened; new lines go to the new file" {
	start_ws "AccessLog $WS_DIR/access.log"
	get /index.html
	eventually 150 logged "$WS_DIR/access.log" '"GET /index.html HTTP/1.1" 200' || flunk "not logged"
	mv "$WS_DIR/access.log" "$WS_DIR/access.log.1"
	get /a.txt
	eventually 150 logged "$WS_DIR/access.log.1" '"GET /a.txt HTTP/1.1" 200' || flunk "not logged in the renamed file"
	kill -USR1 "$WS_PID"
	eventually 150 test -e "$WS_DIR/access.log" || flunk "no new log after SIGUSR1"
	get /style.css
	eventually 150 logged "$WS_DIR/access.log" '"GET /style.css HTTP/1.1" 200' || flunk "not logged in the new file"
	! logged "$WS_DIR/access.log.1" style.css || flunk "logged in the old file too"
	assert_eq "$(wc -l <"$WS_DIR/access.log")" 1
	assert_eq "$(wc -l <"$WS_DIR/access.log.1")" 2
	ws_alive "$WS_PID"
}

log_lines() { wc -l <"$WS_DIR/access.log"; }

# logged_request CODE FORMAT: one request, answered CODE, and its log line.
logged_request() {
	local before
	before=$(log_lines)
	ws_request "$2"
	assert_code "$1"
	eventually 150 lines_over "$before" "$WS_DIR/access.log" || flunk "not logged: $2"
}

@test "access log: Combined Log Format, one line per request, a hostile User-Agent escaped" {
	start_ws "AccessLog $WS_DIR/access.log"
	# quotes, a backslash, a tab and UTF-8, shaped to forge fields
	logged_request 200 'GET /index.html HTTP/1.1\r\nHost: x\r\nReferer: http://r/"\r\nUser-Agent: x" 200 1 "-" "forged\\"\t\303\251\r\nConnection: close\r\n\r\n'
	# a new line attempted with a bare CR, and with a folded header
	logged_request 400 'GET /a.txt HTTP/1.1\r\nHost: x\r\nUser-Agent: a\rforged\r\n\r\n'
	logged_request 400 'GET /a.txt HTTP/1.1\r\nHost: x\r\nUser-Agent: a\r\n 127.0.0.1 - - [01/Jan/2020:00:00:00 +0000] "GET /forged HTTP/1.1" 200 1 "-" "-"\r\n\r\n'
	# control bytes in the request line
	logged_request 400 'GET /\001\033[2J\177 HTTP/1.1\r\nHost: x\r\n\r\n'

	local q='([^"\\]|\\x[0-9a-f]{2})*' clf line i=0
	clf="^127\\.0\\.0\\.1 - - \\[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}(:[0-9]{2}){3} [-+][0-9]{4}\\] \"$q\" [0-9]{3} ([0-9]+|-) \"$q\" \"$q\"\$"
	assert_eq "$(log_lines)" 4 "$(cat -v "$WS_DIR/access.log")"
	! LC_ALL=C grep -q '[^ -~]' "$WS_DIR/access.log" || flunk "a raw byte outside printable ASCII: $(cat -v "$WS_DIR/access.log")"
	while IFS= read -r line; do
		i=$((i + 1))
		[[ $line =~ $clf ]] || flunk "line $i is not Combined Log Format: $line"
	done <"$WS_DIR/access.log"
	line=$(sed -n 1p "$WS_DIR/access.log")
	assert_contains "$line" "\"GET /index.html HTTP/1.1\" 200 ${#INDEX_HTML} \"http://r/\\x22\" "
	assert_contains "$line" '"x\x22 200 1 \x22-\x22 \x22forged\x5c\x22\x09\xc3\xa9"'
	assert_contains "$(sed -n 4p "$WS_DIR/access.log")" '"GET /\x01\x1b[2J\x7f HTTP/1.1" 400 '
}

# ---------------------------------------------------------------- supervision

@test "socket activation: ws serves on descriptor 3 when LISTEN_PID is its pid" {
	local other=$(random_port)
	# the wrapper binds the port ws_launch picks, passes it as fd 3, and
	# hides -p, so ws sees only ListenPort $other
	cat >"$WS_DIR/activate" <<-EOF
		#!/usr/bin/env bash
		a=()
		while [ \$# -gt 0 ]; do
			if [ "\$1" = -p ]; then port=\$2; shift 2; else a+=("\$1"); shift; fi
		done
		exec "$TOOL" listen "\$port" "$WS" "\${a[@]}"
	EOF
	chmod +x "$WS_DIR/activate"
	write_conf_template "ListenPort $other"
	WS="$WS_DIR/activate" ws_launch "$WS_CONF.in"
	said "ws: listening on 127.0.0.1:$WS_PORT ($WS_MODE mode)" || flunk "$(cat "$WS_DIR/stderr")"
	get /index.html
	assert_status "HTTP/1.1 200 OK"
	refused "$other" || flunk "ws bound ListenPort $other as well"
	assert_match "$(readlink "/proc/$WS_PID/fd/3")" '^socket:'
	ws_close_all
	kill -TERM "$WS_PID"
	ws_exit "$WS_PID"
	assert_eq "$WS_RC" 0
}

@test "socket activation: LISTEN_FDS meant for another process is ignored" {
	LISTEN_FDS=1 LISTEN_PID=1 start_ws
	get /index.html
	assert_status "HTTP/1.1 200 OK"
}

# ---------------------------------------------------------------- privileges

# A document root that any user may read, outside the 0700 test directory.
public_root() {
	PUB=$(mktemp -d /tmp/ws-admin.XXXXXX)
	chmod 755 "$PUB"
	cp -a "$WS_ROOT/index.html" "$WS_ROOT/a.txt" "$PUB/"
}

teardown() {
	ws_teardown
	[ -z "${PUB:-}" ] || rm -rf "$PUB"
}

@test "User nobody: started as root, ws serves as nobody" {
	[ "$(id -u)" = 0 ] || skip "needs root"
	id nobody >/dev/null 2>&1 || skip "no user nobody"
	local uid gid pid
	uid=$(id -u nobody) gid=$(id -g nobody)
	public_root
	start_ws "User nobody" "DocumentRoot $PUB"
	ws_open
	ws_send "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
	read_response
	assert_status "HTTP/1.1 200 OK"
	pid=$WS_PID
	[ "$WS_MODE" = thread ] || pid=$(ws_children "$WS_PID" | head -n1)
	[ -n "$pid" ] || flunk "no serving process"
	assert_eq "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")" "$uid $uid $uid $uid"
	assert_eq "$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")" "$gid $gid $gid $gid"
	assert_eq "$(awk '/^Groups:/ { print $2 $3 }' "/proc/$pid/status")" "$gid"
	assert_eq "$(awk '/^Uid:/ { print $2 }' "/proc/$WS_PID/status")" "$uid" "the main process too"
	! said "running as root" || flunk "warned about root with User set"
}

@test "privileges: started as root without User, ws warns" {
	[ "$(id -u)" = 0 ] || skip "needs root"
	start_ws
	said "ws: running as root: name a User in $WS_CONF to drop privileges" || flunk "$(cat "$WS_DIR/stderr")"
}

@test "Chroot on: the process is confined to DocumentRoot and still serves it" {
	[ "$(id -u)" = 0 ] || skip "needs root"
	start_ws "Chroot on" "User nobody"
	assert_eq "$(readlink "/proc/$WS_PID/root")" "$(realpath "$WS_ROOT")"
	get /index.html
	assert_status "HTTP/1.1 200 OK"
	assert_body "$INDEX_HTML"
	get /sub/page.txt
	assert_status "HTTP/1.1 200 OK"
	get /link.txt
	assert_code 404
	kill -HUP "$WS_PID"
	eventually 150 said "cannot be read again inside the chroot" || flunk "$(cat "$WS_DIR/stderr")"
	kill -USR1 "$WS_PID"
	eventually 150 said "AccessLog: cannot be reopened inside the chroot" || flunk "$(cat "$WS_DIR/stderr")"
	get /index.html
	assert_status "HTTP/1.1 200 OK"
}

# ---------------------------------------------------------------- scale-out

@test "ReusePort on: two ws share one port and both take connections" {
	start_ws "ReusePort on" "AccessLog $WS_DIR/one.log"
	local first=$WS_PID second i
	sed -e "s/@PORT@/$WS_PORT/" -e "s|one.log|two.log|" "$WS_CONF.in" >"$WS_DIR/two.conf"
	(cd "$WS_DIR/cwd" && exec env --default-signal=INT,TERM "$WS" -f "$WS_DIR/two.conf" -m "$WS_MODE" \
		</dev/null 2>"$WS_DIR/two.err" 3>&-) &
	second=$!
	WS_PIDS+=("$second")
	eventually 250 grep -q 'ws: listening on' "$WS_DIR/two.err" || flunk "second ws: $(cat "$WS_DIR/two.err")"
	for ((i = 0; i < 30; i++)); do
		get /a.txt
		assert_status "HTTP/1.1 200 OK"
	done
	ws_alive "$first" && ws_alive "$second"
	eventually 150 lines_over 29 "$WS_DIR/one.log" "$WS_DIR/two.log" || flunk "not all 30 logged"
	[ -s "$WS_DIR/one.log" ] && [ -s "$WS_DIR/two.log" ] ||
		flunk "one ws took all 30: $(wc -l "$WS_DIR"/*.log)"
}

# ---------------------------------------------------------------- install

@test "make install and uninstall with PREFIX and DESTDIR" {
	local d=$WS_DIR/dest top=$BATS_TEST_DIRNAME/..
	run make -s -C "$top" install DESTDIR="$d" PREFIX=/opt/ws
	assert_eq "$status" 0 "$output"
	[ -x "$d/opt/ws/bin/ws" ] || flunk "no bin/ws"
	cmp -s "$top/man/ws.8" "$d/opt/ws/share/man/man8/ws.8" || flunk "no man8/ws.8"
	cmp -s "$top/man/ws.conf.5" "$d/opt/ws/share/man/man5/ws.conf.5" || flunk "no man5/ws.conf.5"
	cmp -s "$top/ws.conf" "$d/opt/ws/share/doc/ws/ws.conf" || flunk "no sample ws.conf"
	assert_eq "$(stat -c %a "$d/opt/ws/share/man/man8/ws.8")" 644
	run "$d/opt/ws/bin/ws" -v
	assert_match "$output" '^ws [0-9]' 
	run make -s -C "$top" uninstall DESTDIR="$d" PREFIX=/opt/ws
	assert_eq "$status" 0 "$output"
	assert_eq "$(find "$d" -type f)" ""
}

@test "manual pages: clean under mandoc -Tlint -Wwarning" {
	command -v mandoc >/dev/null || skip "mandoc is not installed"
	run mandoc -Tlint -Wwarning "$BATS_TEST_DIRNAME/../man/ws.8" "$BATS_TEST_DIRNAME/../man/ws.conf.5"
	assert_eq "$status" 0 "$output"
	assert_eq "$output" ""
}
