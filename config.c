/* ws.conf parsing and validation. */
#define _XOPEN_SOURCE 700

#include <sys/stat.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "util.h"

const char *const method_name[M_NUM] = {
	[M_GET] = "GET", [M_HEAD] = "HEAD", [M_OPTIONS] = "OPTIONS",
	[M_POST] = "POST", [M_PUT] = "PUT", [M_DELETE] = "DELETE",
	[M_TRACE] = "TRACE",
};

#define MAXWORDS 64

struct parse {
	const char *file;
	const char *dir;	/* the file's directory, or NULL */
	long line;
	struct config *cf;
	int seen_port, seen_root;	/* given, valid or not */
};

static void
perr(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%ld: ", p->file, p->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	p->cf->errors++;
}

int
method_lookup(const char *s, size_t n)
{
	int m;

	for (m = 0; m < M_NUM; m++)
		if (strlen(method_name[m]) == n && !memcmp(s, method_name[m], n))
			return m;
	return -1;
}

/* Split a line into words in place: blanks separate, "..." quotes, # comments. */
static int
split(struct parse *p, char *s, char **w)
{
	int n = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		if (*s == '\0' || *s == '#')
			return n;
		if (n == MAXWORDS) {
			perr(p, "too many words");
			return -1;
		}
		if (*s == '"') {
			w[n++] = ++s;
			if (!(s = strchr(s, '"'))) {
				perr(p, "unterminated quote");
				return -1;
			}
		} else {
			w[n++] = s;
			s += strcspn(s, " \t\r\n");
			if (*s == '\0')
				return n;
		}
		*s++ = '\0';
	}
}

static int
number(struct parse *p, const char *name, const char *s, long min, long max,
    long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!isdigit((unsigned char)*s) || *end || errno || v < min || v > max) {
		perr(p, "%s: '%s' is not a number from %ld to %ld", name, s,
		    min, max);
		return -1;
	}
	*out = v;
	return 0;
}

/* A path from ws.conf, relative to the file's directory, made absolute. */
static char *
conf_path(struct parse *p, const char *val)
{
	char buf[PATH_MAX];

	if (val[0] == '/' || !p->dir)
		return xstrdup(val);
	if (snprintf(buf, sizeof(buf), "%s/%s", p->dir, val) >= (int)sizeof(buf)) {
		perr(p, "%s: path too long", val);
		return NULL;
	}
	return xstrdup(buf);
}

static void
set_root(struct parse *p, char **w, int n, void *field)
{
	char *path, *real;
	struct stat st;

	(void)n;
	if (!(path = conf_path(p, w[1])))
		return;
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode) || !(real = realpath(path, NULL)))
		perr(p, "DocumentRoot: %s is not a directory", path);
	else {
		free(*(char **)field);
		*(char **)field = real;
		if (p->cf->rootfd >= 0)
			close(p->cf->rootfd);
		p->cf->rootfd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	free(path);
}

static void
set_methods(struct parse *p, char **w, int n, void *field)
{
	unsigned set = 0;
	char *s, *save;
	int i, m;

	for (i = 1; i < n; i++)
		for (s = strtok_r(w[i], ",", &save); s; s = strtok_r(NULL, ",", &save)) {
			for (m = 0; m < M_NUM && strcasecmp(s, method_name[m]); m++)
				;
			if (m == M_NUM) {
				perr(p, "RequestMethodSupport: unknown method '%s'", s);
				return;
			}
			set |= 1u << m;
		}
	*(unsigned *)field = set;
}

static void
add_type(struct parse *p, const char *ext, const char *type)
{
	struct config *cf = p->cf;
	struct ctype *t;

	if (*ext == '.')
		ext++;
	if (!*ext || strchr(ext, '/') || !strchr(type, '/')) {
		perr(p, "ContentType: expected '.ext type/subtype'");
		return;
	}
	t = xrealloc(cf->types, (cf->ntypes + 1) * sizeof(*t));
	cf->types = t;
	t[cf->ntypes].ext = xstrdup(ext);
	t[cf->ntypes].type = xstrdup(type);
	cf->ntypes++;
}

static void
set_type(struct parse *p, char **w, int n, void *field)
{
	(void)field;
	if (n != 3)
		perr(p, "ContentType: expected '.ext type/subtype'");
	else
		add_type(p, w[1], w[2]);
}

/* TypesConfig: a mime.types file, "type ext ext ..." a line. */
static void
set_types_file(struct parse *p, char **w, int n, void *field)
{
	char *path, *line = NULL, *tok, *save, *type;
	size_t cap = 0;
	FILE *f;

	(void)n, (void)field;
	if (!(path = conf_path(p, w[1])))
		return;
	if (!(f = fopen(path, "r"))) {
		perr(p, "TypesConfig: %s: %s", path, strerror(errno));
		free(path);
		return;
	}
	while (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "#")] = '\0';
		if (!(type = strtok_r(line, " \t\r\n", &save)) || !strchr(type, '/'))
			continue;
		while ((tok = strtok_r(NULL, " \t\r\n", &save)))
			add_type(p, tok, type);
	}
	free(line);
	fclose(f);
	free(path);
}

static void
set_index(struct parse *p, char **w, int n, void *field)
{
	struct config *cf = p->cf;
	size_t i;

	(void)field;
	for (i = 0; i < cf->nindex; i++)
		free(cf->index[i]);
	cf->index = xrealloc(cf->index, (n - 1) * sizeof(char *));
	for (cf->nindex = 0; cf->nindex < (size_t)n - 1; cf->nindex++)
		cf->index[cf->nindex] = xstrdup(w[cf->nindex + 1]);
}

static void
set_ip(struct parse *p, char **w, int n, void *field)
{
	unsigned char addr[16];

	(void)n;
	if (inet_pton(AF_INET, w[1], addr) != 1 && inet_pton(AF_INET6, w[1], addr) != 1)
		perr(p, "ServerIP: '%s' is not an IPv4 or IPv6 address", w[1]);
	else {
		free(*(char **)field);
		*(char **)field = xstrdup(w[1]);
	}
}

static void
set_port(struct parse *p, char **w, int n, void *field)
{
	long v;

	(void)n;
	if (!number(p, w[0], w[1], 1, 65535, &v))
		snprintf(field, sizeof(p->cf->port), "%ld", v);
}

static void
set_str(struct parse *p, char **w, int n, void *field)
{
	(void)p, (void)n;
	free(*(char **)field);
	*(char **)field = xstrdup(w[1]);
}

/* A file name; "off" is kept as it is. */
static void
set_file(struct parse *p, char **w, int n, void *field)
{
	(void)n;
	free(*(char **)field);
	*(char **)field = strcmp(w[1], "off") ? conf_path(p, w[1]) : xstrdup("off");
}

static void
set_flag(struct parse *p, char **w, int n, void *field)
{
	(void)n;
	if (strcmp(w[1], "on") && strcmp(w[1], "off"))
		perr(p, "%s: expected on or off, not '%s'", w[0], w[1]);
	else
		*(long *)field = !strcmp(w[1], "on");
}

#define F(name) offsetof(struct config, name)
static const struct directive {
	const char *name;
	void (*set)(struct parse *, char **, int, void *);
	size_t field;
	int args;		/* values wanted; 0: one or more */
	long min, max;		/* for numbers (set == NULL) */
} directives[] = {
	{ "ServerIP", set_ip, F(ip), 1, 0, 0 },
	{ "ListenPort", set_port, F(port), 1, 0, 0 },
	{ "Listen", set_port, F(port), 1, 0, 0 },
	{ "DocumentRoot", set_root, F(root), 1, 0, 0 },
	{ "DirectoryIndex", set_index, 0, 0, 0, 0 },
	{ "ContentType", set_type, 0, 0, 0, 0 },
	{ "TypesConfig", set_types_file, 0, 1, 0, 0 },
	{ "DefaultType", set_str, F(default_type), 1, 0, 0 },
	{ "DirectoryListing", set_flag, F(listing), 1, 0, 0 },
	{ "RequestMethodSupport", set_methods, F(methods), 0, 0, 0 },
	{ "KeepaliveTime", NULL, F(keepalive), 1, 0, 86400 },
	{ "LimitRequestLine", NULL, F(line_max), 1, 64, 1 << 20 },
	{ "LimitRequestFieldSize", NULL, F(field_max), 1, 64, 1 << 20 },
	{ "LimitRequestFields", NULL, F(fields_max), 1, 1, 10000 },
	{ "LimitRequestBody", NULL, F(body_max), 1, 0, MAX_LIMIT_REQUEST_BODY },
	{ "RequestTimeout", NULL, F(request_timeout), 1, 1, 86400 },
	{ "SendTimeout", NULL, F(send_timeout), 1, 1, 86400 },
	{ "SendMinRate", NULL, F(send_min_rate), 1, 0, 1L << 30 },
	{ "MaxClients", NULL, F(max_clients), 1, 1, 1000000 },
	{ "GracefulTimeout", NULL, F(graceful_timeout), 1, 0, 86400 },
	{ "AccessLog", set_file, F(access_log), 1, 0, 0 },
	{ "PidFile", set_file, F(pid_file), 1, 0, 0 },
	{ "User", set_str, F(user), 1, 0, 0 },
	{ "Group", set_str, F(group), 1, 0, 0 },
	{ "Chroot", set_flag, F(chroot), 1, 0, 0 },
	{ "ReusePort", set_flag, F(reuse_port), 1, 0, 0 },
};
#undef F

/* The directive NAME, noting the two that must be given (even wrongly). */
static const struct directive *
lookup(struct parse *p, const char *name)
{
	const struct directive *d;

	for (d = directives; d < directives + sizeof(directives) / sizeof(directives[0]); d++)
		if (!strcmp(name, d->name)) {
			p->seen_port |= d->set == set_port;
			p->seen_root |= d->set == set_root;
			return d;
		}
	return NULL;
}

static void
directive(struct parse *p, char **w, int n)
{
	const struct directive *d;

	if (w[0][0] == '.') {		/* the exercise's ".ext type" form */
		if (n != 2)
			perr(p, "%s: expected a type", w[0]);
		else
			add_type(p, w[0], w[1]);
		return;
	}
	if (!(d = lookup(p, w[0]))) {
		perr(p, "unknown directive '%s'", w[0]);
		return;
	}
	if (n < 2)
		perr(p, "%s: missing value", w[0]);
	else if (d->args && n != d->args + 1)
		perr(p, "%s: expected %d value%s", w[0], d->args, d->args > 1 ? "s" : "");
	else if (d->set)
		d->set(p, w, n, (char *)p->cf + d->field);
	else
		number(p, w[0], w[1], d->min, d->max, (long *)((char *)p->cf + d->field));
}

static void
defaults(struct config *cf)
{
	memset(cf, 0, sizeof(*cf));
	cf->ip = xstrdup(DEF_IP);
	cf->index = xrealloc(NULL, sizeof(char *));
	cf->index[0] = xstrdup("index.html");
	cf->nindex = 1;
	cf->methods = 1u << M_GET | 1u << M_HEAD;
	cf->keepalive = DEF_KEEPALIVE_TIME;
	cf->line_max = DEF_LIMIT_REQUEST_LINE;
	cf->field_max = DEF_LIMIT_REQUEST_FIELD_SIZE;
	cf->fields_max = DEF_LIMIT_REQUEST_FIELDS;
	cf->body_max = DEF_LIMIT_REQUEST_BODY;
	cf->request_timeout = DEF_REQUEST_TIMEOUT;
	cf->send_timeout = DEF_SEND_TIMEOUT;
	cf->send_min_rate = DEF_SEND_MIN_RATE;
	cf->max_clients = DEF_MAX_CLIENTS;
	cf->graceful_timeout = DEF_GRACEFUL_TIMEOUT;
	cf->rootfd = -1;
}

/* Read PATH into CF. Errors are printed as FILE:LINE: message and counted
 * in cf->errors; CF is always left usable (address and port valid). */
int
config_load(struct config *cf, const char *path)
{
	struct parse p = { path, NULL, 0, cf, 0, 0 };
	char *line = NULL, *w[MAXWORDS], *dir, *slash;
	size_t cap = 0;
	FILE *f;
	int n;

	defaults(cf);
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')))
		*slash = '\0';
	else {
		free(dir);
		dir = NULL;
	}
	p.dir = dir && !*dir ? "/" : dir;
	if (!(f = fopen(path, "r"))) {
		perr(&p, "cannot open: %s", strerror(errno));
		free(dir);
		return -1;
	}
	while (getline(&line, &cap, f) > 0) {
		p.line++;
		if ((n = split(&p, line, w)) > 0)
			directive(&p, w, n);
		else if (n < 0)
			lookup(&p, w[0]);
	}
	free(line);
	fclose(f);
	free(dir);
	if (!p.seen_port)
		perr(&p, "ListenPort missing");
	if (!p.seen_root)
		perr(&p, "DocumentRoot missing");
	if (!cf->port[0])
		strcpy(cf->port, DEF_PORT);
	return cf->errors ? -1 : 0;
}

void
config_free(struct config *cf)
{
	size_t i;

	for (i = 0; i < cf->nindex; i++)
		free(cf->index[i]);
	for (i = 0; i < cf->ntypes; i++) {
		free(cf->types[i].ext);
		free(cf->types[i].type);
	}
	free(cf->index);
	free(cf->types);
	free(cf->ip);
	free(cf->root);
	if (cf->rootfd >= 0)
		close(cf->rootfd);
	free(cf->default_type);
	free(cf->access_log);
	free(cf->pid_file);
	free(cf->user);
	free(cf->group);
}

/* The media type of file NAME, by its extension, else DefaultType or NULL. */
const char *
config_type(const struct config *cf, const char *name)
{
	const char *ext = strrchr(name, '.');
	size_t i;

	if (!ext || strchr(ext, '/'))
		return cf->default_type;
	for (i = cf->ntypes; i-- > 0;)	/* a later line overrides */
		if (!strcasecmp(ext + 1, cf->types[i].ext))
			return cf->types[i].type;
	return cf->default_type;
}
