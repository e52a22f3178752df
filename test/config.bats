#!/usr/bin/env bats
# ws.conf directives, configuration errors, command line flags.

load helper

CONF_ERROR_BODY='<html><body>500 Internal Server Error: configuration error</body></html>'

# get_ok PATH: GET PATH (HTTP/1.1, Connection: close) on the running ws.
get() {
	ws_request "GET $1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
}

# assert_serves_500: every kind of request answers the configuration error.
assert_serves_500() {
	local req
	for req in \
		"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n" \
		"GET /index.html HTTP/1.0\r\n\r\n" \
		"GET /nope.html HTTP/1.1\r\nHost: localhost\r\n\r\n" \
		"POST /index.html HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nabc" \
		"OPTIONS * HTTP/1.1\r\nHost: localhost\r\n\r\n"; do
		ws_request "$req"
		[[ $R_STATUS == "HTTP/1."[01]" 500 Internal Server Error" ]] ||
			flunk "request $(printf '%q' "$req") got: $R_STATUS"
		assert_body "$CONF_ERROR_BODY"
		assert_header Content-Length "${#CONF_ERROR_BODY}"
		assert_header_match Content-Type '^text/html'
		assert_header Connection close
		assert_common_headers
		expect_closed
		ws_close
	done
}

# assert_conf_error LINE: ws's stderr has "$WS_CONF:LINE: message".
assert_conf_error() {
	grep -qE "^$(printf '%s' "$WS_CONF" | sed 's/[][\.*^$/]/\\&/g'):$1: .+" "$WS_DIR/stderr" || {
		cat "$WS_DIR/stderr" >&2
		flunk "stderr lacks '$WS_CONF:$1: message'"
	}
}

# assert_check_fails LINE: ws -n on $WS_CONF exits 1, reports FILE:LINE:,
# and writes nothing on standard output.
assert_check_fails() {
	run --separate-stderr timeout 5 "$WS" -n -f "$WS_CONF"
	[ "$status" -eq 1 ] || flunk "ws -n exited $status, expected 1; stderr: $stderr"
	assert_eq "$output" ""
	[[ $'\n'$stderr == *$'\n'"$WS_CONF:$1: "?* ]] || flunk "ws -n stderr lacks '$WS_CONF:$1: message': $stderr"
}

# broken CONFTEXT: write the configuration (with @PORT@ where wanted) and
# start ws on it.
broken() {
	printf '%s\n' "$1" >"$WS_CONF.in"
	ws_launch "$WS_CONF.in"
}

# ---------------------------------------------------------------- good files

@test "config: the default test configuration is valid (-n exits 0, prints nothing)" {
	write_conf_template
	sed 's/@PORT@/8080/' "$WS_CONF.in" >"$WS_CONF"
	run --separate-stderr timeout 5 "$WS" -n -f "$WS_CONF"
	[ "$status" -eq 0 ] || flunk "status $status: $stderr"
	assert_eq "$output" ""
	assert_eq "$stderr" ""
}

@test "config: the repository's own ws.conf passes -n" {
	[ -f "$BATS_TEST_DIRNAME/../ws.conf" ] || skip "no ws.conf at the top level yet"
	run --separate-stderr timeout 5 "$WS" -n -f "$BATS_TEST_DIRNAME/../ws.conf"
	[ "$status" -eq 0 ] || flunk "status $status: $stderr"
	assert_eq "$stderr" ""
}

@test "config: comments, blank lines, indentation and quoted values" {
	cat >"$WS_CONF.in" <<-'EOF'
		# a comment line

		   # an indented comment
		ServerIP "127.0.0.1"
		ListenPort @PORT@

		DocumentRoot "www"
		  DirectoryIndex "index.html"
		ContentType .html "text/html"
		RequestMethodSupport "GET"
	EOF
	ws_launch "$WS_CONF.in"
	assert_eq "$(grep -c ':[0-9]*: ' "$WS_DIR/stderr" || true)" 0 "$(cat "$WS_DIR/stderr")"
	get /
	assert_status "HTTP/1.1 200 OK"
	assert_body "$INDEX_HTML"
}

@test "config: a quoted DocumentRoot may contain spaces" {
	mkdir "$WS_DIR/my docs"
	printf 'spaced root\n' >"$WS_DIR/my docs/index.html"
	start_ws 'DocumentRoot "my docs"'
	get /
	assert_status "HTTP/1.1 200 OK"
	assert_body $'spaced root\n'
}

@test "config: ServerIP and ListenPort choose the listening address" {
	start_ws
	assert_eq "$(grep 'ws: listening on' "$WS_DIR/stderr")" "ws: listening on 127.0.0.1:$WS_PORT ($WS_MODE mode)"
	grep -q "^ListenPort $WS_PORT\$" "$WS_CONF"
	get /
	assert_status "HTTP/1.1 200 OK"
}

@test "config: Listen is an alias of ListenPort" {
	start_ws 'Listen @PORT@'
	if grep -q '^ListenPort' "$WS_CONF"; then flunk 'ListenPort left in the conf'; fi
	assert_eq "$(grep 'ws: listening on' "$WS_DIR/stderr")" "ws: listening on 127.0.0.1:$WS_PORT ($WS_MODE mode)"
	get /index.html
	assert_status "HTTP/1.1 200 OK"
}

@test "config: ServerIP ::1 listens on IPv6 loopback" {
	grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6 2>/dev/null || skip "no IPv6 loopback"
	start_ws 'ServerIP ::1'
	assert_eq "$(grep 'ws: listening on' "$WS_DIR/stderr")" "ws: listening on [::1]:$WS_PORT ($WS_MODE mode)"
	ws_open "$WS_PORT" ::1
	ws_send "GET / HTTP/1.1\r\nHost: [::1]\r\nConnection: close\r\n\r\n"
	read_response
	assert_status "HTTP/1.1 200 OK"
	assert_body "$INDEX_HTML"
}

@test "config: -p overrides ListenPort" {
	local other
	write_conf_template
	# ListenPort names a port that ws must not use; -p gives the real one.
	other=$(random_port)
	sed -i "s/^ListenPort @PORT@\$/ListenPort $other/" "$WS_CONF.in"
	ws_launch "$WS_CONF.in" # no @PORT@ left: ws_launch passes -p
	[ "$WS_PORT" != "$other" ] || skip "random ports collided"
	assert_eq "$(grep 'ws: listening on' "$WS_DIR/stderr")" "ws: listening on 127.0.0.1:$WS_PORT ($WS_MODE mode)"
	get /
	assert_status "HTTP/1.1 200 OK"
}

@test "config: relative DocumentRoot is relative to the configuration file's directory" {
	mkdir -p "$WS_DIR/etc/conf.d" "$WS_DIR/site"
	printf 'relative root\n' >"$WS_DIR/site/index.html"
	WS_CONF_TEMPLATE=$WS_DIR/etc/conf.d/ws.conf.in write_conf_template 'DocumentRoot ../../site'
	ws_launch "$WS_DIR/etc/conf.d/ws.conf.in" # started in $WS_DIR/cwd
	get /
	assert_status "HTTP/1.1 200 OK"
	assert_body $'relative root\n'
}

@test "config: absolute DocumentRoot" {
	mkdir -p "$WS_DIR/abs"
	printf 'absolute root\n' >"$WS_DIR/abs/index.html"
	start_ws "DocumentRoot $WS_DIR/abs"
	get /
	assert_status "HTTP/1.1 200 OK"
	assert_body $'absolute root\n'
}

@test "config: DirectoryIndex names are tried in order" {
	start_ws 'DirectoryIndex index.html index.htm'
	get /sub2/
	assert_status "HTTP/1.1 200 OK"
	assert_body $'sub2 html\n'
	get /sub/
	assert_status "HTTP/1.1 200 OK"
	assert_body $'sub htm\n'
}

@test "config: DirectoryIndex in the other order" {
	start_ws 'DirectoryIndex index.htm index.html'
	get /sub2/
	assert_status "HTTP/1.1 200 OK"
	assert_body $'sub2 htm\n'
	get /
	assert_status "HTTP/1.1 200 OK"
	assert_body "$INDEX_HTML"
}

@test "config: DirectoryIndex with no matching file gives 404" {
	start_ws 'DirectoryIndex default.html'
	get /
	assert_error "404 Not Found" "404 Not Found Reason URL does not exist: /"
}

@test "config: ContentType with the keyword" {
	start_ws 'ContentType .xyz application/x-xyz'
	get /file.xyz
	assert_status "HTTP/1.1 200 OK"
	assert_header Content-Type application/x-xyz
	assert_body $'unknown type\n'
}

@test "config: ContentType in the old form without the keyword" {
	start_ws '.xyz application/x-old-form'
	get /file.xyz
	assert_status "HTTP/1.1 200 OK"
	assert_header Content-Type application/x-old-form
}

@test "config: ContentType extensions match case-insensitively" {
	start_ws
	get /PAGE.HTML
	assert_status "HTTP/1.1 200 OK"
	assert_header Content-Type text/html
	start_ws 'ContentType .XYZ text/x-upper'
	get /file.xyz
	assert_status "HTTP/1.1 200 OK"
	assert_header Content-Type text/x-upper
}

@test "config: each configured type is sent" {
	start_ws
	get /style.css
	assert_header Content-Type text/css
	get /a.txt
	assert_header Content-Type text/plain
	get /index.html
	assert_header Content-Type text/html
	get /sub/
	assert_header Content-Type text/html
}

@test "config: RequestMethodSupport separated by commas" {
	start_ws 'RequestMethodSupport GET,HEAD,OPTIONS,TRACE'
	ws_request "OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	assert_eq "$(allow_set)" "GET HEAD OPTIONS TRACE"
}

@test "config: RequestMethodSupport separated by spaces" {
	start_ws 'RequestMethodSupport GET HEAD OPTIONS DELETE'
	ws_request "OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	assert_eq "$(allow_set)" "DELETE GET HEAD OPTIONS"
}

@test "config: RequestMethodSupport separated by commas and spaces mixed" {
	start_ws 'RequestMethodSupport GET, HEAD ,OPTIONS  PUT,	POST'
	ws_request "OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	assert_eq "$(allow_set)" "GET HEAD OPTIONS POST PUT"
	ws_request "DELETE /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	assert_error "501 Not Implemented" "501 Not Implemented Method: DELETE"
	assert_eq "$(allow_set)" "GET HEAD OPTIONS POST PUT"
}

@test "config: without RequestMethodSupport only GET and HEAD are carried out" {
	write_conf_template
	sed -i '/^RequestMethodSupport/d' "$WS_CONF.in"
	ws_launch "$WS_CONF.in"
	get /
	assert_status "HTTP/1.1 200 OK"
	ws_request "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx"
	assert_error "501 Not Implemented" "501 Not Implemented Method: POST"
	assert_eq "$(allow_set)" "GET HEAD"
}

@test "config: KeepaliveTime 0 turns persistent connections off" {
	start_ws 'KeepaliveTime 0'
	ws_request "GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
	assert_header Connection close
	expect_closed
}

# ---------------------------------------------------------------- errors

@test "config error: unknown directive -> FILE:LINE on stderr, every request 500" {
	broken 'ServerIP 127.0.0.1
ListenPort @PORT@
DocumentRoot www
FrobnicateLevel 11
ContentType .html text/html'
	assert_conf_error 4
	assert_serves_500
}

@test "config error: HEAD gets the 500 headers without a body" {
	broken 'ServerIP 127.0.0.1
ListenPort @PORT@
DocumentRoot www
FrobnicateLevel 11'
	ws_request_nobody "HEAD / HTTP/1.1\r\nHost: localhost\r\n\r\n"
	assert_status "HTTP/1.1 500 Internal Server Error"
	assert_header Content-Length "${#CONF_ERROR_BODY}"
	assert_header Connection close
	expect_closed
}

@test "config error: unknown directive -> ws -n exits 1" {
	printf 'ServerIP 127.0.0.1\nListenPort 8080\nDocumentRoot www\nFrobnicateLevel 11\n' >"$WS_CONF"
	assert_check_fails 4
}

@test "config error: directive without a value -> FILE:LINE, every request 500" {
	broken 'ServerIP 127.0.0.1
ListenPort @PORT@
DocumentRoot www
KeepaliveTime
ContentType .html text/html'
	assert_conf_error 4
	assert_serves_500
}

@test "config error: directive without a value -> ws -n exits 1" {
	printf 'ServerIP 127.0.0.1\nListenPort 8080\nDocumentRoot www\nDirectoryIndex\n' >"$WS_CONF"
	assert_check_fails 4
}

@test "config error: ContentType without a type -> FILE:LINE, every request 500" {
	broken 'ServerIP 127.0.0.1
ListenPort @PORT@
DocumentRoot www
ContentType .html text/html
ContentType .png'
	assert_conf_error 5
	assert_serves_500
}

@test "config error: ContentType without a type -> ws -n exits 1 (both forms)" {
	printf 'ServerIP 127.0.0.1\nListenPort 8080\nDocumentRoot www\nContentType .png\n' >"$WS_CONF"
	assert_check_fails 4
	printf 'ServerIP 127.0.0.1\nListenPort 8080\nDocumentRoot www\n.png\n' >"$WS_CONF"
	assert_check_fails 4
}

@test "config error: port out of range -> FILE:LINE, served on the -p port, every request 500" {
	broken 'ServerIP 127.0.0.1
ListenPort 99999
DocumentRoot www
ContentType .html text/html'
	assert_conf_error 2
	assert_serves_500
}

@test "config error: bad ports -> ws -n exits 1" {
	local p
	for p in 0 65536 99999 -1 80x http abc 1.5; do
		printf 'ServerIP 127.0.0.1\nDocumentRoot www\nListenPort %s\n' "$p" >"$WS_CONF"
		assert_check_fails 3
	done
}

@test "config error: good port bounds are accepted by ws -n" {
	local p
	for p in 1 65535 8080; do
		printf 'ServerIP 127.0.0.1\nDocumentRoot www\nListenPort %s\n' "$p" >"$WS_CONF"
		run --separate-stderr timeout 5 "$WS" -n -f "$WS_CONF"
		[ "$status" -eq 0 ] || flunk "port $p rejected: $stderr"
	done
}

@test "config error: missing port -> ws -n exits 1 with FILE:LINE" {
	printf 'ServerIP 127.0.0.1\nDocumentRoot www\nContentType .html text/html\n' >"$WS_CONF"
	assert_check_fails 3 # missing directives are reported on the last line
}

@test "config error: missing port -> server falls back to 0.0.0.0:8080 and answers 500" {
	if (exec 9<>/dev/tcp/127.0.0.1/8080) 2>/dev/null; then
		skip "port 8080 is already in use on this machine"
	fi
	printf 'DocumentRoot www\nContentType .html text/html\n' >"$WS_CONF"
	: >"$WS_DIR/stderr"
	(cd "$WS_DIR/cwd" && exec env --default-signal=INT,TERM "$WS" -f "$WS_CONF" -m "$WS_MODE" \
		</dev/null >"$WS_DIR/stdout" 2>"$WS_DIR/stderr" 3>&-) &
	WS_PID=$!
	WS_PIDS+=("$WS_PID")
	local i
	for ((i = 0; i < 250; i++)); do
		grep -q 'ws: listening on' "$WS_DIR/stderr" && break
		ws_alive "$WS_PID" || break
		sleep 0.02
	done
	if ! grep -q 'ws: listening on' "$WS_DIR/stderr"; then
		grep -q 'bind' "$WS_DIR/stderr" && skip "port 8080 taken meanwhile"
		ws_dump
		flunk "ws did not start"
	fi
	assert_eq "$(grep 'ws: listening on' "$WS_DIR/stderr")" "ws: listening on 0.0.0.0:8080 ($WS_MODE mode)"
	assert_conf_error 2
	WS_PORT=8080
	assert_serves_500
}

@test "config error: DocumentRoot that does not exist -> FILE:LINE, every request 500" {
	broken 'ServerIP 127.0.0.1
ListenPort @PORT@
ContentType .html text/html
DocumentRoot no-such-directory'
	assert_conf_error 4
	assert_serves_500
}

@test "config error: DocumentRoot that is a file -> FILE:LINE, every request 500" {
	printf 'not a directory\n' >"$WS_DIR/plainfile"
	broken 'ServerIP 127.0.0.1
ListenPort @PORT@
DocumentRoot plainfile
ContentType .html text/html'
	assert_conf_error 3
	assert_serves_500
}

@test "config error: DocumentRoot not a directory -> ws -n exits 1" {
	printf 'x\n' >"$WS_DIR/plainfile"
	printf 'ServerIP 127.0.0.1\nListenPort 8080\nDocumentRoot plainfile\n' >"$WS_CONF"
	assert_check_fails 3
	printf 'ServerIP 127.0.0.1\nListenPort 8080\n\nDocumentRoot /no/such/dir\n' >"$WS_CONF"
	assert_check_fails 4
}

@test "config error: unknown method in RequestMethodSupport -> FILE:LINE, every request 500" {
	broken 'ServerIP 127.0.0.1
ListenPort @PORT@
DocumentRoot www
ContentType .html text/html
RequestMethodSupport GET,HEAD,FETCH'
	assert_conf_error 5
	assert_serves_500
}

@test "config error: unknown method -> ws -n exits 1" {
	printf 'ServerIP 127.0.0.1\nListenPort 8080\nDocumentRoot www\nRequestMethodSupport GET PATCH\n' >"$WS_CONF"
	assert_check_fails 4
	printf 'ServerIP 127.0.0.1\nListenPort 8080\nDocumentRoot www\nRequestMethodSupport GET,,BREW\n' >"$WS_CONF"
	assert_check_fails 4
}

@test "config error: several errors are all reported with their lines" {
	printf 'ServerIP 127.0.0.1\nListenPort 8080\nDocumentRoot www\nBogus 1\nKeepaliveTime\nRequestMethodSupport GET BREW\n' >"$WS_CONF"
	run --separate-stderr timeout 5 "$WS" -n -f "$WS_CONF"
	[ "$status" -eq 1 ]
	assert_contains "$stderr" "$WS_CONF:4: "
	assert_contains "$stderr" "$WS_CONF:5: "
	assert_contains "$stderr" "$WS_CONF:6: "
}

@test "config error: unreadable configuration file -> FILE:0: cannot open" {
	run --separate-stderr timeout 5 "$WS" -n -f "$WS_DIR/no-such.conf"
	[ "$status" -eq 1 ]
	assert_contains "$stderr" "$WS_DIR/no-such.conf:0: cannot open: No such file or directory"
}

@test "config error: missing DocumentRoot is an error" {
	printf 'ServerIP 127.0.0.1\nListenPort 8080\nContentType .html text/html\n' >"$WS_CONF"
	assert_check_fails 3
}

# ---------------------------------------------------------------- flags

@test "flags: -v prints the version and exits 0" {
	run --separate-stderr timeout 5 "$WS" -v
	[ "$status" -eq 0 ]
	assert_eq "$output" "ws 0.1"
}

@test "flags: -h prints usage on stdout and exits 0" {
	run --separate-stderr timeout 5 "$WS" -h
	[ "$status" -eq 0 ]
	assert_match "$output" '[Uu]sage'
}

@test "flags: a bad flag prints usage on stderr and exits 2" {
	run --separate-stderr timeout 5 "$WS" -Z
	[ "$status" -eq 2 ] || flunk "status $status"
	assert_match "$stderr" '[Uu]sage'
	assert_eq "$output" ""
}

@test "flags: a bad -m value prints usage and exits 2" {
	run --separate-stderr timeout 5 "$WS" -m process -n -f "$WS_CONF"
	[ "$status" -eq 2 ] || flunk "status $status"
	assert_match "$stderr" '[Uu]sage'
}

@test "flags: a flag missing its argument exits 2" {
	run --separate-stderr timeout 5 "$WS" -f
	[ "$status" -eq 2 ] || flunk "status $status"
	run --separate-stderr timeout 5 "$WS" -p
	[ "$status" -eq 2 ] || flunk "status $status"
}

@test "flags: -f defaults to ./ws.conf" {
	write_conf_template
	sed 's/@PORT@/8080/' "$WS_CONF.in" >"$WS_DIR/cwd/ws.conf"
	cp -r "$WS_ROOT" "$WS_DIR/cwd/www"
	run --separate-stderr bash -c 'cd "$1" && timeout 5 "$2" -n' _ "$WS_DIR/cwd" "$WS"
	[ "$status" -eq 0 ] || flunk "status $status: $stderr"
	rm "$WS_DIR/cwd/ws.conf"
	run --separate-stderr bash -c 'cd "$1" && timeout 5 "$2" -n' _ "$WS_DIR/cwd" "$WS"
	[ "$status" -eq 1 ] || flunk "status $status without ./ws.conf"
	assert_contains "$stderr" "ws.conf:0: cannot open"
}

@test "flags: bind failure prints 'ws: bind ADDR:PORT: ...' and exits 1" {
	start_ws
	local first=$WS_PID
	sed "s/@PORT@/$WS_PORT/" "$WS_CONF.in" >"$WS_DIR/second.conf"
	run --separate-stderr bash -c 'cd "$1" && exec timeout 5 "$2" -f "$3" -m "$4" 3>&-' _ "$WS_DIR/cwd" "$WS" "$WS_DIR/second.conf" "$WS_MODE"
	[ "$status" -eq 1 ] || flunk "status $status"
	assert_contains "$stderr" "ws: bind 127.0.0.1:$WS_PORT: "
	ws_alive "$first"
	get /
	assert_status "HTTP/1.1 200 OK"
}

@test "flags: -d detaches after binding and keeps serving" {
	write_conf_template
	local port pid p rc=0
	port=$(random_port)
	sed "s/@PORT@/$port/" "$WS_CONF.in" >"$WS_CONF"
	(cd "$WS_DIR/cwd" && exec timeout 5 "$WS" -d -f "$WS_CONF" -m "$WS_MODE" </dev/null >"$WS_DIR/stdout" 2>"$WS_DIR/stderr" 3>&-) || rc=$?
	grep -q 'bind' "$WS_DIR/stderr" && skip "random port $port in use"
	assert_eq "$rc" 0 "$(cat "$WS_DIR/stderr")"
	# find the daemon by its (unique) configuration path and stop it in teardown
	pid=$(fast find_daemon "$WS_CONF")
	[ -n "$pid" ] || flunk "no detached ws process found"
	WS_PIDS+=("$pid")
	WS_PORT=$port
	get /
	assert_status "HTTP/1.1 200 OK"
	assert_body "$INDEX_HTML"
	# detached: a new session, not our child
	[ "$(ps -o sid= -p "$pid" | tr -d ' ')" = "$pid" ] || flunk "daemon is not a session leader"
	ws_close
	kill -TERM "$pid"
	wait_dead "$pid" 3
}
