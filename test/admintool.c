/*
 * admintool: helpers for test/admin.bats, on loopback only.
 *
 *   admintool listen PORT COMMAND [ARG...]
 *       Pass a listening socket the way systemd does (Accept=no): bind
 *       127.0.0.1:PORT, put the socket on descriptor 3, set LISTEN_FDS=1
 *       and LISTEN_PID to this pid (which exec keeps), exec COMMAND. Exits
 *       1 with "ws: bind ..." on standard error when the port is taken.
 *
 *   admintool slowget PORT PATH RATE OUT
 *       GET PATH with a small receive buffer, taking at most RATE bytes a
 *       second, the body into file OUT, so that the server is still
 *       sending for a while. Prints "got N of M" (M from Content-Length)
 *       and exits 0 when the whole body came.
 */
#define _XOPEN_SOURCE 700

#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define RCVBUF	16384
#define HEADMAX	8192

static struct sockaddr_in
loopback(const char *port)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(port));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sin;
}

static int
listen_exec(char *argv[])
{
	struct sockaddr_in sin = loopback(argv[0]);
	char pid[32];
	int fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0) {
		perror("socket");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		/* in ws's words: test/helper.bash then tries another port */
		fprintf(stderr, "ws: bind 127.0.0.1:%s: %s\n", argv[0], strerror(errno));
		return 1;
	}
	if (listen(fd, 64) < 0 || (fd != 3 && (dup2(fd, 3) < 0 || close(fd) < 0))) {
		perror("listen");
		return 1;
	}
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	setenv("LISTEN_FDS", "1", 1);
	setenv("LISTEN_PID", pid, 1);
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}

static int
slowget(char *argv[])
{
	struct sockaddr_in sin = loopback(argv[0]);
	struct timeval tv = { 5, 0 };
	struct timespec pause;
	char buf[RCVBUF], head[HEADMAX + 1], *end, *cl;
	double rate = atof(argv[2]), ns;
	long long want = -1, got = 0;
	size_t hlen = 0;
	int fd, n = RCVBUF;
	ssize_t r;
	FILE *out;

	if (!(out = fopen(argv[3], "w")) || (fd = socket(AF_INET, SOCK_STREAM, 0)) < 0) {
		perror("slowget");
		return 2;
	}
	/* before connect: the window is agreed then */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &n, sizeof(n));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		perror("connect");
		return 2;
	}
	dprintf(fd, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", argv[1]);
	/* the head, byte by byte: nothing of the body is taken with it */
	while (hlen < HEADMAX && (r = read(fd, head + hlen, 1)) == 1) {
		head[++hlen] = '\0';
		if (hlen >= 4 && !memcmp(head + hlen - 4, "\r\n\r\n", 4))
			break;
	}
	head[hlen] = '\0';
	for (cl = head; (cl = strchr(cl, '\n')); cl++)
		if (!strncasecmp(cl + 1, "Content-Length:", 15))
			want = atoll(cl + 16);
	while (want < 0 || got < want) {
		if ((r = read(fd, buf, sizeof(buf))) <= 0)
			break;
		fwrite(buf, 1, r, out);
		fflush(out);
		got += r;
		ns = r * 1e9 / rate;	/* time the next read at RATE */
		pause.tv_sec = (time_t)(ns / 1e9);
		pause.tv_nsec = (long)(ns - pause.tv_sec * 1e9);
		nanosleep(&pause, NULL);
	}
	fclose(out);
	if ((end = strchr(head, '\r')))
		*end = '\0';
	printf("%s: got %lld of %lld\n", head, got, want);
	return want > 0 && got == want ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	if (argc >= 4 && !strcmp(argv[1], "listen"))
		return listen_exec(argv + 2);
	if (argc == 6 && !strcmp(argv[1], "slowget"))
		return slowget(argv + 2);
	fprintf(stderr, "usage: admintool listen PORT COMMAND [ARG...]\n"
	    "       admintool slowget PORT PATH RATE OUT\n");
	return 2;
}
