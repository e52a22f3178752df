/* The access log: Combined Log Format, one whole line per request. */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define LOG_LINE_MAX	16384	/* room for three fields escaped whole */
#define LOG_FIELD_MAX	1024	/* bytes of one request field that are kept */

/* Written once before serving, and by log_reopen() with dup2(), which
 * swaps the file under the same descriptor: never torn under a thread. */
static int logfd = -1;
static const char *logpath;

/* Open the log ws.conf names: AccessLog PATH, off, or by default standard
 * output (but never in inetd mode, where that is the connection). */
int
log_open(const struct config *cf, int inetd)
{
	tzset();
	logpath = NULL;
	if (cf->access_log && !strcmp(cf->access_log, "off"))
		logfd = -1;
	else if (cf->access_log) {
		logpath = cf->access_log;
		if ((logfd = open(logpath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		    0644)) < 0) {
			warn("%s:", logpath);
			return -1;
		}
	} else
		logfd = inetd ? -1 : 1;
	return 0;
}

/* Whether requests are logged at all. */
int
log_on(void)
{
	return logfd >= 0;
}

/* Reopen the log file (after logrotate moved it). */
int
log_reopen(void)
{
	int fd;

	if (!logpath || logfd < 0)
		return 0;
	if ((fd = open(logpath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) < 0) {
		warn("%s:", logpath);
		return -1;
	}
	dup2(fd, logfd);
	close(fd);
	return 0;
}

/* Append S (N bytes) quoted-safe: ", \ and bytes outside printable ASCII
 * as \xHH, so that no request can forge or split a log line. */
static size_t
esc(char *out, size_t room, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;

	if (!s) {
		s = "-";
		n = 1;
	}
	if (n > LOG_FIELD_MAX)
		n = LOG_FIELD_MAX;
	for (i = 0; i < n && o + 4 < room; i++) {
		unsigned char c = s[i];

		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else
			out[o++] = c;
	}
	return o;
}

void
log_access(const struct logline *l)
{
	char *line, when[64], bytes[24];
	size_t n;
	struct tm tm;
	time_t t;

	if (logfd < 0)
		return;
	t = time(NULL);
	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%d/%b/%Y:%H:%M:%S %z", &tm);
	if (l->bytes > 0)
		snprintf(bytes, sizeof(bytes), "%lld", l->bytes);
	else
		strcpy(bytes, "-");
	line = xrealloc(NULL, LOG_LINE_MAX);	/* not on a thread's small stack */
	n = snprintf(line, LOG_LINE_MAX, "%s - - [%s] \"", l->peer, when);
	n += esc(line + n, LOG_LINE_MAX - n, l->request, l->request ? l->rlen : 0);
	n += snprintf(line + n, LOG_LINE_MAX - n, "\" %d %s \"", l->status, bytes);
	n += esc(line + n, LOG_LINE_MAX - n, l->referer, l->referer ? strlen(l->referer) : 0);
	n += snprintf(line + n, LOG_LINE_MAX - n, "\" \"");
	n += esc(line + n, LOG_LINE_MAX - n, l->agent, l->agent ? strlen(l->agent) : 0);
	n += snprintf(line + n, LOG_LINE_MAX - n, "\"\n");
	(void)!write(logfd, line, n);	/* one write: lines never interleave */
	free(line);
}
