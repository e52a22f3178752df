#!/usr/bin/env bats
# fork and thread modes, signals.  The structural tests start ws in the
# mode they are about, whatever WS_MODE is; the others use WS_MODE.

load helper

# poll_until SECONDS COMMAND...: run COMMAND every 20 ms until it succeeds.
poll_until() {
	local cap=$1 i n
	shift
	n=$((cap * 50))
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.02
	done
	return 1
}

has_children() { [ -n "$(ws_children "$WS_PID")" ]; }
no_children() { [ -z "$(ws_children "$WS_PID")" ]; }
n_children_is() { [ "$(ws_children "$WS_PID" | grep -c .)" = "$1" ]; }
threads_at_least() { [ "$(ws_threads "$WS_PID")" -ge "$1" ]; }
threads_are() { [ "$(ws_threads "$WS_PID")" = "$1" ]; }

hold_connection() {
	ws_open
	ws_send "GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
	read_response
	assert_status "HTTP/1.1 200 OK"
	assert_header Connection keep-alive
}

@test "fork mode: the listening line names the mode" {
	WS_MODE=fork start_ws
	assert_eq "$(grep 'ws: listening on' "$WS_DIR/stderr")" "ws: listening on 127.0.0.1:$WS_PORT (fork mode)"
}

@test "thread mode: the listening line names the mode" {
	WS_MODE=thread start_ws
	assert_eq "$(grep 'ws: listening on' "$WS_DIR/stderr")" "ws: listening on 127.0.0.1:$WS_PORT (thread mode)"
}

@test "fork mode: a held connection is served by a child process of ws" {
	WS_MODE=fork start_ws
	no_children || flunk "children before any connection: $(ws_children_stat "$WS_PID")"
	hold_connection
	poll_until 2 has_children || flunk "no child process while a connection is held"
	local kid
	kid=$(ws_children "$WS_PID" | head -n1)
	# the child holds a socket
	ls -l "/proc/$kid/fd" 2>/dev/null | grep -q 'socket:' || flunk "child $kid has no socket open"
	# and the connection is alive through it
	ws_send "GET /style.css HTTP/1.1\r\nHost: localhost\r\n\r\n"
	read_response
	assert_status "HTTP/1.1 200 OK"
}

@test "fork mode: one child per connection, gone (no zombies) after they close" {
	WS_MODE=fork start_ws
	local fds=() i
	for i in 1 2 3; do
		hold_connection
		fds+=("$WS_FD")
	done
	poll_until 2 n_children_is 3 || flunk "expected 3 children, have: $(ws_children_stat "$WS_PID")"
	for i in "${fds[@]}"; do ws_close "$i"; done
	poll_until 3 no_children || flunk "children left (Z = zombie) 3 s after the connections closed: $(ws_children_stat "$WS_PID")"
}

@test "fork mode: no zombies after many short connections" {
	WS_MODE=fork start_ws
	local i
	for ((i = 0; i < 15; i++)); do
		ws_request "GET /a.txt HTTP/1.0\r\n\r\n"
		assert_status "HTTP/1.0 200 OK"
		expect_closed
	done
	ws_close_all
	poll_until 3 no_children || flunk "children left: $(ws_children_stat "$WS_PID")"
}

@test "thread mode: a held connection adds a thread, no child process" {
	WS_MODE=thread start_ws
	local base
	base=$(ws_threads "$WS_PID")
	hold_connection
	poll_until 2 threads_at_least $((base + 1)) || flunk "threads: $(ws_threads "$WS_PID"), before: $base"
	no_children || flunk "thread mode has child processes: $(ws_children_stat "$WS_PID")"
	ws_send "GET /style.css HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	read_response
	assert_status "HTTP/1.1 200 OK"
	expect_closed
	ws_close
	poll_until 3 threads_are "$base" || flunk "threads not gone: $(ws_threads "$WS_PID"), before: $base"
}

@test "thread mode: one thread per connection, all gone after they close" {
	WS_MODE=thread start_ws
	local base fds=() i
	base=$(ws_threads "$WS_PID")
	for i in 1 2 3; do
		hold_connection
		fds+=("$WS_FD")
	done
	poll_until 2 threads_are $((base + 3)) || flunk "threads: $(ws_threads "$WS_PID"), expected $((base + 3))"
	no_children
	for i in "${fds[@]}"; do ws_close "$i"; done
	poll_until 3 threads_are "$base" || flunk "threads left: $(ws_threads "$WS_PID"), before: $base"
}

@test "thread mode: many short connections leave no threads behind" {
	WS_MODE=thread start_ws
	local base i
	base=$(ws_threads "$WS_PID")
	for ((i = 0; i < 15; i++)); do
		ws_request "GET /a.txt HTTP/1.0\r\n\r\n"
		assert_status "HTTP/1.0 200 OK"
	done
	ws_close
	poll_until 3 threads_are "$base" || flunk "threads: $(ws_threads "$WS_PID"), before: $base"
	no_children
}

tasks() { ls "/proc/$WS_PID/task" | sort -n; }
waits_for_work() { grep -q futex "/proc/$WS_PID/task/$1/wchan"; }

@test "thread mode: a thread whose connection closed takes the next one, then ends" {
	WS_MODE=thread start_ws
	local base first tid
	base=$(ws_threads "$WS_PID")
	hold_connection
	poll_until 2 threads_are $((base + 1)) || flunk "threads: $(ws_threads "$WS_PID"), before: $base"
	first=$(tasks)
	tid=$(tasks | tail -n 1)
	ws_close
	# no longer in poll() on its socket: waiting for a connection
	poll_until 3 waits_for_work "$tid" || flunk "thread $tid: $(cat "/proc/$WS_PID/task/$tid/wchan")"
	hold_connection
	assert_eq "$(tasks)" "$first" "a new thread was started"
	ws_close
	poll_until 3 threads_are "$base" || flunk "threads left: $(ws_threads "$WS_PID"), before: $base"
}

@test "modes: both modes answer the same request with the same bytes" {
	local f t
	WS_MODE=fork start_ws
	ws_request "GET /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	f=$(printf '%s' "$R_RAW" | grep -v '^Date:')
	WS_MODE=thread start_ws
	ws_request "GET /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	t=$(printf '%s' "$R_RAW" | grep -v '^Date:')
	assert_eq "$t" "$f"
}

# ---------------------------------------------------------------- signals

# stop_with SIG [SECONDS]: send SIG to ws; it must exit with status 0
# within SECONDS (default 3).
stop_with() {
	local sig=$1 cap=${2:-3} rc=0
	kill "-$sig" "$WS_PID"
	wait_dead "$WS_PID" "$cap" || flunk "ws still running $cap s after SIG$sig"
	wait "$WS_PID" || rc=$?
	assert_eq "$rc" 0 "exit status after SIG$sig"
}

@test "signals: SIGTERM -> exit status 0 (WS_MODE)" {
	start_ws
	ws_request "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	ws_close
	stop_with TERM
}

@test "signals: SIGINT -> exit status 0 (WS_MODE)" {
	start_ws
	ws_request "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	ws_close
	stop_with INT
}

@test "signals: SIGTERM while an idle keep-alive connection is held -> it is closed, exit 0 (WS_MODE)" {
	start_ws
	hold_connection
	kill -TERM "$WS_PID"
	expect_closed 3
	ws_close
	local rc=0
	wait_dead "$WS_PID" 5 || flunk "ws still running 5 s after SIGTERM"
	wait "$WS_PID" || rc=$?
	assert_eq "$rc" 0 "exit status after SIGTERM"
}

@test "signals: SIGINT in the other mode too" {
	local other=thread
	[ "$WS_MODE" = thread ] && other=fork
	WS_MODE=$other start_ws
	stop_with INT
}

@test "signals: SIGPIPE from a vanished client does not kill ws (WS_MODE)" {
	start_ws
	head -c 3000000 /dev/zero | tr '\0' 'p' >"$WS_ROOT/pipe.txt"
	local i
	for i in 1 2 3; do
		ws_open
		ws_send "GET /pipe.txt HTTP/1.1\r\nHost: x\r\n\r\n"
		ws_close
	done
	sleep 0.2
	ws_alive "$WS_PID"
	ws_request "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
}
