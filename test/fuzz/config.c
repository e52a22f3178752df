/* libFuzzer harness: any ws.conf loads, reports, and frees cleanly. */
#define _XOPEN_SOURCE 700

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static char path[] = "/tmp/ws-fuzz-conf-XXXXXX";
	static int fd = -1;
	struct config cf;

	if (fd < 0 && (fd = mkstemp(path)) < 0)
		abort();
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, n, 0) != (ssize_t)n)
		abort();
	config_load(&cf, path);
	if (!cf.ip || !cf.port[0] || (cf.errors == 0 && !cf.root))
		abort();
	config_free(&cf);
	return 0;
}
