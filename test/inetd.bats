#!/usr/bin/env bats
# inetd mode: one connection on standard input and output.

load helper

# inetd_conf [LINE...]: write $WS_CONF (the port is never bound in -i).
inetd_conf() {
	write_conf_template "$@"
	sed 's/@PORT@/8080/' "$WS_CONF.in" >"$WS_CONF"
}

# inetd FORMAT [ARG...]: printf the bytes into ws -i; stdout to
# $WS_DIR/out, stderr to $WS_DIR/err, exit status in INETD_RC.
inetd() {
	INETD_RC=0
	# shellcheck disable=SC2059
	printf "$@" >"$WS_DIR/in"
	(cd "$WS_DIR/cwd" && exec env --default-signal=PIPE timeout 5 "$WS" -i -f "$WS_CONF" -m "$WS_MODE" \
		<"$WS_DIR/in" >"$WS_DIR/out" 2>"$WS_DIR/err" 3>&-) || INETD_RC=$?
	OUT=$(cat "$WS_DIR/out"; printf x)
	OUT=${OUT%x}
}

# golden I: response I as status line, the headers every response of
# its kind must have (sorted, the Date value masked), empty line, body.
# Other headers (ETag, Accept-Ranges...) are left out of the comparison
# but must be well-formed.
golden() {
	use_response "$1"
	printf '%s\n' "$R_STATUS"
	printf '%s' "$R_HEADERS" | grep -Ev '^[!#$%&*+.^_`|~0-9A-Za-z-]+: ' | sed 's/^/MALFORMED: /'
	printf '%s' "$R_HEADERS" | grep -Ei '^(Date|Server|Connection|Content-Length|Content-Type|Last-Modified):' |
		sed 's/^Date: .*/Date: <date>/' | sort
	printf '\n%s' "$R_BODY"
}

@test "inetd: GET / HTTP/1.0 on stdin -> exactly one response on stdout (golden)" {
	inetd_conf
	inetd 'GET / HTTP/1.0\r\n\r\n'
	assert_eq "$INETD_RC" 0 "$(cat "$WS_DIR/err")"
	parse_responses "$WS_DIR/out"
	assert_eq "$RS_N" 1 "$(printf '%q' "$OUT")"
	assert_eq "$RS_REST" ""
	local expected
	expected="HTTP/1.0 200 OK
Connection: close
Content-Length: ${#INDEX_HTML}
Content-Type: text/html
Date: <date>
Last-Modified: $INDEX_LASTMOD
Server: ws/0.1

$INDEX_HTML"
	local got
	got=$(golden 1; printf x)
	assert_eq "${got%x}" "$expected"
	use_response 1
	assert_common_headers
	assert_match "$OUT" $'^HTTP/1.0 200 OK\r\n'
}

@test "inetd: the exact invocation from the brief (printf | ws -i -f conf)" {
	inetd_conf
	run bash -c 'cd "$1" && printf "GET / HTTP/1.0\r\n\r\n" | timeout 5 "$2" -i -f "$3" 2>/dev/null' _ "$WS_DIR/cwd" "$WS" "$WS_CONF"
	[ "$status" -eq 0 ]
	assert_contains "$output" "HTTP/1.0 200 OK"
	assert_contains "$output" "<p>It works.</p>"
}

@test "inetd: 400 Invalid Method golden" {
	inetd_conf
	inetd 'GRT /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n'
	assert_eq "$INETD_RC" 0
	parse_responses "$WS_DIR/out"
	assert_eq "$RS_N" 1
	local body='<html><body>400 Bad Request Reason: Invalid Method: GRT</body></html>'
	local got
	got=$(golden 1; printf x)
	assert_eq "${got%x}" "HTTP/1.1 400 Bad Request
Connection: close
Content-Length: ${#body}
Content-Type: text/html
Date: <date>
Server: ws/0.1

$body"
	assert_eq "$RS_REST" ""
}

@test "inetd: 404 golden (HTTP/1.0)" {
	inetd_conf
	inetd 'GET /nope.html HTTP/1.0\r\n\r\n'
	parse_responses "$WS_DIR/out"
	local body='<html><body>404 Not Found Reason URL does not exist: /nope.html</body></html>'
	local got
	got=$(golden 1; printf x)
	assert_eq "${got%x}" "HTTP/1.0 404 Not Found
Connection: close
Content-Length: ${#body}
Content-Type: text/html
Date: <date>
Server: ws/0.1

$body"
}

@test "inetd: keep-alive pipelining over stdin, answered in order, then exit 0" {
	inetd_conf
	inetd 'GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\nHEAD /index.html HTTP/1.1\r\nHost: x\r\n\r\nGET /style.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
	assert_eq "$INETD_RC" 0
	parse_responses "$WS_DIR/out" 2
	assert_eq "$RS_N" 3 "$(printf '%q' "$OUT")"
	use_response 1
	assert_status "HTTP/1.1 200 OK"
	assert_body $'alpha text\n'
	assert_header Connection keep-alive
	use_response 2
	assert_status "HTTP/1.1 200 OK"
	assert_header Content-Length "${#INDEX_HTML}"
	use_response 3
	assert_body 'body { color: red; }'$'\n'
	assert_header Connection close
	assert_eq "$RS_REST" ""
}

@test "inetd: end of input after persistent requests -> all answered, exit 0" {
	inetd_conf
	inetd 'GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n'
	assert_eq "$INETD_RC" 0 "ws -i did not exit at end of input (124 = timeout)"
	parse_responses "$WS_DIR/out"
	assert_eq "$RS_N" 2
	assert_eq "$RS_REST" ""
}

@test "inetd: empty input -> no output, exit 0" {
	inetd_conf
	inetd ''
	assert_eq "$INETD_RC" 0
	assert_eq "$OUT" ""
}

@test "inetd: POST body and chunked body over stdin" {
	inetd_conf
	inetd 'POST /nobody.html HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nabcdPOST /nobody.html HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\nef\r\n0\r\n\r\n'
	parse_responses "$WS_DIR/out"
	assert_eq "$RS_N" 2
	use_response 1
	assert_body "<h1>Post Data</h1><pre>abcd</pre><p>fragment without a body tag</p>"$'\n'
	use_response 2
	assert_body "<h1>Post Data</h1><pre>ef</pre><p>fragment without a body tag</p>"$'\n'
}

@test "inetd: stdout carries nothing but responses (logging goes elsewhere)" {
	inetd_conf
	inetd 'GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\nGET /sub HTTP/1.1\r\nHost: x\r\n\r\nBREW / HTTP/1.1\r\nHost: x\r\n\r\n'
	parse_responses "$WS_DIR/out"
	assert_eq "$RS_N" 4 "$(printf '%q' "$OUT")"
	assert_eq "$RS_REST" ""
	use_response 4
	assert_code 400
	assert_header Connection close
	# every byte of stdout belongs to a response
	local total=0 i
	for ((i = 1; i <= RS_N; i++)); do total=$((total + ${#RS_RAW[i]})); done
	assert_eq "$total" "$(file_size "$WS_DIR/out")"
	# no listening line in -i mode
	if grep -q 'listening' "$WS_DIR/out"; then flunk 'listening line on stdout'; fi
}

@test "inetd: a configuration error answers 500 on stdout, errors on stderr" {
	printf 'DocumentRoot www\nListenPort 8080\nBogus 1\n' >"$WS_CONF"
	inetd 'GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n'
	parse_responses "$WS_DIR/out"
	assert_eq "$RS_N" 1
	use_response 1
	assert_status "HTTP/1.1 500 Internal Server Error"
	assert_body '<html><body>500 Internal Server Error: configuration error</body></html>'
	assert_header Connection close
	assert_contains "$(cat "$WS_DIR/err")" "$WS_CONF:3: "
}

@test "inetd: HTTP/1.0 without keep-alive answers once and stops" {
	inetd_conf
	inetd 'GET /a.txt HTTP/1.0\r\n\r\nGET /style.css HTTP/1.0\r\n\r\n'
	assert_eq "$INETD_RC" 0
	parse_responses "$WS_DIR/out"
	assert_eq "$RS_N" 1
	use_response 1
	assert_status "HTTP/1.0 200 OK"
	assert_header Connection close
}

@test "inetd: idle input -> exits after KeepaliveTime (bounded)" {
	inetd_conf 'KeepaliveTime 1'
	mkfifo "$WS_DIR/fifo"
	(cd "$WS_DIR/cwd" && exec "$WS" -i -f "$WS_CONF" -m "$WS_MODE" <"$WS_DIR/fifo" >"$WS_DIR/out" 2>"$WS_DIR/err" 3>&-) &
	local pid=$! w t0 t1
	WS_PIDS+=("$pid")
	exec {w}>"$WS_DIR/fifo"
	printf 'GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n' >&"$w"
	t0=$(date +%s%3N)
	wait_dead "$pid" 4 || {
		exec {w}>&-
		flunk "ws -i still running 4 s after the last request with KeepaliveTime 1"
	}
	t1=$(date +%s%3N)
	exec {w}>&-
	local rc=0
	wait "$pid" || rc=$?
	assert_eq "$rc" 0
	parse_responses "$WS_DIR/out"
	assert_eq "$RS_N" 1
	[ $((t1 - t0)) -ge 700 ] || flunk "exited after $((t1 - t0)) ms, before KeepaliveTime"
}

@test "inetd: works on a socket too (stdin = stdout = connection)" {
	inetd_conf
	# a socketpair-like check with perl: the server gets one TCP socket as fd 0 and 1
	run timeout 8 perl -MSocket -e '
		my ($ws, $conf, $mode, $dir) = @ARGV;
		socket(my $l, PF_INET, SOCK_STREAM, 0) or die;
		setsockopt($l, SOL_SOCKET, SO_REUSEADDR, 1);
		bind($l, sockaddr_in(0, inet_aton("127.0.0.1"))) or die "bind $!";
		listen($l, 1) or die;
		my ($port) = sockaddr_in(getsockname($l));
		socket(my $c, PF_INET, SOCK_STREAM, 0) or die;
		connect($c, sockaddr_in($port, inet_aton("127.0.0.1"))) or die;
		accept(my $s, $l) or die;
		my $pid = fork();
		if ($pid == 0) {
			chdir $dir; open(STDIN, "<&", $s); open(STDOUT, ">&", $s);
			open(STDERR, ">", "/dev/null"); close $c; close $l;
			exec $ws, "-i", "-f", $conf, "-m", $mode; die;
		}
		close $s;
		syswrite($c, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /style.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
		shutdown($c, 1);  # half-close: the requests already sent are still answered
		my $all = ""; my $buf;
		while (sysread($c, $buf, 4096)) { $all .= $buf; }
		waitpid($pid, 0);
		print $all; exit($? >> 8);' "$WS" "$WS_CONF" "$WS_MODE" "$WS_DIR/cwd"
	[ "$status" -eq 0 ] || flunk "status $status: $output"
	assert_contains "$output" "alpha text"
	assert_contains "$output" "color: red"
}
