#!/usr/bin/env bats
# Persistent connections, pipelining, timeouts, limits, robustness.

load helper

get11() { ws_send "GET $1 HTTP/1.1\r\nHost: localhost\r\n${2:-}\r\n"; }

now_ms() { date +%s%3N; }

# ---------------------------------------------------------------- keep-alive

@test "keep-alive: Connection: keep-alive holds the connection for the next request" {
	start_ws
	ws_open
	get11 /a.txt "Connection: keep-alive\r\n"
	read_response
	assert_status "HTTP/1.1 200 OK"
	assert_header Connection keep-alive
	expect_open 0.5
	get11 /style.css "Connection: keep-alive\r\n"
	read_response
	assert_status "HTTP/1.1 200 OK"
	assert_body 'body { color: red; }'$'\n'
	assert_header Connection keep-alive
	get11 /index.html "Connection: close\r\n"
	read_response
	assert_body "$INDEX_HTML"
	assert_header Connection close
	expect_closed
}

@test "keep-alive: HTTP/1.1 without a Connection header is persistent" {
	start_ws
	ws_open
	get11 /a.txt
	read_response
	assert_status "HTTP/1.1 200 OK"
	assert_header Connection keep-alive
	expect_open 0.5
	get11 /a.txt
	read_response
	assert_status "HTTP/1.1 200 OK"
	assert_header Connection keep-alive
	expect_open 0.3
}

@test "keep-alive: Connection: close closes after the response" {
	start_ws
	ws_open
	get11 /a.txt "Connection: close\r\n"
	read_response
	assert_status "HTTP/1.1 200 OK"
	assert_header Connection close
	expect_closed 2
}

@test "keep-alive: HTTP/1.0 without keep-alive closes" {
	start_ws
	ws_open
	ws_send "GET /a.txt HTTP/1.0\r\n\r\n"
	read_response
	assert_status "HTTP/1.0 200 OK"
	assert_header Connection close
	expect_closed 2
}

@test "keep-alive: HTTP/1.0 with Connection: keep-alive stays open" {
	start_ws
	ws_open
	ws_send "GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
	read_response
	assert_status "HTTP/1.0 200 OK"
	assert_header Connection keep-alive
	expect_open 0.5
	ws_send "GET /style.css HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"
	read_response
	assert_status "HTTP/1.0 200 OK"
	assert_header Connection keep-alive
	ws_send "GET /index.html HTTP/1.0\r\n\r\n"
	read_response
	assert_body "$INDEX_HTML"
	assert_header Connection close
	expect_closed
}

@test "keep-alive: Connection tokens are case-insensitive and may be lists" {
	start_ws
	ws_open
	get11 /a.txt "Connection: CLOSE\r\n"
	read_response
	assert_header Connection close
	expect_closed
	ws_open
	get11 /a.txt "Connection: TE, close\r\n"
	read_response
	assert_header Connection close
	expect_closed
}

@test "keep-alive: idle timeout closes after KeepaliveTime seconds (bounded)" {
	start_ws 'KeepaliveTime 1'
	ws_open
	get11 /a.txt
	read_response
	assert_header Connection keep-alive
	local t0 t1 x rc=0
	t0=$(now_ms)
	IFS= read -r -d '' -N 1 -t 4 -u "$WS_FD" x || rc=$?
	t1=$(now_ms)
	[ "$rc" -le 128 ] || flunk "still open after 4 s with KeepaliveTime 1"
	assert_eq "$x" "" "the idle close must not send anything"
	[ $((t1 - t0)) -ge 700 ] || flunk "closed after $((t1 - t0)) ms, before KeepaliveTime"
	[ $((t1 - t0)) -le 3000 ] || flunk "closed after $((t1 - t0)) ms"
}

@test "keep-alive: the idle timer restarts with each request" {
	start_ws 'KeepaliveTime 1'
	ws_open
	local i
	for i in 1 2 3; do
		get11 /a.txt
		read_response
		assert_header Connection keep-alive
		sleep 0.5
	done
	get11 /a.txt "Connection: close\r\n"
	read_response
	assert_status "HTTP/1.1 200 OK"
}

@test "keep-alive: KeepaliveTime 0 -> every response says close and closes" {
	start_ws 'KeepaliveTime 0'
	ws_open
	get11 /a.txt "Connection: keep-alive\r\n"
	read_response
	assert_header Connection close
	expect_closed
	ws_open
	get11 /a.txt
	read_response
	assert_header Connection close
	expect_closed
	ws_open
	ws_send "GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
	read_response
	assert_header Connection close
	expect_closed
}

@test "keep-alive: 404, 501, 301 keep the connection; 400 closes" {
	start_ws
	ws_open
	get11 /nope.html
	read_response
	assert_code 404
	assert_header Connection keep-alive
	get11 /file.xyz
	read_response
	assert_code 501
	assert_header Connection keep-alive
	get11 /sub
	read_response
	assert_code 301
	assert_header Connection keep-alive
	ws_send "DELETE /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
	read_response
	assert_code 501
	assert_header Connection keep-alive
	ws_send "GRT / HTTP/1.1\r\nHost: localhost\r\n\r\n"
	read_response
	assert_code 400
	assert_header Connection close
	expect_closed
}

@test "keep-alive: a 400 closes even when keep-alive was asked" {
	start_ws
	ws_open
	ws_send "GET / HTTP/9.9\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\nGET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
	read_response
	assert_code 400
	assert_header Connection close
	expect_closed
}

@test "keep-alive: every response's Connection header matches what the server does" {
	start_ws
	local r
	for r in \
		"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n" \
		"GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" \
		"GET /a.txt HTTP/1.0\r\n\r\n" \
		"GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" \
		"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n" \
		"GET /nope HTTP/1.0\r\n\r\n" \
		"HEAD /a.txt HTTP/1.1\r\nHost: x\r\n\r\n" \
		"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n" \
		"POST /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx" \
		"GET /sub HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" \
		"GET /file.xyz HTTP/1.1\r\nHost: x\r\n\r\n" \
		"GET / HTTP/1.1\r\n\r\n" \
		"BREW / HTTP/1.1\r\nHost: x\r\n\r\n"; do
		ws_open
		ws_send "$r"
		if [[ $r == HEAD* ]]; then read_response nobody; else read_response; fi
		assert_common_headers $([[ $r == HEAD* ]] && echo nobody)
		expect_conn_as_said || flunk "for request $(printf '%q' "$r")"
		ws_close
	done
}

# holds NAME: ws, or in fork mode a child of it, has $WS_ROOT/NAME open
holds() {
	local p
	for p in "$WS_PID" $(ws_children "$WS_PID"); do
		ls -l "/proc/$p/fd" 2>/dev/null | grep -qF -- "-> $WS_ROOT/$1" && return 0
	done
	return 1
}

@test "keep-alive: the file served last stays open while the connection idles, and closes with it" {
	start_ws
	! holds a.txt || flunk "a.txt is open before any request"
	ws_open
	get11 /a.txt
	read_response
	assert_body $'alpha text\n'
	holds a.txt || flunk "a.txt is not kept open: $(ls -l "/proc/$WS_PID/fd")"
	get11 /style.css
	read_response
	assert_body 'body { color: red; }'$'\n'
	holds style.css || flunk "style.css is not kept open"
	! holds a.txt || flunk "a.txt is still open: one file is kept, the last"
	ws_close
	local i
	for ((i = 0; i < 150; i++)); do
		holds style.css || return 0
		sleep 0.02
	done
	flunk "style.css is still open 3 s after the connection closed"
}

@test "keep-alive: a kept file that is replaced, rewritten, linked outside or removed is served as it is now" {
	start_ws
	ws_open
	get11 /a.txt
	read_response
	assert_body $'alpha text\n'
	printf 'a new file, longer than the first\n' >"$WS_DIR/new.txt"
	mv "$WS_DIR/new.txt" "$WS_ROOT/a.txt"
	get11 /a.txt
	read_response
	assert_body $'a new file, longer than the first\n'
	assert_header Content-Length 34
	printf 'short\n' >"$WS_ROOT/a.txt"
	get11 /a.txt
	read_response
	assert_body $'short\n'
	ln -sf "$WS_DIR/secret.txt" "$WS_ROOT/a.txt"
	get11 /a.txt
	read_response
	assert_status "HTTP/1.1 404 Not Found"
	assert_not_contains "$R_BODY" "$SECRET"
	get11 /a.txt
	read_response
	assert_status "HTTP/1.1 404 Not Found"
	rm "$WS_ROOT/a.txt"
	get11 /a.txt
	read_response
	assert_status "HTTP/1.1 404 Not Found"
	! holds a.txt || flunk "a removed file is still held open"
	expect_open 0.3
}

# ---------------------------------------------------------------- pipelining

@test "pipelining: three requests in one write are answered in order" {
	start_ws
	ws_raw "GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\nGET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\nGET /style.css HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	parse_responses "$WS_DIR/raw"
	assert_eq "$RS_N" 3 "$(printf '%q' "$RAW")"
	use_response 1
	assert_status "HTTP/1.1 200 OK"
	assert_body $'alpha text\n'
	assert_header Connection keep-alive
	use_response 2
	assert_body "$INDEX_HTML"
	assert_header Connection keep-alive
	use_response 3
	assert_body 'body { color: red; }'$'\n'
	assert_header Connection close
	assert_eq "$RS_REST" ""
}

@test "pipelining: mixed methods and errors in one write stay in order" {
	start_ws
	ws_raw "HEAD /a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /nope.html HTTP/1.1\r\nHost: x\r\n\r\nPOST /nobody.html HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcOPTIONS * HTTP/1.1\r\nHost: x\r\n\r\nGET /sub2/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	parse_responses "$WS_DIR/raw" 1
	assert_eq "$RS_N" 5 "$(printf '%q' "$RAW")"
	use_response 1
	assert_status "HTTP/1.1 200 OK"
	assert_header Content-Length 11
	use_response 2
	assert_code 404
	use_response 3
	assert_body "<h1>Post Data</h1><pre>abc</pre><p>fragment without a body tag</p>"$'\n'
	use_response 4
	assert_header Content-Length 0
	use_response 5
	assert_body $'sub2 html\n'
	assert_eq "$RS_REST" ""
}

@test "pipelining: a request split across writes is reassembled" {
	start_ws
	ws_open
	ws_send "GET /a.t"
	sleep 0.1
	ws_send "xt HTTP/1.1\r\nHo"
	sleep 0.1
	ws_send "st: localhost\r\n\r\nGET /style.css HTTP/1.1\r\nHost: localhost\r\nConn"
	sleep 0.1
	ws_send "ection: close\r\n\r\n"
	read_response
	assert_body $'alpha text\n'
	read_response
	assert_body 'body { color: red; }'$'\n'
	expect_closed
}

@test "pipelining: requests after Connection: close are not answered" {
	start_ws
	ws_raw "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /style.css HTTP/1.1\r\nHost: x\r\n\r\n"
	parse_responses "$WS_DIR/raw"
	assert_eq "$RS_N" 1
	assert_eq "$RS_REST" ""
}

@test "pipelining: many requests in one write (20)" {
	start_ws
	local all="" i
	for ((i = 0; i < 19; i++)); do all+="GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"; done
	all+="GET /style.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	ws_raw "$all"
	parse_responses "$WS_DIR/raw"
	assert_eq "$RS_N" 20
	use_response 19
	assert_body $'alpha text\n'
	use_response 20
	assert_body 'body { color: red; }'$'\n'
}

# ---------------------------------------------------------------- limits, timeouts

@test "limits: a request head that is too slow -> 408 and close" {
	start_ws 'RequestTimeout 1'
	ws_open
	ws_send "GET /a.txt HTTP/1.1\r\nHost: loc"
	local t0 t1
	t0=$(now_ms)
	read_response
	t1=$(now_ms)
	assert_code 408
	assert_header Connection close
	assert_body "$(errpage "${R_STATUS#HTTP/1.1 }")"
	expect_closed
	[ $((t1 - t0)) -le 3500 ] || flunk "408 after $((t1 - t0)) ms"
}

@test "limits: the head deadline is for the whole head, not per byte" {
	start_ws 'RequestTimeout 1'
	ws_open
	local t0 t1 i
	t0=$(now_ms)
	ws_send "GET /a.txt HTTP/1.1\r\n"
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		sleep 0.25
		read -r -t 0 -u "$WS_FD" && break # the answer is there
		ws_send "X-Drip-$i: y\r\n" 2>/dev/null || break
	done
	read_response || true
	t1=$(now_ms)
	assert_code 408
	[ $((t1 - t0)) -le 3000 ] || flunk "408 after $((t1 - t0)) ms"
}

@test "limits: a request line longer than LimitRequestLine -> 414 and close" {
	start_ws 'LimitRequestLine 100'
	local long
	long=$(printf 'a%.0s' {1..200})
	ws_request "GET /$long.html HTTP/1.1\r\nHost: localhost\r\n\r\n"
	assert_code 414
	assert_header Connection close
	expect_closed
}

@test "limits: a header field longer than LimitRequestFieldSize -> 431 and close" {
	start_ws 'LimitRequestFieldSize 100'
	local long
	long=$(printf 'b%.0s' {1..300})
	ws_request "GET /a.txt HTTP/1.1\r\nHost: localhost\r\nX-Long: $long\r\n\r\n"
	assert_code 431
	assert_header Connection close
	expect_closed
}

@test "limits: more header fields than LimitRequestFields -> 431 and close" {
	start_ws 'LimitRequestFields 5'
	ws_request "GET /a.txt HTTP/1.1\r\nHost: localhost\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\nF: 6\r\nG: 7\r\n\r\n"
	assert_code 431
	assert_header Connection close
	expect_closed
}

@test "limits: default limits accept an ordinary browser-sized request" {
	start_ws
	local cookie
	cookie=$(printf 'c%.0s' {1..4000})
	ws_request "GET /a.txt HTTP/1.1\r\nHost: localhost\r\nUser-Agent: Mozilla/5.0 test\r\nAccept: */*\r\nCookie: $cookie\r\nConnection: close\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
}

@test "limits: ws raises its soft descriptor limit to the hard one" {
	[[ $WS != *valgrind* ]] || skip "valgrind answers setrlimit itself, and keeps descriptors of its own"
	ulimit -Sn 256
	start_ws
	local soft hard
	read -r soft hard < <(awk '/^Max open files/ { print $4, $5 }' "/proc/$WS_PID/limits")
	[ "$hard" != 256 ] || skip "the hard limit is 256 here"
	assert_eq "$soft" "$hard"
}

fds() { ls "/proc/$WS_PID/fd" | wc -l; }

# at_limit N: ws holds N descriptors (waits up to 3 s for that)
at_limit() {
	local i
	for ((i = 0; i < 150; i++)); do
		[ "$(fds)" != "$1" ] || break
		sleep 0.02
	done
	assert_eq "$(fds)" "$1" "descriptors of ws"
}

@test "limits: out of descriptors, a file or an index that exists is answered 503, not 404" {
	[ "$WS_MODE" = thread ] || skip "thread mode: a fork child has descriptors of its own"
	[[ $WS != *valgrind* ]] || skip "valgrind keeps descriptors of its own"
	start_ws
	local probes=() limit i
	for i in 1 2; do	# two served connections that keep no file
		ws_open
		probes+=("$WS_FD")
		ws_send "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"
		read_response
		assert_status "HTTP/1.1 200 OK"
	done
	# one descriptor left: enough for the directory, none for its index
	limit=$(($(fds) + 1))
	prlimit --pid "$WS_PID" --nofile=$limit:$limit
	WS_FD=${probes[1]}
	get11 /
	read_response
	assert_code 503
	assert_header Connection close
	expect_closed
	ws_close
	at_limit $((limit - 2))	# the directory and the connection let go
	# none left: the waiting connections take them all
	for ((i = 0; i < 6; i++)); do ws_open; done
	at_limit "$limit"
	WS_FD=${probes[0]}
	get11 /a.txt
	read_response
	assert_code 503
	assert_header Connection close
	expect_closed
}

@test "limits: MaxClients -> 503 with Retry-After when full" {
	start_ws 'MaxClients 1'
	ws_open
	local held=$WS_FD
	get11 /a.txt
	read_response
	assert_status "HTTP/1.1 200 OK"
	ws_open
	# a full server may answer (and close) before reading anything
	if ! WS_TIMEOUT=1 read_response 2>/dev/null; then
		get11 /a.txt "Connection: close\r\n"
		read_response
	fi
	assert_code 503
	assert_header_match Retry-After '^[0-9]+$'
	assert_header Connection close
	expect_closed
	# the held connection still works
	WS_FD=$held
	get11 /style.css "Connection: close\r\n"
	read_response
	assert_status "HTTP/1.1 200 OK"
}

# ---------------------------------------------------------------- robustness

@test "robustness: a slow client does not keep others from being served" {
	start_ws
	ws_open
	local slow=$WS_FD
	ws_send "GET /a.txt HTTP/1.1\r\nHost: loc"
	ws_open
	local t0 t1
	t0=$(now_ms)
	get11 /style.css "Connection: close\r\n"
	read_response
	t1=$(now_ms)
	assert_status "HTTP/1.1 200 OK"
	[ $((t1 - t0)) -le 2000 ] || flunk "took $((t1 - t0)) ms while another client was slow"
	WS_FD=$slow
	ws_send "alhost\r\nConnection: close\r\n\r\n"
	read_response
	assert_body $'alpha text\n'
}

@test "robustness: several idle keep-alive clients do not block a new one" {
	start_ws
	local i
	for i in 1 2 3 4 5; do
		ws_open
		get11 /a.txt
		read_response
		assert_header Connection keep-alive
	done
	ws_request "GET /style.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
}

@test "robustness: client disconnecting mid-response does not hurt the server" {
	start_ws
	head -c 4000000 /dev/zero | tr '\0' 'z' >"$WS_ROOT/huge.txt"
	local i
	for i in 1 2 3; do
		ws_open
		get11 /huge.txt
		head -c 1000 <&"$WS_FD" >/dev/null
		ws_close
	done
	ws_request "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
	ws_alive "$WS_PID"
}

@test "robustness: client disconnecting before the head ends does not hurt the server" {
	start_ws
	local i
	for i in 1 2 3; do
		ws_open
		ws_send "GET /a.txt HTTP/1.1\r\nHo"
		ws_close
		ws_open
		ws_close
	done
	ws_request "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
}

@test "robustness: binary garbage and NUL bytes get a 400 (or a close), server keeps running" {
	start_ws
	head -c 2000 /dev/urandom >"$WS_DIR/garbage"
	printf '\r\n\r\n' >>"$WS_DIR/garbage"
	ws_open
	cat "$WS_DIR/garbage" >&"$WS_FD" 2>/dev/null || true
	timeout 3 cat <&"$WS_FD" >"$WS_DIR/raw" 2>/dev/null || true
	if [ -s "$WS_DIR/raw" ]; then
		head -c 12 "$WS_DIR/raw" | grep -Eq '^HTTP/1\.[01] 4[0-9][0-9]' || flunk "garbage answered with: $(head -c 80 "$WS_DIR/raw" | od -c | head -3)"
	fi
	ws_close
	ws_open
	printf '\000\000\000\000\r\n\r\n' >&"$WS_FD"
	read_response || true
	[ -z "$R_STATUS" ] || assert_code 400
	ws_request "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
	ws_alive "$WS_PID"
}

@test "robustness: a half-closed client still gets its response" {
	start_ws
	run timeout 5 perl -MSocket -e '
		socket(my $s, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
		connect($s, sockaddr_in($ARGV[0], inet_aton("127.0.0.1"))) or die "connect: $!";
		syswrite($s, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
		shutdown($s, 1);
		my $all = ""; my $buf;
		while (sysread($s, $buf, 4096)) { $all .= $buf; }
		print $all;' "$WS_PORT"
	[ "$status" -eq 0 ] || flunk "perl: $output"
	assert_contains "$output" "HTTP/1.1 200 OK"
	assert_contains "$output" "alpha text"
	ws_request "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
}

@test "robustness: many short connections in a row" {
	start_ws
	local i
	for ((i = 0; i < 40; i++)); do
		ws_request "GET /a.txt HTTP/1.0\r\n\r\n"
		assert_status "HTTP/1.0 200 OK"
	done
}

@test "robustness: concurrent curl clients all get the whole file" {
	start_ws
	head -c 500000 /dev/urandom >"$WS_ROOT/mid.png"
	local i pids=()
	for i in 1 2 3 4 5 6; do
		curl -sS --max-time 10 -o "$WS_DIR/mid.$i" "http://127.0.0.1:$WS_PORT/mid.png" 3>&- &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i"; done
	for i in 1 2 3 4 5 6; do cmp "$WS_ROOT/mid.png" "$WS_DIR/mid.$i"; done
}

@test "robustness: no descriptor leak in ws after many kinds of connections" {
	start_ws
	local base i n
	base=$(ls "/proc/$WS_PID/fd" | wc -l)
	for ((i = 0; i < 8; i++)); do
		ws_request "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"      # kept alive, then closed by us
		ws_request "GET /a.txt HTTP/1.0\r\n\r\n"                   # closed by the server
		ws_request "GRT / HTTP/1.1\r\nHost: x\r\n\r\n"           # 400
		ws_open
		ws_send "GET /a.txt HTTP/1.1\r\nHo"                          # abandoned mid-head
		ws_close
	done
	ws_close_all
	for ((i = 0; i < 150; i++)); do
		n=$(ls "/proc/$WS_PID/fd" | wc -l)
		[ "$n" -gt "$base" ] || break
		sleep 0.02
	done
	[ "$n" -le "$base" ] || flunk "ws has $n descriptors open, $base before the connections: $(ls -l "/proc/$WS_PID/fd")"
}
