#!/usr/bin/env bats
# Hostile clients: limits, deadlines, connection caps, smuggling, clients
# that vanish. Each test ends by checking that a fresh client is served.

load helper

HAMMER=$BATS_TEST_DIRNAME/hammer

# A fresh client gets the index page, within 2 s.
fresh_client_served() {
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
	    "http://127.0.0.1:$WS_PORT/index.html") || true
	[ "$code" = 200 ] || flunk "a fresh client got '$code' instead of 200"
}

# Send FORMAT on a new connection and read all until the server closes.
hostile() {
	ws_raw "$@"
	parse_responses "$WS_DIR/raw"
	[ "$RS_N" -ge 1 ] || flunk "no response at all: $(printf '%q' "$RAW")"
	use_response 1
}

# served_by_one: no child process (fork) or extra thread (thread) is left
# serving, within 5 s.
nothing_left() {
	local i
	for ((i = 0; i < 250; i++)); do
		if [ "$WS_MODE" = fork ]; then
			[ -z "$(ws_children "$WS_PID")" ] && return 0
		else
			[ "$(ws_threads "$WS_PID")" = 1 ] && return 0
		fi
		sleep 0.02
	done
	flunk "connections still being served: children '$(ws_children_stat "$WS_PID")' threads $(ws_threads "$WS_PID")"
}

@test "hostile: 200 slow-loris connections do not keep a fresh client waiting, and are cut at RequestTimeout" {
	start_ws 'RequestTimeout 2'
	"$HAMMER" slow "$WS_PORT" 200 8 >"$WS_DIR/slow" &
	local slow=$!
	sleep 1
	fresh_client_served
	wait "$slow"
	cat "$WS_DIR/slow"
	# cut at the 2 s deadline (not reset by each byte), answered 408
	assert_match "$(cat "$WS_DIR/slow")" '^closed 200 of 200, 408 200, last after [2-4]\.[0-9] s$'
	fresh_client_served
}

@test "hostile: a request line over LimitRequestLine is 414 and closes" {
	start_ws 'LimitRequestLine 100'
	hostile "GET /%0200d HTTP/1.1\r\nHost: x\r\n\r\n" 0
	assert_code 414
	assert_header Connection close
	fresh_client_served
}

@test "hostile: an endless request line is cut at the limit, without waiting for its end" {
	start_ws
	ws_open
	ws_send "GET /%09000d" 0
	read_response
	assert_code 414
	expect_closed 3
	fresh_client_served
}

@test "hostile: a field over LimitRequestFieldSize is 431 and closes" {
	start_ws 'LimitRequestFieldSize 100'
	hostile "GET / HTTP/1.1\r\nHost: x\r\nX-Big: %0200d\r\n\r\n" 0
	assert_code 431
	assert_header Connection close
	fresh_client_served
}

@test "hostile: more fields than LimitRequestFields is 431 and closes" {
	start_ws 'LimitRequestFields 10'
	hostile "GET / HTTP/1.1\r\nHost: x\r\n$(for i in $(seq 12); do printf 'X-%d: y\\r\\n' "$i"; done)\r\n"
	assert_code 431
	assert_header Connection close
	fresh_client_served
}

@test "hostile: a body over LimitRequestBody is 413 and closes, by length or by chunks" {
	start_ws 'LimitRequestBody 10'
	hostile "POST /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n01234567890"
	assert_code 413
	assert_header Connection close
	hostile "POST /index.html HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n6\r\n012345\r\n0\r\n\r\n"
	assert_code 413
	assert_header Connection close
	fresh_client_served
}

@test "hostile: a body that stops coming is cut at RequestTimeout" {
	start_ws 'RequestTimeout 1'
	ws_open
	ws_send "POST /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"
	read_response
	assert_code 408
	expect_closed 4
	fresh_client_served
}

@test "hostile: NUL bytes, bare CR, obs-fold, a field without a colon, control bytes: 400 and close" {
	start_ws
	local req
	for req in "GET / HTTP/1.1\r\nHost: x\r\nA: b\000c\r\n\r\n" \
	    "GET /\000 HTTP/1.1\r\nHost: x\r\n\r\n" \
	    "GET / HTTP/1.1\rHost: x\r\n\r\n" \
	    "GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n  folded\r\n\r\n" \
	    "GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n" \
	    "GET / HTTP/1.1\r\nHost: x\r\nA: b\001c\r\n\r\n" \
	    "GET / HTTP/1.1\r\nHost: x\r\nA\tB: c\r\n\r\n"; do
		hostile "$req"
		assert_code 400
		assert_header Connection close
		[ "$RS_N" = 1 ] || flunk "more than one response to $(printf '%q' "$req")"
	done
	fresh_client_served
}

@test "hostile: a TLS ClientHello or an HTTP/2 preface gets 400 and a close, quickly" {
	start_ws
	hostile '\026\003\001\000\245\001\000\000\241\003\003abcdefghijklmnopqrstuvwxyz012345\000\000\002\000\057\001\000\r\n\r\n'
	assert_code 400
	hostile 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'
	assert_code 400
	assert_body "$(errpage '400 Bad Request Reason: Invalid Method: PRI')"
	fresh_client_served
}

@test "hostile: a TLS ClientHello with no line end is closed at RequestTimeout" {
	start_ws 'RequestTimeout 1'
	ws_open
	ws_send '\026\003\001\000\245\001\000\000\241\003\003abcdef'
	read_response
	assert_code 408
	expect_closed 4
	fresh_client_served
}

@test "hostile: smuggling: Content-Length with Transfer-Encoding never lets the hidden request through" {
	start_ws
	hostile "POST /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
	assert_code 400
	[ "$RS_N" = 1 ] || flunk "the hidden request was answered"
	assert_not_contains "$RAW" "alpha text"
	hostile "POST /index.html HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 44\r\n\r\n0\r\n\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
	assert_code 400
	assert_not_contains "$RAW" "alpha text"
}

@test "hostile: smuggling: duplicate or malformed Content-Length is 400 and closes" {
	start_ws
	local cl
	for cl in "Content-Length: 5\r\nContent-Length: 6" "Content-Length: 5, 6" "Content-Length: -5" \
	    "Content-Length: 0x5" "Content-Length: 5 5" "Content-Length: 1_0" "Content-Length:" \
	    "Content-Length: 99999999999999999999999"; do
		hostile "POST /index.html HTTP/1.1\r\nHost: x\r\n$cl\r\n\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
		assert_code 400
		assert_header Connection close
		assert_not_contains "$RAW" "alpha text"
	done
	fresh_client_served
}

@test "hostile: smuggling: bad chunk sizes are 400 and nothing behind them is answered" {
	start_ws
	local chunk
	for chunk in "-1" "0x5" "5 5" "g" "" "+5" "5\001"; do
		hostile "POST /index.html HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n$chunk\r\nabcde\r\n0\r\n\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
		assert_code 400
		[ "$RS_N" = 1 ] || flunk "answered what followed chunk size '$chunk'"
		assert_not_contains "$RAW" "alpha text"
	done
	fresh_client_served
}

@test "hostile: a Transfer-Encoding other than chunked is refused and closes" {
	start_ws
	# chunked not last: the length cannot be known (RFC 9112 6.3)
	hostile "POST /index.html HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
	assert_code 400
	assert_not_contains "$RAW" "alpha text"
	# chunked last, after a coding ws does not decode
	hostile "POST /index.html HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
	assert_code 501
	assert_header Connection close
	assert_not_contains "$RAW" "alpha text"
}

@test "hostile: clients that vanish mid-response leave no process, thread or crash behind" {
	truncate -s 50M "$WS_ROOT/big.txt"
	start_ws
	local i
	for i in 1 2 3 4 5; do
		ws_open
		ws_send "GET /big.txt HTTP/1.1\r\nHost: x\r\n\r\n"
		IFS= read -r -t 2 -u "$WS_FD" _ || true
		ws_close
	done
	nothing_left
	ws_alive "$WS_PID"
	fresh_client_served
}

@test "hostile: a client that stops reading is dropped after SendTimeout" {
	truncate -s 64M "$WS_ROOT/big.txt"
	start_ws 'SendTimeout 1'
	ws_open
	ws_send "GET /big.txt HTTP/1.1\r\nHost: x\r\n\r\n"
	sleep 1
	nothing_left
	fresh_client_served
}

@test "hostile: a half-closed client still gets its whole answer" {
	start_ws
	"$HAMMER" half "$WS_PORT" /index.html >"$WS_DIR/half"
	parse_responses "$WS_DIR/half"
	assert_eq "$RS_N" 1
	use_response 1
	assert_code 200
	assert_body "$INDEX_HTML"
}

@test "hostile: past MaxClients a connection gets 503 with Retry-After and is closed; the server recovers" {
	start_ws 'MaxClients 2'
	local a b
	ws_open; a=$WS_FD
	ws_open; b=$WS_FD
	ws_send "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"
	read_response
	assert_code 200
	ws_open		# refused at once, before it sends anything
	read_response
	assert_code 503
	assert_header_match Retry-After '^[0-9]+$'
	assert_header Connection close
	expect_closed 2
	ws_close "$a"
	ws_close "$b"
	nothing_left
	fresh_client_served
}

@test "hostile: 20,000 requests, good and bad mixed, leave descriptors and zombies as they were" {
	start_ws
	local fds0 fds
	fds0=$(ls "/proc/$WS_PID/fd" | wc -l)
	run timeout 60 "$HAMMER" load "$WS_PORT" 20000
	[ "$status" = 0 ] || flunk "$output"
	assert_match "$output" ' 5xx-or-odd 0 '
	nothing_left
	fds=$(ls "/proc/$WS_PID/fd" | wc -l)
	assert_eq "$fds" "$fds0" "descriptors before and after"
	assert_eq "$(ws_children_stat "$WS_PID" | grep -c Z || true)" 0
	fresh_client_served
}
