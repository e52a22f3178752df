# test/helper.bash -- shared helpers for the ws bats suite.
#
# Every .bats file does `load helper`.  The suite is run once per mode:
#     WS_MODE=fork bats test      WS_MODE=thread bats test
# The binary is $WS, else ../ws next to this directory.
#
# Conventions
#   * Each test gets its own directory $WS_DIR (under $BATS_TEST_TMPDIR):
#       $WS_DIR/www        the DocumentRoot (see make_docroot)
#       $WS_DIR/ws.conf    the configuration actually used (ws.conf.in is
#                          the template, @PORT@ standing for the port)
#       $WS_DIR/stderr     what ws wrote to standard error
#       $WS_DIR/cwd        ws's working directory (empty, so that a path
#                          wrongly taken relative to the cwd finds nothing)
#       $WS_DIR/secret.*, $WS_DIR/outside/   files outside the root
#   * start_ws [LINE...] writes the default configuration with every LINE
#     added; a LINE whose directive is already in the default replaces it
#     (ContentType lines are always added).
#   * Request bytes are given as printf FORMAT strings: write `%%` for a
#     literal percent sign, `\r\n` for CRLF, `\000` for NUL.
#   * Every wait is bounded; nothing listens anywhere but loopback.
#
# Speed: bats runs a DEBUG trap before every command, which makes each
# shell command inside a helper cost about half a millisecond.  The busy
# helpers therefore run through `fast`, which lifts that trap while they
# run.  Functions run by `fast` are called in an `||` context, where
# `set -e` does not apply: they check every step themselves (`|| return 1`).

bats_require_minimum_version 1.5.0

export LC_ALL=C

WS=${WS:-$BATS_TEST_DIRNAME/../ws}
WS_MODE=${WS_MODE:-fork}
WS_HOST=127.0.0.1
WS_TIMEOUT=${WS_TIMEOUT:-5} # seconds allowed for any single read

WS_DEFAULT_CONF=(
	'# ws test configuration'
	'ServerIP 127.0.0.1'
	'ListenPort @PORT@'
	'DocumentRoot "www"'
	'DirectoryIndex index.html index.htm'
	'ContentType .html text/html'
	'ContentType .htm text/html'
	'ContentType .txt text/plain'
	'ContentType .css text/css'
	'ContentType .png image/png'
	'KeepaliveTime 10'
	'RequestMethodSupport GET,HEAD,OPTIONS,POST'
)

# The page every test serves as /index.html (and /).
INDEX_HTML='<html><head><title>ws test page</title></head><body>
<h1>ws test page</h1>
<p>It works.</p>
</body></html>
'
INDEX_MTIME='2020-01-02 03:04:05 UTC'
INDEX_LASTMOD='Thu, 02 Jan 2020 03:04:05 GMT'
SECRET='TOPSECRET-outside-the-document-root'

HTTP_DATE_RE='^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT$'

# ---------------------------------------------------------------- basics

flunk() {
	printf '%s\n' "$@" >&2
	return 1
}

# fast FUNCTION [ARG...]: run FUNCTION without bats' DEBUG trap.
WS_FAST=
WS_DBG_TRAP=
fast() {
	if [ -n "$WS_FAST" ] || [ -z "$WS_DBG_TRAP" ]; then
		"$@"
		return
	fi
	local _rc=0
	WS_FAST=1
	trap - DEBUG
	"$@" || _rc=$?
	WS_FAST=
	# after a failure bats lifts the trap itself to freeze the stack trace
	[ -n "${BATS_ERROR_STATUS:-}" ] || eval "$WS_DBG_TRAP"
	return $_rc
}

# Show what ws said and the last response, to make a failure readable.
ws_dump() {
	if [ -n "${WS_DIR:-}" ] && [ -f "$WS_DIR/stderr" ]; then
		echo "--- ws stderr (last lines):" >&2
		tail -n 20 "$WS_DIR/stderr" >&2
	fi
	if [ -n "${R_RAW:-}" ]; then
		printf -- '--- last response: %q\n' "$R_RAW" >&2
	fi
	return 0
}

file_size() { stat -c %s "$1"; }

# The exercise's error page around TEXT.
errpage() { printf '<html><body>%s</body></html>' "$1"; }

# ---------------------------------------------------------------- files

make_docroot() {
	local r=$1 d
	d=$(dirname "$r")
	mkdir -p "$r" "$r/sub" "$r/sub2" "$r/empty" "$d/outside"
	printf '%s' "$INDEX_HTML" >"$r/index.html"
	touch -d "$INDEX_MTIME" "$r/index.html"
	printf '<p>fragment without a body tag</p>\n' >"$r/nobody.html"
	printf '<HTML><HEAD><TITLE>upper</TITLE></HEAD><BODY class="main">\n<p>upper</p>\n</BODY></HTML>\n' >"$r/upper.html"
	printf 'alpha text\n' >"$r/a.txt"
	printf 'body { color: red; }\n' >"$r/style.css"
	printf '\211PNG\r\n\032\n\000\000\000\rIHDR\000\000\000\001\000\000\000\001\010\002\000\000\000\220wS\336' >"$r/image.png"
	printf 'unknown type\n' >"$r/file.xyz"
	printf '<html><body>upper-case extension</body></html>\n' >"$r/PAGE.HTML"
	printf 'space in the name\n' >"$r/a b.txt"
	printf 'sub htm\n' >"$r/sub/index.htm"
	printf 'sub page\n' >"$r/sub/page.txt"
	printf 'sub2 html\n' >"$r/sub2/index.html"
	printf 'sub2 htm\n' >"$r/sub2/index.htm"
	# Things outside the root that no request may ever reach.
	printf '%s\n' "$SECRET" >"$d/secret.txt"
	printf '%s\n' "$SECRET" >"$d/secret.html"
	printf '%s\n' "$SECRET" >"$d/outside/secret.txt"
	ln -s ../secret.txt "$r/link.txt"
	ln -s ../outside "$r/outlink"
	# abslink.html -> $WS_DIR/secret.html is made per test by ws_init
}

# ws_init: fresh per-test directory with a docroot (called from setup).
_ws_init() {
	local base=${BATS_TEST_TMPDIR:-${BATS_RUN_TMPDIR:-/tmp}}
	local tmpl=${BATS_FILE_TMPDIR:-$base}/ws-template
	if [ ! -d "$tmpl" ]; then
		mkdir -p "$tmpl/cwd" || return 1
		make_docroot "$tmpl/www" || return 1
	fi
	WS_DIR=$(mktemp -d "$base/ws.XXXXXX") || return 1
	cp -a "$tmpl/." "$WS_DIR/" || return 1
	WS_ROOT=$WS_DIR/www WS_CONF=$WS_DIR/ws.conf
	WS_PID= WS_PIDS=() WS_PORT= WS_FD= WS_REQ_FD= WS_OPEN_FDS=()
	ln -s "$WS_DIR/secret.html" "$WS_ROOT/abslink.html" || return 1
	[ -x "$WS" ] || flunk "ws binary not found or not executable: $WS (run make first)"
}
ws_init() {
	# A write to a connection the server closed must fail, not kill the test.
	trap '' PIPE
	WS_DBG_TRAP=$(trap -p DEBUG)
	fast _ws_init
}

# write_conf_template [LINE...]: default conf + LINEs -> $WS_CONF.in
# (or $WS_CONF_TEMPLATE).
_write_conf_template() {
	local out=${WS_CONF_TEMPLATE:-$WS_CONF.in} line name extra skip text=
	local -a names=()
	for extra in "$@"; do
		name=${extra%%[[:space:]]*}
		case $name in ContentType | .*) ;; *) names+=("$name") ;; esac
	done
	for line in "${WS_DEFAULT_CONF[@]}"; do
		name=${line%%[[:space:]]*}
		skip=
		for extra in "${names[@]}"; do
			[ "$extra" != "$name" ] || skip=1
			# ListenPort and its alias Listen replace each other
			[ "$extra" != Listen ] || [ "$name" != ListenPort ] || skip=1
		done
		[ -n "$skip" ] || text+="$line"$'\n'
	done
	for extra in "$@"; do text+="$extra"$'\n'; done
	printf '%s' "$text" >"$out"
}
write_conf_template() { fast _write_conf_template "$@"; }

# ---------------------------------------------------------------- processes

# ws_alive PID: PID exists and is not a zombie.
ws_alive() {
	local st
	{ read -r st <"/proc/$1/stat"; } 2>/dev/null || return 1
	st=${st##*) }
	[[ ${st:0:1} != Z ]]
}

# wait_dead PID SECONDS: poll (10 ms) until PID is gone or a zombie.
_wait_dead() {
	local pid=$1 i n=$(($2 * 100))
	for ((i = 0; i < n; i++)); do
		ws_alive "$pid" || return 0
		sleep 0.01
	done
	return 1
}
wait_dead() { fast _wait_dead "$@"; }

# find_daemon CONF: the pid of the process run as `ws -d -f CONF ...`.
find_daemon() {	# "-d -f CONF" anywhere in argv: ws may run under valgrind
	local p i
	local -a argv
	for p in /proc/[0-9]*; do
		mapfile -d '' -t argv <"$p/cmdline" 2>/dev/null || continue
		for ((i = 1; i + 2 < ${#argv[@]}; i++)); do
			[[ ${argv[i]} == -d && ${argv[i + 1]:-} == -f && ${argv[i + 2]:-} == "$1" ]] || continue
			echo "${p#/proc/}"
			break
		done
	done
	return 0
}

ws_children() { ps -o pid= --ppid "$1" 2>/dev/null | tr -d ' '; }
ws_children_stat() { ps -o pid=,stat= --ppid "$1" 2>/dev/null; }
ws_threads() { ls "/proc/$1/task" 2>/dev/null | wc -l; }

random_port() { echo $((20000 + RANDOM % 40000)); }

# ws_launch TEMPLATE [ARG...]
#   Writes TEMPLATE (minus .in) with @PORT@ replaced by a random port and
#   starts ws on it (or passes -p PORT when the template has no @PORT@),
#   retrying when the bind fails; waits for the `ws: listening on` line.
#   Sets WS_PID, WS_PORT, WS_CONF.  ARGs are added to ws's command line.
_ws_launch() {
	local tpl=$1 attempt port i rc text
	local -a args lines
	shift
	WS_CONF=${tpl%.in}
	text=$(<"$tpl") || return 1
	for ((attempt = 0; attempt < 20; attempt++)); do
		port=$((20000 + RANDOM % 40000))
		printf '%s\n' "${text//@PORT@/$port}" >"$WS_CONF" || return 1
		args=(-f "$WS_CONF" -m "$WS_MODE")
		[[ $text == *@PORT@* ]] || args+=(-p "$port")
		: >"$WS_DIR/stderr"
		(
			# none of our descriptors (connections, bats' pipes) for ws
			for f in /proc/$BASHPID/fd/*; do
				f=${f##*/}
				[ "$f" -le 2 ] || eval "exec $f>&-"
			done 2>/dev/null
			cd "$WS_DIR/cwd" && exec env --default-signal=INT,QUIT,TERM,PIPE "$WS" "${args[@]}" "$@" \
				</dev/null >"$WS_DIR/stdout" 2>"$WS_DIR/stderr"
		) &
		WS_PID=$!
		WS_PIDS+=("$WS_PID")
		for ((i = 0; i < 500; i++)); do
			mapfile -t lines <"$WS_DIR/stderr"
			if [[ ${lines[*]} == *"ws: listening on"* ]]; then
				WS_PORT=$port
				return 0
			fi
			if ! ws_alive "$WS_PID"; then
				rc=0
				wait "$WS_PID" || rc=$?
				mapfile -t lines <"$WS_DIR/stderr"
				if [[ $rc == 1 && ${lines[*]} == *"ws: bind"* ]]; then
					continue 2 # port in use: try another
				fi
				ws_dump
				flunk "ws exited with status $rc before listening (args: ${args[*]} $*)"
				return 1
			fi
			sleep 0.01
		done
		ws_dump
		flunk "ws did not print 'ws: listening on' within 5 s"
		return 1
	done
	ws_dump
	flunk "could not find a free port in 20 attempts"
}
ws_launch() { fast _ws_launch "$@"; }

# start_ws [LINE...]: default configuration plus LINEs, mode $WS_MODE.
start_ws() {
	write_conf_template "$@"
	ws_launch "$WS_CONF.in"
}

# stop_ws [PID]: SIGTERM, bounded wait, then SIGKILL.  Also ends the
# children (fork mode) that were still serving connections.
_stop_ws() {
	local pid=${1:-$WS_PID} kids k cmd
	[ -n "$pid" ] || return 0
	kids=$(ws_children "$pid")
	if ws_alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		_wait_dead "$pid" 3 || kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	for k in $kids; do
		# only our own ws processes (their command line names $WS_DIR)
		cmd=$(tr '\0' ' ' <"/proc/$k/cmdline" 2>/dev/null)
		[[ $cmd != *"$WS_DIR"* ]] || kill -KILL "$k" 2>/dev/null
	done
	return 0
}
stop_ws() { fast _stop_ws "$@"; }

_ws_teardown() {
	local p
	ws_close_all
	for p in "${WS_PIDS[@]}"; do _stop_ws "$p"; done
	WS_PIDS=() WS_PID=
	# a sanitizer build (make sanitize) reports on ws's standard error
	if [ -n "${WS_DIR:-}" ] && grep -qE 'ERROR: (Address|Leak|Thread)Sanitizer|runtime error:' \
	    "$WS_DIR/stderr" 2>/dev/null; then
		grep -A30 -E 'Sanitizer|runtime error:' "$WS_DIR/stderr" | head -60 >&2
		flunk "ws reported a sanitizer error"
		return 1
	fi
	return 0
}
ws_teardown() { fast _ws_teardown; }

# Default hooks; a .bats file may define its own and call these.
setup() { ws_init; }
teardown() { ws_teardown; }

# ---------------------------------------------------------------- connections

WS_OPEN_FDS=()

# ws_open [PORT [HOST]]: connect; sets WS_FD.
ws_open() {
	local port=${1:-$WS_PORT} host=${2:-$WS_HOST} fd
	exec {fd}<>"/dev/tcp/$host/$port" || flunk "cannot connect to $host:$port" || return 1
	WS_FD=$fd
	WS_OPEN_FDS+=("$fd")
}

# ws_send FORMAT [ARG...]: printf to the current connection, in a single
# write (bash's printf writes line by line; pipelining tests need the
# bytes together), via a file so that NUL bytes survive.
ws_send() {
	# shellcheck disable=SC2059
	printf "$@" >"$WS_DIR/.send" && cat "$WS_DIR/.send" >&"$WS_FD"
}

# ws_close [FD]: close a connection opened by ws_open (once only: closing
# a number twice could close a descriptor that bash or bats reuses).
ws_close() {
	local fd=${1:-$WS_FD} i found=
	[ -n "$fd" ] || return 0
	for i in "${!WS_OPEN_FDS[@]}"; do
		if [ "${WS_OPEN_FDS[i]}" = "$fd" ]; then
			unset 'WS_OPEN_FDS[i]'
			found=1
		fi
	done
	[ -z "$found" ] || exec {fd}>&-
	[ "${WS_REQ_FD:-}" != "$fd" ] || WS_REQ_FD=
	return 0
}

ws_close_all() {
	local fd
	for fd in "${WS_OPEN_FDS[@]}"; do exec {fd}>&-; done
	WS_OPEN_FDS=() WS_REQ_FD=
}

# read_response [nobody]: read one response from fd $WS_FD (or $R_FD).
# Sets R_STATUS (status line, no CR), R_CODE, R_HEADERS (header lines
# without CR, each ending in LF), R_BODY, R_RAW (exact bytes read).  The
# body is framed by Content-Length; `nobody` (a HEAD response), 1xx, 204
# and 304 have none; without Content-Length the body runs to EOF.
_read_response() {
	local nobody=${1:-} fd=${R_FD:-$WS_FD} line cl rest
	R_STATUS= R_CODE= R_HEADERS= R_BODY= R_RAW=
	if ! IFS= read -r -t "$WS_TIMEOUT" -u "$fd" line; then
		R_RAW=$line
		return 1
	fi
	R_RAW+="$line"$'\n' R_STATUS=${line%$'\r'}
	R_CODE=${R_STATUS#* } && R_CODE=${R_CODE%% *}
	while IFS= read -r -t "$WS_TIMEOUT" -u "$fd" line; do
		R_RAW+="$line"$'\n' line=${line%$'\r'}
		[[ -n $line ]] || break
		R_HEADERS+="$line"$'\n'
	done
	if [[ -n $line ]] || [[ $R_RAW != *$'\n\r\n' && $R_RAW != *$'\n\n' ]]; then
		R_RAW+=$line
		flunk "response head cut short: $(printf '%q' "$R_RAW")"
		return 1
	fi
	case $R_CODE in 1?? | 204 | 304) return 0 ;; esac
	[ -z "$nobody" ] || return 0
	if _hdr_v Content-Length; then
		cl=$HV
		if [[ $cl =~ ^[0-9]+$ ]] && [ "$cl" -gt 0 ]; then
			IFS= read -r -N "$cl" -t "$WS_TIMEOUT" -u "$fd" R_BODY
			R_RAW+=$R_BODY
			[ "${#R_BODY}" = "$cl" ] || flunk "body cut short: got ${#R_BODY} of $cl bytes" || return 1
		fi
	else
		rest=$(timeout "$WS_TIMEOUT" cat <&"$fd"; printf x)
		R_BODY=${rest%x}
		R_RAW+=$R_BODY
	fi
	return 0
}
read_response() { fast _read_response "$@"; }

# hdr_v NAME: set HV to the value of header NAME (case-insensitive, first
# occurrence, surrounding blanks trimmed) and HN to how many times it
# appears in R_HEADERS; status 1 when absent.
# hdr NAME prints the value; hdr_count NAME prints the count.
_hdr_v() {
	local l=$'\n'${R_HEADERS,,} n=${1,,} r re rc=0
	r=${l//$'\n'"$n:"/} re=$'\n'"$n"$':[ \t]*([^\n]*[^ \t\n])?'
	HN=$(((${#l} - ${#r}) / (${#n} + 2))) HV=
	[[ $HN -gt 0 ]] || return 1
	shopt -s nocasematch
	[[ $'\n'$R_HEADERS =~ $re ]] || rc=1
	shopt -u nocasematch
	HV=${BASH_REMATCH[1]}
	return $rc
}
hdr_v() { fast _hdr_v "$@"; }

hdr() {
	_hdr_v "$1" || return 1
	printf '%s' "$HV"
}

hdr_count() {
	_hdr_v "$1"
	printf '%s' "$HN"
}

# expect_closed [SECONDS]: the server closes the connection (EOF or reset)
# within SECONDS (default 3) without sending anything more.
expect_closed() {
	local t=${1:-3} x rc=0 more
	IFS= read -r -d '' -N 1 -t "$t" -u "$WS_FD" x || rc=$?
	if [ "$rc" -gt 128 ]; then
		flunk "connection still open after ${t}s (expected the server to close it)"
		return 1
	fi
	if [ -n "$x" ]; then
		more=$(timeout 1 cat <&"$WS_FD" | head -c 300)
		flunk "expected close, got more bytes: $(printf '%q' "$x$more")"
		return 1
	fi
	return 0
}

# expect_open [SECONDS]: nothing arrives and the connection stays open for
# SECONDS (default 0.2).
expect_open() {
	local t=${1:-0.2} x rc=0
	IFS= read -r -d '' -N 1 -t "$t" -u "$WS_FD" x || rc=$?
	if [ "$rc" -le 128 ]; then
		if [ -n "$x" ]; then
			flunk "unexpected bytes on an idle connection: $(printf '%q' "$x")"
		else
			flunk "the server closed a connection that should stay open"
		fi
		return 1
	fi
	return 0
}

# expect_conn_as_said: the connection does what the last response's
# Connection header said.
expect_conn_as_said() {
	_hdr_v Connection || flunk "no Connection header" || return 1
	case ${HV,,} in
	close) expect_closed 3 ;;
	keep-alive) expect_open 0.2 ;;
	*) flunk "Connection: $HV is neither keep-alive nor close" ;;
	esac
}

# ws_request FORMAT [ARG...]: new connection (the previous one made by
# ws_request is closed), send, read one response.
_ws_request() {
	local nobody=
	if [ "$1" = --nobody ]; then
		nobody=nobody
		shift
	fi
	[ -z "${WS_REQ_FD:-}" ] || ws_close "$WS_REQ_FD"
	ws_open || return 1
	WS_REQ_FD=$WS_FD
	ws_send "$@" || flunk "could not send the request" || return 1
	_read_response $nobody || {
		ws_dump
		flunk "no complete response to $(printf '%q' "$*")"
	}
}
ws_request() { fast _ws_request "$@"; }

# ws_request_nobody FORMAT...: like ws_request, for a HEAD request.
ws_request_nobody() { fast _ws_request --nobody "$@"; }

# ws_raw FORMAT [ARG...]: new connection, send, read everything until the
# server closes (bounded).  $WS_DIR/raw holds the exact bytes, RAW the
# same (without NULs).  parse_responses splits them.
ws_raw() {
	ws_open || return 1
	ws_send "$@" 2>/dev/null
	timeout "$WS_TIMEOUT" cat <&"$WS_FD" >"$WS_DIR/raw"
	ws_close
	RAW=$(cat "$WS_DIR/raw"; printf x)
	RAW=${RAW%x}
	return 0
}

# parse_responses FILE [NOBODY_INDEXES]: split FILE into responses.
# Sets RS_N, RS_STATUS[i], RS_CODE[i], RS_HEADERS[i], RS_BODY[i],
# RS_RAW[i] (i from 1) and RS_REST (bytes after the last complete
# response).  NOBODY_INDEXES (e.g. "2") are responses to HEAD requests.
_parse_responses() {
	local file=$1 nobody=" ${2:-} " fd i=0 flag
	RS_N=0 RS_STATUS=() RS_HEADERS=() RS_BODY=() RS_RAW=() RS_CODE=() RS_REST=
	exec {fd}<"$file"
	while :; do
		i=$((i + 1))
		flag=
		[[ $nobody != *" $i "* ]] || flag=nobody
		R_FD=$fd _read_response $flag 2>/dev/null || {
			RS_REST=$R_RAW
			break
		}
		RS_N=$i
		RS_STATUS[i]=$R_STATUS RS_CODE[i]=$R_CODE RS_HEADERS[i]=$R_HEADERS RS_BODY[i]=$R_BODY RS_RAW[i]=$R_RAW
	done
	exec {fd}<&-
	return 0
}
parse_responses() { fast _parse_responses "$@"; }

# use_response I: load response I from parse_responses into R_*.
use_response() {
	R_STATUS=${RS_STATUS[$1]} R_CODE=${RS_CODE[$1]} R_HEADERS=${RS_HEADERS[$1]}
	R_BODY=${RS_BODY[$1]} R_RAW=${RS_RAW[$1]}
}

# ---------------------------------------------------------------- assertions

assert_eq() {
	if [ "$1" != "$2" ]; then
		printf 'expected: %q\nactual:   %q\n' "$2" "$1" >&2
		[ -z "${3:-}" ] || printf '%s\n' "$3" >&2
		return 1
	fi
}

assert_match() {
	if ! [[ $1 =~ $2 ]]; then
		printf 'expected to match: %s\nactual: %q\n' "$2" "$1" >&2
		return 1
	fi
}

assert_contains() {
	if [[ $1 != *"$2"* ]]; then
		printf 'expected to contain: %q\nactual: %q\n' "$2" "$1" >&2
		return 1
	fi
}

assert_not_contains() {
	if [[ $1 == *"$2"* ]]; then
		printf 'expected NOT to contain: %q\nactual: %q\n' "$2" "$1" >&2
		return 1
	fi
}

assert_status() {
	[ "$R_STATUS" = "$1" ] || {
		ws_dump
		flunk "expected status line: $1" "actual status line:   $R_STATUS"
	}
}

assert_code() {
	[ "$R_CODE" = "$1" ] || {
		ws_dump
		flunk "expected status code $1, got: $R_STATUS"
	}
}

_assert_header() {
	_hdr_v "$1"
	[ "$HN" = 1 ] || {
		ws_dump
		flunk "expected exactly one $1 header, found $HN" "headers: $R_HEADERS"
		return 1
	}
	[ "$HV" = "$2" ] || {
		ws_dump
		flunk "header $1: expected '$2', got '$HV'"
	}
}
assert_header() { fast _assert_header "$@"; }

_assert_header_match() {
	_hdr_v "$1" || {
		ws_dump
		flunk "missing header $1" "headers: $R_HEADERS"
		return 1
	}
	[[ $HV =~ $2 ]] || {
		ws_dump
		flunk "header $1: '$HV' does not match /$2/"
	}
}
assert_header_match() { fast _assert_header_match "$@"; }

assert_no_header() {
	if _hdr_v "$1"; then
		ws_dump
		flunk "unexpected header $1: $HV"
		return 1
	fi
}

assert_body() {
	[ "$R_BODY" = "$1" ] || {
		printf 'expected body: %q\nactual body:   %q\n' "$1" "$R_BODY" >&2
		ws_dump
		return 1
	}
}

# assert_error CODE_AND_REASON TEXT: status line ends in CODE_AND_REASON,
# body is errpage(TEXT), text/html, exact Content-Length.
_assert_error() {
	[[ $R_STATUS == HTTP/1.[01]" $1" ]] || {
		ws_dump
		flunk "expected status '... $1', got '$R_STATUS'"
		return 1
	}
	assert_body "<html><body>$2</body></html>" || return 1
	_assert_header Content-Length "${#R_BODY}" || return 1
	_assert_header_match Content-Type '^text/html'
}
assert_error() { fast _assert_error "$@"; }

# Every response: Date (HTTP-date), Server, Connection keep-alive|close,
# each once; all but 1xx/204/304: Content-Length (exact when the body was
# read) and Content-Type.  `nobody` for HEAD responses.
_assert_common_headers() {
	_assert_header_match Date "$HTTP_DATE_RE" || return 1
	[ "$HN" = 1 ] || flunk "Date header repeated" || return 1
	_assert_header_match Server '.' || return 1
	_assert_header_match Connection '^(keep-alive|close)$' || return 1
	[ "$HN" = 1 ] || flunk "Connection header repeated" || return 1
	case $R_CODE in
	1?? | 204 | 304)
		assert_no_header Content-Length || return 1
		assert_eq "$R_BODY" "" || return 1
		;;
	*)
		_assert_header_match Content-Type '.' || return 1
		_hdr_v Content-Length
		[ "$HN" = 1 ] || flunk "expected one Content-Length, found $HN" || return 1
		[ "${1:-}" = nobody ] || _assert_header Content-Length "${#R_BODY}" || return 1
		;;
	esac
	return 0
}
assert_common_headers() { fast _assert_common_headers "$@"; }

# allow_set: the Allow header as a sorted, space separated list.
allow_set() {
	_hdr_v Allow || flunk "no Allow header" || return 1
	printf '%s' "$HV" | tr ', ' '\n\n' | grep -v '^$' | sort | tr '\n' ' ' | sed 's/ $//'
}

# ---------------------------------------------------------------- telnet

require_telnet() {
	command -v telnet >/dev/null 2>&1 || {
		echo "ERROR: the real 'telnet' client is required by this suite (Debian package 'telnet'; 'make test' installs it as root: apt-get install telnet)." >&2
		return 1
	}
}
