#!/usr/bin/env bats
# Nothing outside DocumentRoot may be read, listed, written or deleted:
# not by .., percent-encoding, symbolic links, or any other spelling.

load helper

setup() {
	ws_init
	start_ws 'RequestMethodSupport GET,HEAD,OPTIONS,POST,PUT,DELETE'
}

# refused METHOD TARGET [BODY]: the request does not succeed and nothing
# secret comes back.
refused() {
	local m=$1 t=${2//%/%%} body=${3:-}
	if [ -n "$body" ]; then
		ws_request "$m $t HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: ${#body}\r\n\r\n%s" "$body"
	else
		ws_request "$m $t HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	fi
	assert_not_contains "$R_RAW" "$SECRET"
	assert_not_contains "$R_RAW" "root:x:0:0"
	case $R_CODE in
	400 | 403 | 404 | 409) ;;
	*) flunk "$m $t answered '$R_STATUS' (expected 400, 403, 404 or 409)" ;;
	esac
}

secrets_intact() {
	assert_eq "$(cat "$WS_DIR/secret.txt")" "$SECRET"
	assert_eq "$(cat "$WS_DIR/secret.html")" "$SECRET"
	assert_eq "$(cat "$WS_DIR/outside/secret.txt")" "$SECRET"
}

@test "traversal: /../secret.txt -> 400 Invalid URL" {
	ws_request "GET /../secret.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
	assert_error "400 Bad Request" "400 Bad Request Reason: Invalid URL: /../secret.txt"
	assert_not_contains "$R_RAW" "$SECRET"
}

@test "traversal: deep ../ to /etc/passwd is refused" {
	refused GET /../../../../../../../../etc/passwd
	refused GET /sub/../../../../../../etc/passwd
	refused GET /./../secret.txt
}

@test "traversal: .. after a real directory is refused" {
	refused GET /sub/../../secret.txt
	refused GET /sub/../sub/../../secret.txt
}

@test "traversal: percent-encoded dots (%2e%2e, %2E%2E, .%2e) are refused" {
	refused GET /%2e%2e/secret.txt
	refused GET /%2E%2E/secret.txt
	refused GET /.%2e/secret.txt
	refused GET /%2e./secret.txt
	refused GET /sub/%2e%2e/%2e%2e/secret.txt
}

@test "traversal: percent-encoded slashes (%2f, %2F) are refused" {
	refused GET /..%2fsecret.txt
	refused GET /..%2Fsecret.txt
	refused GET /%2e%2e%2fsecret.txt
	refused GET /sub/..%2f..%2fsecret.txt
	refused GET /%2f..%2f..%2fetc%2fpasswd
}

@test "traversal: double encoding is decoded once only" {
	refused GET /%252e%252e/secret.txt
	assert_code 404
}

@test "traversal: backslashes and doubled slashes do not escape" {
	refused GET '/..\\secret.txt'
	refused GET //../secret.txt
	refused GET /.../secret.txt
}

@test "traversal: absolute-form target with .. is refused" {
	refused GET http://localhost/../secret.txt
	refused GET http://localhost/%2e%2e/secret.txt
}

@test "traversal: HEAD and POST are refused the same way" {
	ws_request_nobody "HEAD /../secret.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	[ "$R_CODE" = 400 ] || [ "$R_CODE" = 404 ] || flunk "HEAD got $R_STATUS"
	refused POST /../secret.txt data
	refused POST /%2e%2e/secret.html data
}

@test "symlinks: a link to a file outside the root -> 404, never its content" {
	ws_request "GET /link.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	assert_error "404 Not Found" "404 Not Found Reason URL does not exist: /link.txt"
	assert_not_contains "$R_RAW" "$SECRET"
	ws_request "GET /abslink.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	assert_code 404
	assert_not_contains "$R_RAW" "$SECRET"
}

@test "symlinks: a linked directory outside the root is not served" {
	refused GET /outlink/secret.txt
	assert_code 404
	refused GET /outlink/
	refused GET /outlink
}

@test "symlinks: HEAD and POST through links are refused" {
	ws_request_nobody "HEAD /link.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	assert_code 404
	refused POST /abslink.html data
	refused POST /outlink/secret.txt data
}

@test "symlinks: a link that stays inside the root is harmless" {
	ln -s index.html "$WS_ROOT/inside.html"
	ws_request "GET /inside.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	# served or refused, but never anything from outside
	assert_not_contains "$R_RAW" "$SECRET"
	[ "$R_CODE" = 200 ] && assert_body "$INDEX_HTML"
	true
}

@test "write: PUT cannot create files outside the root" {
	refused PUT /../evil.txt EVIL
	refused PUT /%2e%2e/evil.txt EVIL
	refused PUT /..%2fevil.txt EVIL
	refused PUT /sub/../../evil.txt EVIL
	refused PUT /outlink/evil.txt EVIL
	[ ! -e "$WS_DIR/evil.txt" ] || flunk "PUT wrote $WS_DIR/evil.txt"
	[ ! -e "$WS_DIR/outside/evil.txt" ] || flunk "PUT wrote through a symlinked directory"
	[ -z "$(find "$WS_DIR" -name evil.txt)" ] || flunk "evil.txt written: $(find "$WS_DIR" -name evil.txt)"
	secrets_intact
}

@test "write: PUT cannot overwrite a file outside the root" {
	refused PUT /../secret.txt EVIL
	refused PUT /%2e%2e/secret.html EVIL
	refused PUT /outlink/secret.txt EVIL
	secrets_intact
}

@test "write: PUT to a symlink never writes through it" {
	ws_request "PUT /link.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 4\r\n\r\nEVIL"
	assert_not_contains "$R_RAW" "$SECRET"
	secrets_intact
	ws_request "PUT /abslink.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 4\r\n\r\nEVIL"
	secrets_intact
}

@test "write: DELETE cannot remove files outside the root" {
	refused DELETE /../secret.txt
	refused DELETE /%2e%2e/secret.html
	refused DELETE /..%2fsecret.txt
	refused DELETE /outlink/secret.txt
	secrets_intact
}

@test "write: DELETE of a symlink never removes its target" {
	ws_request "DELETE /link.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	assert_not_contains "$R_RAW" "$SECRET"
	secrets_intact
}

@test "write: DELETE cannot remove the root or a directory" {
	refused DELETE /
	refused DELETE /sub/
	[ -d "$WS_ROOT" ]
	[ -f "$WS_ROOT/sub/index.htm" ]
}

@test "listing: a directory without an index is never listed" {
	printf 'listed?\n' >"$WS_ROOT/empty/not-an-index.txt"
	ws_request "GET /empty/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	assert_code 404
	assert_not_contains "$R_RAW" "not-an-index"
}
