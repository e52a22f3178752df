/* ws: flags, the listener, and the fork, thread and inetd modes. */
#define _XOPEN_SOURCE 700

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "http.h"
#include "log.h"
#include "util.h"

#define THREAD_STACK	(128 * 1024)

static volatile sig_atomic_t stopping;
static volatile sig_atomic_t children;	/* fork mode: live children */

/* thread mode: live threads */
static pthread_mutex_t nthreads_lock = PTHREAD_MUTEX_INITIALIZER;
static long nthreads;

struct job {
	int fd;
	const struct config *cf;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: ws [-dhinv] [-f file] [-m fork|thread] [-p port]\n");
}

static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
	http_drain();
}

static void
on_child(int sig)
{
	int saved = errno;

	(void)sig;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		children--;
	errno = saved;
}

static void
handle_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_stop;	/* no SA_RESTART: accept() returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_child;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
}

static int
listener(const char *ip, const char *port)
{
	struct addrinfo hints, *ai;
	int fd, one = 1, zero = 0, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
	if ((rc = getaddrinfo(ip, port, &hints, &ai)))
		die("%s: %s", ip, gai_strerror(rc));
	if ((fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol)) < 0)
		die("socket:");
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ai->ai_family == AF_INET6)	/* "::" takes IPv4 too */
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0)
		die(strchr(ip, ':') ? "bind [%s]:%s:" : "bind %s:%s:", ip, port);
	if (listen(fd, SOMAXCONN) < 0)
		die("listen:");
	freeaddrinfo(ai);
	return fd;
}

/* Refuse a connection past MaxClients, without waiting on the client. */
static void
refuse(int fd)
{
	char date[HTTP_DATE_LEN], msg[256];
	static const char body[] =
	    "<html><body>503 Service Unavailable</body></html>";
	int n;

	http_date(date, time(NULL));
	n = snprintf(msg, sizeof(msg), "HTTP/1.1 503 Service Unavailable\r\n"
	    "Date: %s\r\nServer: ws/" VERSION "\r\nConnection: close\r\n"
	    "Retry-After: 1\r\nContent-Type: text/html\r\n"
	    "Content-Length: %zu\r\n\r\n%s", date, sizeof(body) - 1, body);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	(void)!write(fd, msg, n);
	shutdown(fd, SHUT_WR);
	close(fd);
}

static void
spawn_child(int lfd, int fd, const struct config *cf)
{
	sigset_t block, old;
	pid_t pid;

	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	if ((pid = fork()) == 0) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(lfd);
		serve(fd, fd, cf);
		_exit(0);
	}
	if (pid < 0)
		warn("fork:");
	else
		children++;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(fd);
}

static void *
worker(void *arg)
{
	struct job *j = arg;

	serve(j->fd, j->fd, j->cf);
	close(j->fd);
	free(j);
	pthread_mutex_lock(&nthreads_lock);
	nthreads--;
	pthread_mutex_unlock(&nthreads_lock);
	return NULL;
}

static void
spawn_thread(int fd, const struct config *cf)
{
	static pthread_attr_t attr;
	static int attr_ready;
	sigset_t all, old;
	pthread_t t;
	struct job *j;
	int rc;

	if (!attr_ready) {	/* only the accepting thread comes here */
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&attr, THREAD_STACK < PTHREAD_STACK_MIN ?
		    PTHREAD_STACK_MIN : THREAD_STACK);
		attr_ready = 1;
	}
	j = xrealloc(NULL, sizeof(*j));
	j->fd = fd;
	j->cf = cf;
	pthread_mutex_lock(&nthreads_lock);
	nthreads++;
	pthread_mutex_unlock(&nthreads_lock);
	sigfillset(&all);	/* workers inherit a mask blocking every signal */
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&t, &attr, worker, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		errno = rc;
		warn("pthread_create:");
		pthread_mutex_lock(&nthreads_lock);
		nthreads--;
		pthread_mutex_unlock(&nthreads_lock);
		close(fd);
		free(j);
	}
}

static long
active(int threads)
{
	long n;

	if (!threads)
		return children;
	pthread_mutex_lock(&nthreads_lock);
	n = nthreads;
	pthread_mutex_unlock(&nthreads_lock);
	return n;
}

static void
daemonize(void)
{
	int fd;

	switch (fork()) {
	case -1:
		die("fork:");
	case 0:
		break;
	default:
		_exit(0);	/* the listener is bound: start-up went well */
	}
	setsid();
	if (chdir("/") < 0)
		die("chdir /:");
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

int
main(int argc, char *argv[])
{
	const char *file = "ws.conf", *mode = "fork", *port = NULL;
	struct config cf;
	int ch, inetd = 0, check = 0, detach = 0, threads, lfd, fd;
	char *end;

	while ((ch = getopt(argc, argv, "df:him:np:v")) != -1) {
		switch (ch) {
		case 'd': detach = 1; break;
		case 'f': file = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'i': inetd = 1; break;
		case 'm': mode = optarg; break;
		case 'n': check = 1; break;
		case 'p': port = optarg; break;
		case 'v': puts("ws " VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || (strcmp(mode, "fork") && strcmp(mode, "thread")) ||
	    (port && (strtol(port, &end, 10) < 1 || strtol(port, NULL, 10) > 65535 ||
	    *end || !*port))) {
		usage(stderr);
		return 2;
	}
	threads = !strcmp(mode, "thread");
	config_load(&cf, file);
	if (check)
		return cf.errors ? 1 : 0;
	if (port)
		snprintf(cf.port, sizeof(cf.port), "%s", port);
	if (log_open(&cf, inetd) < 0)
		return 1;
	if (http_drain_init() < 0)
		die("pipe:");
	handle_signals();
	if (inetd) {
		serve(0, 1, &cf);
		return 0;
	}
	lfd = listener(cf.ip, cf.port);
	fprintf(stderr, strchr(cf.ip, ':') ? "ws: listening on [%s]:%s (%s mode)\n" :
	    "ws: listening on %s:%s (%s mode)\n", cf.ip, cf.port, mode);
	if (detach)
		daemonize();
	while (!stopping) {
		if ((fd = accept(lfd, NULL, NULL)) < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM)
				poll(NULL, 0, 100);	/* let connections finish */
			else if (errno != EINTR && errno != ECONNABORTED)
				warn("accept:");
			continue;
		}
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		if (active(threads) >= cf.max_clients)
			refuse(fd);
		else if (threads)
			spawn_thread(fd, &cf);
		else
			spawn_child(lfd, fd, &cf);
	}
	close(lfd);
	return 0;
}
