/* HTTP/1.x request parsing, routing and responses, shared by every mode. */
#define _XOPEN_SOURCE 700
#ifdef __linux__
#define _DEFAULT_SOURCE		/* syscall(), for openat2() */
#endif

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#ifdef __linux__
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <linux/openat2.h>
#endif

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "http.h"
#include "log.h"
#include "path.h"
#include "util.h"

#define SERVER		"ws/" VERSION
#define SLACK		4096	/* buffer room past the head, for bodies */
#define CHUNK_LINE_MAX	1024	/* a chunk-size line, extensions included */
#define POST_SCAN	65536	/* how far into a page POST looks for <body> */
#define SMALL_BODY	32768	/* bodies sent in one write with their head */
#define LISTING		1	/* resolve(): a directory to list */
#define BUF_START	8192	/* a connection's buffer at first */
#define COPY_BUF	65536	/* send_file() where there is no sendfile() */
#define LINGER_MS	2000	/* how long a closing connection is drained */
#define LINGER_BYTES	(256 * 1024)
#define OUT_OF_FDS(e)	((e) == EMFILE || (e) == ENFILE)

struct field {
	char *name, *value;
};

/* Draining: once the read end is readable, connections close instead of
 * waiting for another request. Set up once, before serving. */
static int drain[2] = { -1, -1 };

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
	size_t nfields;
	struct str hdr;		/* the response head (and small bodies) */
	struct str body;	/* a built response body */
	char peer[64];		/* the client's address, for the log */
	int last;		/* the last status answered */
	time_t now;		/* the second DATE was formatted for */
	char date[HTTP_DATE_LEN];
	int kept;		/* the file last served, kept open (-1: none), */
	unsigned long keptkey;	/* a hash of the path that named it, */
	dev_t keptdev;		/* and its identity and access when opened */
	ino_t keptino;
	mode_t keptmode;
	uid_t keptuid;
	gid_t keptgid;
	struct timespec keptctim;
};

struct request {
	const char *mstr, *target, *version;
	size_t mlen, tlen, vlen;
	int method, v10, keepalive, expect100, chunked;
	long long clen;		/* -1: no Content-Length */
	const char *path;	/* the target's path, raw */
	size_t plen;
	const char *query;	/* after '?', or NULL */
	size_t qlen;
	char *clean;		/* the path decoded and normalised, and */
	char *name;		/* room for it with an index name: both on the
				 * heap, sized to the path, for a thread's idle
				 * stack holds every page a request touched */
	size_t namesz;
	char *data;		/* the request body */
	size_t dlen;
	int status;		/* what was answered, for the log */
	long long bytes;
};

static const char *
reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 301: return "Moved Permanently";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 416: return "Range Not Satisfiable";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

/*
 * Input. Every wait has a deadline in monotonic milliseconds.
 */

/* Wait until IN is readable: 1, or 0 once the server drains (when IDLE),
 * -1 on error or when DEADLINE passes. */
static int
wait_input(struct conn *c, long long deadline, int idle)
{
	struct pollfd pfd[2] = { { c->in, POLLIN, 0 }, { drain[0], POLLIN, 0 } };
	long long left;
	int r;

	for (;;) {
		if ((left = deadline - now_ms()) <= 0)
			return -1;
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
 * IDLE, once the server drains), -1 on error or when DEADLINE passes. */
static ssize_t
recv_by(struct conn *c, void *dst, size_t n, long long deadline, int idle)
{
	ssize_t r;

	for (;;) {
		if ((r = wait_input(c, deadline, idle)) <= 0)
			return r;
		if ((r = read(c->in, dst, n)) >= 0)
			return r;
		if (errno != EINTR && errno != EAGAIN)
			return -1;
	}
}

/* The line at P, before END: its length without the line end in *N, and
 * where the next starts, or NULL while it has no LF. A line ends in LF, CR
 * LF, or telnet's CR NUL CR LF. */
static char *
next_line(char *p, char *end, size_t *n)
{
	char *lf = memchr(p, '\n', end - p);

	if (!lf)
		return NULL;
	*n = lf - p;
	if (*n >= 3 && !memcmp(lf - 3, "\r\0\r", 3))
		*n -= 3;
	else if (*n >= 1 && lf[-1] == '\r')
		*n -= 1;
	return lf + 1;
}

/* Make the buffer N bytes, within its maximum; only while nothing points
 * into it. */
static void
grow(struct conn *c, size_t n)
{
	if (n > c->max)
		n = c->max;
	if (n > c->cap) {
		c->buf = xrealloc(c->buf, n);
		c->cap = n;
	}
}

/* Between requests a connection holds no memory but its struct: a
 * thousand idle keep-alive connections cost their threads or processes,
 * not buffers, and the heap holds only the requests being served. */
static void
release(struct conn *c)
{
	free(c->buf);
	free(c->fields);
	free(c->hdr.s);
	free(c->body.s);
	c->buf = NULL;
	c->fields = NULL;
	c->cap = 0;
	memset(&c->hdr, 0, sizeof(c->hdr));
	memset(&c->body, 0, sizeof(c->body));
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
		if (wait_input(c, deadline, 1) <= 0)
			return 0;
		c->cap = c->max < BUF_START ? c->max : BUF_START;
		c->buf = xrealloc(NULL, c->cap);
		c->fields = xrealloc(NULL, cf->fields_max * sizeof(*c->fields));
		ready = 1;
	}
	for (;;) {
		while ((next = next_line(c->buf + pos, c->buf + c->len, &n))) {
			if (!reqline) {
				if (n > (size_t)cf->line_max)
					return -414;
				reqline = n > 0;	/* empty lines before it are skipped */
			} else if (n == 0) {
				n = next - c->buf;
				grow(c, n + SLACK);
				return n;
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
		if (c->len == c->cap)
			grow(c, c->cap * 2);
		if ((reqline && n > (size_t)cf->field_max + 3) || c->len == c->cap)
			return -431;
		if (ready) {	/* poll said so: no need to ask again */
			ready = 0;
			if ((r = read(c->in, c->buf + c->len, c->cap - c->len)) < 0 &&
			    (errno == EINTR || errno == EAGAIN))
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

/* Take N body bytes into DST: those in the buffer first, then the input. */
static int
take(struct conn *c, char *dst, size_t n, long long deadline)
{
	size_t k = c->len - c->off < n ? c->len - c->off : n;
	ssize_t r;

	memcpy(dst, c->buf + c->off, k);
	c->off += k;
	for (dst += k, n -= k; n > 0; dst += r, n -= r)
		if ((r = recv_by(c, dst, n, deadline, 0)) <= 0)
			return -1;
	return 0;
}

/* The next line of the body (chunk sizes, trailers) into *LINE, *N. */
static int
take_line(struct conn *c, char **line, size_t *n, long long deadline)
{
	char *next;
	ssize_t r;

	for (;;) {
		if ((next = next_line(c->buf + c->off, c->buf + c->len, n))) {
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
		if ((r = recv_by(c, c->buf + c->len, c->cap - c->len, deadline, 0)) <= 0)
			return -1;
		c->len += r;
	}
}

/* Read a chunked body into r->data. Returns 0, or the status to answer. */
static int
read_chunked(struct conn *c, struct request *r, long long deadline)
{
	size_t n, cap = 0, size;
	char *line, *p;
	int d;

	for (;;) {
		if (take_line(c, &line, &n, deadline) < 0)
			return 400;
		for (size = 0, p = line; p < line + n && isxdigit((unsigned char)*p); p++) {
			d = isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10);
			if (size > ((size_t)c->cf->body_max + 15) / 16)
				return 413;
			size = size * 16 + d;
		}
		while (p < line + n && (*p == ' ' || *p == '\t'))
			p++;
		if (p == line || (p < line + n && *p != ';'))
			return 400;
		if (size == 0)
			break;
		if (size > (size_t)c->cf->body_max - r->dlen)
			return 413;
		if (r->dlen + size > cap) {
			cap = (r->dlen + size) * 2;
			if (cap > (size_t)c->cf->body_max)
				cap = c->cf->body_max;
			r->data = xrealloc(r->data, cap);
		}
		if (take(c, r->data + r->dlen, size, deadline) < 0 ||
		    take_line(c, &line, &n, deadline) < 0 || n != 0)
			return 400;
		r->dlen += size;
	}
	do {				/* trailer fields, ignored */
		if (take_line(c, &line, &n, deadline) < 0)
			return 400;
	} while (n > 0);
	return 0;
}

/*
 * Output.
 */

static void
begin(struct conn *c, struct request *r, int status)
{
	time_t now = time(NULL);

	r->status = status;
	if (now != c->now)	/* once a second, not once a response */
		http_date(c->date, c->now = now);
	c->hdr.len = 0;
	str_printf(&c->hdr, "HTTP/1.%d %d %s\r\nDate: %s\r\nServer: " SERVER
	    "\r\nConnection: %s\r\n", r->v10 ? 0 : 1, status, reason(status),
	    c->date, r->keepalive ? "keep-alive" : "close");
}

static void
entity(struct conn *c, struct request *r, const char *type, long long len)
{
	if (r->method != M_HEAD)
		r->bytes = len;
	str_printf(&c->hdr, "Content-Type: %s\r\nContent-Length: %lld\r\n",
	    type, len);
}

/* End the head, add BODY unless this is HEAD, and send it all. */
static int
finish(struct conn *c, struct request *r, const char *body, size_t n)
{
	str_add(&c->hdr, "\r\n", 2);
	if (body && r->method != M_HEAD)
		str_add(&c->hdr, body, n);
	return write_all(c->out, c->hdr.s, c->hdr.len);
}

/* Send LEN bytes of FD from OFF. */
static int
send_file(struct conn *c, int fd, off_t off, off_t len)
{
	char *buf;
	ssize_t n;

#ifdef __linux__
	while (len > 0) {
		n = sendfile(c->out, fd, &off, len > (1 << 30) ? (1 << 30) : (size_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EINVAL || errno == ENOSYS))
			break;		/* no sendfile here: copy below */
		if (n <= 0)
			return -1;
		len -= n;
	}
#endif
	if (len <= 0)
		return 0;
	buf = xrealloc(NULL, COPY_BUF);
	while (len > 0) {
		n = pread(fd, buf, len < COPY_BUF ? (size_t)len : COPY_BUF, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || write_all(c->out, buf, n) < 0)
			break;
		off += n;
		len -= n;
	}
	free(buf);
	return len > 0 ? -1 : 0;
}

/* End the head and send LEN bytes of FD from OFF (none for HEAD): a
 * small body goes in the same write as the head, a large one by sendfile. */
static int
send_entity(struct conn *c, struct request *r, int fd, off_t off, off_t len)
{
	size_t head;
	ssize_t n;

	str_add(&c->hdr, "\r\n", 2);
	if (r->method == M_HEAD || len <= 0)
		return write_all(c->out, c->hdr.s, c->hdr.len);
	if (len <= SMALL_BODY) {
		head = c->hdr.len;
		if (c->hdr.cap < head + len + 1) {
			c->hdr.cap = head + len + 1;
			c->hdr.s = xrealloc(c->hdr.s, c->hdr.cap);
		}
		while ((n = pread(fd, c->hdr.s + head, len, off)) < 0 && errno == EINTR)
			;
		if (n == len)
			return write_all(c->out, c->hdr.s, head + len);
	}
	return write_all(c->out, c->hdr.s, c->hdr.len) < 0 ? -1 :
	    send_file(c, fd, off, len);
}

static void
allow(const struct config *cf, struct str *s)
{
	int m;

	str_puts(s, "Allow: ");
	for (m = 0; m < M_NUM; m++)
		if (cf->methods & 1u << m)
			str_printf(s, "%s%s", s->s[s->len - 1] == ' ' ? "" : ", ",
			    method_name[m]);
	str_puts(s, "\r\n");
}

/*
 * An error page in the exercise's wording: "<code> <reason><what><detail>",
 * DETAIL (from the request) escaped. Errors that leave the request stream
 * in doubt close the connection.
 */
static int
error(struct conn *c, struct request *r, int status, const char *what,
    const char *detail, size_t dlen)
{
	if (status != 403 && status != 404 && status != 409 && status != 501)
		r->keepalive = 0;
	c->body.len = 0;
	str_printf(&c->body, "<html><body>%d %s%s", status, reason(status), what);
	str_html(&c->body, detail, dlen);
	str_puts(&c->body, "</body></html>");
	begin(c, r, status);
	entity(c, r, "text/html", c->body.len);
	if (status == 501 && !strcmp(what, " Method: "))
		allow(c->cf, &c->hdr);
	return finish(c, r, c->body.s, c->body.len);
}

/*
 * Parsing.
 */

static int
tchar(int ch)
{
	return isalnum(ch) || (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

static int
has_ctl(const char *s, size_t n)
{
	for (; n > 0; s++, n--)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return 1;
	return 0;
}

static const char *
header(struct conn *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nfields; i++)
		if (!strcasecmp(c->fields[i].name, name))
			return c->fields[i].value;
	return NULL;
}

/* Whether the comma-separated list S has TOKEN (case-insensitive). */
static int
has_token(const char *s, const char *token)
{
	size_t n = strlen(token), k;

	while (s && *s) {
		s += strspn(s, " \t,");
		k = strcspn(s, " \t,");
		if (k == n && !strncasecmp(s, token, n))
			return 1;
		s += k;
	}
	return 0;
}

/* Split the request line "METHOD SP TARGET SP VERSION" and check it, in the
 * order the exercise gives. Returns 0 or the status already answered. */
static int
request_line(struct conn *c, struct request *r, char *s, size_t n)
{
	char *sp, *end = s + n;
	size_t i;

	r->mstr = s;
	sp = memchr(s, ' ', n);
	r->mlen = (sp ? sp : end) - s;
	r->target = sp ? sp + 1 : end;
	sp = sp ? memchr(r->target, ' ', end - r->target) : NULL;
	r->tlen = (sp ? sp : end) - r->target;
	r->version = sp ? sp + 1 : end;
	r->vlen = end - r->version;
	r->v10 = r->vlen == 8 && !memcmp(r->version, "HTTP/1.0", 8);
	if ((r->method = method_lookup(r->mstr, r->mlen)) < 0)
		return error(c, r, 400, " Reason: Invalid Method: ", r->mstr, r->mlen), 400;

	r->path = r->target;
	r->plen = r->tlen;
	if (r->tlen >= 7 && (!strncasecmp(r->target, "http://", 7) ||
	    !strncasecmp(r->target, "https://", 8))) {
		r->path = (const char *)memchr(r->target, '/', r->tlen) + 2;
		r->path = memchr(r->path, '/', r->target + r->tlen - r->path);
		r->plen = r->path ? (size_t)(r->target + r->tlen - r->path) : 0;
		if (!r->path)
			r->path = "/", r->plen = 1;
	}
	if (has_ctl(r->target, r->tlen) ||
	    (r->plen == 0 || (r->path[0] != '/' &&
	    !(r->tlen == 1 && r->path[0] == '*' && r->method == M_OPTIONS))))
		return error(c, r, 400, " Reason: Invalid URL: ", r->target, r->tlen), 400;
	if (r->path[0] == '/') {
		if ((r->query = memchr(r->path, '?', r->plen))) {
			r->plen = r->query - r->path;
			r->qlen = r->target + r->tlen - ++r->query;
		}
		for (i = 0, r->namesz = r->plen + 4; i < c->cf->nindex; i++)
			if (r->namesz < r->plen + 4 + strlen(c->cf->index[i]))
				r->namesz = r->plen + 4 + strlen(c->cf->index[i]);
		r->clean = xrealloc(NULL, r->plen + 4 + r->namesz);
		r->name = r->clean + r->plen + 4;
		if (path_clean(r->path, r->plen, r->clean, r->plen + 4) < 0)
			return error(c, r, 400, " Reason: Invalid URL: ", r->target, r->tlen), 400;
	}
	if (r->vlen != 8 || (!r->v10 && memcmp(r->version, "HTTP/1.1", 8)))
		return error(c, r, 400, " Reason: Invalid HTTP-Version: ", r->version, r->vlen), 400;
	return 0;
}

/* Parse the head in c->buf[0, c->head) and check it. */
static int
parse_head(struct conn *c, struct request *r)
{
	const struct config *cf = c->cf;
	char *p = c->buf, *end = c->buf + c->head, *next, *colon, *v, *e;
	const char *cl, *te, *h;
	size_t n, i;

	while ((next = next_line(p, end, &n)) && n == 0)
		p = next;		/* empty lines before the request line */
	p[n] = '\0';
	if (request_line(c, r, p, n))
		return 400;
	c->nfields = 0;
	for (p = next; (next = next_line(p, end, &n)) && n > 0; p = next) {
		p[n] = '\0';
		colon = memchr(p, ':', n);
		if (!colon || colon == p || has_ctl(p, n))
			return error(c, r, 400, " Reason: Invalid header", "", 0), 400;
		for (v = p; v < colon; v++)
			if (!tchar((unsigned char)*v))	/* also catches obs-fold */
				return error(c, r, 400, " Reason: Invalid header", "", 0), 400;
		*colon = '\0';
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		for (e = p + n; e > v && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		*e = '\0';
		c->fields[c->nfields].name = p;
		c->fields[c->nfields++].value = v;
	}

	if (!r->v10 && !header(c, "Host"))
		return error(c, r, 400, " Reason: Missing Host header", "", 0), 400;
	h = header(c, "Connection");
	r->keepalive = cf->keepalive > 0 && (r->v10 ? has_token(h, "keep-alive") :
	    !has_token(h, "close"));
	r->expect100 = !r->v10 && (h = header(c, "Expect")) && !strcasecmp(h, "100-continue");

	/* Framing: one length, or chunked, never both (RFC 9112 6.3). */
	te = header(c, "Transfer-Encoding");
	r->clen = -1;
	for (i = 0; i < c->nfields; i++) {
		if (strcasecmp(c->fields[i].name, "Content-Length"))
			continue;
		/* a list of equal values, or repeated equal fields, count as one */
		for (cl = c->fields[i].value;; cl += 1 + strspn(cl + 1, " \t")) {
			long long v1 = 0;

			for (n = 0; isdigit((unsigned char)cl[n]) && v1 < LLONG_MAX / 10; n++)
				v1 = v1 * 10 + (cl[n] - '0');
			if (n == 0 || isdigit((unsigned char)cl[n]) ||
			    (r->clen >= 0 && v1 != r->clen))
				return error(c, r, 400, " Reason: Invalid Content-Length", "", 0), 400;
			r->clen = v1;
			cl += n + strspn(cl + n, " \t");
			if (*cl != ',')
				break;
		}
		if (*cl)
			return error(c, r, 400, " Reason: Invalid Content-Length", "", 0), 400;
	}
	if (te && r->clen >= 0)
		return error(c, r, 400, " Reason: Content-Length with Transfer-Encoding", "", 0), 400;
	if (te && strcasecmp(te, "chunked"))
		return r->keepalive = 0, error(c, r, 501, " Transfer-Encoding: ", te, strlen(te)), 501;
	r->chunked = te != NULL;
	return 0;
}

/*
 * Routing.
 */

/* The real path of a name under the root, on the heap, or NULL when it
 * does not exist or lies outside. Paths live on the heap, not the stack:
 * an idle thread keeps every stack page its last request touched. */
static char *
real_inside(const struct config *cf, const char *path)
{
	char *tmp = xconcat(cf->root, path, ""), *real = realpath(tmp, NULL);

	free(tmp);
	if (real && !path_inside(cf->root, real)) {
		free(real);
		real = NULL;
	}
	return real;
}

/*
 * Open PATH (clean: absolute and normalised) beneath the root, never
 * outside it. On Linux openat2() with RESOLVE_BENEATH does it in one call,
 * links that stay inside allowed; elsewhere, or for a link the kernel will
 * not judge (an absolute one), realpath() and a prefix check.
 */
static int
open_beneath(const struct config *cf, const char *path)
{
	const int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	char *real;
	int fd;
#ifdef SYS_openat2
	struct open_how how;

	memset(&how, 0, sizeof(how));
	how.flags = flags;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	fd = syscall(SYS_openat2, cf->rootfd, path[1] ? path + 1 : ".", &how, sizeof(how));
	if (fd >= 0 || (errno != ENOSYS && errno != EXDEV && errno != EPERM))
		return fd;
#endif
	if (!(real = real_inside(cf, path))) {
		errno = ENOENT;
		return -1;
	}
	fd = open(real, flags);
	free(real);
	return fd;
}

/* What a GET names, opened: a regular file, or a directory to list. */
struct target {
	int fd;
	struct stat st;
	char *name;		/* its clean path, index name included */
};

/* Returns 0 for a file, LISTING, or the status to answer (301, 403, 404);
 * T->fd is open only for 0 and LISTING. */
static int
resolve(const struct config *cf, struct request *r, struct target *t)
{
	size_t i, n = strlen(r->clean);
	int dir;

	if ((t->fd = open_beneath(cf, r->clean)) < 0)
		return errno == EACCES ? 403 : OUT_OF_FDS(errno) ? 503 : 404;
	strcpy(t->name, r->clean);
	if (fstat(t->fd, &t->st) < 0)
		t->st.st_mode = 0;
	if (S_ISREG(t->st.st_mode))
		return 0;
	if (!S_ISDIR(t->st.st_mode) || r->clean[n - 1] != '/') {
		close(t->fd);
		return S_ISDIR(t->st.st_mode) ? 301 : 404;
	}
	dir = t->fd;
	for (i = 0; i < cf->nindex; i++) {
		if (snprintf(t->name, r->namesz, "%s%s", r->clean,
		    cf->index[i]) >= (int)r->namesz)
			continue;
		if ((t->fd = open_beneath(cf, t->name)) < 0) {
			if (!OUT_OF_FDS(errno))
				continue;
			close(dir);	/* not "no index": no descriptor to look */
			return 503;
		}
		if (fstat(t->fd, &t->st) == 0 && S_ISREG(t->st.st_mode)) {
			close(dir);
			return 0;
		}
		close(t->fd);
	}
	t->fd = dir;
	strcpy(t->name, r->clean);
	if (cf->listing)
		return LISTING;
	close(dir);
	return 404;
}

/* Whether a name in PATH starts with a dot, /.well-known/ aside. */
static int
dotfile(const char *path)
{
	const char *s = path;

	if (!strncmp(s, "/.well-known/", 13) || !strcmp(s, "/.well-known"))
		s += 12;
	return strstr(s, "/.") != NULL;
}

static int
keep_name(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* A directory listing: sorted names, escaped, links percent-encoded;
 * a symbolic link is described, not followed (it may lead outside). */
static int
do_listing(struct conn *c, struct request *r, struct target *t)
{
	char *path = xconcat(c->cf->root, t->name, ""), date[HTTP_DATE_LEN];
	struct dirent **names;
	struct stat st;
	const char *n;
	int i, count, isdir;

	count = scandir(path, &names, keep_name, alphasort);
	free(path);
	if (count < 0)
		return error(c, r, 403, "", "", 0);
	c->body.len = 0;
	str_puts(&c->body, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of ");
	str_html(&c->body, r->clean, strlen(r->clean));
	str_puts(&c->body, "</title></head><body><h1>Index of ");
	str_html(&c->body, r->clean, strlen(r->clean));
	str_puts(&c->body, "</h1>\n<table>\n");
	if (r->clean[1])
		str_puts(&c->body, "<tr><td><a href=\"../\">../</a></td><td></td><td></td></tr>\n");
	for (i = 0; i < count; i++) {
		n = names[i]->d_name;
		if (fstatat(t->fd, n, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			isdir = S_ISDIR(st.st_mode);
			http_date(date, st.st_mtime);
			str_puts(&c->body, "<tr><td><a href=\"");
			str_url(&c->body, n);
			str_puts(&c->body, isdir ? "/\">" : "\">");
			str_html(&c->body, n, strlen(n));
			str_printf(&c->body, "%s</a></td><td>%lld</td><td>%s</td></tr>\n",
			    isdir ? "/" : "", isdir ? 0LL : (long long)st.st_size, date);
		}
		free(names[i]);
	}
	free(names);
	str_puts(&c->body, "</table>\n</body></html>\n");
	begin(c, r, 200);
	entity(c, r, "text/html; charset=utf-8", c->body.len);
	return finish(c, r, c->body.s, c->body.len);
}

/* For PUT and DELETE: the real parent directory plus the last name, on
 * the heap, without following a link in that last name; or NULL. */
static char *
resolve_parent(const struct config *cf, struct request *r)
{
	char *dir, *file, *slash = strrchr(r->clean, '/');

	if (!slash[1])
		return NULL;		/* names a directory */
	*slash = '\0';
	dir = real_inside(cf, r->clean);
	*slash = '/';
	if (!dir)
		return NULL;
	file = xconcat(dir, strcmp(dir, "/") ? "/" : "", slash + 1);
	free(dir);
	if (strlen(file) >= PATH_MAX) {
		free(file);
		return NULL;
	}
	return file;
}

/* A short page for STATUS with a Location: the request's path, or for a
 * directory's redirect that path with a slash, and its query. */
static int
located(struct conn *c, struct request *r, int status, int slash)
{
	c->body.len = 0;
	str_printf(&c->body, "<html><body>%d %s</body></html>", status, reason(status));
	begin(c, r, status);
	entity(c, r, "text/html", c->body.len);
	str_puts(&c->hdr, "Location: ");
	str_add(&c->hdr, r->path, r->plen);
	if (slash)
		str_printf(&c->hdr, "/%s%.*s", r->query ? "?" : "", (int)r->qlen,
		    r->query ? r->query : "");
	str_puts(&c->hdr, "\r\n");
	return finish(c, r, c->body.s, c->body.len);
}

/* PUT FILE: the body into a temporary file beside it, then renamed. */
static int
put_file(struct conn *c, struct request *r, const char *file)
{
	char *tmp, *slash = strrchr(file, '/');
	struct stat st;
	int fd, existed = lstat(file, &st) == 0;

	if (existed && S_ISDIR(st.st_mode))
		return error(c, r, 409, "", "", 0);
	*slash = '\0';
	tmp = xconcat(file, "/.ws-put-XXXXXX", "");
	*slash = '/';
	if ((fd = mkstemp(tmp)) < 0) {
		free(tmp);
		return error(c, r, 500, "", "", 0);
	}
	if (fchmod(fd, 0644) < 0 || write_all(fd, r->data, r->dlen) < 0 ||
	    close(fd) < 0 || rename(tmp, file) < 0) {
		unlink(tmp);
		free(tmp);
		return error(c, r, 500, "", "", 0);
	}
	free(tmp);
	if (existed) {
		begin(c, r, 204);
		return finish(c, r, NULL, 0);
	}
	return located(c, r, 201, 0);
}

static int
do_put(struct conn *c, struct request *r)
{
	char *file = resolve_parent(c->cf, r);
	int rc;

	if (!file)
		return error(c, r, 409, "", "", 0);
	rc = put_file(c, r, file);
	free(file);
	return rc;
}

/* DELETE FILE; never a directory. */
static int
delete_file(struct conn *c, struct request *r, const char *file)
{
	struct stat st;

	if (!file || lstat(file, &st) < 0)
		return error(c, r, 404, " Reason URL does not exist: ", r->target, r->tlen);
	if (S_ISDIR(st.st_mode))
		return error(c, r, 409, "", "", 0);
	if (unlink(file) < 0)
		return error(c, r, 500, "", "", 0);
	begin(c, r, 204);
	return finish(c, r, NULL, 0);
}

static int
do_delete(struct conn *c, struct request *r)
{
	char *file;
	int rc;

	if (r->clean[strlen(r->clean) - 1] == '/' && (file = real_inside(c->cf, r->clean))) {
		free(file);
		return error(c, r, 409, "", "", 0);	/* names a directory */
	}
	file = resolve_parent(c->cf, r);
	rc = delete_file(c, r, file);
	free(file);
	return rc;
}

static int
do_trace(struct conn *c, struct request *r)
{
	size_t i;

	c->body.len = 0;
	str_add(&c->body, r->mstr, r->mlen);
	str_puts(&c->body, " ");
	str_add(&c->body, r->target, r->tlen);
	str_puts(&c->body, " ");
	str_add(&c->body, r->version, r->vlen);
	str_puts(&c->body, "\r\n");
	for (i = 0; i < c->nfields; i++)
		str_printf(&c->body, "%s: %s\r\n", c->fields[i].name, c->fields[i].value);
	str_puts(&c->body, "\r\n");
	begin(c, r, 200);
	entity(c, r, "message/http", c->body.len);
	return finish(c, r, c->body.s, c->body.len);
}

/* Where POST's section goes: after the <body ...> tag in the first bytes. */
static size_t
body_tag_end(int fd, char *buf, size_t n)
{
	ssize_t got;
	size_t i;
	char *gt;

	while ((got = pread(fd, buf, n, 0)) < 0 && errno == EINTR)
		;
	for (i = 0; got > 5 && i + 5 < (size_t)got; i++)
		if (!strncasecmp(buf + i, "<body", 5) && (buf[i + 5] == '>' ||
		    isspace((unsigned char)buf[i + 5])) &&
		    (gt = memchr(buf + i, '>', got - i)))
			return gt + 1 - buf;
	return 0;
}

/* Whether the If-None-Match list S names TAG (weak comparison). */
static int
etag_listed(const char *s, const char *tag)
{
	size_t n = strlen(tag), k;

	while (*s) {
		s += strspn(s, " \t,");
		if (*s == '*')
			return 1;
		if (!strncmp(s, "W/", 2))
			s += 2;
		k = *s == '"' && strchr(s + 1, '"') ? (size_t)(strchr(s + 1, '"') + 1 - s) :
		    strcspn(s, ",");
		if (k == n && !strncmp(s, tag, n))
			return 1;
		s += k;
	}
	return 0;
}

/* Whether the client's copy is current: If-None-Match first, then
 * If-Modified-Since ("not newer than"), as RFC 9110 13.2.2 orders them. */
static int
not_modified(struct conn *c, const struct stat *st, const char *tag)
{
	const char *h;
	time_t t;

	if ((h = header(c, "If-None-Match")))
		return etag_listed(h, tag);
	return (h = header(c, "If-Modified-Since")) && http_date_parse(h, &t) == 0 &&
	    st->st_mtime <= t;
}

/* Whether If-Range (an entity tag, strongly compared, or the exact
 * Last-Modified date) still holds; no If-Range holds too. */
static int
if_range(struct conn *c, const struct stat *st, const char *tag)
{
	const char *h = header(c, "If-Range");
	time_t t;

	if (!h)
		return 1;
	if (*h == '"')
		return !strcmp(h, tag);
	return http_date_parse(h, &t) == 0 && t == st->st_mtime;
}

/*
 * A single "bytes=" range of a SIZE-byte file into [*from, *to]: 1 when
 * there is one, 0 to send the whole file (no Range, several ranges, or one
 * we do not understand, which RFC 9110 14.2 lets us ignore), -1 when it
 * cannot be satisfied.
 */
static int
byte_range(const char *h, long long size, long long *from, long long *to)
{
	char *end;

	if (!h || strncasecmp(h, "bytes=", 6) || strchr(h, ','))
		return 0;
	h += 6 + strspn(h + 6, " \t");
	errno = 0;
	if (*h == '-') {		/* the last N bytes */
		if (!isdigit((unsigned char)h[1]))
			return 0;
		*to = size - 1;
		*from = size - strtoll(h + 1, &end, 10);
		if (*end || errno == ERANGE || *from >= size)
			return *end ? 0 : -1;
		if (*from < 0)
			*from = 0;
		return size > 0 ? 1 : -1;
	}
	if (!isdigit((unsigned char)*h))
		return 0;
	*from = strtoll(h, &end, 10);
	if (*end++ != '-')
		return 0;
	*to = *end ? strtoll(end, &end, 10) : size - 1;
	if (*end || errno == ERANGE || (*to < *from && *from < size))
		return 0;
	if (*from >= size)
		return -1;
	if (*to >= size)
		*to = size - 1;
	return 1;
}

/* Whether Accept-Encoding takes gzip (by name or "*", q not 0). */
static int
takes_gzip(const char *s)
{
	size_t k;
	const char *q;

	while (s && *s) {
		s += strspn(s, " \t,");
		k = strcspn(s, ",");
		if ((!strncasecmp(s, "gzip", 4) && strchr(" \t;,", s[4])) ||
		    (*s == '*' && strchr(" \t;,", s[1]))) {
			q = memchr(s, ';', k);
			if (!q || !(q = strstr(q, "q=")) || q >= s + k || strtod(q + 2, NULL) > 0)
				return 1;
		}
		s += k;
	}
	return 0;
}

/* NAME.gz, when the client takes gzip and it sits beside NAME. */
static int
open_gzip(struct conn *c, const char *name, struct stat *st)
{
	char *gz;
	int fd;

	if (!takes_gzip(header(c, "Accept-Encoding")))
		return -1;
	gz = xconcat(name, ".gz", "");
	fd = open_beneath(c->cf, gz);
	free(gz);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The validators and caching headers of a file response. */
static void
file_headers(struct conn *c, const struct stat *st, const char *tag, int gzip)
{
	char date[HTTP_DATE_LEN];

	http_date(date, st->st_mtime);
	str_printf(&c->hdr, "Last-Modified: %s\r\nETag: %s\r\n", date, tag);
	if (gzip)
		str_puts(&c->hdr, "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n");
}

/* The page with POST's section after its <body> tag, or at its start. */
static int
post_page(struct conn *c, struct request *r, int fd, const struct stat *st,
    const char *type, const char *tag)
{
	char *scan = xrealloc(NULL, POST_SCAN);
	size_t at = body_tag_end(fd, scan, st->st_size < POST_SCAN ? st->st_size : POST_SCAN);

	c->body.len = 0;
	str_puts(&c->body, "<h1>Post Data</h1><pre>");
	str_html(&c->body, r->data, r->dlen);
	str_puts(&c->body, "</pre>");
	begin(c, r, 200);
	entity(c, r, type, st->st_size + c->body.len);
	file_headers(c, st, tag, 0);
	str_add(&c->hdr, "\r\n", 2);
	str_add(&c->hdr, scan, at);
	str_add(&c->hdr, c->body.s, c->body.len);
	free(scan);
	return write_all(c->out, c->hdr.s, c->hdr.len) < 0 ||
	    send_file(c, fd, at, st->st_size - at) < 0 ? -1 : 0;
}

/* GET, HEAD or POST of a regular file: validators, ranges, gzip twins. */
static int
do_file(struct conn *c, struct request *r, struct target *t, const char *type)
{
	char tag[64];
	struct stat st = t->st;
	long long from = 0, to = 0;
	int fd = t->fd, gzip = 0, range = 0, rc;

	if (r->method != M_POST && (gzip = open_gzip(c, t->name, &st)) >= 0) {
		fd = gzip;
		gzip = 1;
	} else
		gzip = 0;
	snprintf(tag, sizeof(tag), "\"%llx-%llx-%llx\"", (unsigned long long)st.st_ino,
	    (unsigned long long)st.st_size, (unsigned long long)st.st_mtime);
	if (r->method == M_POST)
		rc = post_page(c, r, fd, &st, type, tag);
	else if (not_modified(c, &st, tag)) {
		begin(c, r, 304);
		file_headers(c, &st, tag, gzip);
		rc = finish(c, r, NULL, 0);
	} else if (r->method == M_GET && if_range(c, &st, tag) &&
	    (range = byte_range(header(c, "Range"), st.st_size, &from, &to)) < 0) {
		c->body.len = 0;
		str_puts(&c->body, "<html><body>416 Range Not Satisfiable</body></html>");
		begin(c, r, 416);
		entity(c, r, "text/html", c->body.len);
		str_printf(&c->hdr, "Content-Range: bytes */%lld\r\n", (long long)st.st_size);
		rc = finish(c, r, c->body.s, c->body.len);
	} else {
		if (!range)
			to = st.st_size - 1;
		begin(c, r, range ? 206 : 200);
		entity(c, r, type, to - from + 1);
		file_headers(c, &st, tag, gzip);
		str_puts(&c->hdr, "Accept-Ranges: bytes\r\n");
		if (range)
			str_printf(&c->hdr, "Content-Range: bytes %lld-%lld/%lld\r\n",
			    from, to, (long long)st.st_size);
		rc = send_entity(c, r, fd, from, to - from + 1);
	}
	if (gzip)
		close(fd);	/* the twin; the caller closes T's file */
	return rc;
}

/* Checks 6 on, for what resolve() opened: a file or a directory to list. */
static int
answer(struct conn *c, struct request *r, struct target *t, int status)
{
	const char *type = "text/html", *ext;

	if (status == LISTING && (r->method == M_GET || r->method == M_HEAD))
		return do_listing(c, r, t);
	if (status != LISTING && !(type = config_type(c->cf, t->name))) {
		ext = strrchr(strrchr(t->name, '/'), '.');
		return error(c, r, 501, " File type: ", ext ? ext : "", ext ? strlen(ext) : 0);
	}
	if (r->method == M_OPTIONS) {
		begin(c, r, 200);
		allow(c->cf, &c->hdr);
		entity(c, r, "text/plain", 0);
		return finish(c, r, NULL, 0);
	}
	if (status == LISTING)		/* POST to a listed directory */
		return error(c, r, 404, " Reason URL does not exist: ", r->target, r->tlen);
	return do_file(c, r, t, type);
}

static void
unkeep(struct conn *c)
{
	if (c->kept >= 0)
		close(c->kept);
	c->kept = -1;
}

/* A hash of a path (FNV-1a), to tell at once a request for another file. */
static unsigned long
path_key(const char *s)
{
	unsigned long h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* The file kept open, when R's path leads to it: the same inode (whatever
 * the name, so a hash that collides is harmless), the same mode and owner,
 * and the same ctime, which any other change to it moves. One fstatat()
 * instead of openat2(), fstat() and close(); otherwise the kept file is
 * closed and the path opened anew. Unlike openat2(), the lookup is not
 * held beneath the root: if a directory on the path is moved out and
 * linked back, the connection goes on getting the file it was already
 * served, unchanged, and nothing else. */
static int
reuse(struct conn *c, struct request *r, struct target *t)
{
	struct stat st;

	if (c->kept < 0)
		return 0;
	if (c->keptkey != path_key(r->clean) ||
	    fstatat(c->cf->rootfd, r->clean + 1, &st, 0) < 0 ||
	    st.st_dev != c->keptdev || st.st_ino != c->keptino ||
	    st.st_mode != c->keptmode || st.st_uid != c->keptuid ||
	    st.st_gid != c->keptgid || st.st_ctim.tv_sec != c->keptctim.tv_sec ||
	    st.st_ctim.tv_nsec != c->keptctim.tv_nsec) {
		unkeep(c);
		return 0;
	}
	t->fd = c->kept;
	t->st = st;
	strcpy(t->name, r->clean);
	return 1;
}

/* After an answer: keep T's file open for the connection's next request
 * if it is the regular file that R named itself (not an index); close
 * what is not kept. */
static void
keep(struct conn *c, struct request *r, struct target *t, int status)
{
	if (t->fd == c->kept)
		return;
	if (status || strcmp(t->name, r->clean)) {
		close(t->fd);
		return;
	}
	c->kept = t->fd;
	c->keptkey = path_key(r->clean);
	c->keptdev = t->st.st_dev;
	c->keptino = t->st.st_ino;
	c->keptmode = t->st.st_mode;
	c->keptuid = t->st.st_uid;
	c->keptgid = t->st.st_gid;
	c->keptctim = t->st.st_ctim;
}

/* Checks 4 to 6 and the method's work, once the body is read. */
static int
route(struct conn *c, struct request *r)
{
	const struct config *cf = c->cf;
	struct target t;
	int status, rc;

	t.name = r->name;
	if (!(cf->methods & 1u << r->method))
		return error(c, r, 501, " Method: ", r->mstr, r->mlen);
	if (r->method == M_TRACE)
		return do_trace(c, r);
	if (r->method == M_OPTIONS && r->path[0] == '*') {
		begin(c, r, 200);
		allow(cf, &c->hdr);
		entity(c, r, "text/plain", 0);
		return finish(c, r, NULL, 0);
	}
	if (dotfile(r->clean))
		return error(c, r, 404, " Reason URL does not exist: ", r->target, r->tlen);
	if (r->method == M_PUT || r->method == M_DELETE) {
		unkeep(c);	/* a file they replace or remove is let go */
		return r->method == M_PUT ? do_put(c, r) : do_delete(c, r);
	}
	switch ((status = reuse(c, r, &t) ? 0 : resolve(cf, r, &t))) {
	case 0:
	case LISTING:
		rc = answer(c, r, &t, status);
		keep(c, r, &t, status);
		return rc;
	case 301:
		return located(c, r, 301, 1);
	case 404:
		return error(c, r, 404, " Reason URL does not exist: ", r->target, r->tlen);
	default:
		return error(c, r, status, "", "", 0);
	}
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
	if (head < 0) {
		error(c, r, -head, "", "", 0);
		return 0;
	}
	c->head = c->off = head;
	if (cf->errors) {	/* every request: only HEAD is told apart */
		for (p = c->buf; p < c->buf + head && (*p == '\r' || *p == '\n'); p++)
			;
		r->method = c->buf + head - p > 5 && !memcmp(p, "HEAD ", 5) ? M_HEAD : -1;
		error(c, r, 500, ": configuration error", "", 0);
		return 0;
	}
	if (parse_head(c, r))
		return 0;
	if (r->clen > cf->body_max) {
		error(c, r, 413, "", "", 0);
		return 0;
	}
	if (r->expect100 && (r->clen > 0 || r->chunked) &&
	    write_all(c->out, "HTTP/1.1 100 Continue\r\n\r\n", 25) < 0)
		return 0;
	deadline = now_ms() + cf->request_timeout * 1000;
	status = 0;
	if (r->chunked)
		status = read_chunked(c, r, deadline);
	else if (r->clen > 0) {
		r->data = xrealloc(NULL, r->clen);
		r->dlen = r->clen;
		if (take(c, r->data, r->dlen, deadline) < 0)
			status = 408;
	}
	if (status) {
		error(c, r, status, status == 400 ? " Reason: Invalid chunked body" : "", "", 0);
		return 0;
	}
	return route(c, r) < 0 ? 0 : r->keepalive;
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
	l.referer = header(c, "Referer");
	l.agent = header(c, "User-Agent");
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
	c->nfields = 0;
	more = exchange(c, &r, first);
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

/* Make ready for http_drain(); call once, before serving. */
int
http_drain_init(void)
{
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
http_drain(void)
{
	int saved = errno;

	if (drain[1] >= 0)
		(void)!write(drain[1], "", 1);
	errno = saved;
}

void
serve(int in, int out, const struct config *cf)
{
	struct conn c;
	struct timeval tv;
	int one = 1, first;

	memset(&c, 0, sizeof(c));
	c.kept = -1;
	c.in = in;
	c.out = out;
	c.cf = cf;
	c.max = cf->line_max + 4 + cf->fields_max * (cf->field_max + 4) + 2 + SLACK;
	tv.tv_sec = cf->send_timeout;
	tv.tv_usec = 0;
	setsockopt(out, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(out, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (log_on())
		peer_name(in, c.peer, sizeof(c.peer));
	for (first = 1; handle(&c, first); first = 0)
		;
	linger(&c);
	release(&c);
	unkeep(&c);
}
