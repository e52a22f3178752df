/* Small helpers shared by every module. */
#define _XOPEN_SOURCE 700

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* Set once by the main process before serving: where warn() goes. */
static int to_syslog;

/* Connect to syslog (before a chroot hides /dev/log); when USE, send what
 * warn() and die() say there from now on instead of standard error. */
void
warn_syslog(int use)
{
	openlog("ws", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	to_syslog = use;
}

/* One message, written whole: "TIME ws: MESSAGE" on standard error, or
 * MESSAGE to syslog. A format ending in ':' gets ": strerror(errno)". */
static void
vwarn(int prio, const char *fmt, va_list ap)
{
	char msg[1024], when[32], err[128], line[1100];
	size_t n = strlen(fmt), len;
	int saved = errno;
	struct tm tm;
	time_t t;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n && fmt[n - 1] == ':') {
		if (strerror_r(saved, err, sizeof(err)))
			snprintf(err, sizeof(err), "error %d", saved);
		len = strlen(msg);
		snprintf(msg + len, sizeof(msg) - len, " %s", err);
	}
	if (to_syslog) {
		syslog(prio, "%s", msg);
		return;
	}
	t = time(NULL);
	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S%z", &tm);
	len = snprintf(line, sizeof(line), "%s ws: %s\n", when, msg);
	(void)!write(2, line, len < sizeof(line) ? len : sizeof(line) - 1);
	errno = saved;
}

void
warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(LOG_ERR, fmt, ap);
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
	return xconcat(s, "", "");
}

/* A, B and C joined, on the heap. */
char *
xconcat(const char *a, const char *b, const char *c)
{
	size_t na = strlen(a), nb = strlen(b), nc = strlen(c);
	char *s = xrealloc(NULL, na + nb + nc + 1);

	memcpy(s, a, na);
	memcpy(s + na, b, nb);
	memcpy(s + na + nb, c, nc + 1);
	return s;
}

/* A and B joined, on the heap; NULL for want of memory. */
char *
join(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	char *s = malloc(na + nb + 1);

	if (s) {
		memcpy(s, a, na);
		memcpy(s + na, b, nb + 1);
	}
	return s;
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

/* Room for N more bytes and a NUL: 0, or -1 (and ERR set) for want of
 * memory, after which the string no longer grows. */
int
str_room(struct str *b, size_t n)
{
	char *p;

	if (b->err)
		return -1;
	if (b->len + n + 1 > b->cap) {
		if (n > ((size_t)-1) / 4 - b->len ||
		    !(p = realloc(b->s, (b->len + n + 1) * 2))) {
			b->err = 1;
			return -1;
		}
		b->s = p;
		b->cap = (b->len + n + 1) * 2;
	}
	return 0;
}

void
str_add(struct str *b, const void *p, size_t n)
{
	if (str_room(b, n) < 0)
		return;
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
str_free(struct str *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

/* Append V in decimal, without the cost of a format. */
void
str_num(struct str *b, long long v)
{
	char d[24], *p = d + sizeof(d);
	unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;

	do
		*--p = '0' + u % 10;
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	str_add(b, p, d + sizeof(d) - p);
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

	if (str_room(b, 255) < 0)	/* most lines fit: formatted once */
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->s[b->len] = '\0';
		return;
	}
	if ((size_t)n >= b->cap - b->len) {
		if (str_room(b, n) < 0)
			return;
		va_start(ap, fmt);
		vsnprintf(b->s + b->len, n + 1, fmt, ap);
		va_end(ap);
	}
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

/* Days from 1970-01-01 to Y-M-D (proleptic Gregorian), without timegm(). */
static long long
days_from_epoch(long long y, int m, int d)
{
	static const int before[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
	long long leaps;

	y -= m <= 2;		/* count this year's leap day only after February */
	leaps = y / 4 - y / 100 + y / 400 - (1969 / 4 - 1969 / 100 + 1969 / 400);
	return (y + (m <= 2) - 1970) * 365 + leaps + before[m - 1] + d - 1;
}

/* Parse an HTTP date in any of its three forms (RFC 9110 5.6.7):
 * IMF-fixdate, RFC 850 and asctime. 0 and *T on success, -1 otherwise. */
int
http_date_parse(const char *s, time_t *t)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char mon[4], wday[10], tail[4];
	int d, y, hh, mm, ss, n = 0;
	const char *m;

	if (sscanf(s, "%3s, %2d %3s %4d %2d:%2d:%2d %3s%n", wday, &d, mon, &y,
	    &hh, &mm, &ss, tail, &n) == 8 && n > 0 && !strcmp(tail, "GMT")) {
		;			/* Sun, 06 Nov 1994 08:49:37 GMT */
	} else if (sscanf(s, "%9[A-Za-z], %2d-%3s-%2d %2d:%2d:%2d %3s%n", wday, &d,
	    mon, &y, &hh, &mm, &ss, tail, &n) == 8 && n > 0 && !strcmp(tail, "GMT")) {
		y += y < 70 ? 2000 : 1900;	/* Sunday, 06-Nov-94 08:49:37 GMT */
	} else if (sscanf(s, "%3s %3s %2d %2d:%2d:%2d %4d%n", wday, mon, &d, &hh,
	    &mm, &ss, &y, &n) == 7 && n > 0) {
		;			/* Sun Nov  6 08:49:37 1994 */
	} else
		return -1;
	if (s[n] != '\0' || strlen(mon) != 3 || !(m = strstr(months, mon)) ||
	    (m - months) % 3 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60 ||
	    y < 1970 || hh < 0 || mm < 0 || ss < 0)
		return -1;
	*t = (time_t)((days_from_epoch(y, (int)(m - months) / 3 + 1, d) * 24 + hh) *
	    3600 + mm * 60 + ss);
	return 0;
}

/* Append N bytes of S percent-encoded but for the unreserved characters
 * (RFC 3986 2.3): safe as a path segment, and never read as a scheme. */
void
str_url(struct str *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[3];
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~')
			str_add(b, &s[i], 1);
		else {
			e[0] = '%';
			e[1] = hex[c >> 4];
			e[2] = hex[c & 15];
			str_add(b, e, 3);
		}
	}
}
