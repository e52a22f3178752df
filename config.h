/* ws.conf: the configuration, read once and read-only while serving. */
#ifndef WS_CONFIG_H
#define WS_CONFIG_H

#include <stddef.h>

/* Default limits; each is a ws.conf directive of the same name. */
#define DEF_LIMIT_REQUEST_LINE		8190
#define DEF_LIMIT_REQUEST_FIELD_SIZE	8190
#define DEF_LIMIT_REQUEST_FIELDS	100
#define DEF_LIMIT_REQUEST_BODY		(1L << 20)
#define DEF_REQUEST_TIMEOUT		10
#define DEF_SEND_TIMEOUT		30
#define DEF_KEEPALIVE_TIME		10
#define DEF_MAX_CLIENTS			1024
#define DEF_GRACEFUL_TIMEOUT		10
#define DEF_PORT			"8080"
#define DEF_IP				"0.0.0.0"

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
	long request_timeout, send_timeout, max_clients, graceful_timeout;
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
