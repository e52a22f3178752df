#!/usr/bin/env bats
# Request parsing: the six checks in order, error pages, line endings,
# request-target forms, percent-decoding, directories.

load helper

setup() {
	ws_init
	start_ws 'RequestMethodSupport GET,HEAD,OPTIONS,POST'
}

# req FORMAT: one request on a fresh connection, one response read.
req() { ws_request "$@"; }

# ---------------------------------------------------------------- check 1: method

@test "check 1: unknown method GRT -> 400 Invalid Method, exact page, connection closed" {
	req "GRT /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n"
	assert_status "HTTP/1.1 400 Bad Request"
	assert_error "400 Bad Request" "400 Bad Request Reason: Invalid Method: GRT"
	assert_common_headers
	assert_header Connection close
	expect_closed
}

@test "check 1: methods are case-sensitive (get -> Invalid Method)" {
	req "get /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n"
	assert_error "400 Bad Request" "400 Bad Request Reason: Invalid Method: get"
}

@test "check 1: a method not in the HTTP list (PATCH) is Invalid Method, not 501" {
	req "PATCH /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n"
	assert_error "400 Bad Request" "400 Bad Request Reason: Invalid Method: PATCH"
}

@test "check 1: the echoed method is HTML-escaped" {
	req "<script> / HTTP/1.1\r\nHost: localhost\r\n\r\n"
	assert_error "400 Bad Request" "400 Bad Request Reason: Invalid Method: &lt;script&gt;"
	assert_not_contains "$R_RAW" "<script>"
}

@test "check 1: ampersand and quote in the method are escaped" {
	req "A&B\"C / HTTP/1.1\r\nHost: localhost\r\n\r\n"
	assert_eq "${R_CODE}" 400
	assert_contains "$R_BODY" "Invalid Method: A&amp;B"
	assert_not_contains "$R_BODY" "A&B"
}

@test "check order: wrong method AND wrong version -> Invalid Method" {
	req "GRT /index.html HTTP/2.1\r\nHost: localhost\r\n\r\n"
	assert_error "400 Bad Request" "400 Bad Request Reason: Invalid Method: GRT"
}

@test "check order: wrong method AND wrong URL -> Invalid Method" {
	req "GRT index.html HTTP/1.1\r\nHost: localhost\r\n\r\n"
	assert_error "400 Bad Request" "400 Bad Request Reason: Invalid Method: GRT"
}

# ---------------------------------------------------------------- check 2: URL

@test "check 2: target without leading slash -> 400 Invalid URL" {
	req "GET index.html HTTP/1.1\r\nHost: localhost\r\n\r\n"
	assert_status "HTTP/1.1 400 Bad Request"
	assert_error "400 Bad Request" "400 Bad Request Reason: Invalid URL: index.html"
	assert_common_headers
	assert_header Connection close
	expect_closed
}

@test "check 2: the echoed URL is HTML-escaped" {
	req "GET <b>&x HTTP/1.1\r\nHost: localhost\r\n\r\n"
	assert_error "400 Bad Request" "400 Bad Request Reason: Invalid URL: &lt;b&gt;&amp;x"
}

@test "check order: wrong URL AND wrong version -> Invalid URL" {
	req "GET index.html HTTP/2.1\r\nHost: localhost\r\n\r\n"
	assert_error "400 Bad Request" "400 Bad Request Reason: Invalid URL: index.html"
}

@test "check 2: asterisk form is accepted for OPTIONS" {
	req "OPTIONS * HTTP/1.1\r\nHost: localhost\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
	assert_eq "$(allow_set)" "GET HEAD OPTIONS POST"
	assert_header Content-Length 0
	assert_body ""
	assert_common_headers
	expect_conn_as_said
}

@test "check 2: asterisk form with GET -> 400 Invalid URL: *" {
	req "GET * HTTP/1.1\r\nHost: localhost\r\n\r\n"
	assert_error "400 Bad Request" "400 Bad Request Reason: Invalid URL: *"
}

@test "check 2: absolute form http://host/path is reduced to its path" {
	req "GET http://localhost/index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
	assert_body "$INDEX_HTML"
	req "GET http://127.0.0.1:$WS_PORT/sub/page.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
	assert_body $'sub page\n'
}

@test "check 2: absolute form of a missing file -> 404" {
	req "GET http://localhost/nope.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	assert_code 404
}

# ---------------------------------------------------------------- check 3: version

@test "check 3: HTTP/2.1 -> 400 Invalid HTTP-Version, HTTP/1.1 status line" {
	req "GET /index.html HTTP/2.1\r\nHost: localhost\r\n\r\n"
	assert_status "HTTP/1.1 400 Bad Request"
	assert_error "400 Bad Request" "400 Bad Request Reason: Invalid HTTP-Version: HTTP/2.1"
	assert_common_headers
	assert_header Connection close
	expect_closed
}

@test "check 3: other bad versions" {
	local v
	for v in HTTP/1.2 http/1.1 HTTP/1 HTTP/1.10 HTTP/0.9 'HTTP/1.1x'; do
		req "GET / $v\r\nHost: localhost\r\n\r\n"
		assert_error "400 Bad Request" "400 Bad Request Reason: Invalid HTTP-Version: $v"
		ws_close
	done
}

@test "check 3: the echoed version is HTML-escaped" {
	req "GET / HTTP/<1>\r\nHost: localhost\r\n\r\n"
	assert_error "400 Bad Request" "400 Bad Request Reason: Invalid HTTP-Version: HTTP/&lt;1&gt;"
}

@test "check 3: a request line without a version is a 400" {
	req "GET /index.html\r\nHost: localhost\r\n\r\n"
	assert_code 400
	assert_header Connection close
	expect_closed
}

@test "check 3: an HTTP/1.0 request gets an HTTP/1.0 status line" {
	req "GET /index.html HTTP/1.0\r\n\r\n"
	assert_status "HTTP/1.0 200 OK"
	assert_body "$INDEX_HTML"
	assert_common_headers
	req "GET /nope.html HTTP/1.0\r\n\r\n"
	assert_status "HTTP/1.0 404 Not Found"
	req "PUT /x.txt HTTP/1.0\r\nContent-Length: 0\r\n\r\n"
	assert_status "HTTP/1.0 501 Not Implemented"
}

@test "check order: bad version is reported before a missing Host" {
	req "GET /index.html HTTP/2.1\r\n\r\n"
	assert_error "400 Bad Request" "400 Bad Request Reason: Invalid HTTP-Version: HTTP/2.1"
}

# ---------------------------------------------------------------- headers

@test "headers: HTTP/1.1 without Host -> 400 Missing Host header" {
	req "GET /index.html HTTP/1.1\r\nConnection: keep-alive\r\n\r\n"
	assert_error "400 Bad Request" "400 Bad Request Reason: Missing Host header"
	assert_header Connection close
	expect_closed
}

@test "headers: HTTP/1.0 without Host is fine" {
	req "GET /index.html HTTP/1.0\r\n\r\n"
	assert_status "HTTP/1.0 200 OK"
}

@test "headers: a header line without a colon -> 400 Invalid header" {
	req "GET /index.html HTTP/1.1\r\nHost: localhost\r\nNoColonHere\r\n\r\n"
	assert_error "400 Bad Request" "400 Bad Request Reason: Invalid header"
	expect_closed
}

@test "headers: whitespace between field name and colon -> 400" {
	req "GET /index.html HTTP/1.1\r\nHost : localhost\r\n\r\n"
	assert_code 400
	expect_closed
}

@test "headers: field names are case-insensitive" {
	req "GET /index.html HTTP/1.1\r\nhOsT: localhost\r\nCONNECTION: close\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
	assert_header Connection close
	expect_closed
}

# ---------------------------------------------------------------- line endings

@test "line endings: bare LF everywhere is accepted" {
	req "GET /index.html HTTP/1.1\nHost: localhost\nConnection: close\n\n"
	assert_status "HTTP/1.1 200 OK"
	assert_body "$INDEX_HTML"
}

@test "line endings: CRLF lines ended by a bare LF (the exercise's form)" {
	req "GET /index.html HTTP/1.1\r\nHost: localhost\r\n\n"
	assert_status "HTTP/1.1 200 OK"
	assert_body "$INDEX_HTML"
}

@test "line endings: telnet's CR NUL CR LF is read as CR LF" {
	req "GET /index.html HTTP/1.1\r\000\r\nHost: localhost\r\000\r\nConnection: close\r\000\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
	assert_body "$INDEX_HTML"
	assert_header Connection close
}

@test "line endings: CR NUL CR LF after a bad version still reports the version" {
	req "GET /index.html HTTP/2.1\r\000\r\nHost: localhost\r\000\r\n\r\n"
	assert_error "400 Bad Request" "400 Bad Request Reason: Invalid HTTP-Version: HTTP/2.1"
}

@test "line endings: NUL inside the request line -> 400" {
	req "GET /index\000.html HTTP/1.1\r\nHost: localhost\r\n\r\n"
	assert_code 400
	assert_header Connection close
	expect_closed
}

@test "line endings: NUL at the end of the request line without CR -> 400" {
	req "GET /index.html HTTP/1.1\000\r\nHost: localhost\r\n\r\n"
	assert_code 400
	expect_closed
}

@test "line endings: NUL inside a header value -> 400" {
	req "GET /index.html HTTP/1.1\r\nHost: local\000host\r\n\r\n"
	assert_code 400
	expect_closed
}

@test "line endings: bare CR inside the request line -> 400" {
	req "GET /index.html HTTP/1.1\rHost: localhost\r\n\r\n"
	assert_code 400
	expect_closed
}

@test "line endings: bare CR inside a header -> 400" {
	req "GET /index.html HTTP/1.1\r\nHost: localhost\rX-Foo: bar\r\n\r\n"
	assert_code 400
	expect_closed
}

# ---------------------------------------------------------------- check 4: supported

@test "check 4: a method not in RequestMethodSupport -> 501 with Allow" {
	req "PUT /new.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nabc"
	assert_status "HTTP/1.1 501 Not Implemented"
	assert_error "501 Not Implemented" "501 Not Implemented Method: PUT"
	assert_eq "$(allow_set)" "GET HEAD OPTIONS POST"
	assert_common_headers
	expect_conn_as_said
	[ ! -e "$WS_ROOT/new.txt" ]
}

@test "check 4: DELETE and TRACE disabled -> 501, file untouched" {
	req "DELETE /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
	assert_error "501 Not Implemented" "501 Not Implemented Method: DELETE"
	assert_eq "$(allow_set)" "GET HEAD OPTIONS POST"
	[ -f "$WS_ROOT/a.txt" ]
	req "TRACE / HTTP/1.1\r\nHost: localhost\r\n\r\n"
	assert_error "501 Not Implemented" "501 Not Implemented Method: TRACE"
}

@test "check order: unsupported method on a missing file -> 501, not 404" {
	req "DELETE /nope.html HTTP/1.1\r\nHost: localhost\r\n\r\n"
	assert_error "501 Not Implemented" "501 Not Implemented Method: DELETE"
}

@test "check order: missing Host is reported before an unsupported method" {
	req "DELETE /a.txt HTTP/1.1\r\n\r\n"
	assert_error "400 Bad Request" "400 Bad Request Reason: Missing Host header"
}

@test "check 4: 501 keeps a persistent connection usable" {
	ws_open
	ws_send "DELETE /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
	read_response
	assert_code 501
	assert_header Connection keep-alive
	ws_send "GET /a.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	read_response
	assert_status "HTTP/1.1 200 OK"
	assert_body $'alpha text\n'
}

# ---------------------------------------------------------------- check 5: file

@test "check 5: missing file -> 404 with the exercise's page" {
	req "GET /nope.html HTTP/1.1\r\nHost: localhost\r\n\r\n"
	assert_status "HTTP/1.1 404 Not Found"
	assert_error "404 Not Found" "404 Not Found Reason URL does not exist: /nope.html"
	assert_common_headers
	expect_conn_as_said
}

@test "check 5: the echoed URL of a 404 is HTML-escaped" {
	req "GET /nope&x.html HTTP/1.1\r\nHost: localhost\r\n\r\n"
	assert_error "404 Not Found" "404 Not Found Reason URL does not exist: /nope&amp;x.html"
}

@test "check 5: 404 echoes the URL as sent (percent-encoding kept)" {
	req "GET /%%3Cb%%3E.html HTTP/1.1\r\nHost: localhost\r\n\r\n"
	assert_error "404 Not Found" "404 Not Found Reason URL does not exist: /%3Cb%3E.html"
}

@test "check 5: a file in a missing directory -> 404" {
	req "GET /nodir/index.html HTTP/1.1\r\nHost: localhost\r\n\r\n"
	assert_error "404 Not Found" "404 Not Found Reason URL does not exist: /nodir/index.html"
}

@test "check 5: a file used as a directory -> 404" {
	req "GET /a.txt/x HTTP/1.1\r\nHost: localhost\r\n\r\n"
	assert_code 404
}

@test "check 5: HEAD of a missing file -> 404 without a body" {
	ws_request_nobody "HEAD /nope.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	assert_status "HTTP/1.1 404 Not Found"
	local page
	page=$(errpage "404 Not Found Reason URL does not exist: /nope.html")
	assert_header Content-Length "${#page}"
	expect_closed
}

@test "check order: missing file with unknown type -> 404, not 501" {
	req "GET /nope.xyz HTTP/1.1\r\nHost: localhost\r\n\r\n"
	assert_error "404 Not Found" "404 Not Found Reason URL does not exist: /nope.xyz"
}

# ---------------------------------------------------------------- check 6: type

@test "check 6: a file whose extension has no ContentType -> 501 File type" {
	req "GET /file.xyz HTTP/1.1\r\nHost: localhost\r\n\r\n"
	assert_status "HTTP/1.1 501 Not Implemented"
	assert_error "501 Not Implemented" "501 Not Implemented File type: .xyz"
	assert_common_headers
	expect_conn_as_said
}

# ---------------------------------------------------------------- targets

@test "targets: / serves the DirectoryIndex page" {
	req "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
	assert_header Content-Type text/html
	assert_body "$INDEX_HTML"
}

@test "targets: a directory without a trailing slash -> 301 to the slashed path" {
	req "GET /sub HTTP/1.1\r\nHost: localhost\r\n\r\n"
	assert_status "HTTP/1.1 301 Moved Permanently"
	assert_header Location /sub/
	assert_common_headers
	expect_conn_as_said
}

@test "targets: 301 for a nested directory" {
	mkdir -p "$WS_ROOT/sub/deeper"
	req "GET /sub/deeper HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	assert_status "HTTP/1.1 301 Moved Permanently"
	assert_header Location /sub/deeper/
}

@test "targets: a directory with a slash and no index file -> 404" {
	req "GET /empty/ HTTP/1.1\r\nHost: localhost\r\n\r\n"
	assert_error "404 Not Found" "404 Not Found Reason URL does not exist: /empty/"
}

@test "targets: DirectoryIndex falls through to the second name" {
	req "GET /sub/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
	assert_body $'sub htm\n'
	assert_header Content-Type text/html
}

@test "targets: percent-decoding (/%69ndex.html)" {
	req "GET /%%69ndex.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
	assert_body "$INDEX_HTML"
}

@test "targets: percent-decoding in lower and upper case hex, %20 for a space" {
	req "GET /a%%20b.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
	assert_body $'space in the name\n'
	req "GET /%%73ub/%%50%%61ge.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	assert_code 404 # %%50 is P, file is page.txt
	req "GET /%%73ub/%%70%%61ge.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
	assert_body $'sub page\n'
	req "GET /a%%2etxt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
	assert_body $'alpha text\n'
	req "GET /a%%2Etxt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
	assert_body $'alpha text\n'
	req "GET /st%%79le.c%%73s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
	assert_header Content-Type text/css
}

@test "targets: a bad percent-escape -> 400 Invalid URL" {
	req "GET /index%%zz.html HTTP/1.1\r\nHost: localhost\r\n\r\n"
	assert_error "400 Bad Request" "400 Bad Request Reason: Invalid URL: /index%zz.html"
	req "GET /index.html%%4 HTTP/1.1\r\nHost: localhost\r\n\r\n"
	assert_code 400
}

@test "targets: %00 -> 400 Invalid URL" {
	req "GET /index.html%%00.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
	assert_error "400 Bad Request" "400 Bad Request Reason: Invalid URL: /index.html%00.txt"
}

@test "targets: the query string is not part of the file name" {
	req "GET /index.html?x=1&y=%%2e%%2e HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
	assert_body "$INDEX_HTML"
}

@test "targets: .. that stays inside the root is resolved" {
	req "GET /sub/../index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
	assert_body "$INDEX_HTML"
}

@test "targets: repeated slashes and ./ segments" {
	req "GET /sub/./page.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
	assert_body $'sub page\n'
}
