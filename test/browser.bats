#!/usr/bin/env bats
# A real browser: headless Chromium loads the sample site, served with the
# shipped ws.conf (as `make run` does, on a free port), and every page and
# subresource it asks for comes back 200.

load helper

setup() {
	ws_init
	command -v chromium >/dev/null 2>&1 ||
	    flunk "chromium is missing: make test installs it as root (apt-get install chromium)"
	# the shipped configuration, with its DocumentRoot made absolute
	sed "s|^DocumentRoot .*|DocumentRoot \"$(cd "$BATS_TEST_DIRNAME/.." && pwd)/www\"|" \
	    "$BATS_TEST_DIRNAME/../ws.conf" >"$WS_DIR/ws.conf.in"
	sed -i 's/^ServerIP .*/ServerIP 127.0.0.1/' "$WS_DIR/ws.conf.in"
}

browse() {
	timeout 60 chromium --headless --no-sandbox --disable-gpu \
	    --disable-background-networking --disable-component-update --disable-sync \
	    --no-first-run --disable-quic --user-data-dir="$WS_DIR/chrome" \
	    --dump-dom "$1" >"$WS_DIR/dom" 2>"$WS_DIR/chrome.err"
}

@test "browser: headless Chromium loads the sample site; the page and every subresource are 200" {
	ws_launch "$WS_DIR/ws.conf.in"
	browse "http://127.0.0.1:$WS_PORT/"
	assert_contains "$(cat "$WS_DIR/dom")" '<img src="/logo.png"'
	local log
	log=$(cat "$WS_DIR/stdout")
	assert_match "$log" '"GET / HTTP/1.1" 200 '
	assert_match "$log" '"GET /style.css HTTP/1.1" 200 '
	assert_match "$log" '"GET /logo.png HTTP/1.1" 200 '
	# nothing it asked for failed
	run grep -vE '" (200|304) ' "$WS_DIR/stdout"
	assert_eq "$output" ""
}

@test "browser: headless Chromium follows /docs to /docs/ and loads that page" {
	ws_launch "$WS_DIR/ws.conf.in"
	browse "http://127.0.0.1:$WS_PORT/docs"
	assert_match "$(cat "$WS_DIR/stdout")" '"GET /docs HTTP/1.1" 301 '
	assert_match "$(cat "$WS_DIR/stdout")" '"GET /docs/ HTTP/1.1" 200 '
	assert_contains "$(cat "$WS_DIR/dom")" '</html>'
}
