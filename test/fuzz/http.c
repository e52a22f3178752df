/*
 * libFuzzer harness: the protocol functions of http.h, called directly.
 * The input's first 8 bytes are a size (and a few flags), the rest a
 * header value; the whole input is also parsed as a request head.
 * Every claim below is one http.h or http.c makes; abort() if it fails.
 */
#define _XOPEN_SOURCE 700

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "path.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A size from U: small (0, 1, ...), up to 1 TiB, near LLONG_MAX, or any. */
static long long
size_of(uint64_t u)
{
	switch (u & 3) {
	case 0: return (long long)((u >> 8) % 64);
	case 1: return (long long)((u >> 8) % ((1ULL << 40) + 1));
	case 2: return LLONG_MAX - (long long)((u >> 8) % 64);
	default: return (long long)(u >> 1);
	}
}

/* A clean path: from '/', no empty, "." or ".." segment. */
static int
clean_ok(const char *s)
{
	if (s[0] != '/' || strstr(s, "//"))
		return 0;
	for (; (s = strchr(s, '/')); s++)
		if ((s[1] == '.' && (s[2] == '/' || !s[2])) ||
		    (s[1] == '.' && s[2] == '.' && (s[3] == '/' || !s[3])))
			return 0;
	return 1;
}

/* A Location of LEN bytes whose first PLEN are the encoded path: one
 * leading '/', then only printable ASCII but for '"', '<', '>' and ' ',
 * and nothing in the rest (the query) that would end the header line. */
static void
check_location(const struct str *s, size_t plen)
{
	size_t i;

	if (s->err || !s->s || s->len != strlen(s->s) || s->len < plen || plen < 1)
		abort();
	if (s->s[0] != '/' || s->s[1] == '/' || s->s[1] == '\\')
		abort();
	for (i = 0; i < plen; i++) {
		unsigned char c = s->s[i];

		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>')
			abort();
	}
	for (; i < s->len; i++)
		if (s->s[i] == '\r' || s->s[i] == '\n')
			abort();
}

static int
inside(const char *p, size_t n, const char *buf, size_t len)
{
	return p >= buf && n <= len && (size_t)(p - buf) <= len - n;
}

static void
parse(const uint8_t *data, size_t n, int persist)
{
	struct request r;
	struct field *fields;
	struct str s = { NULL, 0, 0, 0 };
	char *head;
	size_t i, lines = 1, plen;
	int rc;

	for (i = 0; i < n; i++)
		lines += data[i] == '\n';
	if (!(head = malloc(n ? n : 1)) || !(fields = calloc(lines, sizeof(*fields))))
		abort();
	memcpy(head, data, n);
	memset(&r, 0, sizeof(r));
	r.method = -1;
	r.fields = fields;
	rc = http_parse(&r, head, n, persist);
	if (rc) {
		if ((rc != 400 && rc != 501 && rc != 503) || !r.what || !r.detail ||
		    (r.dnlen && !inside(r.detail, r.dnlen, head, n)))
			abort();
		goto done;
	}
	/* the target: a path from '/', or "*" */
	if (r.plen < 1 || !(r.path[0] == '/' || (r.plen == 1 && r.path[0] == '*')))
		abort();
	if (r.path[0] == '*' ? r.clean != NULL : !r.clean || !clean_ok(r.clean))
		abort();
	if (!inside(r.target, r.tlen, head, n) || !inside(r.version, r.vlen, head, n) ||
	    (r.query && !inside(r.query, r.qlen, head, n)) ||
	    r.vlen != 8 || !(r.v10 ? !memcmp(r.version, "HTTP/1.0", 8) : !memcmp(r.version, "HTTP/1.1", 8)))
		abort();
	/* framing: one length, or chunked, never both */
	if (r.clen < -1 || (r.chunked && r.clen >= 0) || (r.keepalive && !persist))
		abort();
	/* fields: a token, a colon, a value without the line's end */
	if (r.nfields > lines)
		abort();
	for (i = 0; i < r.nfields; i++)
		if (!r.fields[i].name[0] || strpbrk(r.fields[i].name, " \t:\r\n") ||
		    strpbrk(r.fields[i].value, "\r\n") || !http_field(&r, r.fields[i].name))
			abort();
	if (!r.v10 && !http_field(&r, "Host"))
		abort();
	/* its Location, with the query, as a directory's redirect has it */
	if (r.clean) {
		http_location(&s, r.clean, 1, NULL, 0);
		plen = s.len;
		check_location(&s, plen);
		s.len = 0;
		http_location(&s, r.clean, 1, r.query, r.qlen);
		check_location(&s, plen);
		(void)http_dotfile(r.clean);
	}
done:
	str_free(&s);
	free(r.clean);
	free(fields);
	free(head);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct str s = { NULL, 0, 0, 0 };
	uint64_t u = 0;
	long long size, from, to, csize;
	const uint8_t *rest = data + (n < 8 ? n : 8);
	size_t rlen = n - (rest - data);
	char *v, *raw, *out;
	int rc, len;

	memcpy(&u, data, n < 8 ? n : 8);
	size = size_of(u);
	if (!(v = malloc(rlen + 1)) || !(raw = malloc(rlen ? rlen : 1)) ||
	    !(out = malloc(rlen + 4)))
		abort();
	memcpy(v, rest, rlen);
	v[rlen] = '\0';		/* a header value ends at its first NUL */
	memcpy(raw, rest, rlen);

	/* Range: a part lies inside the entity */
	from = to = LLONG_MIN;
	rc = http_range(v, size, &from, &to);
	if (rc != RANGE_NONE && rc != RANGE_ALL && rc != RANGE_PART)
		abort();
	if (rc == RANGE_PART && !(0 <= from && from <= to && to < size))
		abort();

	/* a chunk-size line: 0 and a size within the maximum, 400 or 413 */
	csize = -7;
	rc = http_chunk_size(raw, rlen, size, &csize);
	if ((rc != 0 && rc != 400 && rc != 413) || (rc == 0 && !(0 <= csize && csize <= size)))
		abort();

	/* the value as a path: cleaned, then as a Location */
	if ((len = path_clean(raw, rlen, out, rlen + 4)) >= 0) {
		if ((size_t)len != strlen(out) || !clean_ok(out))
			abort();
		http_location(&s, out, u >> 8 & 1, NULL, 0);
		check_location(&s, s.len);
		(void)http_dotfile(out);
	}

	/* the rest only must not crash or read out of bounds */
	(void)http_not_modified(v, v, (time_t)(size & 0xffffffffLL), "\"1-2-3\"");
	(void)http_not_modified(NULL, v, (time_t)(size & 0xffffffffLL), "\"1-2-3\"");
	(void)http_if_range(v, (time_t)(size & 0xffffffffLL), "\"1-2-3\"");
	(void)http_takes_gzip(v);
	(void)http_has_token(v, "close");
	(void)http_v10((const char *)data, n);

	parse(data, n, (int)(n & 1));
	str_free(&s);
	free(out);
	free(raw);
	free(v);
	return 0;
}
