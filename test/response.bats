#!/usr/bin/env bats
# The defects of issue 9: response framing (Range), open redirects,
# directory listing links, graceful stop, slow readers, early errors (408,
# 414, 431, 500, 503) and their HTTP/1.0 status line.
#
# Each test asserts the bytes on the wire: status line, the relevant
# headers with exact values, the body and its exact length, and, where the
# connection stays open, that a request pipelined after it (in the same
# write) gets its own intact response.

load helper

now_ms() { date +%s%3N; }

setup() {
	ws_init
	TRICKLE_PID='' PUB=''
}

teardown() {
	if [ -n "${TRICKLE_PID:-}" ]; then
		kill "$TRICKLE_PID" 2>/dev/null || true
		wait "$TRICKLE_PID" 2>/dev/null || true
	fi
	ws_teardown
	[ -z "${PUB:-}" ] || rm -rf "$PUB"
}

# The request pipelined after the one under test, and its answer.
NEXT_REQ='GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'

# pipelined FORMAT [NOBODY]: FORMAT and then NEXT_REQ in a single write on
# a new connection, everything read until the server closes.  Checks that
# exactly two responses came, nothing after them, and that the second is
# the intact answer to NEXT_REQ; leaves the first loaded (R_*).  NOBODY
# says the first is a response to HEAD.
_pipelined() {
	ws_raw "$1$NEXT_REQ" || return 1
	parse_responses "$WS_DIR/raw" "${2:+1}" || return 1
	[ "$RS_N" = 2 ] && [ -z "$RS_REST" ] || {
		flunk "expected 2 responses to $(printf '%q' "$1") + a pipelined GET," \
			"got $RS_N and $(printf '%q' "$RS_REST") after them; all bytes:" "$(printf '%q' "$RAW")"
		return 1
	}
	use_response 2
	[ "$R_STATUS" = "HTTP/1.1 200 OK" ] && [ "$R_BODY" = $'alpha text\n' ] &&
		_hdr_v Content-Length && [ "$HV" = 11 ] || {
		flunk "the pipelined request was not answered intact:" "$(printf '%q' "$R_RAW")" \
			"all bytes: $(printf '%q' "$RAW")"
		return 1
	}
	use_response 1
}
pipelined() { fast _pipelined "$@"; }

# ---------------------------------------------------------------- ranges

R_FILE=abcdefghijkl

make_r() { printf '%s' "$R_FILE" >"$WS_ROOT/r.txt"; }

# range SPEC: GET /r.txt with `Range: bytes=SPEC`, pipelined.
range() { pipelined "GET /r.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=$1\r\n\r\n"; }

# whole_file: the loaded response is a 200 with all 12 bytes, no range.
whole_file() {
	assert_status "HTTP/1.1 200 OK"
	assert_header Content-Type text/plain
	assert_header Content-Length 12
	assert_body "$R_FILE"
	assert_no_header Content-Range
	assert_header_match Last-Modified "$HTTP_DATE_RE"
	assert_common_headers
	assert_header Connection keep-alive
}

# partial CONTENT_RANGE BODY: the loaded response is a 206 with them.
partial() {
	assert_status "HTTP/1.1 206 Partial Content"
	assert_header Content-Type text/plain
	assert_header Content-Range "$1"
	assert_header Content-Length "${#2}"
	assert_body "$2"
	assert_common_headers
	assert_header Connection keep-alive
}

# unsatisfiable: the loaded response is a 416 for the 12-byte file.
unsatisfiable() {
	assert_status "HTTP/1.1 416 Range Not Satisfiable"
	assert_error "416 Range Not Satisfiable" "416 Range Not Satisfiable"
	assert_header Content-Range 'bytes */12'
	assert_common_headers
	assert_header Connection keep-alive
}

@test "range: bytes=5-2 (last before first) is ignored: 200, all 12 bytes; several ranges and HEAD too" {
	make_r
	start_ws
	range 5-2
	whole_file
	# companions: several ranges are ignored; HEAD ignores Range
	range 0-1,3-4
	whole_file
	pipelined "HEAD /r.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=3-5\r\n\r\n" nobody
	assert_status "HTTP/1.1 200 OK"
	assert_header Content-Length 12
	assert_no_header Content-Range
	assert_body ""
	assert_common_headers nobody
}

@test "range: a first-pos past any size (bytes=99999999999999999999-) is 416 bytes */12; so are 12- and -0" {
	make_r
	start_ws
	range 99999999999999999999-
	unsatisfiable
	range 12-
	unsatisfiable
	range -0
	unsatisfiable
}

@test "range: a last-pos past any size (bytes=0-99999999999999999999) is 206 bytes 0-11/12; 3-5 is 206 def" {
	make_r
	start_ws
	range 0-99999999999999999999
	partial 'bytes 0-11/12' "$R_FILE"
	range 3-5
	partial 'bytes 3-5/12' def
}

@test "range: a suffix longer than any size (bytes=-99999999999999999999) is 206 bytes 0-11/12" {
	make_r
	start_ws
	range -99999999999999999999
	partial 'bytes 0-11/12' "$R_FILE"
	range -3
	partial 'bytes 9-11/12' jkl
}

# ---------------------------------------------------------------- redirects

MOVED_BODY='<html><body>301 Moved Permanently</body></html>'

# moved LOCATION: the loaded response is the 301 to LOCATION; LOCATION
# (and so the header) is one `/` followed by neither `/` nor `\`.
moved() {
	assert_status "HTTP/1.1 301 Moved Permanently"
	assert_header Location "$1"
	single_slash "$HV"
	assert_body "$MOVED_BODY"
	assert_header Content-Length "${#MOVED_BODY}"
	assert_header_match Content-Type '^text/html'
	assert_common_headers
}

single_slash() {
	[[ $1 == /* && $1 != //* && $1 != /\\* ]] ||
		flunk "Location '$1' does not start with exactly one '/' followed by neither '/' nor '\\'"
}

@test "redirect: //evil.example/..//sub and /\\evil.example/../sub -> 301 Location: /sub/, never to another host" {
	start_ws
	pipelined "GET //evil.example/..//sub HTTP/1.1\r\nHost: x\r\n\r\n"
	moved /sub/
	pipelined "GET /\\\\evil.example/../sub HTTP/1.1\r\nHost: x\r\n\r\n"
	moved /sub/
	# companions: the query is kept, the path stays percent-encoded
	pipelined "GET /sub?a=1 HTTP/1.1\r\nHost: x\r\n\r\n"
	moved '/sub/?a=1'
	mkdir "$WS_ROOT/a b"
	pipelined "GET /a%%20b HTTP/1.1\r\nHost: x\r\n\r\n"
	moved /a%20b/
	# and a doubled leading slash on its own
	pipelined "GET //sub HTTP/1.1\r\nHost: x\r\n\r\n"
	assert_code 301
	_hdr_v Location || flunk "no Location"
	single_slash "$HV"
}

# ---------------------------------------------------------------- listings

@test "listing: hrefs percent-encode every byte but ALPHA DIGIT - . _ ~, link texts are HTML-escaped" {
	mkdir "$WS_ROOT/list" "$WS_ROOT/list/d"
	printf 'j' >"$WS_ROOT/list/javascript:alert(1)"
	printf 'q' >"$WS_ROOT/list/a\"<b>.txt"
	printf 'x' >"$WS_ROOT/list/x.txt"
	start_ws 'DirectoryListing on'
	pipelined "GET /list/ HTTP/1.1\r\nHost: x\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
	assert_header_match Content-Type '^text/html'
	assert_common_headers
	assert_header Connection keep-alive
	assert_contains "$R_BODY" '<a href="javascript%3Aalert%281%29">javascript:alert(1)</a>'
	assert_contains "$R_BODY" '<a href="a%22%3Cb%3E.txt">a&quot;&lt;b&gt;.txt</a>'
	assert_contains "$R_BODY" '<a href="x.txt">x.txt</a>'
	assert_contains "$R_BODY" '<a href="d/">d/</a>'
	local href n=0
	while IFS= read -r href; do
		n=$((n + 1))
		[[ $href =~ ^href=\"([A-Za-z0-9._~-]|%[0-9A-F]{2})*/?\"$ ]] ||
			flunk "a link not fully percent-encoded: $href"
		assert_not_contains "${href,,}" 'javascript:'
	done < <(grep -o 'href="[^"]*"' <<<"$R_BODY")
	[ "$n" -ge 4 ] || flunk "only $n links in: $R_BODY"
}

# ---------------------------------------------------------------- stop

@test "SIGTERM: a request whose head is still arriving is answered in full with Connection: close, then closed; an idle keep-alive connection is closed unanswered" {
	start_ws
	local idle busy i base rc=0
	base=$(ws_threads "$WS_PID")
	ws_open
	idle=$WS_FD
	ws_send "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
	read_response
	assert_header Connection keep-alive
	ws_open
	busy=$WS_FD
	ws_send "GET /index.html HTTP/1.1\r\nHost: x\r\n"
	# the connection is being served (accepted, in a child or a thread)
	for ((i = 0; i < 200; i++)); do
		if [ "$WS_MODE" = fork ]; then
			[ "$(ws_children "$WS_PID" | wc -l)" -lt 2 ] || break
		else
			[ "$(ws_threads "$WS_PID")" -lt $((base + 2)) ] || break
		fi
		sleep 0.01
	done
	sleep 0.1
	kill -TERM "$WS_PID"
	sleep 0.3
	WS_FD=$busy
	ws_send "\r\n"
	read_response
	assert_status "HTTP/1.1 200 OK"
	assert_body "$INDEX_HTML"
	assert_header Content-Length "${#INDEX_HTML}"
	assert_header Connection close
	assert_common_headers
	expect_closed 3
	WS_FD=$idle
	expect_closed 3
	wait_dead "$WS_PID" 5 || flunk "ws still running 5 s after SIGTERM with nothing in flight"
	wait "$WS_PID" || rc=$?
	assert_eq "$rc" 0 "exit status after SIGTERM"
}

# ---------------------------------------------------------------- slow readers

# A client that reads slowly: connects with a small receive buffer, sends
# GET PATH, then every INTERVAL ms takes at most CHUNK bytes and sends
# "\r\n" (so that a server that has closed its end answers with a reset:
# data it had queued before closing would otherwise keep trickling in long
# after).  Stops at EOF, a reset, or after LIMIT ms; prints
#   eof|reset|open bytes=N ms=M status=STATUS-LINE
TRICKLE_C='
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
static long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}
int main(int argc, char **argv)
{
	if (argc != 6)
		return 2;
	int port = atoi(argv[1]), chunk = atoi(argv[3]), rb = 4096;
	long iv = atol(argv[4]), limit = atol(argv[5]), total = 0, t0;
	char req[512], head[256] = "", *buf = malloc(chunk), *nl;
	const char *end = "open";
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rb, sizeof rb);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (!buf || connect(s, (struct sockaddr *)&a, sizeof a) < 0) {
		perror("connect");
		return 1;
	}
	snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", argv[2]);
	if (write(s, req, strlen(req)) < 0)
		return 1;
	t0 = now_ms();
	while (now_ms() - t0 < limit) {
		long got = 0;
		while (got < chunk) {
			ssize_t n = recv(s, buf, chunk - got, MSG_DONTWAIT);
			if (n > 0) {
				long room = (long)sizeof head - 1 - total;
				if (room > 0)
					memcpy(head + total, buf, n < room ? n : room);
				total += n, got += n;
			} else if (n == 0) {
				end = "eof";
				goto done;
			} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
				break;
			} else {
				end = errno == ECONNRESET ? "reset" : "error";
				goto done;
			}
		}
		if (send(s, "\r\n", 2, MSG_NOSIGNAL) < 0) {
			end = errno == ECONNRESET || errno == EPIPE ? "reset" : "error";
			goto done;
		}
		usleep(iv * 1000);
	}
done:
	if ((nl = strpbrk(head, "\r\n")))
		*nl = 0;
	printf("%s bytes=%ld ms=%ld status=%s\n", end, total, now_ms() - t0, head);
	return 0;
}
'

@test "slow reader: a client taking 16 KiB every 0.5 s is cut off at SendTimeout + size/SendMinRate; others are served meanwhile" {
	command -v cc >/dev/null || skip "no C compiler for the slow client"
	local trickle=$BATS_TEST_TMPDIR/trickle out size=$((32 * 1024 * 1024)) t0 t1
	printf '%s' "$TRICKLE_C" >"$trickle.c"
	cc -O2 -o "$trickle" "$trickle.c" || flunk "cannot compile the slow client"
	truncate -s "$size" "$WS_ROOT/big.txt"
	printf 'start of a 32 MiB file\n' | dd of="$WS_ROOT/big.txt" conv=notrunc status=none
	# deadline: 2 s + 33554432 / 100000000 s = about 2.34 s
	start_ws 'SendTimeout 2' 'SendMinRate 100000000'
	timeout 15 "$trickle" "$WS_PORT" /big.txt 16384 500 10000 >"$WS_DIR/trickle" 2>&1 &
	TRICKLE_PID=$!
	sleep 0.5
	t0=$(now_ms)
	ws_request "GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	t1=$(now_ms)
	assert_status "HTTP/1.1 200 OK"
	assert_body "$INDEX_HTML"
	assert_common_headers
	[ $((t1 - t0)) -le 2000 ] || flunk "another client waited $((t1 - t0)) ms"
	wait "$TRICKLE_PID" || true
	TRICKLE_PID=
	out=$(cat "$WS_DIR/trickle")
	echo "slow client: $out"
	[[ $out =~ ^(eof|reset|open|error)\ bytes=([0-9]+)\ ms=([0-9]+)\ status=(.*)$ ]] ||
		flunk "slow client said: $out"
	assert_eq "${BASH_REMATCH[4]}" "HTTP/1.1 200 OK" "status line the slow client got"
	[[ ${BASH_REMATCH[1]} == eof || ${BASH_REMATCH[1]} == reset ]] ||
		flunk "the slow client was not cut off: $out"
	[ "${BASH_REMATCH[3]}" -lt 8000 ] || flunk "cut off only after ${BASH_REMATCH[3]} ms: $out"
	[ "${BASH_REMATCH[3]}" -ge 1500 ] || flunk "cut off before the deadline, at ${BASH_REMATCH[3]} ms: $out"
	[ "${BASH_REMATCH[2]}" -lt "$size" ] || flunk "the whole file arrived: $out"
	ws_alive "$WS_PID" || flunk "ws died"
	ws_request "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
	assert_body $'alpha text\n'
}

# ---------------------------------------------------------------- early errors

@test "408: an HTTP/1.0 head that stops coming gets HTTP/1.0 408 Request Timeout (HTTP/1.1 still HTTP/1.1)" {
	start_ws 'RequestTimeout 1'
	local one zero t0 t1
	ws_open
	zero=$WS_FD
	ws_send "GET /index.html HTTP/1.0\r\n"
	ws_open
	one=$WS_FD
	ws_send "GET /index.html HTTP/1.1\r\nHost: x\r\n"
	t0=$(now_ms)
	WS_FD=$zero
	read_response
	t1=$(now_ms)
	assert_status "HTTP/1.0 408 Request Timeout"
	assert_error "408 Request Timeout" "408 Request Timeout"
	assert_header Connection close
	assert_common_headers
	expect_closed
	[ $((t1 - t0)) -le 3500 ] || flunk "408 after $((t1 - t0)) ms"
	WS_FD=$one
	read_response
	assert_status "HTTP/1.1 408 Request Timeout"
	assert_error "408 Request Timeout" "408 Request Timeout"
	assert_header Connection close
	expect_closed
}

@test "414: a complete HTTP/1.0 request line over LimitRequestLine gets HTTP/1.0 414 URI Too Long" {
	start_ws 'LimitRequestLine 100'
	local long
	long=$(printf 'a%.0s' {1..200})
	ws_request "GET /$long HTTP/1.0\r\n\r\n"
	assert_status "HTTP/1.0 414 URI Too Long"
	assert_error "414 URI Too Long" "414 URI Too Long"
	assert_header Connection close
	assert_common_headers
	expect_closed
	ws_request "GET /$long HTTP/1.1\r\nHost: x\r\n\r\n"
	assert_status "HTTP/1.1 414 URI Too Long"
	assert_error "414 URI Too Long" "414 URI Too Long"
	assert_header Connection close
	expect_closed
}

@test "431: an HTTP/1.0 request with a field over LimitRequestFieldSize gets HTTP/1.0 431" {
	start_ws 'LimitRequestFieldSize 100'
	local long
	long=$(printf 'b%.0s' {1..300})
	ws_request "GET /index.html HTTP/1.0\r\nX-Long: $long\r\n\r\n"
	assert_status "HTTP/1.0 431 Request Header Fields Too Large"
	assert_error "431 Request Header Fields Too Large" "431 Request Header Fields Too Large"
	assert_header Connection close
	assert_common_headers
	expect_closed
	ws_request "GET /index.html HTTP/1.1\r\nHost: x\r\nX-Long: $long\r\n\r\n"
	assert_status "HTTP/1.1 431 Request Header Fields Too Large"
	assert_error "431 Request Header Fields Too Large" "431 Request Header Fields Too Large"
	assert_header Connection close
	expect_closed
}

@test "500: with a configuration error an HTTP/1.0 request gets HTTP/1.0 500 Internal Server Error" {
	start_ws 'NoSuchDirective x'
	grep -q "$WS_CONF:[0-9]*: " "$WS_DIR/stderr" || flunk "no FILE:LINE: error: $(cat "$WS_DIR/stderr")"
	ws_request "GET /index.html HTTP/1.0\r\n\r\n"
	assert_status "HTTP/1.0 500 Internal Server Error"
	assert_error "500 Internal Server Error" "500 Internal Server Error: configuration error"
	assert_header Connection close
	assert_common_headers
	expect_closed
	ws_request "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"
	assert_status "HTTP/1.1 500 Internal Server Error"
	assert_error "500 Internal Server Error" "500 Internal Server Error: configuration error"
	assert_header Connection close
	expect_closed
}

# as_user UID GID COMMAND...: run COMMAND as UID:GID (prlimit on a process
# of another user needs CAP_SYS_RESOURCE, which root may lack in a
# container; as the process's own user it may lower its soft limit).
as_user() {
	local uid=$1 gid=$2
	shift 2
	if command -v setpriv >/dev/null; then
		setpriv --reuid="$uid" --regid="$gid" --clear-groups "$@"
	else
		"$@"
	fi
}

nproc_limits() { awk '/^Max processes/ { print $3, $4 }' "/proc/$WS_PID/limits"; }

@test "503: a failed fork or pthread_create answers 503 Service Unavailable, Retry-After: 1; the server survives" {
	[ "$(id -u)" = 0 ] || skip "needs root (User nobody)"
	[[ $WS != *valgrind* ]] || skip "valgrind runs threads of its own"
	id nobody >/dev/null 2>&1 || skip "no user nobody"
	command -v prlimit >/dev/null || skip "no prlimit"
	local uid gid soft hard i
	uid=$(id -u nobody) gid=$(id -g nobody)
	PUB=$(mktemp -d /tmp/ws-response.XXXXXX)
	chmod 755 "$PUB"
	cp -a "$WS_ROOT/index.html" "$WS_ROOT/a.txt" "$PUB/"
	start_ws "User nobody" "DocumentRoot $PUB"
	for ((i = 0; i < 200; i++)); do
		[ "$(awk '/^Uid:/ { print $2 }' "/proc/$WS_PID/status")" != "$uid" ] || break
		sleep 0.01
	done
	assert_eq "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$WS_PID/status")" "$uid $uid $uid $uid"
	read -r soft hard < <(nproc_limits)
	# nobody already runs ws itself: no new process or thread is allowed
	as_user "$uid" "$gid" prlimit --pid "$WS_PID" --nproc="1:$hard"
	assert_eq "$(nproc_limits)" "1 $hard" "RLIMIT_NPROC of ws"
	ws_open
	# the server may answer (and close) before reading anything
	if ! WS_TIMEOUT=1 read_response 2>/dev/null; then
		ws_send "GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" 2>/dev/null || true
		read_response 2>/dev/null ||
			flunk "no response while fork/pthread_create fails, got: $(printf '%q' "$R_RAW")" \
				"--- ws stderr:" "$(tail -n 5 "$WS_DIR/stderr")"
	fi
	assert_status "HTTP/1.1 503 Service Unavailable"
	assert_error "503 Service Unavailable" "503 Service Unavailable"
	assert_header Retry-After 1
	assert_header Connection close
	assert_common_headers
	expect_closed
	ws_close
	as_user "$uid" "$gid" prlimit --pid "$WS_PID" --nproc="$soft:$hard"
	ws_alive "$WS_PID" || flunk "ws died"
	ws_request "GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
	assert_body "$INDEX_HTML"
}
