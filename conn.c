/* A connection: deadline reads and writes, body framing, sending a
 * response description, lingering, and the keep-alive loop serve(). */
#define _XOPEN_SOURCE 700
#ifdef __linux__
#define _DEFAULT_SOURCE		/* MAP_ANONYMOUS */
#endif

#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#ifdef __linux__
#include <sys/sendfile.h>
#endif

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "conn.h"
#include "fs.h"
#include "http.h"
#include "log.h"
#include "resp.h"
#include "util.h"

#if !defined(MAP_ANONYMOUS) && defined(MAP_ANON)
#define MAP_ANONYMOUS MAP_ANON
#endif

#define SERVER		"ws/" VERSION

/* A stop: once the read end is readable, idle connections close, and the
 * flag, in memory shared with forked children, makes every response say
 * "Connection: close". Both are set up once, before serving. */
static int drain[2] = { -1, -1 };
static volatile sig_atomic_t *stopping, stop_here;

/* One connection: everything a request touches lives here, never in statics. */
struct conn {
	int in, out;
	const struct config *cf;
	char *buf;		/* request heads and what follows them */
	size_t cap, len;	/* its size, and the bytes it holds */
	size_t max;		/* the most it grows to: the limits, and SLACK */
	size_t head;		/* the current request's head is buf[0, head) */
	size_t off;		/* bytes of buf consumed */
	struct field *fields;
	struct str hdr;		/* the response head (and small bodies) */
	struct response resp;
	char peer[64];		/* the client's address, for the log */
	int last;		/* the last status answered */
	time_t now;		/* the second DATE was formatted for */
	char date[HTTP_DATE_LEN];
	struct kept kept;
};

/*
 * Input. Every wait has a deadline in monotonic milliseconds.
 */

/* Wait until FD is ready for EVENTS: 1, or 0 once the server stops (when
 * IDLE), -1 on error or when DEADLINE passes. */
static int
wait_fd(int fd, short events, long long deadline, int idle)
{
	struct pollfd pfd[2] = { { fd, events, 0 }, { drain[0], POLLIN, 0 } };
	long long left;
	int r;

	for (;;) {
		if ((left = deadline - now_ms()) <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		r = poll(pfd, idle && drain[0] >= 0 ? 2 : 1,
		    left > INT_MAX ? INT_MAX : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r > 0)
			return idle && pfd[1].revents ? 0 : 1;
	}
}

/* Read into DST once IN is readable: bytes read, 0 at end (or, when
 * IDLE, once the server stops), -1 on error or when DEADLINE passes. */
static ssize_t
recv_by(struct conn *c, void *dst, size_t n, long long deadline, int idle)
{
	ssize_t r;

	for (;;) {
		if ((r = wait_fd(c->in, POLLIN, deadline, idle)) <= 0)
			return r;
		if ((r = read(c->in, dst, n)) >= 0)
			return r;
		if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
	}
}

/* Make the buffer N bytes, within its maximum; only while nothing points
 * into it. -1 for want of memory. */
static int
grow(struct conn *c, size_t n)
{
	char *p;

	if (n > c->max)
		n = c->max;
	if (n > c->cap) {
		if (!(p = realloc(c->buf, n)))
			return -1;
		c->buf = p;
		c->cap = n;
	}
	return 0;
}

/* Between requests a connection holds no memory but its struct: a
 * thousand idle keep-alive connections cost their threads or processes,
 * not buffers, and the heap holds only the requests being served. */
static void
release(struct conn *c)
{
	free(c->buf);
	free(c->fields);
	c->buf = NULL;
	c->fields = NULL;
	c->cap = 0;
	str_free(&c->hdr);
	str_free(&c->resp.fields);
	str_free(&c->resp.body);
}

/*
 * Wait for a whole request head in c->buf, within IDLE ms for its first
 * byte and the RequestTimeout for all of it. Returns the head's length, 0
 * when the client left or stayed idle, or minus the status to answer.
 */
static long
read_head(struct conn *c, long long idle)
{
	const struct config *cf = c->cf;
	long long deadline = now_ms() + (c->len ? cf->request_timeout * 1000 : idle);
	size_t pos = 0, n, fields = 0;
	int started = c->len > 0, reqline = 0, ready = 0;
	char *next;
	ssize_t r;

	if (!c->buf) {		/* idle, holding no buffer until input comes */
		if (wait_fd(c->in, POLLIN, deadline, 1) <= 0)
			return 0;
		if (grow(c, BUF_START) < 0 ||
		    !(c->fields = malloc(cf->fields_max * sizeof(*c->fields))))
			return -503;
		ready = 1;
	}
	for (;;) {
		while ((next = http_line(c->buf + pos, c->buf + c->len, &n))) {
			if (!reqline) {
				if (n > (size_t)cf->line_max)
					return -414;
				reqline = n > 0;	/* empty lines before it are skipped */
			} else if (n == 0) {
				n = next - c->buf;
				return grow(c, n + SLACK) < 0 ? -503 : (long)n;
			} else if (n > (size_t)cf->field_max) {
				return -431;
			} else if (++fields > (size_t)cf->fields_max) {
				return -431;
			}
			pos = next - c->buf;
		}
		n = c->len - pos;
		if (!reqline && n > (size_t)cf->line_max + 3)
			return -414;
		if (c->len == c->cap && grow(c, c->cap * 2) < 0)
			return -503;
		if ((reqline && n > (size_t)cf->field_max + 3) || c->len == c->cap)
			return -431;
		if (ready) {	/* poll said so: no need to ask again */
			ready = 0;
			if ((r = read(c->in, c->buf + c->len, c->cap - c->len)) < 0 &&
			    (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
				continue;
		} else
			r = recv_by(c, c->buf + c->len, c->cap - c->len, deadline, !started);
		if (r < 0 && started)
			return -408;
		if (r <= 0)
			return 0;
		c->len += r;
		if (!started) {
			started = 1;
			deadline = now_ms() + cf->request_timeout * 1000;
		}
	}
}

/* Take N body bytes into r->data, the buffer's first, then the input's,
 * the body's buffer growing as they come (doubling, to at most LIMIT):
 * never the size a client declares before it sends it. 0 or the status. */
static int
take(struct conn *c, struct request *r, size_t n, size_t limit, long long deadline)
{
	size_t k, cap;
	ssize_t got;
	char *p;

	while (n > 0) {
		if (r->dlen == r->dcap) {
			cap = r->dcap ? r->dcap * 2 : BODY_START;
			if (cap > limit)
				cap = limit;
			if (cap <= r->dlen || !(p = realloc(r->data, cap)))
				return 503;
			r->data = p;
			r->dcap = cap;
		}
		k = r->dcap - r->dlen < n ? r->dcap - r->dlen : n;
		if (c->off < c->len) {
			if (k > c->len - c->off)
				k = c->len - c->off;
			memcpy(r->data + r->dlen, c->buf + c->off, k);
			c->off += k;
		} else if ((got = recv_by(c, r->data + r->dlen, k, deadline, 0)) <= 0)
			return 408;
		else
			k = got;
		r->dlen += k;
		n -= k;
	}
	return 0;
}

/* The next line of the body (chunk sizes, trailers) into *LINE, *N. */
static int
take_line(struct conn *c, char **line, size_t *n, long long deadline)
{
	char *next;
	ssize_t r;

	for (;;) {
		if ((next = http_line(c->buf + c->off, c->buf + c->len, n))) {
			*line = c->buf + c->off;
			c->off = next - c->buf;
			return 0;
		}
		if (c->len - c->off > CHUNK_LINE_MAX)
			return -1;
		if (c->off > c->head) {		/* make room, keeping the head */
			memmove(c->buf + c->head, c->buf + c->off, c->len - c->off);
			c->len -= c->off - c->head;
			c->off = c->head;
		}
		if (c->len == c->cap ||
		    (r = recv_by(c, c->buf + c->len, c->cap - c->len, deadline, 0)) <= 0)
			return -1;
		c->len += r;
	}
}

/* Read a chunked body into r->data. Returns 0, or the status to answer. */
static int
read_chunked(struct conn *c, struct request *r, long long deadline)
{
	long long size;
	size_t n;
	char *line;
	int st;

	for (;;) {
		if (take_line(c, &line, &n, deadline) < 0)
			return 400;
		if ((st = http_chunk_size(line, n, c->cf->body_max - (long long)r->dlen, &size)))
			return st;
		if (size == 0)
			break;
		if ((st = take(c, r, size, c->cf->body_max, deadline)))
			return st == 408 ? 400 : st;
		if (take_line(c, &line, &n, deadline) < 0 || n != 0)
			return 400;
	}
	do {				/* trailer fields, ignored */
		if (take_line(c, &line, &n, deadline) < 0)
			return 400;
	} while (n > 0);
	return 0;
}

/*
 * Output: non-blocking writes. A client gets SendTimeout to take each
 * next byte, and the whole response a deadline that reading slowly, a
 * little at a time, cannot push back.
 */

/* Wait until the client takes more: no longer than SendTimeout without
 * its reading a byte, and never past the response's DEADLINE. */
static int
wait_output(struct conn *c, long long deadline)
{
	long long idle = now_ms() + c->cf->send_timeout * 1000;

	return wait_fd(c->out, POLLOUT, idle < deadline ? idle : deadline, 0);
}

static int
put_all(struct conn *c, const char *p, size_t n, long long deadline)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(c->out, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			if ((errno != EAGAIN && errno != EWOULDBLOCK) ||
			    wait_output(c, deadline) < 0)
				return -1;
			continue;
		}
		p += w;
		n -= w;
	}
	return 0;
}

/* Send LEN bytes of FD from OFF. */
static int
send_file(struct conn *c, int fd, off_t off, off_t len, long long deadline)
{
	char *buf;
	ssize_t n;

#ifdef __linux__
	while (len > 0) {
		n = sendfile(c->out, fd, &off, len > (1 << 30) ? (1 << 30) : (size_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_output(c, deadline) < 0)
				return -1;
			continue;
		}
		if (n < 0 && (errno == EINVAL || errno == ENOSYS))
			break;		/* no sendfile here: copy below */
		if (n <= 0)
			return -1;
		len -= n;
	}
#endif
	if (len <= 0)
		return 0;
	if (!(buf = malloc(COPY_BUF)))
		return -1;
	while (len > 0) {
		n = pread(fd, buf, len < COPY_BUF ? (size_t)len : COPY_BUF, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || put_all(c, buf, n, deadline) < 0)
			break;
		off += n;
		len -= n;
	}
	free(buf);
	return len > 0 ? -1 : 0;
}

/* When memory runs out while describing or heading a response: a fixed
 * 503 that needs none, and the connection closes. */
static int
send_unavailable(struct conn *c, struct request *r, long long deadline)
{
	static const char page[] = "<html><body>503 Service Unavailable</body></html>";
	char msg[320];
	int n;

	r->keepalive = 0;
	r->status = 503;
	r->bytes = r->method == M_HEAD ? 0 : (long long)sizeof(page) - 1;
	n = snprintf(msg, sizeof(msg), "HTTP/1.%d 503 Service Unavailable\r\nDate: %s\r\n"
	    "Server: " SERVER "\r\nConnection: close\r\nRetry-After: 1\r\n"
	    "Content-Type: text/html\r\nContent-Length: %zu\r\n\r\n%s", r->v10 ? 0 : 1,
	    c->date, sizeof(page) - 1, r->method == M_HEAD ? "" : page);
	return put_all(c, msg, n, deadline);
}

/*
 * Send the response P describes, the one place that writes a response:
 * the status line in the request's version, Date, Server, Connection
 * (close when P or a stop says so), Content-Type and Content-Length for a
 * status that has a body, P's fields, and the body unless this is HEAD.
 * The whole response has SendTimeout seconds, plus a second for every
 * SendMinRate bytes of it.
 */
static int
send_response(struct conn *c, struct request *r, struct response *p)
{
	const struct config *cf = c->cf;
	struct str *h = &c->hdr;
	int body = p->status >= 200 && p->status != 204 && p->status != 304;
	long long len = body ? (long long)p->body.len + p->len : 0;
	long long deadline = now_ms() + cf->send_timeout * 1000 +
	    (cf->send_min_rate ? len / cf->send_min_rate * 1000 : 0);
	time_t now = time(NULL);
	size_t head;
	ssize_t n;

	if (now != c->now)	/* once a second, not once a response */
		http_date(c->date, c->now = now);
	if (p->fields.err || p->body.err)
		return send_unavailable(c, r, deadline);
	r->keepalive = r->keepalive && !p->close && !*stopping;
	r->status = p->status;
	r->bytes = r->method == M_HEAD ? 0 : len;
	h->len = 0;
	h->err = 0;
	str_puts(h, r->v10 ? "HTTP/1.0 " : "HTTP/1.1 ");
	str_num(h, p->status);
	str_add(h, " ", 1);
	str_puts(h, http_reason(p->status));
	str_puts(h, "\r\nDate: ");
	str_puts(h, c->date);
	str_puts(h, "\r\nServer: " SERVER "\r\nConnection: ");
	str_puts(h, r->keepalive ? "keep-alive\r\n" : "close\r\n");
	if (body) {
		str_puts(h, "Content-Type: ");
		str_puts(h, p->type ? p->type : "text/html");
		str_puts(h, "\r\nContent-Length: ");
		str_num(h, len);
		str_puts(h, "\r\n");
	}
	str_add(h, p->fields.s ? p->fields.s : "", p->fields.len);
	str_add(h, "\r\n", 2);
	if (body && r->method != M_HEAD)
		str_add(h, p->body.s ? p->body.s : "", p->body.len);
	if (h->err)
		return send_unavailable(c, r, deadline);
	if (!body || r->method == M_HEAD || p->len <= 0)
		return put_all(c, h->s, h->len, deadline);
	if (p->len <= SMALL_BODY && str_room(h, p->len) == 0) {
		head = h->len;		/* a small file goes in the same write */
		while ((n = pread(p->fd, h->s + head, p->len, p->off)) < 0 && errno == EINTR)
			;
		if (n == p->len)
			return put_all(c, h->s, head + p->len, deadline);
	}
	return put_all(c, h->s, h->len, deadline) < 0 ? -1 :
	    send_file(c, p->fd, p->off, p->len, deadline);
}

/* Answer STATUS before or instead of the request's own answer. */
static void
answer_error(struct conn *c, struct request *r, int status, const char *what,
    const char *detail, size_t n)
{
	resp_error(&c->resp, status, what, detail, n);
	c->resp.close = 1;
	send_response(c, r, &c->resp);
}

/* Read, check and answer one request: 1 to go on, 0 to close. */
static int
exchange(struct conn *c, struct request *r, int first)
{
	const struct config *cf = c->cf;
	long long deadline;
	long head;
	int status;
	const char *p;

	head = read_head(c, (first ? cf->request_timeout : cf->keepalive) * 1000);
	if (head == 0)
		return 0;
	if (head < 0 || cf->errors)	/* answered unparsed, in its version */
		r->v10 = c->buf && http_v10(c->buf, c->len);
	if (head < 0) {
		answer_error(c, r, -head, "", "", 0);
		return 0;
	}
	c->head = c->off = head;
	if (cf->errors) {	/* every request: only HEAD is told apart */
		for (p = c->buf; p < c->buf + head && (*p == '\r' || *p == '\n'); p++)
			;
		r->method = c->buf + head - p > 5 && !memcmp(p, "HEAD ", 5) ? M_HEAD : -1;
		answer_error(c, r, 500, ": configuration error", "", 0);
		return 0;
	}
	r->fields = c->fields;
	if ((status = http_parse(r, c->buf, head, cf->keepalive > 0))) {
		answer_error(c, r, status, r->what, r->detail, r->dnlen);
		return 0;
	}
	if (r->clen > cf->body_max) {
		answer_error(c, r, 413, "", "", 0);
		return 0;
	}
	deadline = now_ms() + cf->request_timeout * 1000;
	if (r->expect100 && (r->clen > 0 || r->chunked) &&
	    put_all(c, "HTTP/1.1 100 Continue\r\n\r\n", 25, deadline) < 0)
		return 0;
	status = 0;
	if (r->chunked)
		status = read_chunked(c, r, deadline);
	else if (r->clen > 0)
		status = take(c, r, r->clen, r->clen, deadline);
	if (status) {
		answer_error(c, r, status, status == 400 ? " Reason: Invalid chunked body" : "",
		    "", 0);
		return 0;
	}
	resp_decide(cf, r, &c->kept, &c->resp);
	return send_response(c, r, &c->resp) < 0 ? 0 : r->keepalive;
}

static void
log_request(struct conn *c, struct request *r)
{
	struct logline l;

	l.peer = c->peer;
	l.request = r->mstr;
	l.rlen = r->mstr ? (size_t)(r->version + r->vlen - r->mstr) : 0;
	l.status = r->status;
	l.bytes = r->bytes;
	l.referer = http_field(r, "Referer");
	l.agent = http_field(r, "User-Agent");
	log_access(&l);
}

/* One request: 1 to go on with the connection, 0 to close it. */
static int
handle(struct conn *c, int first)
{
	struct request r;
	int more;

	memset(&r, 0, sizeof(r));
	r.method = -1;
	resp_init(&c->resp);
	more = exchange(c, &r, first);
	if (c->resp.fd >= 0 && c->resp.fd_close)
		close(c->resp.fd);
	c->last = r.status;
	if (r.status)
		log_request(c, &r);
	free(r.data);
	free(r.clean);
	if (c->off) {	/* keep what was pipelined behind this request */
		memmove(c->buf, c->buf + c->off, c->len - c->off);
		c->len -= c->off;
	}
	c->head = c->off = 0;
	if (c->len == 0)
		release(c);	/* before the wait for the next request */
	return more;
}

/* Close gently: after an error, or when the client sent what we did not
 * read, send our FIN, then read what it still sends for a moment, so that
 * a reset does not destroy the response in flight. */
static void
linger(struct conn *c)
{
	long long deadline = now_ms() + LINGER_MS;
	size_t total = 0;
	ssize_t r;
	char b[512];

	if (c->last < 400 && c->len == 0 &&
	    recv(c->in, b, 1, MSG_PEEK | MSG_DONTWAIT) < 0 && errno == EAGAIN)
		return;		/* a whole request answered: a plain close is clean */
	if (shutdown(c->out, SHUT_WR) < 0)
		return;
	while (total < LINGER_BYTES && (r = recv_by(c, b, sizeof(b), deadline, 0)) > 0)
		total += r;
}

/* The address of the client on FD, or "-" when it is no socket. */
static void
peer_name(int fd, char *out, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	void *addr = NULL;

	if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET)
			addr = &((struct sockaddr_in *)&ss)->sin_addr;
		else if (ss.ss_family == AF_INET6)
			addr = &((struct sockaddr_in6 *)&ss)->sin6_addr;
	}
	if (!addr || !inet_ntop(ss.ss_family, addr, out, n))
		snprintf(out, n, "-");
}

/* Make ready for conn_drain(); call once, before serving. */
int
conn_drain_init(void)
{
	void *shared = mmap(NULL, sizeof(*stopping), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	/* without shared memory a forked child learns of a stop only when idle */
	stopping = shared != MAP_FAILED ? shared : &stop_here;
	if (pipe(drain) < 0)
		return -1;
	fcntl(drain[0], F_SETFD, FD_CLOEXEC);
	fcntl(drain[1], F_SETFD, FD_CLOEXEC);
	fcntl(drain[1], F_SETFL, O_NONBLOCK);
	return 0;
}

/* Tell every connection, in this process and its children, to finish the
 * response in flight and close. Async-signal-safe. */
void
conn_drain(void)
{
	int saved = errno;

	if (stopping)
		*stopping = 1;
	if (drain[1] >= 0)
		(void)!write(drain[1], "", 1);
	errno = saved;
}

static void
nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0 && !(fl & O_NONBLOCK))
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

void
serve(int in, int out, const struct config *cf)
{
	struct conn c;
	int one = 1, first;

	if (!stopping)		/* a caller that never set up draining */
		stopping = &stop_here;
	memset(&c, 0, sizeof(c));
	c.kept.fd = -1;
	c.resp.fd = -1;
	c.in = in;
	c.out = out;
	c.cf = cf;
	c.max = cf->line_max + 4 + cf->fields_max * (cf->field_max + 4) + 2 + SLACK;
	nonblocking(in);
	if (out != in)
		nonblocking(out);
	setsockopt(out, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (log_on())
		peer_name(in, c.peer, sizeof(c.peer));
	for (first = 1; handle(&c, first); first = 0)
		;
	linger(&c);
	release(&c);
	fs_unkeep(&c.kept);
}
