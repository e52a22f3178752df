#!/usr/bin/env bats
# Serving files: validators, conditional requests, ranges, big files,
# content types, listings, dotfiles, precompressed twins, IPv6.

load helper

url() { printf 'http://127.0.0.1:%s%s' "$WS_PORT" "$1"; }

# curl_head ARGS...: run curl -s -i, leave status in R_CODE, headers in
# R_HEADERS (CR stripped) and the body in $WS_DIR/body.
curl_i() {
	: >"$WS_DIR/body"
	curl -s --max-time 10 -D "$WS_DIR/head" -o "$WS_DIR/body" "$@" ||
	    flunk "curl $* failed"
	R_STATUS=$(head -n 1 "$WS_DIR/head" | tr -d '\r')
	R_CODE=$(cut -d' ' -f2 <<<"$R_STATUS")
	R_HEADERS=$(tail -n +2 "$WS_DIR/head" | tr -d '\r')$'\n'
}

@test "files: every file carries Last-Modified (its mtime) and a strong ETag, on GET and HEAD" {
	start_ws
	curl_i "$(url /index.html)"
	assert_code 200
	assert_header Last-Modified "$INDEX_LASTMOD"
	assert_header_match ETag '^"[0-9a-f]+-[0-9a-f]+-[0-9a-f]+"$'
	local tag
	tag=$(hdr ETag)
	curl_i -I "$(url /index.html)"
	assert_header Last-Modified "$INDEX_LASTMOD"
	assert_header ETag "$tag"
	touch "$WS_ROOT/index.html"
	curl_i -I "$(url /index.html)"
	[ "$(hdr ETag)" != "$tag" ] || flunk "the ETag did not change with the file"
}

@test "files: If-Modified-Since in IMF-fixdate, RFC 850 and asctime forms answers 304 with no body" {
	start_ws
	local d
	for d in 'Thu, 02 Jan 2020 03:04:05 GMT' 'Thursday, 02-Jan-20 03:04:05 GMT' \
	    'Thu Jan  2 03:04:05 2020' 'Fri, 03 Jan 2020 00:00:00 GMT'; do
		curl_i -H "If-Modified-Since: $d" "$(url /index.html)"
		assert_code 304
		assert_no_header Content-Length
		assert_eq "$(wc -c <"$WS_DIR/body")" 0
		assert_header Last-Modified "$INDEX_LASTMOD"
		assert_header_match ETag '^"'
		assert_header_match Date "$HTTP_DATE_RE"
	done
	curl_i -H 'If-Modified-Since: Thu, 02 Jan 2020 03:04:04 GMT' "$(url /index.html)"
	assert_code 200
	curl_i -H 'If-Modified-Since: not a date' "$(url /index.html)"
	assert_code 200
	# curl's own -z
	curl_i -z "$INDEX_LASTMOD" "$(url /index.html)"
	assert_code 304
}

@test "files: If-None-Match (a tag, a list, *) answers 304 and takes precedence over If-Modified-Since" {
	start_ws
	curl_i "$(url /index.html)"
	local tag
	tag=$(hdr ETag)
	curl_i -H "If-None-Match: $tag" "$(url /index.html)"
	assert_code 304
	curl_i -H "If-None-Match: \"x\", W/$tag" "$(url /index.html)"
	assert_code 304
	curl_i -H 'If-None-Match: *' "$(url /index.html)"
	assert_code 304
	# a tag that does not match wins over a date that would
	curl_i -H 'If-None-Match: "other"' -H "If-Modified-Since: $INDEX_LASTMOD" "$(url /index.html)"
	assert_code 200
	assert_eq "$(cat "$WS_DIR/body")" "$(cat "$WS_ROOT/index.html")"
}

@test "files: a single range answers 206 with Content-Range, in all three forms" {
	start_ws
	curl_i -r 0-4 "$(url /a.txt)"
	assert_code 206
	assert_header Content-Range 'bytes 0-4/11'
	assert_header Content-Length 5
	assert_eq "$(cat "$WS_DIR/body")" "alpha"
	curl_i -r 6- "$(url /a.txt)"
	assert_code 206
	assert_header Content-Range 'bytes 6-10/11'
	assert_eq "$(cat "$WS_DIR/body")" "text"
	curl_i -r -5 "$(url /a.txt)"
	assert_code 206
	assert_header Content-Range 'bytes 6-10/11'
	curl_i -r 6-100 "$(url /a.txt)"
	assert_code 206
	assert_header Content-Range 'bytes 6-10/11'
	curl_i "$(url /a.txt)"
	assert_header Accept-Ranges bytes
}

@test "files: an unsatisfiable range is 416 with Content-Range: bytes */size" {
	start_ws
	curl_i -r 11- "$(url /a.txt)"
	assert_code 416
	assert_header Content-Range 'bytes */11'
	curl_i -r -0 "$(url /a.txt)"
	assert_code 416
}

@test "files: several ranges, or a malformed one, get the whole file (200)" {
	start_ws
	curl_i -r 0-1,3-4 "$(url /a.txt)"
	assert_code 200
	assert_eq "$(cat "$WS_DIR/body")" "alpha text"
	curl_i -H 'Range: bytes=4-2' "$(url /a.txt)"
	assert_code 200
	curl_i -H 'Range: lines=1-2' "$(url /a.txt)"
	assert_code 200
}

@test "files: If-Range with a current ETag or date gives the range, a stale one the whole file" {
	start_ws
	curl_i "$(url /index.html)"
	local tag
	tag=$(hdr ETag)
	curl_i -r 0-5 -H "If-Range: $tag" "$(url /index.html)"
	assert_code 206
	curl_i -r 0-5 -H "If-Range: $INDEX_LASTMOD" "$(url /index.html)"
	assert_code 206
	curl_i -r 0-5 -H 'If-Range: "stale"' "$(url /index.html)"
	assert_code 200
	curl_i -r 0-5 -H 'If-Range: Wed, 01 Jan 2020 00:00:00 GMT' "$(url /index.html)"
	assert_code 200
	assert_eq "$(cat "$WS_DIR/body")" "$(cat "$WS_ROOT/index.html")"
}

@test "files: a sparse 5 GiB file serves correctly, ranges past 4 GiB included" {
	truncate -s 5G "$WS_ROOT/big.txt"
	printf 'MARK-past-4GiB' | dd of="$WS_ROOT/big.txt" bs=1 seek=4294967300 conv=notrunc status=none
	printf 'END!' | dd of="$WS_ROOT/big.txt" bs=1 seek=5368709116 conv=notrunc status=none
	start_ws
	curl_i -I "$(url /big.txt)"
	assert_code 200
	assert_header Content-Length 5368709120
	curl_i -r 4294967300-4294967313 "$(url /big.txt)"
	assert_code 206
	assert_header Content-Range 'bytes 4294967300-4294967313/5368709120'
	assert_eq "$(cat "$WS_DIR/body")" "MARK-past-4GiB"
	curl_i -r -4 "$(url /big.txt)"
	assert_eq "$(cat "$WS_DIR/body")" "END!"
	# the tail past 4 GiB, from an open-ended range
	curl_i -r 5368709116- "$(url /big.txt)"
	assert_header Content-Length 4
	assert_eq "$(cat "$WS_DIR/body")" "END!"
	# a range across the 4 GiB line
	curl_i -r 4294967290-4294967309 "$(url /big.txt)"
	assert_header Content-Length 20
	assert_eq "$(tr -d '\0' <"$WS_DIR/body")" "MARK-past-"
}

@test "files: DefaultType serves unknown extensions with that type; without it they stay 501" {
	start_ws
	curl_i "$(url /file.xyz)"
	assert_code 501
	start_ws 'DefaultType application/octet-stream'
	curl_i "$(url /file.xyz)"
	assert_code 200
	assert_header Content-Type application/octet-stream
}

@test "files: TypesConfig reads a mime.types file; ContentType lines still win" {
	printf '# comment\ntext/x-foo\tfoo bar\napplication/x-nothing\ntext/x-old xyz\n' >"$WS_DIR/mime.types"
	printf 'foo\n' >"$WS_ROOT/a.foo"
	printf 'bar\n' >"$WS_ROOT/a.bar"
	start_ws "TypesConfig $WS_DIR/mime.types" 'ContentType .xyz text/x-new'
	curl_i "$(url /a.foo)"
	assert_header Content-Type text/x-foo
	curl_i "$(url /a.bar)"
	assert_header Content-Type text/x-foo
	curl_i "$(url /file.xyz)"
	assert_header Content-Type text/x-new
	printf 'TypesConfig /nonexistent/mime.types\n' >>"$WS_CONF"
	run "$WS" -n -f "$WS_CONF"
	assert_eq "$status" 1
	assert_contains "$output" "$WS_CONF:"
}

@test "files: a directory without an index is 404 unless DirectoryListing is on" {
	start_ws
	curl_i "$(url /empty/)"
	assert_code 404
	run "$WS" -n -f "$WS_CONF"
	assert_eq "$status" 0
}

@test "files: DirectoryListing on lists names sorted, escaped, percent-encoded, with sizes and times, no dotfiles" {
	mkdir "$WS_ROOT/list" "$WS_ROOT/list/zdir"
	printf '12345' >"$WS_ROOT/list/b.txt"
	printf '1' >"$WS_ROOT/list/a <x>&\"q\".txt"
	printf 's' >"$WS_ROOT/list/.secret"
	start_ws 'DirectoryListing on'
	curl_i "$(url /list/)"
	assert_code 200
	assert_header_match Content-Type '^text/html'
	local body
	body=$(cat "$WS_DIR/body")
	assert_contains "$body" '<a href="a%20%3Cx%3E%26%22q%22.txt">a &lt;x&gt;&amp;&quot;q&quot;.txt</a>'
	assert_contains "$body" '<a href="b.txt">b.txt</a></td><td>5</td>'
	assert_contains "$body" '<a href="zdir/">zdir/</a>'
	assert_not_contains "$body" 'secret'
	assert_match "$body" 'a%20.*b\.txt.*zdir'
	assert_match "$body" '(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} '
	# an index still wins over a listing
	curl_i "$(url /sub2/)"
	assert_eq "$(cat "$WS_DIR/body")" "sub2 html"
}

@test "files: a path segment starting with a dot is 404, except /.well-known/" {
	mkdir -p "$WS_ROOT/.well-known" "$WS_ROOT/sub/.git"
	printf 'token\n' >"$WS_ROOT/.well-known/acme.txt"
	printf 'x\n' >"$WS_ROOT/.htpasswd.txt"
	printf 'x\n' >"$WS_ROOT/sub/.git/config.txt"
	printf 'x\n' >"$WS_ROOT/.well-known/.hidden.txt"
	start_ws
	local p
	for p in /.htpasswd.txt /sub/.git/config.txt /%2ehtpasswd.txt /.well-known/.hidden.txt; do
		curl_i "$(url "$p")"
		assert_code 404
	done
	curl_i "$(url /.well-known/acme.txt)"
	assert_code 200
	assert_eq "$(cat "$WS_DIR/body")" "token"
}

@test "files: FILE.gz is sent with Content-Encoding: gzip to clients that take gzip" {
	printf 'plain text, long enough to be worth compressing\n' >"$WS_ROOT/doc.txt"
	gzip -k "$WS_ROOT/doc.txt"
	start_ws
	curl_i --compressed "$(url /doc.txt)"
	assert_code 200
	assert_header Content-Encoding gzip
	assert_header Vary Accept-Encoding
	assert_header Content-Type text/plain
	assert_eq "$(cat "$WS_DIR/body")" "$(cat "$WS_ROOT/doc.txt")"
	assert_header Content-Length "$(stat -c %s "$WS_ROOT/doc.txt.gz")"
	# no gzip wanted, or refused with q=0: the plain file
	curl_i "$(url /doc.txt)"
	assert_no_header Content-Encoding
	assert_eq "$(cat "$WS_DIR/body")" "$(cat "$WS_ROOT/doc.txt")"
	curl_i -H 'Accept-Encoding: gzip;q=0, identity' "$(url /doc.txt)"
	assert_no_header Content-Encoding
	# no twin: the plain file
	curl_i --compressed "$(url /a.txt)"
	assert_no_header Content-Encoding
}

@test "files: ServerIP ::1 serves over IPv6, and :: takes IPv4 and IPv6" {
	WS_DEFAULT_CONF=("${WS_DEFAULT_CONF[@]/ServerIP 127.0.0.1/ServerIP ::1}")
	start_ws
	assert_contains "$(cat "$WS_DIR/stderr")" "listening on [::1]:$WS_PORT"
	curl_i -g "http://[::1]:$WS_PORT/index.html"
	assert_code 200
	stop_ws
	WS_DEFAULT_CONF=("${WS_DEFAULT_CONF[@]/ServerIP ::1/ServerIP ::}")
	start_ws
	curl_i -g "http://[::1]:$WS_PORT/index.html"
	assert_code 200
	curl_i "$(url /index.html)"
	assert_code 200
}
