/* HTTP/1.x, the protocol alone: parsing and the decisions that follow from
 * the request's bytes, with no socket and no file system, so that unit
 * tests and fuzzers call each function directly. */
#ifndef WS_HTTP_H
#define WS_HTTP_H

#include <stddef.h>
#include <time.h>

#include "util.h"

struct field {
	char *name, *value;
};

/* One request as parsed: pointers into the connection's buffer, but for
 * the clean path and the body, which are on the heap. */
struct request {
	const char *mstr, *target, *version;
	size_t mlen, tlen, vlen;
	int method, v10, keepalive, expect100, chunked;
	long long clen;		/* -1: no Content-Length */
	const char *path;	/* the target's path, raw */
	size_t plen;
	const char *query;	/* after '?', or NULL */
	size_t qlen;
	char *clean;		/* the path decoded and normalised */
	struct field *fields;
	size_t nfields;
	char *data;		/* the body */
	size_t dlen, dcap;
	const char *what;	/* an error's wording (" Reason: Invalid URL: "), */
	const char *detail;	/* and the request's bytes it repeats */
	size_t dnlen;
	int status;		/* what was answered, for the log */
	long long bytes;
};

/* http_range(): the whole entity, a part of it, or none (416). */
enum { RANGE_NONE = -1, RANGE_ALL = 0, RANGE_PART = 1 };

const char *http_reason(int status);
char *http_line(char *p, char *end, size_t *n);
int http_v10(const char *buf, size_t n);
int http_parse(struct request *, char *head, size_t n, int persist);
const char *http_field(const struct request *, const char *name);
int http_has_token(const char *list, const char *token);
int http_chunk_size(const char *line, size_t n, long long max, long long *size);
int http_range(const char *h, long long size, long long *from, long long *to);
int http_not_modified(const char *inm, const char *ims, time_t mtime, const char *tag);
int http_if_range(const char *h, time_t mtime, const char *tag);
int http_takes_gzip(const char *accept_encoding);
int http_dotfile(const char *clean);
void http_location(struct str *, const char *clean, int slash, const char *query,
    size_t qlen);

#endif
