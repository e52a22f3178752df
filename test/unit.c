/* Unit tests in C for what is easier to state than to send: the path
 * cleaner, the ws.conf parser, and serve() on canned input. TAP output. */
#define _XOPEN_SOURCE 700

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "conn.h"
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
	ok(path_inside("/srv/www", "/srv/www"), "%s", "root is inside itself");
	ok(path_inside("/srv/www", "/srv/www/a"), "%s", "a child is inside");
	ok(!path_inside("/srv/www", "/srv/wwwx/a"), "%s", "a sibling with the root as prefix is not");
	ok(!path_inside("/srv/www", "/srv"), "%s", "the parent is not inside");
	ok(path_inside("/", "/etc"), "%s", "everything is inside /");
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
