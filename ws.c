/* ws: flags, the listener, the fork, thread and inetd modes, signals,
 * daemon, pid file and privileges. */
#define _XOPEN_SOURCE 700
/* chroot() and setgroups() are outside POSIX: glibc and musl show them
 * with _DEFAULT_SOURCE; other systems get the declarations below. */
#ifdef __linux__
#define _GNU_SOURCE		/* and accept4() */
#endif

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "conn.h"
#include "log.h"
#include "util.h"

#ifndef __linux__
int chroot(const char *);
int setgroups(int, const gid_t *);
#endif

#define SD_LISTEN_FD	3	/* systemd's first passed descriptor */

/* A configuration and the threads serving with it: a reload swaps in a new
 * one for new connections and frees the old once its last thread ends. */
struct shared {
	struct config cf;
	long refs;		/* the main loop's, plus one per thread */
};

struct job {
	int fd;
	struct shared *sh;
	struct job *next;
};

/* Set by the signal handlers; each also writes to the wake pipe, so that
 * the main loop's poll() never sleeps through one. */
static volatile sig_atomic_t stopping, reload, reopen;
static int wake[2] = { -1, -1 };

/* thread mode: threads serving a connection, and the configurations'
 * reference counts. A thread whose connection ends waits PARK_MS for
 * another, handed over in JOBS: a new connection then costs a wake-up, not
 * a thread's start and exit. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t handoff;	/* these three: set by threads_init() */
static clockid_t handoff_clock;	/* the clock HANDOFF's waits are timed by */
static pthread_attr_t thread_attr;
static long nthreads;
static long parked;		/* threads waiting, less the jobs handed to them */
static struct job *jobs;
static int quitting;

/* fork mode: the children serving connections, so that a stop can wait for
 * them and end those that outlast GracefulTimeout. Main process only. */
static pid_t *kids;
static size_t nkids, kidscap;

/* The pid file, held open for its lock, and its directory, opened before
 * any chroot: removed at exit by its owner, wherever ws is confined. */
static int pidfd = -1, piddir = -1;
static pid_t pidowner;
static const char *pidname;
static int chrooted, detached, devnull = -1;

static void
usage(FILE *f)
{
	fprintf(f, "usage: ws [-dhinv] [-f file] [-m fork|thread] [-p port]\n");
}

/*
 * Signals.
 */

static void
poke(void)
{
	int saved = errno;

	(void)!write(wake[1], "", 1);
	errno = saved;
}

static void
on_stop(int sig)
{
	(void)sig;
	stopping = stopping ? 2 : 1;	/* a second one cuts the grace short */
	conn_drain();
	poke();
}

static void
on_hup(int sig)
{
	(void)sig;
	reload = 1;
	poke();
}

static void
on_usr1(int sig)
{
	(void)sig;
	reopen = 1;
	poke();
}

static void
on_child(int sig)
{
	(void)sig;
	poke();			/* reaped by the main loop */
}

static void
handle_signals(void)
{
	struct sigaction sa;

	if (pipe(wake) < 0)
		die("pipe:");
	fcntl(wake[0], F_SETFD, FD_CLOEXEC);
	fcntl(wake[1], F_SETFD, FD_CLOEXEC);
	fcntl(wake[0], F_SETFL, O_NONBLOCK);
	fcntl(wake[1], F_SETFL, O_NONBLOCK);
	memset(&sa, 0, sizeof(sa));
	sigfillset(&sa.sa_mask);	/* handlers never interrupt each other */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGXFSZ, &sa, NULL);	/* a file too large fails its write */
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_child;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
}

static void
drain_wake(void)
{
	char buf[64];

	while (read(wake[0], buf, sizeof(buf)) > 0)
		;
}

/*
 * Configurations.
 */

static struct shared *
load(const char *file, const char *port)
{
	struct shared *sh = xrealloc(NULL, sizeof(*sh));

	config_load(&sh->cf, file);
	if (port)
		snprintf(sh->cf.port, sizeof(sh->cf.port), "%s", port);
	sh->refs = 1;
	return sh;
}

/* A daemon's standard error is /dev/null: catch what config_load() prints
 * there and pass it on to syslog, line by line. */
static struct shared *
load_logged(const char *file, const char *port)
{
	struct shared *sh;
	char line[1024];
	FILE *tmp;
	int saved;

	if (!detached || !(tmp = tmpfile()))
		return load(file, port);
	saved = dup(2);
	dup2(fileno(tmp), 2);
	sh = load(file, port);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	while (fgets(line, sizeof(line), tmp)) {
		line[strcspn(line, "\n")] = '\0';
		warn("%s", line);
	}
	fclose(tmp);
	return sh;
}

/* Drop a reference to SH, with LOCK held; the last frees it. */
static void
drop(struct shared *sh)
{
	if (--sh->refs == 0) {
		config_free(&sh->cf);
		free(sh);
	}
}

static void
unref(struct shared *sh)
{
	pthread_mutex_lock(&lock);
	drop(sh);
	pthread_mutex_unlock(&lock);
}

static int
same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Warn about the directives that only a restart applies. */
static void
restart_only(const char *file, const struct config *boot, const struct config *cf)
{
	const char *changed[8];
	int n = 0, i;

	if (!same(boot->ip, cf->ip)) changed[n++] = "ServerIP";
	if (strcmp(boot->port, cf->port)) changed[n++] = "ListenPort";
	if (boot->reuse_port != cf->reuse_port) changed[n++] = "ReusePort";
	if (!same(boot->user, cf->user)) changed[n++] = "User";
	if (!same(boot->group, cf->group)) changed[n++] = "Group";
	if (boot->chroot != cf->chroot) changed[n++] = "Chroot";
	if (!same(boot->pid_file, cf->pid_file)) changed[n++] = "PidFile";
	if (!same(boot->access_log, cf->access_log)) changed[n++] = "AccessLog";
	for (i = 0; i < n; i++)
		warn("%s: %s changed: it takes effect when ws is restarted", file,
		    changed[i]);
}

/* SIGHUP: read FILE again; use it for new connections if it is valid. */
static struct shared *
reconfigure(struct shared *cur, const struct shared *boot, const char *file,
    const char *port)
{
	struct shared *sh;

	if (chrooted) {
		warn("%s: cannot be read again inside the chroot; restart ws", file);
		return cur;
	}
	sh = load_logged(file, port);
	if (sh->cf.errors) {
		warn("%s: %d error%s: the running configuration stays", file,
		    sh->cf.errors, sh->cf.errors > 1 ? "s" : "");
		unref(sh);
		return cur;
	}
	restart_only(file, &boot->cf, &sh->cf);
	warn("%s: configuration reloaded", file);
	unref(cur);
	return sh;
}

/*
 * The listening socket.
 */

/* systemd socket activation (Accept=no): descriptor 3, when LISTEN_PID is
 * this process and LISTEN_FDS at least 1. Only the first one is used. */
static int
activated(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	int type;
	socklen_t len = sizeof(type);

	if (!pid || !fds || strtol(pid, NULL, 10) != (long)getpid() ||
	    strtol(fds, NULL, 10) < 1)
		return -1;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (getsockopt(SD_LISTEN_FD, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
	    type != SOCK_STREAM)
		die("LISTEN_FDS: descriptor %d is not a stream socket", SD_LISTEN_FD);
	fcntl(SD_LISTEN_FD, F_SETFD, FD_CLOEXEC);
	return SD_LISTEN_FD;
}

static int
listener(const struct config *cf)
{
	struct addrinfo hints, *ai;
	int fd, one = 1, zero = 0, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
	if ((rc = getaddrinfo(cf->ip, cf->port, &hints, &ai)))
		die("%s: %s", cf->ip, gai_strerror(rc));
	if ((fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol)) < 0)
		die("socket:");
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (cf->reuse_port) {
#ifdef SO_REUSEPORT
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
			warn("ReusePort:");
#else
		warn("ReusePort: not supported on this system");
#endif
	}
	if (ai->ai_family == AF_INET6)	/* "::" takes IPv4 too */
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0)
		die(strchr(cf->ip, ':') ? "bind [%s]:%s:" : "bind %s:%s:", cf->ip,
		    cf->port);
	if (listen(fd, SOMAXCONN) < 0)
		die("listen:");
	freeaddrinfo(ai);
	return fd;
}

/* Every descriptor the hard limit allows: a thread-mode connection takes
 * one, two while it keeps a file open, and a soft limit of 1024 is common. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* The line tests and supervisors wait for, with the address really bound. */
static void
announce(int fd, const char *mode)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0 ||
	    getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), serv,
	    sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV))
		die("getsockname:");
	fprintf(stderr, ss.ss_family == AF_INET6 ? "ws: listening on [%s]:%s (%s mode)\n" :
	    "ws: listening on %s:%s (%s mode)\n", host, serv, mode);
}

/*
 * Daemon, pid file, privileges.
 */

/* -d: fork; the parent waits for the child's start-up status on a pipe and
 * exits with it, so that a failure to start shows in the exit status.
 * Returns the pipe's write end, for report(). */
static int
detach(void)
{
	int p[2], status = 0;
	pid_t pid;
	char c;
	ssize_t r;

	if (pipe(p) < 0)
		die("pipe:");
	if ((pid = fork()) < 0)
		die("fork:");
	if (pid > 0) {
		close(p[1]);
		while ((r = read(p[0], &c, 1)) < 0 && errno == EINTR)
			;
		if (r == 1)
			_exit(c);
		/* no status: the child died; it said why on stderr */
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		_exit(WIFEXITED(status) && WEXITSTATUS(status) ? WEXITSTATUS(status) : 1);
	}
	close(p[0]);
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	setsid();
	/* now: /dev/null is not there inside a chroot */
	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
		die("/dev/null:");
	return p[1];
}

/* The daemon is serving: let the parent go, and leave the terminal. */
static void
report(int fd)
{
	if (chdir("/") < 0)
		die("chdir /:");
	warn_syslog(1);
	dup2(devnull, 0);
	dup2(devnull, 1);
	dup2(devnull, 2);
	if (devnull > 2)
		close(devnull);
	devnull = -1;
	(void)!write(fd, "", 1);
	close(fd);
	detached = 1;
}

static void
remove_pidfile(void)
{
	struct stat a, b;

	/* only ours: not a fork child's exit, not a file that replaced it */
	if (pidfd < 0 || piddir < 0 || getpid() != pidowner)
		return;
	if (fstatat(piddir, pidname, &a, AT_SYMLINK_NOFOLLOW) == 0 &&
	    fstat(pidfd, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino &&
	    unlinkat(piddir, pidname, 0) < 0)
		warn("%s:", pidname);
}

static int
lock_file(int fd)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	return fcntl(fd, F_SETLK, &fl);
}

/* A pid file left by a ws that died holds no lock: remove it. Fails when
 * a running ws holds it. */
static void
remove_stale(const char *path)
{
	struct stat a, b;
	char buf[32] = "";
	int fd;

	if ((fd = open(path, O_RDWR | O_CLOEXEC)) < 0)
		return;		/* gone meanwhile: try again */
	if (lock_file(fd) < 0) {
		(void)!read(fd, buf, sizeof(buf) - 1);
		buf[strcspn(buf, "\n")] = '\0';
		die("%s: ws is already running (pid %s)", path, buf);
	}
	if (fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		unlink(path);
	close(fd);
}

/* PidFile: created exclusively, locked for as long as ws runs. */
static void
write_pidfile(const char *path)
{
	const char *slash = strrchr(path, '/');
	char buf[32], *dir;
	int n, tries;

	for (tries = 0; tries < 2; tries++) {
		pidfd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (pidfd >= 0 || errno != EEXIST)
			break;
		remove_stale(path);
	}
	if (pidfd < 0)
		die("%s:", path);
	if (lock_file(pidfd) < 0)
		die("%s: lock:", path);
	dir = slash ? xstrdup(path) : xstrdup(".");
	if (slash)
		dir[slash > path ? slash - path : 1] = '\0';
	if ((piddir = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		die("%s:", dir);
	free(dir);
	pidname = slash ? slash + 1 : path;
	pidowner = getpid();
	atexit(remove_pidfile);
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)pidowner);
	if (write_all(pidfd, buf, n) < 0)
		die("%s:", path);
}

/* Bind first, then this: chroot to DocumentRoot, then give up root for
 * User and Group, before a single request is read. */
static void
drop_privileges(struct config *cf, const char *file, int inetd)
{
	struct passwd *pw = NULL;
	struct group *gr;
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (cf->user) {
		if (!(pw = getpwnam(cf->user)))
			die("User %s: no such user", cf->user);
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	if (cf->group) {
		if (!(gr = getgrnam(cf->group)))
			die("Group %s: no such group", cf->group);
		gid = gr->gr_gid;
	}
	if (cf->chroot) {
		if (!cf->root)
			die("Chroot: no valid DocumentRoot to confine ws to");
		if (chroot(cf->root) < 0 || chdir("/") < 0)
			die("chroot %s:", cf->root);
		free(cf->root);	/* paths are now taken inside it */
		cf->root = xstrdup("/");
		chrooted = 1;
	}
	if (geteuid() != 0) {
		if (uid != geteuid() || gid != getegid())
			die("%s %s: only root can change to it", cf->user ? "User" :
			    "Group", cf->user ? cf->user : cf->group);
		return;
	}
	if ((pw || cf->group) && (setgroups(1, &gid) < 0 || setgid(gid) < 0))
		die("Group %s:", cf->group ? cf->group : cf->user);
	if (pw && setuid(uid) < 0)
		die("User %s:", cf->user);
	if (uid != 0 && (getuid() == 0 || geteuid() == 0))
		die("User %s: still root after setuid", cf->user);
	if (!pw && !inetd)
		warn("running as root: name a User in %s to drop privileges", file);
}

/*
 * Serving.
 */

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
	sigset_t all, old;
	pid_t pid;

	sigfillset(&all);	/* no handler of ours may run in the child */
	sigprocmask(SIG_BLOCK, &all, &old);
	if ((pid = fork()) == 0) {
		/* Stopping is the main process's business: it drains the
		 * children and ends those left after GracefulTimeout. A
		 * terminal's ^C, sent to the whole group, must not cut a
		 * response short. */
		signal(SIGTERM, SIG_IGN);
		signal(SIGINT, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		signal(SIGUSR1, SIG_IGN);
		signal(SIGCHLD, SIG_DFL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(lfd);
		close(wake[0]);
		close(wake[1]);
		if (pidfd >= 0)
			close(pidfd);
		if (piddir >= 0)
			close(piddir);
		serve(fd, fd, cf);
		_exit(0);
	}
	if (pid < 0) {
		warn("fork:");
		sigprocmask(SIG_SETMASK, &old, NULL);
		refuse(fd);	/* an answer, not a silent close */
		return;
	}
	{
		if (nkids == kidscap) {
			kidscap = kidscap ? 2 * kidscap : 64;
			kids = xrealloc(kids, kidscap * sizeof(*kids));
		}
		kids[nkids++] = pid;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(fd);
}

static void
reap(void)
{
	pid_t pid;
	size_t i;

	while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
		for (i = 0; i < nkids; i++)
			if (kids[i] == pid) {
				kids[i] = kids[--nkids];
				break;
			}
}

static void *
worker(void *arg)
{
	struct job *j = arg;
	struct shared *sh;
	struct timespec until;
	int rc;

	for (;;) {
		serve(j->fd, j->fd, &j->sh->cf);
		close(j->fd);
		sh = j->sh;
		free(j);
		clock_gettime(handoff_clock, &until);
		until.tv_sec += PARK_MS / 1000;
		until.tv_nsec += PARK_MS % 1000 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&lock);	/* once a connection */
		nthreads--;
		drop(sh);
		if (parked >= PARK_MAX || quitting) {
			pthread_mutex_unlock(&lock);
			return NULL;
		}
		parked++;
		for (rc = 0; !jobs && !quitting && rc != ETIMEDOUT; )
			rc = pthread_cond_timedwait(&handoff, &lock, &until);
		if (!(j = jobs)) {
			parked--;
			pthread_mutex_unlock(&lock);
			return NULL;
		}
		jobs = j->next;		/* parked was counted down for it */
		pthread_mutex_unlock(&lock);
	}
}

/* Thread mode, once before serving: the workers' attributes, and the
 * hand-off timed by the monotonic clock where the system allows. */
static void
threads_init(void)
{
	pthread_condattr_t ca;

	pthread_attr_init(&thread_attr);
	pthread_attr_setdetachstate(&thread_attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&thread_attr, THREAD_STACK < PTHREAD_STACK_MIN ?
	    PTHREAD_STACK_MIN : THREAD_STACK);
	pthread_condattr_init(&ca);
	handoff_clock = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) ?
	    CLOCK_REALTIME : CLOCK_MONOTONIC;
	pthread_cond_init(&handoff, &ca);
	pthread_condattr_destroy(&ca);
}

/* Serve FD in a waiting thread, or a new one; past MaxClients, refuse it. */
static void
spawn_thread(int fd, struct shared *sh)
{
	sigset_t all, old;
	pthread_t t;
	struct job *j;
	int rc;

	pthread_mutex_lock(&lock);	/* once a connection */
	if (nthreads >= sh->cf.max_clients) {
		pthread_mutex_unlock(&lock);
		refuse(fd);
		return;
	}
	j = xrealloc(NULL, sizeof(*j));
	j->fd = fd;
	j->sh = sh;
	nthreads++;
	sh->refs++;
	if (parked > 0) {	/* a waiting thread takes it */
		parked--;
		j->next = jobs;
		jobs = j;
		pthread_cond_signal(&handoff);
		pthread_mutex_unlock(&lock);
		return;
	}
	pthread_mutex_unlock(&lock);
	sigfillset(&all);	/* workers inherit a mask blocking every signal */
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&t, &thread_attr, worker, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		errno = rc;
		warn("pthread_create:");
		pthread_mutex_lock(&lock);
		nthreads--;
		sh->refs--;
		pthread_mutex_unlock(&lock);
		refuse(fd);
		free(j);
	}
}

/* Connections being served, and threads waiting for one. */
static long
active(int threads)
{
	long n;

	if (!threads)
		return (long)nkids;
	pthread_mutex_lock(&lock);
	n = nthreads + parked;
	pthread_mutex_unlock(&lock);
	return n;
}

/* After a stop: let the responses in flight finish, up to TIMEOUT seconds
 * (or a second signal), then end what is left. */
static void
finish(int threads, long timeout)
{
	long long deadline = now_ms() + timeout * 1000, left;
	struct pollfd pfd = { -1, POLLIN, 0 };
	long n;
	size_t i;

	pfd.fd = wake[0];
	if (threads) {		/* waiting threads leave now */
		pthread_mutex_lock(&lock);
		quitting = 1;
		pthread_cond_broadcast(&handoff);
		pthread_mutex_unlock(&lock);
	}
	for (;;) {
		reap();
		if ((n = active(threads)) == 0)
			return;
		if ((left = deadline - now_ms()) <= 0 || stopping > 1)
			break;
		/* a child's exit wakes us; a thread's end is polled for */
		poll(&pfd, 1, left < 20 ? (int)left : 20);
		drain_wake();
	}
	warn("GracefulTimeout: cutting %ld connection%s short", n, n > 1 ? "s" : "");
	for (i = 0; i < nkids; i++)
		kill(kids[i], SIGKILL);
	while (nkids > 0 && waitpid(-1, NULL, 0) > 0)
		reap();
}

/* The next waiting connection, non-blocking; -1 and errno (EAGAIN when
 * none waits). ws runs no other program: it needs no close-on-exec. */
static int
take(int lfd)
{
	int fd;

	/* serve() wants it non-blocking: BSDs pass the listener's
	 * O_NONBLOCK on; Linux sets it here, sparing serve() an fcntl() */
#ifdef __linux__
	fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
#else
	fd = accept(lfd, NULL, NULL);
#endif
	return fd;
}

/* Accept until SIGTERM or SIGINT, handling SIGHUP and SIGUSR1 on the way. */
static struct shared *
serve_forever(int lfd, int threads, struct shared *sh, const struct shared *boot,
    const char *file, const char *port)
{
	struct pollfd pfd[2] = { { -1, POLLIN, 0 }, { -1, POLLIN, 0 } };
	int fd, n;

	pfd[0].fd = lfd;
	pfd[1].fd = wake[0];
	while (!stopping) {
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			die("poll:");
		if (pfd[1].revents) {	/* a signal: no cost per connection */
			drain_wake();
			reap();
		}
		if (stopping)
			break;
		if (reload) {
			reload = 0;
			sh = reconfigure(sh, boot, file, port);
		}
		if (reopen) {
			reopen = 0;
			if (chrooted)	/* the path would name a file in the root */
				warn("AccessLog: cannot be reopened inside the chroot");
			else
				log_reopen();
		}
		if (!(pfd[0].revents & POLLIN))
			continue;
		/* the listener does not block: take what waits, a batch a poll */
		for (n = 0; n < ACCEPT_BATCH && !stopping; n++) {
			if ((fd = take(lfd)) < 0) {
				if (errno == EMFILE || errno == ENFILE ||
				    errno == ENOBUFS || errno == ENOMEM)
					poll(NULL, 0, 100);	/* let connections finish */
				else if (errno != EINTR && errno != ECONNABORTED &&
				    errno != EAGAIN && errno != EWOULDBLOCK)
					warn("accept:");
				break;
			}
			if (threads) {
				spawn_thread(fd, sh);
				continue;
			}
			if ((long)nkids >= sh->cf.max_clients)
				reap();		/* children may have ended meanwhile */
			if ((long)nkids >= sh->cf.max_clients)
				refuse(fd);
			else
				spawn_child(lfd, fd, &sh->cf);
		}
	}
	return sh;
}

int
main(int argc, char *argv[])
{
	const char *file = "ws.conf", *mode = "fork", *port = NULL;
	/* static: still reachable at exit, when a thread cut short at
	 * GracefulTimeout may hold one */
	static struct shared *sh, *boot;
	int ch, inetd = 0, check = 0, detaching = 0, threads, lfd, parent = -1;
	char *end, *abs;

	while ((ch = getopt(argc, argv, "df:him:np:v")) != -1) {
		switch (ch) {
		case 'd': detaching = 1; break;
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
	    *end || !*port)) || (detaching && inetd)) {
		usage(stderr);
		return 2;
	}
	threads = !strcmp(mode, "thread");
	/* a daemon leaves its directory; SIGHUP must still find the file */
	if (detaching && file[0] != '/' && (abs = realpath(file, NULL)))
		file = abs;
	boot = sh = load(file, port);
	if (check)
		return sh->cf.errors ? 1 : 0;
	/* log.c keeps a pointer into the first configuration: never freed */
	boot->refs++;
	raise_nofile();
	if (conn_drain_init() < 0)
		die("pipe:");
	if (inetd) {
		if (log_open(&sh->cf, 1) < 0)
			return 1;
		drop_privileges(&sh->cf, file, 1);
		handle_signals();
		serve(0, 1, &sh->cf);
		return 0;
	}
	lfd = activated();	/* before detach(): LISTEN_PID is this pid */
	if (detaching)
		parent = detach();
	handle_signals();
	if (sh->cf.pid_file && strcmp(sh->cf.pid_file, "off"))
		write_pidfile(sh->cf.pid_file);	/* first: a second ws is told so */
	if (lfd < 0)
		lfd = listener(&sh->cf);
	fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) | O_NONBLOCK);
	if (log_open(&sh->cf, 0) < 0)
		return 1;
	if (detaching)
		warn_syslog(0);	/* connect now: /dev/log may be outside the chroot */
	drop_privileges(&sh->cf, file, 0);
	announce(lfd, mode);
	if (detaching)
		report(parent);
	if (threads)
		threads_init();
	sh = serve_forever(lfd, threads, sh, boot, file, port);
	close(lfd);		/* refuse new connections at once */
	finish(threads, sh->cf.graceful_timeout);
	return 0;
}
