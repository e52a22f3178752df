#!/usr/bin/env bats
# The exercise's own four lines, through the real telnet client, exactly
# as SPEC.md writes them (with the test's port instead of 8080).  Debian's
# telnet sends CR as CR NUL and LF as CR LF, so the server really sees
# "...HTTP/2.1\r\0\r\n".  telnet is required: a missing client fails.

load helper

setup() {
	require_telnet
	ws_init
	start_ws
	PORT=$WS_PORT
}

# Output of telnet, CRs dropped (telnet may or may not pass them through).
telnet_out() { tr -d '\r' | tr -d '\000'; }

@test "telnet: GET ... HTTP/2.1 -> 400 Invalid HTTP-Version" {
	out=$( (echo -en "GET /index.html HTTP/2.1\r\nHost: localhost\r\n\n"; sleep 1) | timeout 10 telnet 127.0.0.1 $PORT 2>&1 | telnet_out)
	assert_contains "$out" $'\nHTTP/1.1 400 Bad Request\n'
	assert_contains "$out" "<html><body>400 Bad Request Reason: Invalid HTTP-Version: HTTP/2.1</body></html>"
	assert_contains "$out" $'\nConnection: close\n'
}

@test "telnet: GRT ... -> 400 Invalid Method" {
	out=$( (echo -en "GRT /index.html HTTP/1.1\r\nHost: localhost\r\n\n"; sleep 1) | timeout 10 telnet 127.0.0.1 $PORT 2>&1 | telnet_out)
	assert_contains "$out" $'\nHTTP/1.1 400 Bad Request\n'
	assert_contains "$out" "<html><body>400 Bad Request Reason: Invalid Method: GRT</body></html>"
}

@test "telnet: GET /index.html HTTP/1.1 -> 200 with the page" {
	out=$( (echo -en "GET /index.html HTTP/1.1\r\nHost: localhost\r\n\n"; sleep 1) | timeout 10 telnet 127.0.0.1 $PORT 2>&1 | telnet_out)
	assert_contains "$out" $'\nHTTP/1.1 200 OK\n'
	assert_contains "$out" $'\nContent-Type: text/html\n'
	assert_contains "$out" $'\nContent-Length: '"${#INDEX_HTML}"$'\n'
	assert_contains "$out" $'\n\n'"$INDEX_HTML"
}

@test "telnet: POST /index.html with POSTDATA -> 200 with the page and its Post Data" {
	out=$( (echo -en "POST /index.html HTTP/1.1\r\nHost: localhost\r\nContent-Length: 8\r\n\nPOSTDATA"; sleep 1) | timeout 10 telnet 127.0.0.1 $PORT 2>&1 | telnet_out)
	assert_contains "$out" $'\nHTTP/1.1 200 OK\n'
	assert_contains "$out" '<body><h1>Post Data</h1><pre>POSTDATA</pre>'
	assert_contains "$out" '<p>It works.</p>'
}

@test "telnet: the server is still fine after the four telnet sessions" {
	local l
	for l in "GET /index.html HTTP/2.1" "GRT /index.html HTTP/1.1" "GET /index.html HTTP/1.1"; do
		(echo -en "$l\r\nHost: localhost\r\n\n"; sleep 0.3) | timeout 10 telnet 127.0.0.1 $PORT >/dev/null 2>&1 || true
	done
	ws_request "GET /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
	assert_body "$INDEX_HTML"
}
