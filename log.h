/* The access log: Combined Log Format, one whole line per request. */
#ifndef WS_LOG_H
#define WS_LOG_H

#include "config.h"

struct logline {
	const char *peer;		/* client address */
	const char *request;		/* the request line, or NULL */
	size_t rlen;
	int status;
	long long bytes;		/* body bytes; 0 is logged as "-" */
	const char *referer, *agent;	/* or NULL */
};

int log_open(const struct config *, int inetd);
int log_on(void);
int log_reopen(void);
void log_access(const struct logline *);

#endif
