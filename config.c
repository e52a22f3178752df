/* ws.conf parsing and validation. */
#define _XOPEN_SOURCE 700

#include <sys/stat.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

static void
set_root(struct parse *p, const char *dir, const char *val)
{
	char buf[PATH_MAX], *real;
	struct stat st;

	if (val[0] != '/' && dir) {
		if (snprintf(buf, sizeof(buf), "%s/%s", dir, val) >= (int)sizeof(buf)) {
			perr(p, "DocumentRoot: path too long");
			return;
		}
		val = buf;
	}
	if (stat(val, &st) < 0 || !S_ISDIR(st.st_mode) || !(real = realpath(val, NULL))) {
		perr(p, "DocumentRoot: %s is not a directory", val);
		return;
	}
	free(p->cf->root);
	p->cf->root = real;
}

static void
set_methods(struct parse *p, char **w, int n)
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
	p->cf->methods = set;
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

static const char *const directives[] = {
	"ServerIP", "ListenPort", "Listen", "DocumentRoot", "DirectoryIndex",
	"ContentType", "RequestMethodSupport", "KeepaliveTime", "LimitRequestLine",
	"LimitRequestFieldSize", "LimitRequestFields", "LimitRequestBody",
	"RequestTimeout", "SendTimeout", "MaxClients",
};

static int
known(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(directives) / sizeof(directives[0]); i++)
		if (!strcmp(name, directives[i]))
			return 1;
	return 0;
}

/* Note the required directives, given even if wrongly. */
static void
seen(struct parse *p, const char *name)
{
	p->seen_port |= !strcmp(name, "ListenPort") || !strcmp(name, "Listen");
	p->seen_root |= !strcmp(name, "DocumentRoot");
}

static void
directive(struct parse *p, const char *dir, char **w, int n)
{
	static const struct {
		const char *name;
		size_t off;
		long min, max;
	} nums[] = {
		{ "KeepaliveTime", offsetof(struct config, keepalive), 0, 86400 },
		{ "LimitRequestLine", offsetof(struct config, line_max), 64, 1 << 20 },
		{ "LimitRequestFieldSize", offsetof(struct config, field_max), 64, 1 << 20 },
		{ "LimitRequestFields", offsetof(struct config, fields_max), 1, 10000 },
		{ "LimitRequestBody", offsetof(struct config, body_max), 0, LONG_MAX },
		{ "RequestTimeout", offsetof(struct config, request_timeout), 1, 86400 },
		{ "SendTimeout", offsetof(struct config, send_timeout), 1, 86400 },
		{ "MaxClients", offsetof(struct config, max_clients), 1, 1000000 },
	};
	struct config *cf = p->cf;
	unsigned char addr[16];
	long v;
	size_t i;

	seen(p, w[0]);
	if (w[0][0] == '.') {		/* the exercise's ".ext type" form */
		if (n != 2)
			perr(p, "%s: expected a type", w[0]);
		else
			add_type(p, w[0], w[1]);
		return;
	}
	if (!known(w[0])) {
		perr(p, "unknown directive '%s'", w[0]);
		return;
	}
	if (n < 2) {
		perr(p, "%s: missing value", w[0]);
		return;
	}
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		if (!strcmp(w[0], nums[i].name)) {
			if (n != 2)
				perr(p, "%s: expected one value", w[0]);
			else if (!number(p, w[0], w[1], nums[i].min, nums[i].max, &v))
				*(long *)((char *)cf + nums[i].off) = v;
			return;
		}
	if (!strcmp(w[0], "ServerIP")) {
		if (n != 2 || (inet_pton(AF_INET, w[1], addr) != 1 &&
		    inet_pton(AF_INET6, w[1], addr) != 1))
			perr(p, "ServerIP: '%s' is not an IPv4 or IPv6 address", w[1]);
		else {
			free(cf->ip);
			cf->ip = xstrdup(w[1]);
		}
	} else if (!strcmp(w[0], "ListenPort") || !strcmp(w[0], "Listen")) {
		if (n != 2)
			perr(p, "%s: expected one port", w[0]);
		else if (!number(p, w[0], w[1], 1, 65535, &v))
			snprintf(cf->port, sizeof(cf->port), "%ld", v);
	} else if (!strcmp(w[0], "DocumentRoot")) {
		if (n != 2)
			perr(p, "DocumentRoot: expected one path");
		else
			set_root(p, dir, w[1]);
	} else if (!strcmp(w[0], "DirectoryIndex")) {
		for (i = 0; i < cf->nindex; i++)
			free(cf->index[i]);
		cf->index = xrealloc(cf->index, (n - 1) * sizeof(char *));
		for (cf->nindex = 0; cf->nindex < (size_t)n - 1; cf->nindex++)
			cf->index[cf->nindex] = xstrdup(w[cf->nindex + 1]);
	} else if (!strcmp(w[0], "ContentType")) {
		if (n != 3)
			perr(p, "ContentType: expected '.ext type/subtype'");
		else
			add_type(p, w[1], w[2]);
	} else if (!strcmp(w[0], "RequestMethodSupport")) {
		set_methods(p, w, n);
	}
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
	cf->max_clients = DEF_MAX_CLIENTS;
}

/* Read PATH into CF. Errors are printed as FILE:LINE: message and counted
 * in cf->errors; CF is always left usable (address and port valid). */
int
config_load(struct config *cf, const char *path)
{
	struct parse p = { path, 0, cf, 0, 0 };
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
	if (!(f = fopen(path, "r"))) {
		perr(&p, "cannot open: %s", strerror(errno));
		free(dir);
		return -1;
	}
	while (getline(&line, &cap, f) > 0) {
		p.line++;
		if ((n = split(&p, line, w)) > 0)
			directive(&p, dir ? (*dir ? dir : "/") : NULL, w, n);
		else if (n < 0)
			seen(&p, w[0]);
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
}

/* The media type of file NAME, by its extension, or NULL. */
const char *
config_type(const struct config *cf, const char *name)
{
	const char *ext = strrchr(name, '.');
	size_t i;

	if (!ext || strchr(ext, '/'))
		return NULL;
	for (i = cf->ntypes; i-- > 0;)	/* a later line overrides */
		if (!strcasecmp(ext + 1, cf->types[i].ext))
			return cf->types[i].type;
	return NULL;
}
