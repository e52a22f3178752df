/* Unit tests in C for what is easier to state than to send: the path
 * cleaner, the protocol functions of http.h, the ws.conf parser, and
 * serve() on canned input. TAP output. */
#define _XOPEN_SOURCE 700

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "conn.h"
#include "http.h"
#include "path.h"
#include "util.h"

static int ntest, nfail;
static char tmpdir[] = "/tmp/ws-unit-XXXXXX";

static void
ok(int cond, const char *fmt, const char *arg)
{
	printf("%sok %d - ", cond ? "" : "not ", ++ntest);
	printf(fmt, arg);
	putchar('\n');
	nfail += !cond;
}

static void
write_file(const char *name, const char *text, size_t n)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0 ||
	    write(fd, text, n) != (ssize_t)n) {
		perror(path);
		exit(1);
	}
	close(fd);
}

/* Read a whole temporary file into a static buffer, NUL-terminated. */
static const char *
read_file(const char *name)
{
	static char buf[65536];
	char path[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if ((fd = open(path, O_RDONLY)) < 0)
		return "";
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

static void
test_path(void)
{
	static const struct {
		const char *in, *out;	/* out NULL: rejected */
	} t[] = {
		{ "/", "/" }, { "/a", "/a" }, { "/a/", "/a/" }, { "//a//b", "/a/b" },
		{ "/a/./b", "/a/b" }, { "/a/b/../c", "/a/c" }, { "/a/..", "/" },
		{ "/x/.", "/x/" }, { "/.", "/" }, { "/%69ndex.html", "/index.html" },
		{ "/a%2fb", "/a/b" }, { "/a%2Fb/%2e%2E/c", "/a/c" },
		{ "/..", NULL }, { "/a/../..", NULL }, { "/%2e%2e/etc/passwd", NULL },
		{ "/..%2f..%2fetc", NULL }, { "/a%00b", NULL }, { "/%zz", NULL },
		{ "/a%2", NULL }, { "/a%", NULL }, { "a", NULL }, { "", NULL },
		{ "/.hidden", "/.hidden" }, { "/...", "/..." }, { "/a b", "/a b" },
	};
	char out[64], name[128];
	size_t i;
	int n;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		n = path_clean(t[i].in, strlen(t[i].in), out, sizeof(out));
		snprintf(name, sizeof(name), "path_clean(\"%s\") -> %s", t[i].in,
		    t[i].out ? t[i].out : "rejected");
		ok(t[i].out ? n >= 0 && !strcmp(out, t[i].out) : n < 0, "%s", name);
	}
	n = path_clean("/aaaaaaaaaaaaaaaaaaaa", 21, out, 8);
	ok(n < 0, "%s", "path_clean rejects what does not fit");
}

/* The pure functions of http.h, one table each. */

/* S[0, N) in C notation, for a test's name. */
static const char *
esc(const char *s, size_t n)
{
	static char buf[4][256];
	static int k;
	char *o = buf[k = (k + 1) % 4], *end = o + sizeof(buf[0]) - 5;
	size_t i;

	if (!s)
		return "NULL";
	*o++ = '"';
	for (i = 0; i < n && o < end; i++) {
		unsigned char c = s[i];

		if (c == '\r' || c == '\n' || c == '\t' || c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = c == '\r' ? 'r' : c == '\n' ? 'n' : c == '\t' ? 't' : c;
		} else if (c < 0x20 || c >= 0x7f)
			o += sprintf(o, "\\x%02x", c);
		else
			*o++ = c;
	}
	*o++ = '"';
	*o = '\0';
	return buf[k];
}

#define ESC(s) esc(s, (s) ? strlen(s) : 0)

static void
test_range(void)
{
	static const struct {
		const char *h;
		long long size;
		int rc;
		long long from, to;	/* for RANGE_PART */
	} t[] = {
		{ NULL, 12, RANGE_ALL, 0, 0 },
		{ "bytes=3-5", 12, RANGE_PART, 3, 5 },
		{ "bytes=0-0", 12, RANGE_PART, 0, 0 },
		{ "bytes=0-11", 12, RANGE_PART, 0, 11 },
		{ "bytes=0-12", 12, RANGE_PART, 0, 11 },
		{ "bytes=5-2", 12, RANGE_ALL, 0, 0 },
		{ "bytes=99999999999999999999-", 12, RANGE_NONE, 0, 0 },
		{ "bytes=0-99999999999999999999", 12, RANGE_PART, 0, 11 },
		{ "bytes=-99999999999999999999", 12, RANGE_PART, 0, 11 },
		{ "bytes=-3", 12, RANGE_PART, 9, 11 },
		{ "bytes=-12", 12, RANGE_PART, 0, 11 },
		{ "bytes=-13", 12, RANGE_PART, 0, 11 },
		{ "bytes=-0", 12, RANGE_NONE, 0, 0 },
		{ "bytes=12-", 12, RANGE_NONE, 0, 0 },
		{ "bytes=12-20", 12, RANGE_NONE, 0, 0 },
		{ "bytes=11-", 12, RANGE_PART, 11, 11 },
		{ "bytes=0-1,3-4", 12, RANGE_ALL, 0, 0 },
		{ "bytes=0-1, 3-4", 12, RANGE_ALL, 0, 0 },
		{ "bytes=abc", 12, RANGE_ALL, 0, 0 },
		{ "bytes=", 12, RANGE_ALL, 0, 0 },
		{ "bytes", 12, RANGE_ALL, 0, 0 },
		{ "bytes=-", 12, RANGE_ALL, 0, 0 },
		{ "items=0-1", 12, RANGE_ALL, 0, 0 },
		{ "bytesx=0-1", 12, RANGE_ALL, 0, 0 },
		{ "bytes = 0-1", 12, RANGE_PART, 0, 1 },	/* OWS is tolerated */
		{ "bytes= 0-1", 12, RANGE_PART, 0, 1 },
		{ "Bytes=0-0", 12, RANGE_PART, 0, 0 },
		{ "BYTES=2-", 12, RANGE_PART, 2, 11 },
		{ "bytes=0-", 0, RANGE_NONE, 0, 0 },
		{ "bytes=-5", 0, RANGE_NONE, 0, 0 },
		{ "bytes=0-0", 1, RANGE_PART, 0, 0 },
		{ "bytes=-1", 1, RANGE_PART, 0, 0 },
		{ "bytes=1-2x", 12, RANGE_ALL, 0, 0 },
		{ "bytes=1x-2", 12, RANGE_ALL, 0, 0 },
		{ "bytes=1 - 2", 12, RANGE_ALL, 0, 0 },
		{ "bytes=--1", 12, RANGE_ALL, 0, 0 },
		{ "bytes=-1-2", 12, RANGE_ALL, 0, 0 },
		{ "bytes=+1-2", 12, RANGE_ALL, 0, 0 },
		{ "bytes=0-0 ", 12, RANGE_PART, 0, 0 },
		{ "bytes=0-0\t", 12, RANGE_PART, 0, 0 },
		{ "bytes=-3 ", 12, RANGE_PART, 9, 11 },
		{ "bytes=9223372036854775806-", 9223372036854775807LL, RANGE_PART,
		  9223372036854775806LL, 9223372036854775806LL },
		{ "bytes=0-", 9223372036854775807LL, RANGE_PART, 0, 9223372036854775806LL },
		{ "bytes=9223372036854775807-", 9223372036854775807LL, RANGE_NONE, 0, 0 },
		{ "bytes=-9223372036854775807", 9223372036854775807LL, RANGE_PART,
		  0, 9223372036854775806LL },
	};
	static const char *const rcname[] = { "NONE", "ALL", "PART" };
	char name[256];
	long long from, to;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		from = to = -7;
		rc = http_range(t[i].h, t[i].size, &from, &to);
		snprintf(name, sizeof(name), "http_range(%s, %lld) -> %s %lld..%lld",
		    ESC(t[i].h), t[i].size, rcname[t[i].rc + 1], t[i].from, t[i].to);
		ok(rc == t[i].rc && (rc != RANGE_PART ||
		    (from == t[i].from && to == t[i].to)), "%s", name);
	}
}

static void
test_chunk_size(void)
{
	static const struct {
		const char *line;
		long long max;
		int rc;
		long long size;		/* for rc 0 */
	} t[] = {
		{ "0", 1 << 20, 0, 0 },
		{ "000", 1 << 20, 0, 0 },
		{ "1a", 1 << 20, 0, 26 },
		{ "1A;ext=1", 1 << 20, 0, 26 },
		{ "1a  ;x", 1 << 20, 0, 26 },
		{ "1a\t;x", 1 << 20, 0, 26 },
		{ "1a;", 1 << 20, 0, 26 },
		{ "1a ", 1 << 20, 0, 26 },
		{ "fF", 1 << 20, 0, 255 },
		{ "", 1 << 20, 400, 0 },
		{ "g", 1 << 20, 400, 0 },
		{ ";x", 1 << 20, 400, 0 },
		{ " 1a", 1 << 20, 400, 0 },
		{ "1 x", 1 << 20, 400, 0 },
		{ "1g", 1 << 20, 400, 0 },
		{ "-1", 1 << 20, 400, 0 },
		{ "0x10", 1 << 20, 400, 0 },
		{ "ffffffffffffffffffffff", 1 << 20, 413, 0 },
		{ "100001", 0x100000, 413, 0 },
		{ "100000", 0x100000, 0, 0x100000 },
		{ "0000000000000000000000100000", 0x100000, 0, 0x100000 },
		{ "5", 3, 413, 0 },
		{ "3", 3, 0, 3 },
		{ "1", 0, 413, 0 },
		{ "0", 0, 0, 0 },
		{ "7fffffffffffffff", 9223372036854775807LL, 0, 9223372036854775807LL },
		{ "8000000000000000", 9223372036854775807LL, 413, 0 },
		{ "ffffffffffffffffff", 9223372036854775807LL, 413, 0 },
	};
	char name[256];
	long long size;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size = -7;
		rc = http_chunk_size(t[i].line, strlen(t[i].line), t[i].max, &size);
		snprintf(name, sizeof(name), "http_chunk_size(%s, max %lld) -> %d size %lld",
		    ESC(t[i].line), t[i].max, t[i].rc, t[i].size);
		ok(rc == t[i].rc && (rc != 0 || size == t[i].size), "%s", name);
	}
}

static void
test_location(void)
{
	static const struct {
		const char *clean;
		int slash;
		const char *query, *out;
	} t[] = {
		{ "/sub", 1, NULL, "/sub/" },
		{ "/sub", 1, "a=1", "/sub/?a=1" },
		{ "/sub", 1, "", "/sub/?" },
		{ "/sub/", 1, NULL, "/sub/" },
		{ "/a b", 1, NULL, "/a%20b/" },
		{ "/", 1, NULL, "/" },
		{ "/", 0, NULL, "/" },
		{ "/", 1, "q", "/?q" },
		{ "/x/y.txt", 0, NULL, "/x/y.txt" },
		{ "/a/b/", 0, NULL, "/a/b/" },
		{ "/javascript:x", 0, NULL, "/javascript%3Ax" },
		{ "/\\evil", 1, NULL, "/%5Cevil/" },
		{ "/\\\\evil.com", 0, NULL, "/%5C%5Cevil.com" },
		{ "/\xc3\xa9v\xc3\xa9", 0, NULL, "/%C3%A9v%C3%A9" },
		{ "/\xff", 0, NULL, "/%FF" },
		{ "/~u/x-y_z.", 0, NULL, "/~u/x-y_z." },
		{ "/a?b#c", 0, NULL, "/a%3Fb%23c" },
		{ "/%", 1, NULL, "/%25/" },
		{ "/<script>\"", 0, NULL, "/%3Cscript%3E%22" },
		{ "/a\r\nSet-Cookie: x", 1, NULL, "/a%0D%0ASet-Cookie%3A%20x/" },
		{ "/@evil.com", 0, NULL, "/%40evil.com" },
	};
	struct str s = { NULL, 0, 0, 0 };
	char name[256];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		s.len = 0;
		http_location(&s, t[i].clean, t[i].slash, t[i].query,
		    t[i].query ? strlen(t[i].query) : 0);
		snprintf(name, sizeof(name), "http_location(%s, %d, %s) -> %s",
		    ESC(t[i].clean), t[i].slash, ESC(t[i].query), t[i].out);
		ok(s.s && !s.err && s.len == strlen(s.s) && !strcmp(s.s, t[i].out) &&
		    s.s[0] == '/' && s.s[1] != '/' && s.s[1] != '\\', "%s", name);
	}
	str_free(&s);
}

#define HEAD(lit) lit, sizeof(lit) - 1

static void
test_parse(void)
{
	static const struct {
		const char *desc, *head;
		size_t len;
		int persist, rc;
		const char *what, *detail;	/* rc != 0; NULL: not checked */
		/* rc 0: */
		const char *path, *query, *clean;	/* query, clean NULL: none */
		int v10, keepalive, expect100, chunked;
		long long clen;
		const char *field, *value;	/* http_field(), when field */
	} t[] = {
		/* the request line, checked method, URL, version in that order */
		{ "bad method", HEAD("GRT /index.html HTTP/1.1\r\nHost: x\r\n\r\n"), 1, 400,
		  " Reason: Invalid Method: ", "GRT", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "methods are case-sensitive", HEAD("get / HTTP/1.1\r\nHost: x\r\n\r\n"), 1, 400,
		  " Reason: Invalid Method: ", "get", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "the method before URL and version", HEAD("FETCH x HTTP/2.1\r\n\r\n"), 1, 400,
		  " Reason: Invalid Method: ", "FETCH", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "a line of a method alone", HEAD("GET\r\nHost: x\r\n\r\n"), 1, 400,
		  " Reason: Invalid URL: ", "", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "bad URL: not a path", HEAD("GET x HTTP/2.1\r\nHost: x\r\n\r\n"), 1, 400,
		  " Reason: Invalid URL: ", "x", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "bad URL: empty", HEAD("GET  HTTP/1.1\r\nHost: x\r\n\r\n"), 1, 400,
		  " Reason: Invalid URL: ", "", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "bad URL: bad escape", HEAD("GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n"), 1, 400,
		  " Reason: Invalid URL: ", "/a%zz", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "bad URL: above the root", HEAD("GET /a/../../etc HTTP/1.1\r\nHost: x\r\n\r\n"),
		  1, 400, " Reason: Invalid URL: ", "/a/../../etc", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "bad URL: %00", HEAD("GET /a%00 HTTP/1.1\r\nHost: x\r\n\r\n"), 1, 400,
		  " Reason: Invalid URL: ", "/a%00", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "bad URL: a control byte", HEAD("GET /a\x01 HTTP/1.1\r\nHost: x\r\n\r\n"), 1,
		  400, " Reason: Invalid URL: ", "/a\x01", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "bad URL: * but for OPTIONS", HEAD("GET * HTTP/1.1\r\nHost: x\r\n\r\n"), 1, 400,
		  " Reason: Invalid URL: ", "*", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "bad version", HEAD("GET / HTTP/2.1\r\nHost: x\r\n\r\n"), 1, 400,
		  " Reason: Invalid HTTP-Version: ", "HTTP/2.1", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "the version is case-sensitive", HEAD("GET / http/1.1\r\nHost: x\r\n\r\n"), 1,
		  400, " Reason: Invalid HTTP-Version: ", "http/1.1", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "no version", HEAD("GET /\r\n\r\n"), 1, 400,
		  " Reason: Invalid HTTP-Version: ", "", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "a blank in the target", HEAD("GET /a b HTTP/1.1\r\nHost: x\r\n\r\n"), 1, 400,
		  " Reason: Invalid HTTP-Version: ", "b HTTP/1.1", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "no request line", HEAD("\r\n\r\n"), 1, 400, " Reason: Invalid request", NULL,
		  0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "HTTP/1.0 sets v10, no Host needed, closes", HEAD("GET / HTTP/1.0\r\n\r\n"), 1, 0,
		  0, 0, "/", NULL, "/", 1, 0, 0, 0, -1, 0, 0 },
		{ "HTTP/1.1, keep-alive by default", HEAD("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"), 1,
		  0, 0, 0, "/a", NULL, "/a", 0, 1, 0, 0, -1, "host", "x" },
		{ "empty lines before the request line",
		  HEAD("\r\n\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"), 1, 0, 0, 0, "/", NULL, "/",
		  0, 1, 0, 0, -1, 0, 0 },
		{ "telnet's CR NUL CR LF",
		  HEAD("GET / HTTP/1.0\r\0\r\nUser-Agent: t\r\0\r\n\r\0\r\n"), 1, 0, 0, 0, "/",
		  NULL, "/", 1, 0, 0, 0, -1, "User-Agent", "t" },
		{ "bare LF line ends", HEAD("GET / HTTP/1.1\nHost: x\n\n"), 1, 0, 0, 0, "/", NULL,
		  "/", 0, 1, 0, 0, -1, "Host", "x" },
		{ "a path, cleaned, and its query",
		  HEAD("GET /a/./b/../c/?x=1&y HTTP/1.1\r\nHost: x\r\n\r\n"), 1, 0, 0, 0,
		  "/a/./b/../c/", "x=1&y", "/a/c/", 0, 1, 0, 0, -1, 0, 0 },
		{ "an empty query", HEAD("GET /a? HTTP/1.1\r\nHost: x\r\n\r\n"), 1, 0, 0, 0,
		  "/a", "", "/a", 0, 1, 0, 0, -1, 0, 0 },
		{ "absolute form", HEAD("GET http://h/p?q HTTP/1.1\r\nHost: h\r\n\r\n"), 1, 0, 0, 0,
		  "/p", "q", "/p", 0, 1, 0, 0, -1, 0, 0 },
		{ "absolute form, https, case-insensitive scheme",
		  HEAD("GET HTTPS://h:8/a/../b HTTP/1.1\r\nHost: h\r\n\r\n"), 1, 0, 0, 0,
		  "/a/../b", NULL, "/b", 0, 1, 0, 0, -1, 0, 0 },
		{ "absolute form without a path", HEAD("GET http://h HTTP/1.1\r\nHost: h\r\n\r\n"),
		  1, 0, 0, 0, "/", NULL, "/", 0, 1, 0, 0, -1, 0, 0 },
		{ "absolute form, the authority ends at '?' (RFC 3986 3.2)",
		  HEAD("GET http://h?x/y HTTP/1.1\r\nHost: h\r\n\r\n"), 1, 0, 0, 0,
		  "/", "x/y", "/", 0, 1, 0, 0, -1, 0, 0 },
		{ "OPTIONS *", HEAD("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"), 1, 0, 0, 0, "*", NULL,
		  NULL, 0, 1, 0, 0, -1, 0, 0 },
		{ "a head without its blank line", HEAD("GET / HTTP/1.1\r\nHost: x\r\n"), 1, 0, 0, 0,
		  "/", NULL, "/", 0, 1, 0, 0, -1, 0, 0 },

		/* the fields */
		{ "missing Host on HTTP/1.1", HEAD("GET / HTTP/1.1\r\nX: y\r\n\r\n"), 1, 400,
		  " Reason: Missing Host header", NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "Host twice is 400 (RFC 9112 3.2)",
		  HEAD("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 1, 400, NULL, NULL,
		  0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "values lose their blanks", HEAD("GET / HTTP/1.1\r\nhOST: \t x y \t\r\n\r\n"), 1,
		  0, 0, 0, "/", NULL, "/", 0, 1, 0, 0, -1, "Host", "x y" },
		{ "an empty value", HEAD("GET / HTTP/1.1\r\nHost:\r\nX:  \r\n\r\n"), 1,
		  0, 0, 0, "/", NULL, "/", 0, 1, 0, 0, -1, "X", "" },
		{ "a field without a colon", HEAD("GET / HTTP/1.1\r\nHost x\r\n\r\n"), 1, 400,
		  " Reason: Invalid header", NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "a field with no name", HEAD("GET / HTTP/1.1\r\nHost: x\r\n: y\r\n\r\n"), 1, 400,
		  " Reason: Invalid header", NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "a blank before the colon", HEAD("GET / HTTP/1.1\r\nHost : x\r\n\r\n"), 1, 400,
		  " Reason: Invalid header", NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "obs-fold", HEAD("GET / HTTP/1.1\r\nHost: x\r\n y\r\n\r\n"), 1, 400,
		  " Reason: Invalid header", NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "a control byte in a value", HEAD("GET / HTTP/1.1\r\nHost: x\x7f\r\n\r\n"), 1,
		  400, " Reason: Invalid header", NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "a bare CR", HEAD("GET / HTTP/1.1\r\nHost: x\rY: z\r\n\r\n"), 1, 400,
		  " Reason: Invalid header", NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "a NUL in a value", HEAD("GET / HTTP/1.1\r\nHost: x\0y\r\n\r\n"), 1, 400,
		  " Reason: Invalid header", NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "a tab in a value is fine", HEAD("GET / HTTP/1.1\r\nHost: x\ty\r\n\r\n"), 1,
		  0, 0, 0, "/", NULL, "/", 0, 1, 0, 0, -1, "Host", "x\ty" },

		/* keep-alive */
		{ "1.1 Connection: close", HEAD("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
		  1, 0, 0, 0, "/", NULL, "/", 0, 0, 0, 0, -1, 0, 0 },
		{ "1.1 Connection: keep-alive, Close",
		  HEAD("GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Close\r\n\r\n"),
		  1, 0, 0, 0, "/", NULL, "/", 0, 0, 0, 0, -1, 0, 0 },
		{ "1.1 Connection: closed is not close",
		  HEAD("GET / HTTP/1.1\r\nHost: x\r\nConnection: closed\r\n\r\n"),
		  1, 0, 0, 0, "/", NULL, "/", 0, 1, 0, 0, -1, 0, 0 },
		{ "1.1 close in a second Connection line closes (RFC 9110 5.3)",
		  HEAD("GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n"),
		  1, 0, 0, 0, "/", NULL, "/", 0, 0, 0, 0, -1, 0, 0 },
		{ "1.0 Connection: keep-alive",
		  HEAD("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"),
		  1, 0, 0, 0, "/", NULL, "/", 1, 1, 0, 0, -1, 0, 0 },
		{ "1.0 Connection: close", HEAD("GET / HTTP/1.0\r\nConnection: close\r\n\r\n"),
		  1, 0, 0, 0, "/", NULL, "/", 1, 0, 0, 0, -1, 0, 0 },
		{ "persist 0: 1.1 closes", HEAD("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
		  0, 0, 0, 0, "/", NULL, "/", 0, 0, 0, 0, -1, 0, 0 },
		{ "persist 0: 1.0 keep-alive closes",
		  HEAD("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"),
		  0, 0, 0, 0, "/", NULL, "/", 1, 0, 0, 0, -1, 0, 0 },

		/* Content-Length */
		{ "Content-Length: 5",
		  HEAD("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n"),
		  1, 0, 0, 0, "/", NULL, "/", 0, 1, 0, 0, 5, 0, 0 },
		{ "Content-Length: 0",
		  HEAD("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"),
		  1, 0, 0, 0, "/", NULL, "/", 0, 1, 0, 0, 0, 0, 0 },
		{ "Content-Length: 005",
		  HEAD("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 005\r\n\r\n"),
		  1, 0, 0, 0, "/", NULL, "/", 0, 1, 0, 0, 5, 0, 0 },
		{ "Content-Length: 5, 5",
		  HEAD("POST / HTTP/1.1\r\nHost: x\r\ncontent-length: 5, 5\r\n\r\n"),
		  1, 0, 0, 0, "/", NULL, "/", 0, 1, 0, 0, 5, 0, 0 },
		{ "Content-Length: 5,5 ,\t5",
		  HEAD("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5,5 ,\t5\r\n\r\n"),
		  1, 0, 0, 0, "/", NULL, "/", 0, 1, 0, 0, 5, 0, 0 },
		{ "two equal Content-Length lines",
		  HEAD("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n"),
		  1, 0, 0, 0, "/", NULL, "/", 0, 1, 0, 0, 5, 0, 0 },
		{ "Content-Length: 5, 6",
		  HEAD("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\n"), 1, 400,
		  " Reason: Invalid Content-Length", NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "two different Content-Length lines",
		  HEAD("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"),
		  1, 400, " Reason: Invalid Content-Length", NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "Content-Length: -1",
		  HEAD("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"), 1, 400,
		  " Reason: Invalid Content-Length", NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "Content-Length: +5",
		  HEAD("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\n"), 1, 400,
		  " Reason: Invalid Content-Length", NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "Content-Length empty",
		  HEAD("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \r\n\r\n"), 1, 400,
		  " Reason: Invalid Content-Length", NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "Content-Length: 5,",
		  HEAD("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5,\r\n\r\n"), 1, 400,
		  " Reason: Invalid Content-Length", NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "Content-Length: 5 6",
		  HEAD("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5 6\r\n\r\n"), 1, 400,
		  " Reason: Invalid Content-Length", NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "Content-Length: 0x5",
		  HEAD("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x5\r\n\r\n"), 1, 400,
		  " Reason: Invalid Content-Length", NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "Content-Length: 99999999999999999999",
		  HEAD("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n"),
		  1, 400, " Reason: Invalid Content-Length", NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "Content-Length: 9223372036854775806",
		  HEAD("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 9223372036854775806\r\n\r\n"),
		  1, 0, 0, 0, "/", NULL, "/", 0, 1, 0, 0, 9223372036854775806LL, 0, 0 },

		/* Transfer-Encoding */
		{ "Content-Length with Transfer-Encoding",
		  HEAD("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
		  "Transfer-Encoding: chunked\r\n\r\n"), 1, 400,
		  " Reason: Content-Length with Transfer-Encoding", NULL,
		  0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "Transfer-Encoding with Content-Length",
		  HEAD("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
		  "Content-Length: 3\r\n\r\n"), 1, 400,
		  " Reason: Content-Length with Transfer-Encoding", NULL,
		  0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "Transfer-Encoding: gzip: chunked not last (RFC 9112 6.3)",
		  HEAD("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"), 1, 400,
		  " Reason: Invalid Transfer-Encoding", NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "Transfer-Encoding: gzip, chunked",
		  HEAD("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
		  1, 501, " Transfer-Encoding: ", "gzip, chunked", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "Transfer-Encoding: chunked, gzip: chunked not last (RFC 9112 6.3)",
		  HEAD("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"),
		  1, 400, " Reason: Invalid Transfer-Encoding", NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "Transfer-Encoding: chunked",
		  HEAD("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"),
		  1, 0, 0, 0, "/", NULL, "/", 0, 1, 0, 1, -1, 0, 0 },
		{ "Transfer-Encoding: Chunked, blanks around",
		  HEAD("POST / HTTP/1.1\r\nHost: x\r\ntransfer-encoding:  Chunked \r\n\r\n"),
		  1, 0, 0, 0, "/", NULL, "/", 0, 1, 0, 1, -1, 0, 0 },
		{ "Transfer-Encoding lines chunked, then gzip: chunked is not last",
		  HEAD("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
		  "Transfer-Encoding: gzip\r\n\r\n"), 1, 400, " Reason: Invalid Transfer-Encoding", NULL,
		  0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "HTTP/1.0 with Transfer-Encoding closes after it (RFC 9112 6.1)",
		  HEAD("POST / HTTP/1.0\r\nConnection: keep-alive\r\n"
		  "Transfer-Encoding: chunked\r\n\r\n"), 1, 0, 0, 0, "/", NULL, "/",
		  1, 0, 0, 1, -1, 0, 0 },

		/* Expect */
		{ "Expect: 100-continue",
		  HEAD("PUT /f HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"),
		  1, 0, 0, 0, "/f", NULL, "/f", 0, 1, 1, 0, 3, 0, 0 },
		{ "Expect: 100-Continue",
		  HEAD("PUT /f HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\n\r\n"),
		  1, 0, 0, 0, "/f", NULL, "/f", 0, 1, 1, 0, -1, 0, 0 },
		{ "Expect: something else",
		  HEAD("PUT /f HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n"),
		  1, 0, 0, 0, "/f", NULL, "/f", 0, 1, 0, 0, -1, 0, 0 },
		{ "Expect on HTTP/1.0 is ignored",
		  HEAD("PUT /f HTTP/1.0\r\nExpect: 100-continue\r\n\r\n"),
		  1, 0, 0, 0, "/f", NULL, "/f", 1, 0, 0, 0, -1, 0, 0 },
	};
	struct field fields[16];
	struct request r;
	char buf[512], name[320];
	const char *v;
	size_t i;
	int rc, good;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&r, 0, sizeof(r));
		r.method = -1;
		r.fields = fields;
		memcpy(buf, t[i].head, t[i].len);
		rc = http_parse(&r, buf, t[i].len, t[i].persist);
		if (t[i].rc) {
			snprintf(name, sizeof(name), "http_parse: %s -> %d%s%s", t[i].desc,
			    t[i].rc, t[i].what ? t[i].what : "", t[i].detail ?
			    esc(t[i].detail, strlen(t[i].detail)) : "");
			good = rc == t[i].rc &&
			    (!t[i].what || (r.what && !strcmp(r.what, t[i].what))) &&
			    (!t[i].detail || (r.detail && r.dnlen == strlen(t[i].detail) &&
			    !memcmp(r.detail, t[i].detail, r.dnlen)));
		} else {
			snprintf(name, sizeof(name), "http_parse: %s -> 0, path %s query %s "
			    "clean %s, v10 %d keepalive %d expect100 %d chunked %d clen %lld",
			    t[i].desc, t[i].path, ESC(t[i].query), ESC(t[i].clean), t[i].v10,
			    t[i].keepalive, t[i].expect100, t[i].chunked, t[i].clen);
			v = t[i].field ? http_field(&r, t[i].field) : NULL;
			good = rc == 0 && r.plen == strlen(t[i].path) &&
			    !memcmp(r.path, t[i].path, r.plen) &&
			    (t[i].query ? r.query && r.qlen == strlen(t[i].query) &&
			    !memcmp(r.query, t[i].query, r.qlen) : !r.query) &&
			    (t[i].clean ? r.clean && !strcmp(r.clean, t[i].clean) : !r.clean) &&
			    r.v10 == t[i].v10 && r.keepalive == t[i].keepalive &&
			    r.expect100 == t[i].expect100 && r.chunked == t[i].chunked &&
			    r.clen == t[i].clen &&
			    (!t[i].field || (v && !strcmp(v, t[i].value)));
		}
		ok(good, "%s", name);
		free(r.clean);
	}
}

static void
test_v10(void)
{
	static const struct {
		const char *buf;
		size_t n;
		int v10;
	} t[] = {
		{ HEAD("GET / HTTP/1.0\r\n"), 1 },
		{ HEAD("GET / HTTP/1.0\n"), 1 },
		{ HEAD("GET / HTTP/1.1\r\n"), 0 },
		{ HEAD("\r\nGET / HTTP/1.0\n"), 1 },
		{ HEAD("\n\r\n\nGET / HTTP/1.0\r\nHost: x\r\n"), 1 },
		{ HEAD("GET / HTTP/1.0"), 0 },
		{ HEAD("GET / HTTP/1.0\r\0\r\n"), 1 },
		{ HEAD("GET / HTTP/1.0 \r\n"), 0 },
		{ HEAD("GET / HTTP/1.00\r\n"), 0 },
		{ HEAD("GET / http/1.0\r\n"), 0 },
		{ HEAD("HTTP/1.0\r\n"), 0 },
		{ HEAD(" HTTP/1.0\r\n"), 1 },
		{ HEAD("GET / HTTP/1.1\r\nX: HTTP/1.0\r\n"), 0 },
		{ HEAD("\r\n\r\n"), 0 },
		{ HEAD(""), 0 },
	};
	char name[256];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(name, sizeof(name), "http_v10(%s) -> %d", esc(t[i].buf, t[i].n),
		    t[i].v10);
		ok(http_v10(t[i].buf, t[i].n) == t[i].v10, "%s", name);
	}
}

#define T0 784111777	/* Sun, 06 Nov 1994 08:49:37 GMT */
#define DATE "Sun, 06 Nov 1994 08:49:37 GMT"

static void
test_not_modified(void)
{
	static const struct {
		const char *inm, *ims;
		time_t mtime;
		int want;
	} t[] = {			/* the tag is "\"abc\"" */
		{ NULL, NULL, T0, 0 },
		{ "\"abc\"", NULL, T0, 1 },
		{ "\"x\", \"abc\"", NULL, T0, 1 },
		{ "\"x\",\"abc\",\"y\"", NULL, T0, 1 },
		{ "W/\"abc\"", NULL, T0, 1 },
		{ "\"x\", W/\"abc\"", NULL, T0, 1 },
		{ "\"abcd\"", NULL, T0, 0 },
		{ "\"ab\"", NULL, T0, 0 },
		{ "\"x\", W/\"y\"", NULL, T0, 0 },
		{ "abc", NULL, T0, 0 },
		{ "w/\"abc\"", NULL, T0, 0 },
		{ "*", NULL, T0, 1 },
		{ " *", NULL, T0, 1 },
		{ "\"x\", *", NULL, T0, 1 },
		{ "\"a,b\", \"abc\"", NULL, T0, 1 },
		{ "\"unterminated", NULL, T0, 0 },
		{ "W/", NULL, T0, 0 },
		{ "", NULL, T0, 0 },
		{ "\"x\"", DATE, T0, 0 },	/* If-None-Match first */
		{ "", DATE, T0, 0 },
		{ "\"abc\"", "Sun, 06 Nov 1994 08:49:36 GMT", T0, 1 },
		{ NULL, DATE, T0, 1 },		/* equal */
		{ NULL, DATE, T0 - 1, 1 },	/* the file is older */
		{ NULL, DATE, T0 + 1, 0 },	/* the file is newer */
		{ NULL, "Sunday, 06-Nov-94 08:49:37 GMT", T0, 1 },
		{ NULL, "Sun Nov  6 08:49:37 1994", T0, 1 },
		{ NULL, "Sun Nov  6 08:49:37 1994", T0 + 1, 0 },
		{ NULL, "yesterday", T0, 0 },
		{ NULL, "", T0, 0 },
		{ NULL, DATE " junk", T0, 0 },
		{ NULL, "Sun, 06 Nov 1994 08:49:37 UTC", T0, 0 },
		{ NULL, "Sun, 06 Foo 1994 08:49:37 GMT", T0, 0 },
		{ NULL, "Sun, 32 Nov 1994 08:49:37 GMT", T0, 0 },
	};
	char name[256];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(name, sizeof(name), "http_not_modified(%s, %s, %s%+lld, \"abc\") -> %d",
		    ESC(t[i].inm), ESC(t[i].ims), "T", (long long)(t[i].mtime - T0),
		    t[i].want);
		ok(http_not_modified(t[i].inm, t[i].ims, t[i].mtime, "\"abc\"") == t[i].want,
		    "%s", name);
	}
}

static void
test_if_range(void)
{
	static const struct {
		const char *h;
		time_t mtime;
		int want;
	} t[] = {			/* the tag is "\"abc\"" */
		{ NULL, T0, 1 },
		{ "\"abc\"", T0, 1 },
		{ "\"abd\"", T0, 0 },
		{ "\"abc", T0, 0 },
		{ "\"abc\"x", T0, 0 },
		{ "W/\"abc\"", T0, 0 },		/* weak: never */
		{ DATE, T0, 1 },
		{ DATE, T0 - 1, 0 },
		{ DATE, T0 + 1, 0 },
		{ "Sunday, 06-Nov-94 08:49:37 GMT", T0, 1 },
		{ "garbage", T0, 0 },
		{ "", T0, 0 },
	};
	char name[256];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(name, sizeof(name), "http_if_range(%s, T%+lld, \"abc\") -> %d",
		    ESC(t[i].h), (long long)(t[i].mtime - T0), t[i].want);
		ok(http_if_range(t[i].h, t[i].mtime, "\"abc\"") == t[i].want, "%s", name);
	}
}

static void
test_takes_gzip(void)
{
	static const struct {
		const char *ae;
		int want;
	} t[] = {
		{ NULL, 0 }, { "", 0 }, { "gzip", 1 }, { "GZip", 1 }, { "deflate, gzip", 1 },
		{ "gzip;q=0", 0 }, { "gzip ; q=0", 0 }, { "gzip;q=0.000", 0 },
		{ "gzip;q=0.5", 1 }, { "gzip;q=1", 1 }, { "gzip;level=1, br;q=0", 1 },
		{ "br;q=0, gzip", 1 }, { "*", 1 }, { "*;q=0", 0 }, { "identity", 0 },
		{ "gzipx", 0 }, { "x,gzip,y", 1 }, { "deflate, br", 0 },
		{ "gzip;q=0, *", 0 },	/* "*" is every coding not listed */
	};
	char name[256];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(name, sizeof(name), "http_takes_gzip(%s) -> %d", ESC(t[i].ae),
		    t[i].want);
		ok(http_takes_gzip(t[i].ae) == t[i].want, "%s", name);
	}
}

static void
test_dotfile(void)
{
	static const struct {
		const char *clean;
		int want;
	} t[] = {
		{ "/.git/config", 1 }, { "/.well-known/x", 0 }, { "/.well-known", 0 },
		{ "/.well-known/", 0 }, { "/.well-known/.x", 1 }, { "/.well-knownx", 1 },
		{ "/a/.b", 1 }, { "/a/.b/c", 1 }, { "/a.b", 0 }, { "/a/b.c/d", 0 },
		{ "/", 0 }, { "/...", 1 }, { "/a/.well-known/x", 1 },
	};
	char name[256];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(name, sizeof(name), "http_dotfile(%s) -> %d", ESC(t[i].clean),
		    t[i].want);
		ok(http_dotfile(t[i].clean) == t[i].want, "%s", name);
	}
}

static void
test_has_token(void)
{
	static const struct {
		const char *list, *token;
		int want;
	} t[] = {
		{ "keep-alive, close", "close", 1 }, { "closed", "close", 0 },
		{ "Close", "close", 1 }, { "close", "keep-alive", 0 },
		{ NULL, "close", 0 }, { "", "close", 0 }, { "a,close", "close", 1 },
		{ " a ,\tclose , ", "close", 1 }, { "xclose", "close", 0 },
		{ "close-ish", "close", 0 }, { "keep-alive", "keep-alive", 1 },
		{ ",,,", "close", 0 },
	};
	char name[256];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(name, sizeof(name), "http_has_token(%s, \"%s\") -> %d",
		    ESC(t[i].list), t[i].token, t[i].want);
		ok(http_has_token(t[i].list, t[i].token) == t[i].want, "%s", name);
	}
}

/* Load TEXT as ws.conf, with its errors in the file "err". */
static int
load(struct config *cf, const char *text)
{
	char conf[512], err[512];
	int saved, fd;

	snprintf(conf, sizeof(conf), "%s/ws.conf", tmpdir);
	snprintf(err, sizeof(err), "%s/err", tmpdir);
	write_file("ws.conf", text, strlen(text));
	fflush(stderr);
	saved = dup(2);
	fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	dup2(fd, 2);
	close(fd);
	config_load(cf, conf);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	return cf->errors;
}

static void
test_config(void)
{
	struct config cf;
	char want[600];

	ok(load(&cf, "ServerIP 127.0.0.1\nListenPort 8081\nDocumentRoot \"www\"\n"
	    "DirectoryIndex a.html b.htm\nContentType .html text/html\n.png image/png\n"
	    "KeepaliveTime 3 # comment\nRequestMethodSupport GET, HEAD,POST PUT\n") == 0,
	    "%s", "a good file loads without errors");
	snprintf(want, sizeof(want), "%s/www", tmpdir);
	ok(cf.root && !strcmp(cf.root, want), "%s", "DocumentRoot is relative to the file's directory");
	ok(!strcmp(cf.ip, "127.0.0.1") && !strcmp(cf.port, "8081"), "%s", "ServerIP and ListenPort");
	ok(cf.nindex == 2 && !strcmp(cf.index[1], "b.htm"), "%s", "DirectoryIndex keeps its order");
	ok(config_type(&cf, "/x/a.HTML") && !strcmp(config_type(&cf, "/x/a.HTML"), "text/html"),
	    "%s", "ContentType matches case-insensitively");
	ok(config_type(&cf, "/x/a.png") && !config_type(&cf, "/x.png/a"), "%s",
	    "the old '.ext type' form, and only the last name's extension");
	ok(cf.keepalive == 3, "%s", "KeepaliveTime, with a comment after it");
	ok(cf.methods == (1u << M_GET | 1u << M_HEAD | 1u << M_POST | 1u << M_PUT), "%s",
	    "RequestMethodSupport by commas and spaces");
	config_free(&cf);

	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "ListenPort 80\nDocumentRoot www\nBogus 1\n", ":3: unknown directive 'Bogus'" },
		{ "ListenPort\nDocumentRoot www\n", ":1: ListenPort: missing value" },
		{ "ListenPort 80\nDocumentRoot www\nContentType .html\n", ":3: ContentType: expected" },
		{ "ListenPort 80\nDocumentRoot www\n.html\n", ":3: .html: expected a type" },
		{ "ListenPort 70000\nDocumentRoot www\n", ":1: ListenPort: '70000' is not a number" },
		{ "ListenPort 8o\nDocumentRoot www\n", ":1: ListenPort: '8o' is not a number" },
		{ "DocumentRoot www\n", ":1: ListenPort missing" },
		{ "ListenPort 80\nDocumentRoot nowhere\n", ":2: DocumentRoot: " },
		{ "ListenPort 80\nDocumentRoot www\nRequestMethodSupport GET,FETCH\n",
		  ":3: RequestMethodSupport: unknown method 'FETCH'" },
		{ "ListenPort 80\nDocumentRoot \"www\n", ":2: unterminated quote" },
		{ "ServerIP 1.2.3\nListenPort 80\nDocumentRoot www\n", ":1: ServerIP: '1.2.3'" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		load(&cf, bad[i].text);
		snprintf(want, sizeof(want), "%s/ws.conf%s", tmpdir, bad[i].msg);
		ok(cf.errors == 1 && strstr(read_file("err"), want) != NULL,
		    "config error reported as FILE:LINE: message: %s", bad[i].msg);
		ok(cf.port[0] && cf.ip, "%s", "  and the configuration stays usable");
		config_free(&cf);
	}
}

/* serve() a canned INPUT; the response is left in the file "out". */
static const char *
exchange(const struct config *cf, const char *input, size_t n)
{
	char in[512], out[512];
	int ifd, ofd;

	write_file("in", input, n);
	snprintf(in, sizeof(in), "%s/in", tmpdir);
	snprintf(out, sizeof(out), "%s/out", tmpdir);
	ifd = open(in, O_RDONLY);
	ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	serve(ifd, ofd, cf);
	close(ifd);
	close(ofd);
	return read_file("out");
}

static int
count(const char *s, const char *what)
{
	int n = 0;

	for (; (s = strstr(s, what)); s++)
		n++;
	return n;
}

#define SEND(cf, lit) exchange(cf, lit, sizeof(lit) - 1)

static void
test_serve(void)
{
	struct config cf;
	const char *r;
	char big[9000];

	load(&cf, "ListenPort 80\nDocumentRoot www\nContentType .html text/html\n"
	    "RequestMethodSupport GET HEAD POST OPTIONS TRACE\nLimitRequestBody 100\n");
	r = SEND(&cf, "GET /a.html HTTP/1.1\r\0\r\nHost: x\r\0\r\n\r\n");
	ok(!strncmp(r, "HTTP/1.1 200 OK\r\n", 17) && strstr(r, "\r\n\r\nhello\n"), "%s",
	    "telnet's CR NUL CR LF ends a line");
	r = SEND(&cf, "GET /a.html HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n");
	ok(!strncmp(r, "HTTP/1.1 400 ", 13), "%s", "a NUL inside a field is 400");
	r = SEND(&cf, "GET /a.html HTTP/1.1\rHost: x\r\n\r\n");
	ok(!strncmp(r, "HTTP/1.1 400 ", 13), "%s", "a bare CR is 400");
	r = SEND(&cf, "GET /a.html HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n");
	ok(!strncmp(r, "HTTP/1.1 400 ", 13), "%s", "obs-fold is 400");
	r = SEND(&cf, "GET /a.html HTTP/1.1\r\nHost x\r\n\r\n");
	ok(!strncmp(r, "HTTP/1.1 400 ", 13), "%s", "a field without a colon is 400");
	r = SEND(&cf, "GET /a.html HTTP/1.1\r\nHost : x\r\n\r\n");
	ok(!strncmp(r, "HTTP/1.1 400 ", 13), "%s", "space before the colon is 400");
	r = SEND(&cf, "POST /a.html HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /a.html HTTP/1.1\r\nHost: x\r\n\r\n");
	ok(!strncmp(r, "HTTP/1.1 400 ", 13) && count(r, "HTTP/1.1") == 1, "%s",
	    "CL with TE is 400, and nothing behind it is answered");
	r = SEND(&cf, "POST /a.html HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
	    "Content-Length: 4\r\n\r\nabcd");
	ok(!strncmp(r, "HTTP/1.1 400 ", 13), "%s", "two different lengths are 400");
	r = SEND(&cf, "POST /a.html HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 3\r\n"
	    "Connection: close\r\n\r\nabc");
	ok(!strncmp(r, "HTTP/1.1 200 ", 13), "%s", "a list of equal lengths is one length");
	r = SEND(&cf, "POST /a.html HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\nabc");
	ok(!strncmp(r, "HTTP/1.1 400 ", 13), "%s", "a signed length is 400");
	r = SEND(&cf, "POST /a.html HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "3;ext=1\r\na<b\r\n2\r\nc&\r\n0\r\nTrailer: x\r\n\r\n"
	    "GET /nope.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	ok(strstr(r, "<pre>a&lt;bc&amp;</pre>") && strstr(r, "HTTP/1.1 404 "), "%s",
	    "a chunked body is decoded, escaped, and the next request follows it");
	r = SEND(&cf, "POST /a.html HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "zz\r\nab\r\n0\r\n\r\n");
	ok(!strncmp(r, "HTTP/1.1 400 ", 13), "%s", "a bad chunk size is 400");
	r = SEND(&cf, "POST /a.html HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "ffffffffffffffffffff\r\n");
	ok(!strncmp(r, "HTTP/1.1 413 ", 13), "%s", "a huge chunk size is 413");
	r = SEND(&cf, "POST /a.html HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n");
	ok(!strncmp(r, "HTTP/1.1 413 ", 13) && strstr(r, "Connection: close"), "%s",
	    "a body over LimitRequestBody is 413 and closes");
	r = SEND(&cf, "GET /a.html HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n"
	    "GET /bb HTTP/1.1\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	ok(count(r, "HTTP/1.1 200 ") == 1 && count(r, "HTTP/1.1 404 ") == 1 &&
	    count(r, "HTTP/1.1 ") == 2, "%s", "an unused body is discarded, not parsed");
	r = SEND(&cf, "\r\n\r\nGET /a.html HTTP/1.0\r\n\r\n");
	ok(!strncmp(r, "HTTP/1.0 200 ", 13), "%s", "empty lines before a request are skipped");
	r = SEND(&cf, "GET http://example.com/a.html?q=1 HTTP/1.1\r\nHost: x\r\n\r\n");
	ok(!strncmp(r, "HTTP/1.1 200 ", 13), "%s", "the absolute form is reduced to its path");
	r = SEND(&cf, "TRACE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	ok(strstr(r, "message/http") && strstr(r, "\r\n\r\nTRACE / HTTP/1.1\r\nHost: x\r\n"),
	    "%s", "TRACE echoes the head");
	config_free(&cf);
	load(&cf, "ListenPort 80\nDocumentRoot www\nBad\n");
	r = SEND(&cf, "GET /a.html HTTP/1.1\r\nHost: x\r\n\r\n");
	ok(!strncmp(r, "HTTP/1.1 500 ", 13) &&
	    strstr(r, "<html><body>500 Internal Server Error: configuration error</body></html>"),
	    "%s", "a broken configuration answers 500");
	/* a head of line ends only, then more of them to fill the buffer:
	 * telling HEAD apart must stay inside the head */
	memset(big, '\r', sizeof(big));
	memcpy(big, "\r\r\r\n\r\n", 6);
	r = exchange(&cf, big, sizeof(big));
	ok(!strncmp(r, "HTTP/1.1 500 ", 13), "%s",
	    "a broken configuration: a head of CRs and LFs gets 500, read within bounds");
	config_free(&cf);
}

/* The string builder: formatted once into the room it has, or again
 * after it grows; always NUL-terminated. */
static void
test_str(void)
{
	struct str s = { NULL, 0, 0, 0 };
	char want[1200], *j;

	str_printf(&s, "%s %d", "short", 42);
	ok(s.len == 8 && !strcmp(s.s, "short 42"), "%s", "str_printf: a short line");
	memset(want, 'x', 1000);
	want[1000] = '\0';
	str_printf(&s, "|%s|", want);
	ok(s.len == 1010 && !strncmp(s.s, "short 42|x", 10) &&
	    !strcmp(s.s + 1008, "x|"), "%s", "str_printf: past the room it had");
	s.len = 0;
	str_puts(&s, "ab");
	str_printf(&s, "%.*s", 3, "cdefg");
	str_add(&s, "hi", 2);
	ok(s.len == 7 && !strcmp(s.s, "abcdehi"), "%s", "str_add, str_puts and str_printf append");
	free(s.s);
	j = xconcat("/root", "/a", ".gz");
	ok(!strcmp(j, "/root/a.gz"), "%s", "xconcat joins three strings");
	free(j);
}

int
main(void)
{
	char www[512];

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(www, sizeof(www), "%s/www", tmpdir);
	mkdir(www, 0755);
	write_file("www/a.html", "hello\n", 6);
	test_path();
	test_range();
	test_chunk_size();
	test_location();
	test_parse();
	test_v10();
	test_not_modified();
	test_if_range();
	test_takes_gzip();
	test_dotfile();
	test_has_token();
	test_str();
	test_config();
	test_serve();
	printf("1..%d\n", ntest);
	if (system(NULL)) {
		snprintf(www, sizeof(www), "rm -rf '%s'", tmpdir);
		(void)!system(www);
	}
	return nfail != 0;
}
