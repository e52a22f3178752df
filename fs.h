/* The tree beneath DocumentRoot: every access goes through the root's
 * descriptor, and no name resolves outside it. */
#ifndef WS_FS_H
#define WS_FS_H

#include <sys/stat.h>
#include <sys/types.h>

#include <stddef.h>
#include <time.h>

/* A file a keep-alive connection keeps open after serving it, and the
 * identity it had, to tell whether the next request names it still. */
struct kept {
	int fd;			/* -1: none */
	unsigned long key;	/* a hash of the clean path that named it */
	dev_t dev;
	ino_t ino;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	struct timespec ctim;
};

/* A directory listing's entry. */
struct entry {
	char *name;
	int dir;
	long long size;
	time_t mtime;
};

int fs_open(int rootfd, const char *clean, int dir);
int fs_parent(int rootfd, const char *clean, const char **name);
int fs_put(int dirfd, const char *name, const void *, size_t, int *existed);
int fs_delete(int dirfd, const char *name);
int fs_list(int dirfd, struct entry **);
void fs_list_free(struct entry *, int);
int fs_reuse(struct kept *, int rootfd, const char *clean, struct stat *);
void fs_keep(struct kept *, int fd, const char *clean, const struct stat *);
void fs_unkeep(struct kept *);

#endif
