/* Deciding: the checks after parsing, in order, and what each method
 * answers, as a response description; nothing here writes to the client. */
#define _XOPEN_SOURCE 700

#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "fs.h"
#include "http.h"
#include "resp.h"
#include "util.h"

#define LISTING		1	/* resolve(): a directory to list */
#define OUT_OF_FDS(e)	((e) == EMFILE || (e) == ENFILE)

void
resp_init(struct response *p)
{
	p->status = 0;
	p->close = 0;
	p->type = NULL;
	p->fields.len = p->body.len = 0;
	p->fields.err = p->body.err = 0;
	p->fd = -1;
	p->fd_close = 0;
	p->off = p->len = 0;
}

/* Let go of the file a response held but will not send. */
static void
no_file(struct response *p)
{
	if (p->fd >= 0 && p->fd_close)
		close(p->fd);
	p->fd = -1;
	p->fd_close = 0;
	p->off = p->len = 0;
}

/* A status page in the exercise's wording: "<code> <reason><what><detail>",
 * DETAIL (from the request) escaped. Errors that leave the request stream
 * in doubt close the connection. */
void
resp_error(struct response *p, int status, const char *what, const char *detail,
    size_t n)
{
	no_file(p);
	p->status = status;
	p->type = "text/html";
	p->close = status != 403 && status != 404 && status != 409 &&
	    status != 416 && status != 501 && status != 507;
	p->body.len = 0;
	str_puts(&p->body, "<html><body>");
	str_num(&p->body, status);
	str_add(&p->body, " ", 1);
	str_puts(&p->body, http_reason(status));
	str_puts(&p->body, what);
	str_html(&p->body, detail, n);
	str_puts(&p->body, "</body></html>");
}

static void
not_found(struct request *r, struct response *p)
{
	resp_error(p, 404, " Reason URL does not exist: ", r->target, r->tlen);
}

static void
allow(const struct config *cf, struct response *p)
{
	const char *sep = "Allow: ";
	int m;

	for (m = 0; m < M_NUM; m++)
		if (cf->methods & 1u << m) {
			str_puts(&p->fields, sep);
			str_puts(&p->fields, method_name[m]);
			sep = ", ";
		}
	str_puts(&p->fields, "\r\n");
}

static void
options(const struct config *cf, struct response *p)
{
	no_file(p);
	p->status = 200;
	p->type = "text/plain";
	allow(cf, p);
}

/* A short page for STATUS with a Location on this host: the clean path,
 * with a slash and the query for a directory's redirect. */
static void
located(struct request *r, struct response *p, int status, int slash)
{
	resp_error(p, status, "", "", 0);
	p->close = 0;
	str_puts(&p->fields, "Location: ");
	http_location(&p->fields, r->clean, slash, slash ? r->query : NULL, r->qlen);
	str_puts(&p->fields, "\r\n");
}

static void
trace(struct request *r, struct response *p)
{
	size_t i;

	p->status = 200;
	p->type = "message/http";
	str_add(&p->body, r->mstr, r->mlen);
	str_add(&p->body, " ", 1);
	str_add(&p->body, r->target, r->tlen);
	str_add(&p->body, " ", 1);
	str_add(&p->body, r->version, r->vlen);
	str_puts(&p->body, "\r\n");
	for (i = 0; i < r->nfields; i++) {
		str_puts(&p->body, r->fields[i].name);
		str_puts(&p->body, ": ");
		str_puts(&p->body, r->fields[i].value);
		str_puts(&p->body, "\r\n");
	}
	str_puts(&p->body, "\r\n");
}

/* The status a failed file operation's errno gives. */
static int
fs_status(int err)
{
	switch (err) {
	case EACCES: case EPERM: return 403;
	case EISDIR: case ENOTDIR: case ENOENT: case ELOOP: case EXDEV: return 409;
	case ENOSPC: case EFBIG:
#ifdef EDQUOT
	case EDQUOT:
#endif
		return 507;
	case EMFILE: case ENFILE: case ENOMEM: return 503;
	default: return 500;
	}
}

/* PUT: the body stored whole at the path, in a directory beneath the root. */
static void
put(const struct config *cf, struct request *r, struct response *p)
{
	const char *name;
	int dir, err, existed = 0;

	if ((dir = fs_parent(cf->rootfd, r->clean, &name)) < 0) {
		resp_error(p, fs_status(errno), "", "", 0);
		return;
	}
	err = fs_put(dir, name, r->data, r->dlen, &existed);
	close(dir);
	if (err)
		resp_error(p, fs_status(err), "", "", 0);
	else if (existed)
		p->status = 204;
	else
		located(r, p, 201, 0);
}

/* DELETE: a file, never a directory. */
static void
del(const struct config *cf, struct request *r, struct response *p)
{
	const char *name;
	int dir, err;

	if (r->clean[strlen(r->clean) - 1] == '/') {	/* names a directory */
		if ((dir = fs_open(cf->rootfd, r->clean, 1)) < 0) {
			not_found(r, p);
			return;
		}
		close(dir);
		resp_error(p, 409, "", "", 0);
		return;
	}
	if ((dir = fs_parent(cf->rootfd, r->clean, &name)) < 0) {
		if (OUT_OF_FDS(errno) || errno == ENOMEM)
			resp_error(p, 503, "", "", 0);
		else
			not_found(r, p);
		return;
	}
	err = fs_delete(dir, name);
	close(dir);
	if (!err)
		p->status = 204;
	else if (err == ENOENT || err == ENOTDIR)
		not_found(r, p);
	else
		resp_error(p, fs_status(err), "", "", 0);
}

/* What a GET names: a regular file, or a directory to list. */
struct target {
	struct stat st;
	char *name;		/* its clean path, index name included */
};

/* Open what R names into p->fd: 0 for a file, LISTING, or the status to
 * answer (301, 403, 404, 503), with nothing open. */
static int
resolve(const struct config *cf, struct request *r, struct target *t,
    struct response *p)
{
	size_t i, n = strlen(r->clean);
	int dir, fd;

	if ((fd = fs_open(cf->rootfd, r->clean, 0)) < 0)
		return errno == EACCES ? 403 : OUT_OF_FDS(errno) ? 503 : 404;
	p->fd = fd;
	p->fd_close = 1;
	strcpy(t->name, r->clean);
	if (fstat(fd, &t->st) < 0)
		t->st.st_mode = 0;
	if (S_ISREG(t->st.st_mode))
		return 0;
	if (!S_ISDIR(t->st.st_mode) || r->clean[n - 1] != '/') {
		no_file(p);
		return S_ISDIR(t->st.st_mode) ? 301 : 404;
	}
	dir = fd;
	for (i = 0; i < cf->nindex; i++) {
		memcpy(t->name + n, cf->index[i], strlen(cf->index[i]) + 1);
		if ((fd = fs_open(cf->rootfd, t->name, 0)) < 0) {
			if (!OUT_OF_FDS(errno))
				continue;
			no_file(p);	/* not "no index": no descriptor to look */
			return 503;
		}
		if (fstat(fd, &t->st) == 0 && S_ISREG(t->st.st_mode)) {
			close(dir);
			p->fd = fd;
			return 0;
		}
		close(fd);
	}
	t->name[n] = '\0';
	if (cf->listing)
		return LISTING;
	no_file(p);
	return 404;
}

/* A directory listing: sorted names, escaped, links percent-encoded but
 * for the unreserved characters, so that no name is read as a scheme. */
static void
listing(struct request *r, struct response *p)
{
	char date[HTTP_DATE_LEN];
	struct entry *e;
	int i, n;

	if ((n = fs_list(p->fd, &e)) < 0) {
		resp_error(p, errno == ENOMEM || OUT_OF_FDS(errno) ? 503 : 403, "", "", 0);
		return;
	}
	no_file(p);
	p->status = 200;
	p->type = "text/html; charset=utf-8";
	str_puts(&p->body, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of ");
	str_html(&p->body, r->clean, strlen(r->clean));
	str_puts(&p->body, "</title></head><body><h1>Index of ");
	str_html(&p->body, r->clean, strlen(r->clean));
	str_puts(&p->body, "</h1>\n<table>\n");
	if (r->clean[1])
		str_puts(&p->body, "<tr><td><a href=\"../\">../</a></td><td></td><td></td></tr>\n");
	for (i = 0; i < n; i++) {
		http_date(date, e[i].mtime);
		str_puts(&p->body, "<tr><td><a href=\"");
		str_url(&p->body, e[i].name, strlen(e[i].name));
		str_puts(&p->body, e[i].dir ? "/\">" : "\">");
		str_html(&p->body, e[i].name, strlen(e[i].name));
		str_puts(&p->body, e[i].dir ? "/</a></td><td>" : "</a></td><td>");
		str_num(&p->body, e[i].size);
		str_puts(&p->body, "</td><td>");
		str_puts(&p->body, date);
		str_puts(&p->body, "</td></tr>\n");
	}
	fs_list_free(e, n);
	str_puts(&p->body, "</table>\n</body></html>\n");
}

/* NAME.gz in place of p->fd, when the client takes gzip and a regular
 * file of that name sits beside NAME. */
static int
gzip_twin(const struct config *cf, struct request *r, const char *name,
    struct stat *st, struct response *p)
{
	struct stat gst;
	char *gz;
	int fd;

	if (!http_takes_gzip(http_field(r, "Accept-Encoding")) ||
	    !(gz = join(name, ".gz")))
		return 0;
	fd = fs_open(cf->rootfd, gz, 0);
	free(gz);
	if (fd < 0)
		return 0;
	if (fstat(fd, &gst) < 0 || !S_ISREG(gst.st_mode)) {
		close(fd);
		return 0;
	}
	no_file(p);
	p->fd = fd;
	p->fd_close = 1;
	*st = gst;
	return 1;
}

/* The validators of a file response. */
static void
validators(struct response *p, const struct stat *st, const char *tag, int gzip)
{
	char date[HTTP_DATE_LEN];

	http_date(date, st->st_mtime);
	str_puts(&p->fields, "Last-Modified: ");
	str_puts(&p->fields, date);
	str_puts(&p->fields, "\r\nETag: ");
	str_puts(&p->fields, tag);
	str_puts(&p->fields, "\r\n");
	if (gzip)
		str_puts(&p->fields, "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n");
}

/* Where POST's section goes: after the <body ...> tag in the first bytes. */
static size_t
body_tag_end(const char *buf, size_t got)
{
	const char *gt;
	size_t i;

	for (i = 0; got > 5 && i + 5 < got; i++)
		if (!strncasecmp(buf + i, "<body", 5) && (buf[i + 5] == '>' ||
		    isspace((unsigned char)buf[i + 5])) &&
		    (gt = memchr(buf + i, '>', got - i)))
			return gt + 1 - buf;
	return 0;
}

/* POST: the page with a section holding the body after its <body> tag,
 * or at its start: the page's first bytes and the section are built, the
 * rest of the file follows them. */
static void
post_page(struct request *r, struct response *p, const struct stat *st)
{
	size_t n = st->st_size < POST_SCAN ? (size_t)st->st_size : POST_SCAN, at;
	char *scan = malloc(n ? n : 1);
	ssize_t got;

	if (!scan) {
		resp_error(p, 503, "", "", 0);
		return;
	}
	while ((got = pread(p->fd, scan, n, 0)) < 0 && errno == EINTR)
		;
	at = got > 0 ? body_tag_end(scan, got) : 0;
	str_add(&p->body, scan, at);
	free(scan);
	str_puts(&p->body, "<h1>Post Data</h1><pre>");
	str_html(&p->body, r->data, r->dlen);
	str_puts(&p->body, "</pre>");
	p->off = at;
	p->len = st->st_size - at;
}

/* GET, HEAD or POST of a regular file: validators, ranges, gzip twins. */
static void
file(const struct config *cf, struct request *r, struct target *t,
    struct response *p, const char *type)
{
	struct stat st = t->st;
	long long from = 0, to;
	int gzip = 0, range = RANGE_ALL;
	char tag[64];

	if (r->method != M_POST)
		gzip = gzip_twin(cf, r, t->name, &st, p);
	to = st.st_size - 1;
	snprintf(tag, sizeof(tag), "\"%llx-%llx-%llx\"", (unsigned long long)st.st_ino,
	    (unsigned long long)st.st_size, (unsigned long long)st.st_mtime);
	p->type = type;
	if (r->method == M_POST) {
		p->status = 200;
		validators(p, &st, tag, 0);
		post_page(r, p, &st);
		return;
	}
	if (http_not_modified(http_field(r, "If-None-Match"),
	    http_field(r, "If-Modified-Since"), st.st_mtime, tag)) {
		p->status = 304;
		validators(p, &st, tag, gzip);
		return;
	}
	if (r->method == M_GET && http_if_range(http_field(r, "If-Range"), st.st_mtime, tag))
		range = http_range(http_field(r, "Range"), st.st_size, &from, &to);
	if (range == RANGE_NONE) {
		resp_error(p, 416, "", "", 0);
		str_puts(&p->fields, "Content-Range: bytes */");
		str_num(&p->fields, st.st_size);
		str_puts(&p->fields, "\r\n");
		return;
	}
	p->status = range == RANGE_PART ? 206 : 200;
	validators(p, &st, tag, gzip);
	str_puts(&p->fields, "Accept-Ranges: bytes\r\n");
	if (range == RANGE_PART) {
		str_puts(&p->fields, "Content-Range: bytes ");
		str_num(&p->fields, from);
		str_add(&p->fields, "-", 1);
		str_num(&p->fields, to);
		str_add(&p->fields, "/", 1);
		str_num(&p->fields, st.st_size);
		str_puts(&p->fields, "\r\n");
	}
	p->off = from;
	p->len = to - from + 1;
}

/* GET, HEAD, POST and OPTIONS of a path: checks 5 and 6, then the answer.
 * The regular file a request names itself is kept open for the next. */
static void
get(const struct config *cf, struct request *r, struct kept *k, struct response *p)
{
	const char *type = "text/html", *ext;
	size_t i, room = 0;
	struct target t;
	int status;

	for (i = 0; i < cf->nindex; i++)
		if (room < strlen(cf->index[i]))
			room = strlen(cf->index[i]);
	if (!(t.name = malloc(strlen(r->clean) + room + 1))) {
		resp_error(p, 503, "", "", 0);
		return;
	}
	if (fs_reuse(k, cf->rootfd, r->clean, &t.st)) {
		strcpy(t.name, r->clean);
		p->fd = k->fd;
		status = 0;
	} else if ((status = resolve(cf, r, &t, p)) == 0 && !strcmp(t.name, r->clean)) {
		fs_keep(k, p->fd, r->clean, &t.st);
		p->fd_close = 0;
	}
	if (status == LISTING && (r->method == M_GET || r->method == M_HEAD))
		listing(r, p);
	else if (status == LISTING && r->method == M_POST)
		not_found(r, p);
	else if (status == 0 || status == LISTING) {
		if (status == 0 && !(type = config_type(cf, t.name))) {
			ext = strrchr(strrchr(t.name, '/'), '.');
			resp_error(p, 501, " File type: ", ext ? ext : "", ext ? strlen(ext) : 0);
		} else if (r->method == M_OPTIONS)
			options(cf, p);
		else if (status == LISTING)
			not_found(r, p);
		else
			file(cf, r, &t, p, type);
	} else if (status == 301)
		located(r, p, 301, 1);
	else if (status == 404)
		not_found(r, p);
	else
		resp_error(p, status, "", "", 0);
	free(t.name);
}

/* Checks 4 to 6 and the method's work, once the body is read. */
void
resp_decide(const struct config *cf, struct request *r, struct kept *k,
    struct response *p)
{
	if (!(cf->methods & 1u << r->method)) {
		resp_error(p, 501, " Method: ", r->mstr, r->mlen);
		allow(cf, p);
	} else if (r->method == M_TRACE)
		trace(r, p);
	else if (r->method == M_OPTIONS && r->path[0] == '*')
		options(cf, p);
	else if (http_dotfile(r->clean))
		not_found(r, p);
	else if (r->method == M_PUT || r->method == M_DELETE) {
		fs_unkeep(k);	/* a file they replace or remove is let go */
		if (r->method == M_PUT)
			put(cf, r, p);
		else
			del(cf, r, p);
	} else
		get(cf, r, k, p);
}
