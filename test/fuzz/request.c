/* libFuzzer harness: one connection's input, served by serve(). */
#define _XOPEN_SOURCE 700

#include <sys/stat.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "conn.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct config cf;
static int in = -1, out;

static void
put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "w")) || fputs(text, f) < 0 || fclose(f))
		abort();
}

static void
setup(void)
{
	static char dir[] = "/tmp/ws-fuzz-XXXXXX";
	char path[512];

	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/www", dir);
	mkdir(path, 0755);
	put(path, "index.html", "<html><body>x</body></html>\n");
	put(path, "a.txt", "text\n");
	snprintf(path, sizeof(path), "%s/www/d", dir);
	mkdir(path, 0755);
	put(dir, "ws.conf", "ListenPort 80\nDocumentRoot www\nContentType .html text/html\n"
	    "ContentType .txt text/plain\nKeepaliveTime 5\nLimitRequestBody 4096\n"
	    "RequestMethodSupport GET HEAD POST OPTIONS TRACE PUT\nRequestTimeout 1\n");
	snprintf(path, sizeof(path), "%s/ws.conf", dir);
	if (config_load(&cf, path) < 0)
		abort();
	snprintf(path, sizeof(path), "%s/in", dir);
	if ((in = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0 ||
	    (out = open("/dev/null", O_WRONLY)) < 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	if (in < 0)
		setup();
	if (ftruncate(in, 0) < 0 || pwrite(in, data, n, 0) != (ssize_t)n ||
	    lseek(in, 0, SEEK_SET) < 0)
		abort();
	serve(in, out, &cf);
	return 0;
}
