/* Small helpers shared by every module. */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* A format ending in ':' gets ": strerror(errno)" appended. */
static void
vwarn(const char *fmt, va_list ap)
{
	int saved = errno;
	size_t n = strlen(fmt);

	fputs("ws: ", stderr);
	vfprintf(stderr, fmt, ap);
	if (n && fmt[n - 1] == ':')
		fprintf(stderr, " %s", strerror(saved));
	fputc('\n', stderr);
}

void
warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	exit(1);
}

void *
xrealloc(void *p, size_t n)
{
	if (!(p = realloc(p, n ? n : 1)))
		die("out of memory");
	return p;
}

char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xrealloc(NULL, n), s, n);
}

/* Write all of BUF; 0 on success, -1 (errno set) on error or timeout. */
int
write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= w;
	}
	return 0;
}

long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

void
http_date(char buf[HTTP_DATE_LEN], time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, HTTP_DATE_LEN, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

void
str_add(struct str *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
str_puts(struct str *b, const char *s)
{
	str_add(b, s, strlen(s));
}

void
str_printf(struct str *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
}

/* Append N bytes of S escaped for HTML text; control bytes other than tab
 * and line ends as \xHH. */
void
str_html(struct str *b, const char *s, size_t n)
{
	char hex[5];
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		switch (c) {
		case '&': str_puts(b, "&amp;"); break;
		case '<': str_puts(b, "&lt;"); break;
		case '>': str_puts(b, "&gt;"); break;
		case '"': str_puts(b, "&quot;"); break;
		case '\'': str_puts(b, "&#39;"); break;
		default:
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
				snprintf(hex, sizeof(hex), "\\x%02X", c);
				str_add(b, hex, 4);
			} else
				str_add(b, &s[i], 1);
		}
	}
}
