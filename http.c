/* HTTP/1.x, the protocol alone: no socket, no file system. */
#define _XOPEN_SOURCE 700

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "http.h"
#include "path.h"
#include "util.h"

const char *
http_reason(int status)
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
	case 507: return "Insufficient Storage";
	default: return "Unknown";
	}
}

/* The line at P, before END: its length without the line end in *N, and
 * where the next starts, or NULL while it has no LF. A line ends in LF, CR
 * LF, or telnet's CR NUL CR LF. */
char *
http_line(char *p, char *end, size_t *n)
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

/* Whether the first line of BUF, once whole, ends in " HTTP/1.0": for the
 * answers given before a request is parsed (408, 414, 431, a bad ws.conf). */
int
http_v10(const char *buf, size_t n)
{
	const char *p = buf, *end = buf + n;
	size_t len;

	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	if (!http_line((char *)p, (char *)end, &len))
		return 0;
	return len >= 9 && !memcmp(p + len - 9, " HTTP/1.0", 9);
}

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

const char *
http_field(const struct request *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nfields; i++)
		if (!strcasecmp(r->fields[i].name, name))
			return r->fields[i].value;
	return NULL;
}

/* Whether the comma-separated list S has TOKEN (case-insensitive). */
int
http_has_token(const char *s, const char *token)
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

static int
bad(struct request *r, int status, const char *what, const char *detail, size_t n)
{
	r->what = what;
	r->detail = detail;
	r->dnlen = n;
	return status;
}

/* Decimal digits at *S into *V, clamped at LLONG_MAX; how many there were. */
static size_t
digits(const char **s, long long *v)
{
	const char *p = *s, *start = *s;

	for (*v = 0; *p >= '0' && *p <= '9'; p++)
		*v = *v > (LLONG_MAX - (*p - '0')) / 10 ? LLONG_MAX : *v * 10 + (*p - '0');
	*s = p;
	return p - start;
}

/* Split "METHOD SP TARGET SP VERSION" and check it, in the exercise's
 * order. Returns 0 or the status to answer. */
static int
request_line(struct request *r, char *s, size_t n)
{
	char *sp, *end = s + n;
	const char *slash;
	size_t skip = 0;

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
		return bad(r, 400, " Reason: Invalid Method: ", r->mstr, r->mlen);

	r->path = r->target;
	r->plen = r->tlen;
	if (r->tlen >= 7 && !strncasecmp(r->target, "http://", 7))
		skip = 7;
	else if (r->tlen >= 8 && !strncasecmp(r->target, "https://", 8))
		skip = 8;
	if (skip) {		/* absolute form: its path, or "/" */
		slash = memchr(r->target + skip, '/', r->tlen - skip);
		r->query = memchr(r->target + skip, '?', r->tlen - skip);
		if (r->query && slash > r->query)
			slash = NULL;	/* the authority ends at '?' too */
		r->path = slash ? slash : "/";
		r->plen = slash ? (size_t)(r->target + r->tlen - slash) : 1;
		if (r->query && !slash)
			r->qlen = r->target + r->tlen - ++r->query;
		else
			r->query = NULL;
	}
	if (has_ctl(r->target, r->tlen) || r->plen == 0 || (r->path[0] != '/' &&
	    !(r->tlen == 1 && r->path[0] == '*' && r->method == M_OPTIONS)))
		return bad(r, 400, " Reason: Invalid URL: ", r->target, r->tlen);
	if (r->path[0] == '/') {
		if (!r->query && (r->query = memchr(r->path, '?', r->plen))) {
			r->plen = r->query - r->path;
			r->qlen = r->target + r->tlen - ++r->query;
		}
		if (!(r->clean = malloc(r->plen + 4)))
			return bad(r, 503, "", "", 0);
		if (path_clean(r->path, r->plen, r->clean, r->plen + 4) < 0)
			return bad(r, 400, " Reason: Invalid URL: ", r->target, r->tlen);
	}
	if (r->vlen != 8 || (!r->v10 && memcmp(r->version, "HTTP/1.1", 8)))
		return bad(r, 400, " Reason: Invalid HTTP-Version: ", r->version, r->vlen);
	return 0;
}

/* How many field lines NAME has, and whether the list their values make
 * together (RFC 9110 5.3) has TOKEN, when TOKEN is not NULL. */
static size_t
lines(const struct request *r, const char *name, const char *token, int *has)
{
	size_t i, n = 0;

	for (i = 0; i < r->nfields; i++)
		if (!strcasecmp(r->fields[i].name, name)) {
			n++;
			if (token && http_has_token(r->fields[i].value, token))
				*has = 1;
		}
	return n;
}

/* The Transfer-Encoding lines as one list: 0 without any, 1 for chunked
 * alone, 400 when chunked is not the last coding (RFC 9112 6.3: the
 * length cannot be known), 501 for a coding before it that ws lacks. */
static int
transfer_coding(const struct request *r)
{
	const char *v;
	size_t i, k, t, n = 0, seen = 0;
	int last = 0;

	for (i = 0; i < r->nfields; i++) {
		if (strcasecmp(r->fields[i].name, "Transfer-Encoding"))
			continue;
		seen++;
		for (v = r->fields[i].value; *v; v += k) {
			v += strspn(v, " \t,");
			if (!(k = strcspn(v, ",")))
				continue;
			for (t = k; t > 0 && (v[t - 1] == ' ' || v[t - 1] == '\t'); t--)
				;
			last = t == 7 && !strncasecmp(v, "chunked", 7);
			n++;
		}
	}
	if (!seen)
		return 0;
	return !last ? 400 : n == 1 ? 1 : 501;
}

/* Content-Length: one value, or a list of equal values or repeated equal
 * fields (RFC 9112 6.3), into r->clen. */
static int
content_length(struct request *r)
{
	const char *v;
	long long n;
	size_t i;

	for (i = 0; i < r->nfields; i++) {
		if (strcasecmp(r->fields[i].name, "Content-Length"))
			continue;
		for (v = r->fields[i].value;; v++) {
			v += strspn(v, " \t");
			if (!digits(&v, &n) || n == LLONG_MAX || (r->clen >= 0 && n != r->clen))
				return -1;
			r->clen = n;
			v += strspn(v, " \t");
			if (*v != ',')
				break;
		}
		if (*v)
			return -1;
	}
	return 0;
}

/*
 * Parse the head HEAD[0, N), whose lines read_head() has counted and
 * bounded, into R; r->fields has room for every line. NULs are written
 * into the head. Returns 0, or the status to answer with r->what set.
 */
int
http_parse(struct request *r, char *p, size_t len, int persist)
{
	char *end = p + len, *next, *colon, *v, *e;
	const char *h, *te;
	size_t n, hosts;
	int rc, close = 0, keep = 0;

	while ((next = http_line(p, end, &n)) && n == 0)
		p = next;		/* empty lines before the request line */
	if (!next)
		return bad(r, 400, " Reason: Invalid request", "", 0);
	p[n] = '\0';
	if ((rc = request_line(r, p, n)))
		return rc;
	r->nfields = 0;
	for (p = next; (next = http_line(p, end, &n)) && n > 0; p = next) {
		p[n] = '\0';
		colon = memchr(p, ':', n);
		if (!colon || colon == p || has_ctl(p, n))
			return bad(r, 400, " Reason: Invalid header", "", 0);
		for (v = p; v < colon; v++)
			if (!tchar((unsigned char)*v))	/* also catches obs-fold */
				return bad(r, 400, " Reason: Invalid header", "", 0);
		*colon = '\0';
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		for (e = p + n; e > v && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		*e = '\0';
		r->fields[r->nfields].name = p;
		r->fields[r->nfields++].value = v;
	}

	if ((hosts = lines(r, "Host", NULL, NULL)) > 1)
		return bad(r, 400, " Reason: Invalid Host header", "", 0);
	if (!r->v10 && !hosts)
		return bad(r, 400, " Reason: Missing Host header", "", 0);
	/* repeated lines are one list, and close wins (RFC 9112 9.6) */
	lines(r, "Connection", "close", &close);
	lines(r, "Connection", "keep-alive", &keep);
	r->keepalive = persist && !close && (keep || !r->v10);
	r->expect100 = !r->v10 && (h = http_field(r, "Expect")) &&
	    !strcasecmp(h, "100-continue");

	/* Framing: one length, or chunked, never both (RFC 9112 6.3). */
	te = http_field(r, "Transfer-Encoding");
	r->clen = -1;
	if (content_length(r) < 0)
		return bad(r, 400, " Reason: Invalid Content-Length", "", 0);
	if (te && r->clen >= 0)
		return bad(r, 400, " Reason: Content-Length with Transfer-Encoding", "", 0);
	if ((rc = transfer_coding(r)) == 400)
		return bad(r, 400, " Reason: Invalid Transfer-Encoding", "", 0);
	if (rc == 501)
		return bad(r, 501, " Transfer-Encoding: ", te, strlen(te));
	r->chunked = rc == 1;
	if (r->chunked && r->v10)	/* faulty framing in HTTP/1.0 (6.1) */
		r->keepalive = 0;
	return 0;
}

/* A chunk-size line (hex digits, then extensions) into *SIZE, no more than
 * MAX: 0, 400 for a bad line, 413 past MAX. */
int
http_chunk_size(const char *s, size_t n, long long max, long long *size)
{
	const char *p, *end = s + n;
	int d;

	for (*size = 0, p = s; p < end && isxdigit((unsigned char)*p); p++) {
		d = *p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10;
		if (*size > max / 16 || *size * 16 + d > max)
			return 413;
		*size = *size * 16 + d;
	}
	if (p == s)
		return 400;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p < end && *p != ';' ? 400 : 0;
}

/*
 * One "bytes=" range of a SIZE-byte entity (RFC 9110 14.1.2) into [*FROM,
 * *TO], digits read by hand so that no number overflows. RANGE_PART: 0 <=
 * *FROM <= *TO < SIZE. RANGE_ALL: send the whole entity (no Range, several
 * ranges, or one that does not parse, which 14.2 lets a server ignore).
 * RANGE_NONE: nothing in it is satisfiable (416).
 */
int
http_range(const char *h, long long size, long long *from, long long *to)
{
	long long a, b;

	if (!h || strncasecmp(h, "bytes", 5))
		return RANGE_ALL;
	h += 5 + strspn(h + 5, " \t");
	if (*h++ != '=' || strchr(h, ','))
		return RANGE_ALL;
	h += strspn(h, " \t");
	if (*h == '-') {	/* the last B bytes */
		h++;
		if (!digits(&h, &b) || h[strspn(h, " \t")])
			return RANGE_ALL;
		if (b == 0 || size <= 0)
			return RANGE_NONE;
		*from = b >= size ? 0 : size - b;
		*to = size - 1;
		return RANGE_PART;
	}
	if (!digits(&h, &a) || *h++ != '-')
		return RANGE_ALL;
	if (!digits(&h, &b))
		b = LLONG_MAX;
	else if (b < a)
		return RANGE_ALL;
	if (h[strspn(h, " \t")])
		return RANGE_ALL;
	if (a >= size)
		return RANGE_NONE;
	*from = a;
	*to = b >= size ? size - 1 : b;
	return RANGE_PART;
}

/* Whether the If-None-Match list S names TAG (weak comparison), or is *. */
static int
etag_listed(const char *s, const char *tag)
{
	size_t n = strlen(tag), k;
	const char *q;

	while (*s) {
		s += strspn(s, " \t,");
		if (*s == '*')
			return 1;
		if (!strncmp(s, "W/", 2))
			s += 2;
		q = *s == '"' ? strchr(s + 1, '"') : NULL;
		k = q ? (size_t)(q + 1 - s) : strcspn(s, ",");
		if (k == n && !strncmp(s, tag, n))
			return 1;
		s += k;
	}
	return 0;
}

/* Whether the client's copy is current: If-None-Match first, then
 * If-Modified-Since ("not newer than"), as RFC 9110 13.2.2 orders them. */
int
http_not_modified(const char *inm, const char *ims, time_t mtime, const char *tag)
{
	time_t t;

	if (inm)
		return etag_listed(inm, tag);
	return ims && http_date_parse(ims, &t) == 0 && mtime <= t;
}

/* Whether If-Range H (an entity tag, strongly compared, or the exact
 * Last-Modified date) still holds; no If-Range holds too. */
int
http_if_range(const char *h, time_t mtime, const char *tag)
{
	time_t t;

	if (!h)
		return 1;
	if (*h == '"')
		return !strcmp(h, tag);
	return http_date_parse(h, &t) == 0 && t == mtime;
}

/* Whether the element S[0, K) of an Accept-Encoding list has a weight
 * above 0: no "q" parameter, or q > 0. */
static int
weighted(const char *s, size_t k)
{
	const char *p = memchr(s, ';', k), *end = s + k;

	while (p && p < end) {
		p += 1 + strspn(p + 1, " \t");
		if ((*p == 'q' || *p == 'Q') && p[1] == '=')
			return strtod(p + 2, NULL) > 0;
		p = memchr(p, ';', end - p);
	}
	return 1;
}

/* Whether Accept-Encoding takes gzip: by name, or by "*" when gzip is
 * not named, with a weight above 0 (RFC 9110 12.5.3). */
int
http_takes_gzip(const char *s)
{
	int gzip = -1, star = 0;
	size_t k, n;

	while (s && *s) {
		s += strspn(s, " \t,");
		k = strcspn(s, ",");
		n = strcspn(s, " \t;,");
		if (n == 4 && !strncasecmp(s, "gzip", 4))
			gzip = weighted(s, k);
		else if (n == 1 && *s == '*')
			star = weighted(s, k);
		s += k;
	}
	return gzip >= 0 ? gzip : star;
}

/* Whether a name in the clean path starts with a dot, /.well-known/ aside. */
int
http_dotfile(const char *s)
{
	if (!strncmp(s, "/.well-known/", 13) || !strcmp(s, "/.well-known"))
		s += 12;
	return strstr(s, "/.") != NULL;
}

/* A Location on this host: the clean path, each segment percent-encoded,
 * a slash added for a directory's redirect, then the query. Built from the
 * clean path, it always starts with one '/' and never a second, so no
 * browser reads it as another host. */
void
http_location(struct str *s, const char *clean, int slash, const char *query,
    size_t qlen)
{
	const char *p = clean, *e;

	while (*p == '/') {
		str_add(s, "/", 1);
		e = p + 1 + strcspn(p + 1, "/");
		str_url(s, p + 1, e - p - 1);
		p = e;
	}
	if (slash && (s->len == 0 || s->s[s->len - 1] != '/'))
		str_add(s, "/", 1);
	if (query) {
		str_add(s, "?", 1);
		str_add(s, query, qlen);
	}
}
