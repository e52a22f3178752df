/*
 * hammer: a hostile and a heavy client for the tests, on loopback only.
 *
 *   hammer slow PORT N SECS   N connections, each sending a request head one
 *                             byte a second; ends when the server has closed
 *                             them all, or after SECS. Prints how many were
 *                             closed, how many got a 408, and when the last
 *                             closed.
 *   hammer load PORT COUNT    COUNT requests, 100 pipelined per connection:
 *                             good ones, and on every 7th connection a bad
 *                             one, a smuggling attempt, or a client that
 *                             leaves mid-response. Prints what came back.
 *   hammer half PORT PATH     one GET, then a half-close (shutdown of the
 *                             sending side); prints the whole answer.
 */
#define _XOPEN_SOURCE 700

#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("hammer: connect");
		exit(1);
	}
	return fd;
}

static int
slow(int port, int n, double secs)
{
	static const char head[] = "GET /index.html HTTP/1.1\r\nHost: x\r\n"
	    "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
	struct pollfd *p = calloc(n, sizeof(*p));
	size_t *sent = calloc(n, sizeof(*sent));
	double start = now(), next = start, last = 0;
	int i, open = n, got408 = 0;
	char buf[512];
	ssize_t r;

	for (i = 0; i < n; i++) {
		p[i].fd = dial(port);
		p[i].events = POLLIN;
	}
	while (open > 0 && now() - start < secs) {
		if (now() >= next) {		/* one more byte on each */
			for (i = 0; i < n; i++)
				if (p[i].fd >= 0 && sent[i] < sizeof(head) - 1 &&
				    send(p[i].fd, head + sent[i], 1, MSG_NOSIGNAL) == 1)
					sent[i]++;
			next += 1;
		}
		if (poll(p, n, 50) <= 0)
			continue;
		for (i = 0; i < n; i++) {
			if (p[i].fd < 0 || !p[i].revents)
				continue;
			while ((r = read(p[i].fd, buf, sizeof(buf) - 1)) > 0) {
				buf[r] = '\0';
				got408 += !strncmp(buf, "HTTP/1.1 408 ", 13);
			}
			if (r < 0 && errno == EAGAIN)
				continue;
			close(p[i].fd);
			p[i].fd = -1;
			open--;
			last = now() - start;
		}
	}
	printf("closed %d of %d, 408 %d, last after %.1f s\n", n - open, n,
	    got408, last);
	return 0;
}

/* Send REQ, then read to the end; count status classes into COUNTS
 * (COUNTS[0]: clients that left early, [5]: 5xx, errors and oddities). */
static void
exchange(int port, const char *req, size_t n, int leave, long counts[6])
{
	static char buf[1 << 20];
	struct timeval tv = { 10, 0 };
	size_t have = 0;
	ssize_t r = 0;
	char *s;
	int fd = dial(port);

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (send(fd, req, n, MSG_NOSIGNAL) != (ssize_t)n)
		counts[5]++;
	if (leave) {			/* read a little, then vanish */
		(void)!read(fd, buf, 100);
		close(fd);
		counts[0]++;
		return;
	}
	while (have < sizeof(buf) - 1 &&
	    (r = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0)
		have += r;
	buf[have] = '\0';
	if (r < 0)
		counts[5]++;
	for (s = buf; (s = strstr(s, "HTTP/1.1 ")); s += 9)
		counts[s[9] >= '2' && s[9] <= '4' ? s[9] - '0' : 5]++;
	close(fd);
}

#define LIT(s) { s, sizeof(s) - 1 }

static int
load(int port, long count)
{
	static const char good[] = "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n";
	static const char last[] = "GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	static const struct {
		const char *s;
		size_t n;
	} bad[] = {
		LIT("GRT / HTTP/1.1\r\nHost: x\r\n\r\n"),
		LIT("POST /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"),
		LIT("GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"),
		LIT("GET / HTTP/1.1\r\nHost: x\r\nBad\0Header: 1\r\n\r\n"),
		LIT("GET /nope.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
	};
	long counts[6] = { 0 }, done = 0, conn = 0, k;
	char *req = malloc(100 * sizeof(last));
	size_t n;

	while (done < count) {
		if (++conn % 7 == 0) {
			exchange(port, bad[conn / 7 % 5].s, bad[conn / 7 % 5].n, 0, counts);
			done++;
			continue;
		}
		for (n = 0, k = 0; k < 99 && done + k + 1 < count; k++, n += sizeof(good) - 1)
			memcpy(req + n, good, sizeof(good) - 1);
		memcpy(req + n, last, sizeof(last) - 1);
		n += sizeof(last) - 1;
		exchange(port, req, n, conn % 50 == 1, counts);
		done += k + 1;
	}
	printf("requests %ld connections %ld 2xx %ld 3xx %ld 4xx %ld 5xx-or-odd %ld"
	    " left-early %ld\n", done, conn, counts[2], counts[3], counts[4],
	    counts[5], counts[0]);
	free(req);
	return 0;
}

static int
half(int port, const char *path)
{
	char buf[65536];
	ssize_t r;
	int fd = dial(port);

	r = snprintf(buf, sizeof(buf), "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path);
	if (write(fd, buf, r) != r || shutdown(fd, SHUT_WR) < 0)
		return 1;
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, r, stdout);
	return r < 0;
}

int
main(int argc, char *argv[])
{
	if (argc == 4 && !strcmp(argv[1], "half"))
		return half(atoi(argv[2]), argv[3]);
	if (argc == 5 && !strcmp(argv[1], "slow"))
		return slow(atoi(argv[2]), atoi(argv[3]), atof(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "load"))
		return load(atoi(argv[2]), atol(argv[3]));
	fprintf(stderr, "usage: hammer slow PORT N SECS | load PORT COUNT | half PORT PATH\n");
	return 2;
}
