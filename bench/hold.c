/*
 * hold: open N keep-alive connections to a server on loopback, send one
 * GET on each, read each whole response, then hold them all open and idle,
 * so that the server's memory can be measured with N idle connections.
 *
 *   hold PORT N SECS [PATH]
 *
 * Prints "ready ok=K failed=F" once every connection has its response (or
 * failed, or 30 s have passed), then holds the K good connections for SECS
 * seconds, or until killed, and prints "held H of K" (H: those the server
 * did not close meanwhile). Exits 0 if every connection got a 200 and was
 * held to the end, else 1. With SECS 0 it is a readiness probe.
 */
#define _XOPEN_SOURCE 700

#include <sys/resource.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS	20000
#define HEAD_MAX	8192	/* response head kept until its blank line */
#define CONNECT_SECS	30	/* bound on getting every response */
#define HOLD_MAX_SECS	600

enum state { SENDING, READING, IDLE, FAILED };

struct conn {
	enum state st;
	size_t sent;		/* bytes of the request sent */
	size_t got;		/* bytes of the head kept in head[] */
	long long body;		/* body bytes still to come; -1: head not done */
	char head[HEAD_MAX];
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
dial(int port)
{
	struct sockaddr_in sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
	    errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The head is complete: a 200 that stays open, with a Content-Length. */
static int
parse_head(struct conn *c, size_t end)
{
	char *line, *save;

	c->head[end] = '\0';
	if (strncmp(c->head, "HTTP/1.1 200 ", 13))
		return -1;
	c->body = -1;
	for (line = strtok_r(c->head, "\r\n", &save); line;
	    line = strtok_r(NULL, "\r\n", &save)) {
		if (!strncasecmp(line, "Content-Length:", 15))
			c->body = atoll(line + 15);
		else if (!strncasecmp(line, "Connection:", 11) &&
		    strstr(line + 11, "close"))
			return -1;
	}
	return c->body < 0 ? -1 : 0;
}

/* Take what the server sent; 0 while more is due, 1 when done, -1 failed. */
static int
take(int fd, struct conn *c)
{
	char buf[65536], *e;
	ssize_t r;
	size_t n, off;

	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		off = 0;
		if (c->body < 0) {	/* still in the head */
			n = (size_t)r;
			if (n > sizeof(c->head) - 1 - c->got)
				n = sizeof(c->head) - 1 - c->got;
			memcpy(c->head + c->got, buf, n);
			c->got += n;
			c->head[c->got] = '\0';
			if (!(e = strstr(c->head, "\r\n\r\n"))) {
				if (c->got == sizeof(c->head) - 1)
					return -1;
				continue;
			}
			off = n - (c->got - (size_t)(e + 4 - c->head));
			if (parse_head(c, (size_t)(e + 2 - c->head)) < 0)
				return -1;
		}
		c->body -= (long long)r - (long long)off;
		if (c->body == 0)
			return 1;
		if (c->body < 0)	/* more than announced */
			return -1;
	}
	if (r == 0 || errno != EAGAIN)
		return -1;
	return 0;
}

/* Connect, send and read one response on every connection. */
static int
fill(struct pollfd *p, struct conn *c, int n, int port, const char *req,
    size_t len)
{
	double deadline = now() + CONNECT_SECS;
	int i, busy = n, ok = 0;
	ssize_t w;

	for (i = 0; i < n; i++) {
		c[i].st = SENDING;
		c[i].body = -1;
		if ((p[i].fd = dial(port)) < 0) {
			c[i].st = FAILED;
			busy--;
		}
		p[i].events = POLLOUT;
	}
	while (busy > 0 && now() < deadline) {
		if (poll(p, n, 100) <= 0)
			continue;
		for (i = 0; i < n; i++) {
			if (!p[i].revents || c[i].st == IDLE || c[i].st == FAILED)
				continue;
			if (c[i].st == SENDING) {
				w = send(p[i].fd, req + c[i].sent, len - c[i].sent,
				    MSG_NOSIGNAL);
				if (w < 0 && errno != EAGAIN) {
					c[i].st = FAILED;
				} else if (w > 0 && (c[i].sent += w) == len) {
					c[i].st = READING;
					p[i].events = POLLIN;
				}
			} else {
				switch (take(p[i].fd, &c[i])) {
				case 1:
					c[i].st = IDLE;
					p[i].events = POLLIN;
					ok++;
					break;
				case -1:
					c[i].st = FAILED;
					break;
				}
			}
			if (c[i].st == IDLE || c[i].st == FAILED)
				busy--;
			if (c[i].st == FAILED) {
				close(p[i].fd);
				p[i].fd = -1;
			}
		}
	}
	return ok;
}

/* Hold the idle connections; return how many the server left open. */
static int
hold(struct pollfd *p, struct conn *c, int n, double secs)
{
	double end = now() + secs;
	int i, open = 0, left;
	char buf[256];

	for (i = 0; i < n; i++) {
		if (c[i].st != IDLE && p[i].fd >= 0) {
			close(p[i].fd);
			p[i].fd = -1;
		}
		open += p[i].fd >= 0;
	}
	while ((left = (int)((end - now()) * 1000)) > 0 && open > 0) {
		if (poll(p, n, left > 1000 ? 1000 : left) <= 0)
			continue;
		for (i = 0; i < n; i++) {
			if (p[i].fd < 0 || !p[i].revents)
				continue;
			if (read(p[i].fd, buf, sizeof(buf)) < 0 && errno == EAGAIN)
				continue;
			close(p[i].fd);	/* closed by the server, or data: odd */
			p[i].fd = -1;
			open--;
		}
	}
	return open;
}

static void
raise_nofile(int n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)n + 16) {
		rl.rlim_cur = rl.rlim_max < (rlim_t)n + 16 ? rl.rlim_max : (rlim_t)n + 16;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
main(int argc, char *argv[])
{
	const char *path = argc > 4 ? argv[4] : "/";
	char req[1024];
	struct pollfd *p;
	struct conn *c;
	int port, n, ok, held, len;
	double secs;

	if (argc < 4 || argc > 5 || (port = atoi(argv[1])) < 1 || port > 65535 ||
	    (n = atoi(argv[2])) < 1 || n > MAX_CONNS ||
	    (secs = atof(argv[3])) < 0 || secs > HOLD_MAX_SECS ||
	    path[0] != '/' || strlen(path) > 512) {
		fprintf(stderr, "usage: hold PORT N SECS [PATH]  (N <= %d, SECS <= %d)\n",
		    MAX_CONNS, HOLD_MAX_SECS);
		return 2;
	}
	raise_nofile(n);
	len = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Connection: keep-alive\r\n\r\n", path);
	p = calloc(n, sizeof(*p));
	c = calloc(n, sizeof(*c));
	if (!p || !c) {
		perror("hold");
		return 1;
	}
	ok = fill(p, c, n, port, req, (size_t)len);
	printf("ready ok=%d failed=%d\n", ok, n - ok);
	fflush(stdout);
	held = hold(p, c, n, secs);
	printf("held %d of %d\n", held, ok);
	return ok == n && held == ok ? 0 : 1;
}
