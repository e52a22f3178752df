/* URL paths: decoding and normalising, with no access to the file system. */
#ifndef WS_PATH_H
#define WS_PATH_H

#include <stddef.h>

int path_clean(const char *in, size_t n, char *out, size_t outsz);

#endif
