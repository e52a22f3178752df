#!/usr/bin/env bats
# Issue 9: defects in the tree, memory and daemon.
#   PUT         a full disk (ENOSPC, EFBIG) answers 507, leaves the old
#               file, no temporary file and no descriptor behind; stale
#               .ws-put-* files of killed PUTs are swept
#   body memory the request body buffer grows as bytes arrive; a failed
#               allocation answers that request (503 or 413), never more;
#               LimitRequestBody is at most 1 GiB
#   daemon      ws -d with Chroot on, User and a PidFile outside the root
#   beneath     every access to the tree goes through the root descriptor:
#               no absolute path inside DocumentRoot is ever handed to the
#               kernel (strace), and a directory swapped for a symbolic
#               link never lets a request reach outside (race, best effort)

load helper

ALL='RequestMethodSupport GET,HEAD,OPTIONS,POST,PUT,DELETE'
GIB=1073741824

setup() {
	ws_init
	MOUNTED= STRACE_PID= SWAP_PID= WRITER_PID=
}

teardown() {
	local p
	for p in $STRACE_PID $SWAP_PID $WRITER_PID; do
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	ws_teardown
	local rc=$?
	if [ -n "$MOUNTED" ]; then
		umount "$MOUNTED" 2>/dev/null || umount -l "$MOUNTED" 2>/dev/null || true
	fi
	return $rc
}

need_root() { [ "$(id -u)" = 0 ] || skip "needs root: $1"; }

# no_tools WHY: skip under valgrind and the sanitizer build (ws-san).
no_tools() { [[ $WS != *valgrind* && $WS != *san* ]] || skip "$1 (WS=$WS)"; }

# serving_pid: SERVE_PID, the process serving the one open connection:
# ws itself in thread mode, its (only) child in fork mode.
serving_pid() {
	SERVE_PID=
	if [ "$WS_MODE" = thread ]; then
		SERVE_PID=$WS_PID
		return 0
	fi
	local i
	for ((i = 0; i < 250; i++)); do
		SERVE_PID=$(ws_children "$WS_PID" | head -n1)
		[ -z "$SERVE_PID" ] || return 0
		sleep 0.02
	done
	flunk "no child of $WS_PID serves the connection"
}

fd_count() { ls "/proc/$1/fd" | wc -l; }
vm_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# send_file FILE: its exact bytes on the current connection.
send_file() { cat "$1" >&"$WS_FD"; }

# put_request FILE METHOD PATH BODYFILE [EXTRA_HEADER_LINES]: append a
# request with BODYFILE's bytes as its body to FILE.
put_request() {
	local n
	n=$(stat -c %s "$4")
	printf '%s %s HTTP/1.1\r\nHost: x\r\nContent-Length: %s\r\n%s\r\n' "$2" "$3" "$n" "${5:-}" >>"$1"
	cat "$4" >>"$1"
}

keepalive_get_a() {
	ws_send "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
	read_response
	assert_status "HTTP/1.1 200 OK"
	assert_body $'alpha text\n'
	assert_header Connection keep-alive
}

# full_disk_puts DIR: on one keep-alive connection, GET /a.txt, then one
# write of PUT DIR/old.txt (a replacement), PUT DIR/new.txt (a new file),
# both with 200000 bytes that DIR has no room for, and GET /a.txt: each
# PUT is 507 with its page, the GET after them intact, the serving
# process holds as many descriptors as before, DIR is as it was.
full_disk_puts() {
	local dir=$1 before after i
	head -c 200000 /dev/zero | tr '\0' y >"$WS_DIR/big.body"
	ws_open
	keepalive_get_a
	serving_pid
	before=$(fd_count "$SERVE_PID")
	: >"$WS_DIR/req"
	put_request "$WS_DIR/req" PUT "/$dir/old.txt" "$WS_DIR/big.body"
	put_request "$WS_DIR/req" PUT "/$dir/new.txt" "$WS_DIR/big.body"
	printf 'GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n' >>"$WS_DIR/req"
	send_file "$WS_DIR/req"
	read_response
	assert_error "507 Insufficient Storage" "507 Insufficient Storage"
	assert_common_headers
	assert_header Connection keep-alive
	read_response
	assert_error "507 Insufficient Storage" "507 Insufficient Storage"
	assert_header Connection keep-alive
	read_response
	assert_status "HTTP/1.1 200 OK"
	assert_body $'alpha text\n'
	assert_header Content-Length 11
	assert_header Connection keep-alive
	# bounded: a descriptor let go just after a response is no leak
	for ((i = 0; i < 50; i++)); do
		after=$(fd_count "$SERVE_PID")
		[ "$after" != "$before" ] || break
		sleep 0.02
	done
	assert_eq "$after" "$before" "descriptors of the serving process $SERVE_PID after the failed PUTs: $(ls -l "/proc/$SERVE_PID/fd")"
	expect_open 0.2
	ws_close
	assert_eq "$(cat "$WS_ROOT/$dir/old.txt")" "old contents" "the old file changed"
	assert_eq "$(ls -A "$WS_ROOT/$dir" | tr '\n' ' ')" "old.txt " "what the failed PUTs left in /$dir"
	ws_alive "$WS_PID" || flunk "ws died"
}

# ---------------------------------------------------------------- PUT

@test "PUT: a full disk (tmpfs, ENOSPC) is 507, old file kept, no .ws-put-* left, no descriptor leaked" {
	need_root "mount -t tmpfs"
	mkdir "$WS_ROOT/full"
	mount -t tmpfs -o size=64k,mode=0755 tmpfs "$WS_ROOT/full" 2>"$WS_DIR/mount.err" ||
		skip "mount -t tmpfs is refused here: $(cat "$WS_DIR/mount.err")"
	MOUNTED=$WS_ROOT/full
	printf 'old contents\n' >"$WS_ROOT/full/old.txt"
	local used
	used=$(df --output=used -k "$WS_ROOT/full" | tail -n1 | tr -d ' ')
	start_ws "$ALL"
	full_disk_puts full
	# the space is free again: no temporary file, open or unlinked, fills it
	assert_eq "$(df --output=used -k "$WS_ROOT/full" | tail -n1 | tr -d ' ')" "$used" "kB used on the tmpfs"
}

@test "PUT: a file size limit (RLIMIT_FSIZE, EFBIG) is 507 too, and kills nothing" {
	no_tools "prlimit on ws: the sanitizer and valgrind runtimes write files of their own"
	command -v prlimit >/dev/null || skip "no prlimit"
	mkdir "$WS_ROOT/lim"
	printf 'old contents\n' >"$WS_ROOT/lim/old.txt"
	start_ws "$ALL"
	# set on the main process before connecting: a fork child inherits it
	prlimit --pid "$WS_PID" --fsize=65536:
	full_disk_puts lim
	# and a PUT that fits still works under the limit
	ws_request "PUT /lim/small.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc"
	assert_status "HTTP/1.1 201 Created"
	assert_eq "$(cat "$WS_ROOT/lim/small.txt")" abc
}

@test "PUT: a stale .ws-put-* (older than 60 s) is swept, a fresh one kept; the file has the exact bytes, mode 0644" {
	umask 077 # ws inherits it: the mode must not come from the umask
	printf 'left by a killed PUT\n' >"$WS_ROOT/.ws-put-abc123"
	touch -d '2 minutes ago' "$WS_ROOT/.ws-put-abc123"
	printf 'a PUT in flight\n' >"$WS_ROOT/.ws-put-fresh0"
	head -c 3000 /dev/urandom >"$WS_DIR/blob"
	printf '\000\r\n\000' >>"$WS_DIR/blob"
	start_ws "$ALL"
	ws_open
	: >"$WS_DIR/req"
	put_request "$WS_DIR/req" PUT /new.bin "$WS_DIR/blob"
	printf 'GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >>"$WS_DIR/req"
	send_file "$WS_DIR/req"
	read_response
	assert_status "HTTP/1.1 201 Created"
	assert_body "$(errpage "201 Created")"
	assert_header_match Location '/new\.bin$'
	assert_common_headers
	read_response
	assert_body $'alpha text\n'
	expect_closed
	cmp "$WS_DIR/blob" "$WS_ROOT/new.bin" || flunk "the stored file differs from the body"
	assert_eq "$(stat -c %a "$WS_ROOT/new.bin")" 644 "mode of the stored file"
	[ ! -e "$WS_ROOT/.ws-put-abc123" ] || flunk "the stale .ws-put-abc123 (2 minutes old) is still there"
	assert_eq "$(cat "$WS_ROOT/.ws-put-fresh0")" "a PUT in flight" "the fresh .ws-put-fresh0"
	assert_eq "$(ls -A "$WS_ROOT" | grep '^\.ws-put-' | tr '\n' ' ')" ".ws-put-fresh0 "
}

# ---------------------------------------------------------------- memory

# grow_check HEAD_AND_START: one keep-alive GET, then HEAD_AND_START (a
# request head announcing a huge body and the start of it) and 100 bytes
# of body; the serving process's VmData grows by less than 64 MiB.
grow_check() {
	local before after
	start_ws "LimitRequestBody $GIB"
	ws_open
	keepalive_get_a
	serving_pid
	before=$(vm_kb "$SERVE_PID" VmData)
	ws_send "$1"
	ws_send '%0100d' 0
	sleep 0.3
	after=$(vm_kb "$SERVE_PID" VmData)
	[ -n "$after" ] || flunk "the serving process $SERVE_PID is gone"
	(((after - before) < 64 * 1024)) ||
		flunk "VmData of $SERVE_PID grew by $(((after - before) / 1024)) MiB for 100 bytes of body (before ${before} kB, after ${after} kB)"
	expect_open 0.1
	ws_close
	ws_alive "$WS_PID" || flunk "ws died"
	ws_request "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
}

@test "memory: Content-Length 1000000000 with 100 bytes sent grows VmData by less than 64 MiB" {
	grow_check "POST /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n"
}

@test "memory: a chunk of size 3B9ACA00 with 100 bytes sent grows VmData by less than 64 MiB" {
	grow_check "POST /index.html HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3B9ACA00\r\n"
}

@test "memory: a failed allocation answers that request (503 or 413) and closes; the server serves on" {
	no_tools "RLIMIT_AS: the sanitizer and valgrind runtimes reserve address space of their own"
	command -v prlimit >/dev/null || skip "no prlimit"
	start_ws "LimitRequestBody $GIB"
	local vmsize pid=$WS_PID code reason
	vmsize=$(vm_kb "$WS_PID" VmSize)
	# set on the main process before connecting: a fork child inherits it
	prlimit --pid "$WS_PID" --as=$(((vmsize + 100 * 1024) * 1024)):
	ws_open
	ws_send "POST /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 300000000\r\n\r\n"
	timeout 20 head -c 300000000 /dev/zero >&"$WS_FD" 2>/dev/null &
	WRITER_PID=$!
	WS_TIMEOUT=15 read_response ||
		flunk "no response to a body the server has no memory for" "--- ws stderr:" "$(tail -n 5 "$WS_DIR/stderr")"
	code=$R_CODE
	case $code in
	503) reason="Service Unavailable" ;;
	413) reason="Content Too Large" ;;
	*) flunk "expected 503 or 413, got: $R_STATUS" ;;
	esac
	assert_status "HTTP/1.1 $code $reason"
	assert_error "$code $reason" "$code $reason"
	assert_header Connection close
	assert_common_headers
	expect_closed 5
	ws_close
	kill "$WRITER_PID" 2>/dev/null || true
	wait "$WRITER_PID" 2>/dev/null || true
	WRITER_PID=
	ws_alive "$pid" || flunk "ws ($pid) died"
	assert_eq "$WS_PID" "$pid"
	ws_request "GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
	assert_body "$INDEX_HTML"
	ws_alive "$pid" || flunk "ws ($pid) died"
}

# check_conf VALUE: ws -n on a configuration with LimitRequestBody VALUE;
# sets status, output, stderr and LINE (the directive's line).
check_conf() {
	write_conf_template "LimitRequestBody $1"
	sed "s/@PORT@/8080/" "$WS_CONF.in" >"$WS_CONF"
	LINE=$(grep -n '^LimitRequestBody' "$WS_CONF" | cut -d: -f1)
	run --separate-stderr timeout 5 "$WS" -n -f "$WS_CONF"
}

@test "config: LimitRequestBody above 1 GiB is an error (FILE:LINE:, ws -n exits 1); 1 GiB is valid" {
	local v
	for v in 4294967296 1073741825; do
		check_conf "$v"
		[ "$status" -eq 1 ] || flunk "ws -n with LimitRequestBody $v exited $status, expected 1; stderr: $stderr"
		assert_eq "$output" ""
		[[ $'\n'$stderr == *$'\n'"$WS_CONF:$LINE: "?* ]] ||
			flunk "ws -n stderr lacks '$WS_CONF:$LINE: message' for LimitRequestBody $v: $stderr"
	done
	check_conf "$GIB"
	[ "$status" -eq 0 ] || flunk "LimitRequestBody $GIB: ws -n exited $status: $stderr"
	assert_eq "$stderr" ""
}

# ---------------------------------------------------------------- daemon

@test "daemon: ws -d with Chroot on, User nobody, PidFile outside the root: exits 0, serves, removes the pid file on SIGTERM" {
	need_root "Chroot and User"
	id nobody >/dev/null 2>&1 || skip "no user nobody"
	local try rc pid filepid p pidfile=$WS_DIR/run/ws.pid
	# The pid file's directory belongs to nobody, as /run/ws would: the
	# daemon is nobody when it exits, and can remove a file only from a
	# directory nobody may write ($WS_DIR is root's, mode 0700).
	mkdir "$WS_DIR/run"
	chown nobody "$WS_DIR/run"
	write_conf_template "Chroot on" "User nobody" "PidFile $pidfile"
	for ((try = 0; try < 10; try++)); do
		WS_PORT=$(random_port)
		sed "s/@PORT@/$WS_PORT/" "$WS_CONF.in" >"$WS_CONF"
		rc=0
		(cd "$WS_DIR/cwd" && exec timeout 5 "$WS" -d -f "$WS_CONF" -m "$WS_MODE" \
			</dev/null >"$WS_DIR/stdout" 2>"$WS_DIR/stderr" 3>&-) || rc=$?
		[ "$rc" != 0 ] && grep -q 'bind' "$WS_DIR/stderr" && continue
		break
	done
	pid=$(fast find_daemon "$WS_CONF")
	for p in $pid; do WS_PIDS+=("$p"); done
	filepid=$(cat "$pidfile" 2>/dev/null) || true
	[ -z "$filepid" ] || WS_PIDS+=("$filepid")
	assert_eq "$rc" 0 "ws -d exited $rc; stderr: $(cat "$WS_DIR/stderr"); pid file: ${filepid:-none}"
	[ -n "$pid" ] || flunk "no daemon running"
	assert_eq "$filepid" "$pid" "the pid file names the daemon"
	assert_eq "$(readlink "/proc/$pid/root")" "$(realpath "$WS_ROOT")" "the daemon's root"
	assert_eq "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" "$(id -u nobody)" "the daemon's uid"
	ws_request "GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	assert_status "HTTP/1.1 200 OK"
	assert_body "$INDEX_HTML"
	assert_header Content-Length "${#INDEX_HTML}"
	expect_closed
	ws_close_all
	kill -TERM "$pid"
	wait_dead "$pid" 3 || flunk "daemon still running 3 s after SIGTERM"
	[ ! -e "$pidfile" ] || flunk "pid file left behind: $(cat "$pidfile")"
}

# ---------------------------------------------------------------- beneath the root

# traced_by_all PID: every thread of PID has a tracer.
traced_by_all() {
	local t tp
	for t in /proc/$1/task/*; do
		tp=$(awk '/^TracerPid:/ { print $2 }' "$t/status" 2>/dev/null)
		[ -n "$tp" ] && [ "$tp" != 0 ] || return 1
	done
}

req_close() {
	ws_request "$1 $2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${3:+Content-Length: ${#3}\r\n}\r\n%s" "${3:-}"
}

@test "beneath: no system call names an absolute path inside DocumentRoot (strace: GET, index, listing, PUT, DELETE)" {
	no_tools "ptrace of ws"
	if ! command -v strace >/dev/null && [ "$(id -u)" = 0 ]; then
		apt-get install -y strace >/dev/null 2>&1 || true
	fi
	command -v strace >/dev/null || skip "strace is not installed and could not be installed (apt-get install strace)"
	printf 'listed\n' >"$WS_ROOT/empty/listed.txt"
	start_ws "$ALL" "DirectoryListing on"
	strace -f -s 4096 -p "$WS_PID" -e trace=%file -o "$WS_DIR/trace" 2>"$WS_DIR/strace.err" &
	STRACE_PID=$!
	local i
	for ((i = 0; i < 250; i++)); do
		traced_by_all "$WS_PID" && break
		ws_alive "$STRACE_PID" || skip "strace cannot attach here: $(cat "$WS_DIR/strace.err")"
		sleep 0.02
	done
	traced_by_all "$WS_PID" || skip "strace did not attach within 5 s: $(cat "$WS_DIR/strace.err")"

	req_close GET /index.html
	assert_status "HTTP/1.1 200 OK"
	assert_body "$INDEX_HTML"
	req_close GET /sub/
	assert_status "HTTP/1.1 200 OK"
	assert_body $'sub htm\n'
	req_close GET /empty/
	assert_status "HTTP/1.1 200 OK"
	assert_contains "$R_BODY" '<a href="listed.txt">listed.txt</a>'
	req_close PUT /new.txt one
	assert_status "HTTP/1.1 201 Created"
	assert_eq "$(cat "$WS_ROOT/new.txt")" one
	req_close PUT /new.txt two
	assert_status "HTTP/1.1 204 No Content"
	assert_eq "$(cat "$WS_ROOT/new.txt")" two
	req_close DELETE /new.txt
	assert_status "HTTP/1.1 204 No Content"
	[ ! -e "$WS_ROOT/new.txt" ] || flunk "DELETE left new.txt"
	req_close PUT /sub/p.txt three
	assert_status "HTTP/1.1 201 Created"
	assert_eq "$(cat "$WS_ROOT/sub/p.txt")" three
	ws_close_all

	kill -INT "$STRACE_PID"
	wait_dead "$STRACE_PID" 5 || kill -KILL "$STRACE_PID"
	wait "$STRACE_PID" 2>/dev/null || true
	STRACE_PID=
	ws_alive "$WS_PID" || flunk "ws died under strace"
	# the trace did see the requests
	grep -q '"[^"]*index\.html"' "$WS_DIR/trace" || flunk "the trace names no index.html: $(head -c 2000 "$WS_DIR/trace")"
	grep -q '"[^"]*p\.txt"' "$WS_DIR/trace" || flunk "the trace names no p.txt: $(head -c 2000 "$WS_DIR/trace")"
	local root real hits
	root=$WS_ROOT real=$(realpath "$WS_ROOT")
	hits=$(grep -F -e "\"$root" -e "\"$real" "$WS_DIR/trace" | head -n 20 || true)
	[ -z "$hits" ] || flunk "system calls named absolute paths inside the root:" "$hits"
	# and not relative to the working directory either: to a root descriptor
	hits=$(grep -E 'AT_FDCWD, "(index\.html|sub|empty|new\.txt|\.ws-put-)' "$WS_DIR/trace" | head -n 20 || true)
	[ -z "$hits" ] || flunk "system calls named paths of the tree relative to the working directory:" "$hits"
}

# Best effort: a race can only be tried, not forced; a pass says nothing
# got out in this many tries. The strace test above is the deterministic
# one. The swapper is perl (perl-base is essential on Debian), which flips
# the directory thousands of times a second; the client pipelines rounds
# of PUT, DELETE and GET listing, 100 rounds a connection, six clients
# at once, for 3 s.
@test "beneath: race/ swapped with a symbolic link to outside/ while PUT, DELETE and listings run: nothing outside touched or listed" {
	local out=$WS_DIR/outside before after i k n=0 ok listed
	mkdir "$WS_ROOT/race"
	printf 'inside\n' >"$WS_ROOT/race/inside.txt"
	printf 'SENTINEL\n' >"$out/x.txt"
	touch -d '1 hour ago' "$out/x.txt" "$out"
	before=$(stat -c '%i %s %y' "$out/x.txt" "$out/secret.txt" "$out"; ls -A "$out")
	start_ws "$ALL" "DirectoryListing on"
	if command -v perl >/dev/null; then
		perl -e '
			my ($root, $out, $stop) = @ARGV;
			my $end = time + 5;
			for (my $i = 0; $i < 2000000 && time < $end && !-e $stop; $i++) {
				rename "$root/race", "$root/.race-real";
				symlink $out, "$root/race";
				select(undef, undef, undef, 0.0002);
				unlink "$root/race";
				rename "$root/.race-real", "$root/race";
				select(undef, undef, undef, 0.0002);
			}' "$WS_ROOT" "$out" "$WS_DIR/stop" &
	else
		(
			end=$((SECONDS + 5))
			for ((i = 0; i < 5000 && SECONDS < end; i++)); do
				[ ! -e "$WS_DIR/stop" ] || break
				mv -T "$WS_ROOT/race" "$WS_ROOT/.race-real"
				ln -s "$out" "$WS_ROOT/race"
				rm -f "$WS_ROOT/race"
				mv -T "$WS_ROOT/.race-real" "$WS_ROOT/race"
			done
		) 2>/dev/null &
	fi
	SWAP_PID=$!
	: >"$WS_DIR/batch"
	for ((k = 0; k < 100; k++)); do
		printf 'PUT /race/x.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nEVIL' >>"$WS_DIR/batch"
		printf 'DELETE /race/x.txt HTTP/1.1\r\nHost: x\r\n\r\n' >>"$WS_DIR/batch"
		printf 'GET /race/ HTTP/1.1\r\nHost: x\r\n\r\n' >>"$WS_DIR/batch"
	done
	printf 'GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >>"$WS_DIR/batch"
	# six clients at once, each a connection after another for 3 s
	local t_end=$(($(date +%s) + 3)) c pids=()
	for c in 1 2 3 4 5 6; do
		(
			set +eE
			trap - DEBUG ERR
			for ((k = 0; k < 1000; k++)); do
				((${EPOCHREALTIME%.*} < t_end)) || break
				exec {fd}<>"/dev/tcp/$WS_HOST/$WS_PORT" || continue
				cat "$WS_DIR/batch" >&"$fd" 2>/dev/null
				timeout 5 cat <&"$fd" 2>/dev/null
				exec {fd}>&-
			done >"$WS_DIR/responses.$c"
			echo "$k" >"$WS_DIR/conns.$c"
		) &
		pids+=($!)
	done
	for c in "${pids[@]}"; do
		wait_dead "$c" 10 || kill -KILL "$c"
		wait "$c" 2>/dev/null || true
	done
	cat "$WS_DIR"/responses.? >"$WS_DIR/responses"
	n=$(cat "$WS_DIR"/conns.? | awk '{ s += $1 } END { print s }')
	touch "$WS_DIR/stop"
	wait_dead "$SWAP_PID" 5 || kill -KILL "$SWAP_PID"
	wait "$SWAP_PID" 2>/dev/null || true
	SWAP_PID=
	[ -d "$WS_ROOT/race" ] || mv -T "$WS_ROOT/.race-real" "$WS_ROOT/race" 2>/dev/null || true
	ok=$(grep -ac '^HTTP/1.1 201 ' "$WS_DIR/responses" || true)
	listed=$(grep -ac 'inside\.txt' "$WS_DIR/responses" || true)
	echo "# $n connections, $(grep -ac '^HTTP/1.1 ' "$WS_DIR/responses") responses, $ok PUTs created race/x.txt, $listed listings of race/" >&3
	ws_alive "$WS_PID" || flunk "ws died"
	after=$(stat -c '%i %s %y' "$out/x.txt" "$out/secret.txt" "$out"; ls -A "$out")
	assert_eq "$after" "$before" "outside/ (inode, size, mtime of x.txt, secret.txt and the directory; its names)"
	assert_eq "$(cat "$out/x.txt")" SENTINEL
	assert_eq "$(cat "$out/secret.txt")" "$SECRET"
	! grep -aq 'secret\.txt' "$WS_DIR/responses" || flunk "a listing showed the outside files: $(grep -a -m1 -B5 'secret\.txt' "$WS_DIR/responses")"
	! grep -aqF "$SECRET" "$WS_DIR/responses" || flunk "a response carried the secret"
	[ "$ok" -gt 0 ] || flunk "no PUT /race/x.txt succeeded in $n connections: the race was never run"
}
