/* The tree beneath DocumentRoot, reached only through the root descriptor. */
#define _XOPEN_SOURCE 700
#ifdef __linux__
#define _DEFAULT_SOURCE		/* syscall(), for openat2() */
#endif

#include <sys/stat.h>
#include <sys/types.h>
#ifdef __linux__
#include <sys/syscall.h>
#include <linux/openat2.h>
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fs.h"
#include "limit.h"
#include "util.h"

#ifdef O_SEARCH
#define O_WALK	O_SEARCH	/* a directory passed through needs only x */
#else
#define O_WALK	O_RDONLY
#endif

/* Open REL (relative, no "." or ".." in it) beneath DIRFD one name at a
 * time, refusing every symbolic link: where openat2() is missing, this
 * holds the lookup beneath the root without trusting a path string. */
static int
walk(int dirfd, const char *rel, int flags)
{
	char name[NAME_MAX + 1];
	const char *e;
	int dir = dirfd, fd, last;

	for (;;) {
		e = rel + strcspn(rel, "/");
		if (e - rel > NAME_MAX) {
			fd = -1;
			errno = ENAMETOOLONG;
			break;
		}
		memcpy(name, rel, e - rel);
		name[e - rel] = '\0';
		last = !*e || !e[1];
		fd = openat(dir, name, (last ? flags : O_WALK | O_DIRECTORY | O_CLOEXEC) |
		    O_NOFOLLOW | (*e ? O_DIRECTORY : 0));
		if (dir != dirfd)
			close(dir);
		if (fd < 0 || last)
			break;
		dir = fd;
		rel = e + 1;
	}
	return fd;
}

/*
 * Open the clean path CLEAN beneath the root, never outside it: a
 * directory when DIR, else for reading. On Linux openat2() with
 * RESOLVE_BENEATH does it in one call, links that stay inside allowed;
 * where it is missing, walk() refuses links.
 */
int
fs_open(int rootfd, const char *clean, int dir)
{
	const char *rel = clean[1] ? clean + 1 : ".";
	int flags = O_RDONLY | O_NOCTTY | O_CLOEXEC | (dir ? O_DIRECTORY : O_NONBLOCK);
#ifdef SYS_openat2
	struct open_how how;
	int fd;

	memset(&how, 0, sizeof(how));
	how.flags = flags;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	fd = syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
	if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
		return fd;
#endif
	return clean[1] ? walk(rootfd, rel, flags) : openat(rootfd, ".", flags);
}

/* The directory that holds the last name of CLEAN, opened beneath the
 * root, and that name in *NAME; -1 and errno (EISDIR when CLEAN names a
 * directory). */
int
fs_parent(int rootfd, const char *clean, const char **name)
{
	const char *slash = strrchr(clean, '/');
	char *dir;
	int fd;

	if (!slash[1]) {
		errno = EISDIR;
		return -1;
	}
	*name = slash + 1;
	if (slash == clean)
		return fs_open(rootfd, "/", 1);
	if (!(dir = malloc(slash - clean + 1)))
		return -1;
	memcpy(dir, clean, slash - clean);
	dir[slash - clean] = '\0';
	fd = fs_open(rootfd, dir, 1);
	free(dir);
	return fd;
}

/* A PUT's temporary name: ".ws-put-" and twelve hex digits. */
#define PUT_PREFIX	".ws-put-"

/* Remove what killed PUTs left in DIRFD: their temporary files older than
 * PUT_STALE_S (a live PUT writes its file in well under that). */
static void
sweep(int dirfd)
{
	struct dirent *d;
	struct stat st;
	time_t old = time(NULL) - PUT_STALE_S;
	DIR *dp;
	int fd;

	if ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return;
	if (!(dp = fdopendir(fd))) {
		close(fd);
		return;
	}
	/* readdir() on a stream of this call's own is safe in threads */
	while ((d = readdir(dp)))
		if (!strncmp(d->d_name, PUT_PREFIX, sizeof(PUT_PREFIX) - 1) &&
		    fstatat(dirfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) && st.st_mtime < old)
			unlinkat(dirfd, d->d_name, 0);
	closedir(dp);
}

/*
 * PUT: N bytes of DATA as NAME in DIRFD, whole or not at all: written to a
 * new temporary file, synced, then renamed over NAME, and the directory
 * synced. A link named NAME is replaced, never followed. 0, or an errno
 * (EISDIR for a directory); *EXISTED says whether NAME was there.
 */
int
fs_put(int dirfd, const char *name, const void *data, size_t n, int *existed)
{
	char tmp[sizeof(PUT_PREFIX) + 16];
	struct timespec ts;
	struct stat st;
	int fd = -1, err = 0, i;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISDIR(st.st_mode))
			return EISDIR;
		*existed = 1;
	} else if (errno == ENOENT)
		*existed = 0;
	else
		return errno;
	sweep(dirfd);
	for (i = 0; fd < 0 && i < 64; i++) {
		clock_gettime(CLOCK_REALTIME, &ts);
		snprintf(tmp, sizeof(tmp), PUT_PREFIX "%04lx%08lx",
		    (unsigned long)getpid() & 0xffff,
		    ((unsigned long)ts.tv_nsec ^ (unsigned long)i * 2654435761u) & 0xffffffff);
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0644);
		if (fd < 0 && errno != EEXIST)
			return errno;
	}
	if (fd < 0)
		return EEXIST;
	if (fchmod(fd, 0644) < 0 || write_all(fd, data, n) < 0 || fsync(fd) < 0)
		err = errno;
	if (close(fd) < 0 && !err)
		err = errno;
	if (!err && renameat(dirfd, tmp, dirfd, name) < 0)
		err = errno;
	if (err) {
		unlinkat(dirfd, tmp, 0);
		return err;
	}
	(void)fsync(dirfd);	/* the rename, durable; some systems refuse it */
	return 0;
}

/* DELETE: remove NAME from DIRFD, never a directory (EISDIR), never what
 * a link points to. 0 or an errno. */
int
fs_delete(int dirfd, const char *name)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno;
	if (S_ISDIR(st.st_mode))
		return EISDIR;
	return unlinkat(dirfd, name, 0) < 0 ? errno : 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

void
fs_list_free(struct entry *e, int n)
{
	while (n-- > 0)
		free(e[n].name);
	free(e);
}

/* The names in the directory DIRFD but those starting with a dot, sorted,
 * each described without following a link (it may lead outside): their
 * count and *OUT, or -1 and errno. */
int
fs_list(int dirfd, struct entry **out)
{
	struct entry *e = NULL, *p;
	struct dirent *d;
	struct stat st;
	size_t n = 0, cap = 0;
	DIR *dp;
	int fd;

	if ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	if (!(dp = fdopendir(fd))) {
		close(fd);
		return -1;
	}
	errno = 0;
	while ((d = readdir(dp))) {
		if (d->d_name[0] == '.' ||
		    fstatat(dirfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			if (n > INT_MAX / 4 || !(p = realloc(e, cap * sizeof(*e))))
				goto fail;
			e = p;
		}
		if (!(e[n].name = strdup(d->d_name)))
			goto fail;
		e[n].dir = S_ISDIR(st.st_mode);
		e[n].size = e[n].dir ? 0 : (long long)st.st_size;
		e[n++].mtime = st.st_mtime;
	}
	closedir(dp);
	qsort(e, n, sizeof(*e), by_name);
	*out = e;
	return (int)n;
fail:
	closedir(dp);
	fs_list_free(e, (int)n);
	errno = ENOMEM;
	return -1;
}

/* A hash of a path (FNV-1a), to tell at once a request for another file. */
static unsigned long
path_key(const char *s)
{
	unsigned long h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

void
fs_unkeep(struct kept *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}

/* Keep FD, the regular file CLEAN named, for the connection's next
 * request, in place of the one kept before. */
void
fs_keep(struct kept *k, int fd, const char *clean, const struct stat *st)
{
	fs_unkeep(k);
	k->fd = fd;
	k->key = path_key(clean);
	k->dev = st->st_dev;
	k->ino = st->st_ino;
	k->mode = st->st_mode;
	k->uid = st->st_uid;
	k->gid = st->st_gid;
	k->ctim = st->st_ctim;
}

/*
 * Whether CLEAN still leads to the kept file: the same inode (whatever the
 * name, so a hash that collides is harmless), mode and owner, and the same
 * ctime, which any other change to it moves. One fstatat() in place of
 * openat2(), fstat() and close(); otherwise the kept file is let go. The
 * lookup starts at the root descriptor but is not held beneath it: if a
 * directory on the path is moved out and linked back, the connection goes
 * on getting the file it was already served, unchanged, and nothing else.
 */
int
fs_reuse(struct kept *k, int rootfd, const char *clean, struct stat *st)
{
	if (k->fd < 0)
		return 0;
	if (k->key != path_key(clean) || fstatat(rootfd, clean + 1, st, 0) < 0 ||
	    st->st_dev != k->dev || st->st_ino != k->ino || st->st_mode != k->mode ||
	    st->st_uid != k->uid || st->st_gid != k->gid ||
	    st->st_ctim.tv_sec != k->ctim.tv_sec || st->st_ctim.tv_nsec != k->ctim.tv_nsec) {
		fs_unkeep(k);
		return 0;
	}
	return 1;
}
