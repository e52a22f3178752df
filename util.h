/* Small helpers shared by every module. */
#ifndef WS_UTIL_H
#define WS_UTIL_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#ifndef VERSION
#define VERSION "0.1"
#endif

#define HTTP_DATE_LEN 30	/* "Sun, 06 Nov 1994 08:49:37 GMT" + NUL */

/* A growable string; its memory is kept across resets. Running out of
 * memory never ends the process: the string stops growing and ERR says so,
 * for whoever sends it to answer 503 instead. */
struct str {
	char *s;
	size_t len, cap;
	int err;
};

int str_room(struct str *, size_t);
void str_add(struct str *, const void *, size_t);
void str_puts(struct str *, const char *);
void str_num(struct str *, long long);
void str_printf(struct str *, const char *fmt, ...);
void str_html(struct str *, const char *, size_t);
void str_url(struct str *, const char *, size_t);
void str_free(struct str *);

void die(const char *fmt, ...);
void warn(const char *fmt, ...);
void warn_syslog(int use);
void *xrealloc(void *, size_t);
char *xstrdup(const char *);
char *xconcat(const char *, const char *, const char *);
char *join(const char *, const char *);
int write_all(int fd, const void *, size_t);
long long now_ms(void);
void http_date(char buf[HTTP_DATE_LEN], time_t);
int http_date_parse(const char *, time_t *);

#endif
