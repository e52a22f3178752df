/* ws.conf: the configuration, read once and read-only while serving. */
#ifndef WS_CONFIG_H
#define WS_CONFIG_H

#include <stddef.h>

#include "limit.h"

enum method { M_GET, M_HEAD, M_OPTIONS, M_POST, M_PUT, M_DELETE, M_TRACE, M_NUM };
extern const char *const method_name[M_NUM];

struct ctype {
	char *ext;		/* without the dot */
	char *type;
};

struct config {
	char *ip;
	char port[8];
	char *root;		/* absolute, resolved */
	int rootfd;		/* the root, opened: requests resolve beneath it */
	char **index;
	size_t nindex;
	struct ctype *types;
	size_t ntypes;
	unsigned methods;	/* bit (1u << M_x) per enabled method */
	long keepalive;		/* seconds; 0: no persistent connections */
	long line_max, field_max, fields_max, body_max;
	long request_timeout, send_timeout, send_min_rate;
	long max_clients, graceful_timeout;
	char *default_type;	/* for unknown extensions; NULL: 501 */
	long listing;		/* DirectoryListing on */
	char *access_log;	/* path, "off", or NULL: the default */
	char *pid_file;
	char *user, *group;
	long chroot, reuse_port;
	int errors;		/* count; nonzero: answer every request 500 */
};

int config_load(struct config *, const char *path);
void config_free(struct config *);
const char *config_type(const struct config *, const char *name);
int method_lookup(const char *, size_t);

#endif
