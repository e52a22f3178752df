/* libFuzzer harness: path_clean never yields a path outside the root. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	char out[256];
	const char *s;
	int len;

	if ((len = path_clean((const char *)data, n, out, sizeof(out))) < 0)
		return 0;
	/* Clean: starts at the root, no empty, "." or ".." segment, no NUL. */
	if (out[0] != '/' || strlen(out) != (size_t)len || strstr(out, "//"))
		abort();
	for (s = out; (s = strchr(s, '/')); s++)
		if ((s[1] == '.' && (s[2] == '/' || !s[2])) ||
		    (s[1] == '.' && s[2] == '.' && (s[3] == '/' || !s[3])))
			abort();
	return 0;
}
