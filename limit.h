/* Every named limit and default of ws, in one place. */
#ifndef WS_LIMIT_H
#define WS_LIMIT_H

/* Defaults of ws.conf directives (ws.conf(5)), each named after one. */
#define DEF_LIMIT_REQUEST_LINE		8190
#define DEF_LIMIT_REQUEST_FIELD_SIZE	8190
#define DEF_LIMIT_REQUEST_FIELDS	100
#define DEF_LIMIT_REQUEST_BODY		(1L << 20)
#define MAX_LIMIT_REQUEST_BODY		(1L << 30)	/* what a request may hold */
#define DEF_REQUEST_TIMEOUT		10
#define DEF_SEND_TIMEOUT		30
#define DEF_SEND_MIN_RATE		1024		/* bytes a second */
#define DEF_KEEPALIVE_TIME		10
#define DEF_MAX_CLIENTS			1024
#define DEF_GRACEFUL_TIMEOUT		10
#define DEF_PORT			"8080"
#define DEF_IP				"0.0.0.0"

/* A connection (conn.c). */
#define BUF_START	8192	/* a connection's buffer at first */
#define SLACK		4096	/* buffer room past the head, for bodies */
#define BODY_START	16384	/* a body's buffer at first; it doubles as bytes come */
#define CHUNK_LINE_MAX	1024	/* a chunk-size line, extensions included */
#define SMALL_BODY	32768	/* file bodies sent in one write with their head */
#define COPY_BUF	65536	/* file copies where there is no sendfile() */
#define LINGER_MS	2000	/* how long a closing connection is drained */
#define LINGER_BYTES	(256 * 1024)

/* Deciding (resp.c) and the tree (fs.c). */
#define POST_SCAN	65536	/* how far into a page POST looks for <body> */
#define PUT_STALE_S	60	/* a PUT's temporary file older than this is litter */

/* The server (ws.c). */
#define ACCEPT_BATCH	64	/* connections taken between two polls */
#define THREAD_STACK	(128 * 1024)
#define PARK_MS		1000	/* a thread waits so long for another connection */
#define PARK_MAX	64	/* threads that wait so, at most */

#endif
