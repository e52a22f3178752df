/* Deciding a response: what a request gets, described, not yet sent. */
#ifndef WS_RESP_H
#define WS_RESP_H

#include <sys/types.h>

#include "config.h"
#include "fs.h"
#include "http.h"
#include "util.h"

/* A response described: its status, its header fields, and a body made of
 * a built part and then a range of an open file, either of them empty.
 * The sender (conn.c) adds the status line, Date, Server, Connection,
 * Content-Type and Content-Length, and leaves the body out for HEAD. */
struct response {
	int status;
	int close;		/* the connection ends after it */
	const char *type;	/* Content-Type (NULL: text/html) */
	struct str fields;	/* further header lines, each ending in CRLF */
	struct str body;	/* the built part of the body */
	int fd;			/* -1, or the file whose [off, off + len) follows */
	int fd_close;		/* the sender closes FD once it is sent */
	off_t off, len;
};

void resp_init(struct response *);
void resp_error(struct response *, int status, const char *what,
    const char *detail, size_t n);
void resp_decide(const struct config *, struct request *, struct kept *,
    struct response *);

#endif
