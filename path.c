/* URL paths: decoding and normalising, with no access to the file system. */
#include <string.h>

#include "path.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decode the URL path IN (N bytes, starting with '/') and normalise
 * it into OUT: no empty, "." or ".." segments, a trailing slash kept. A
 * decoded '/' separates segments like a literal one. Returns the length of
 * OUT, or -1 for a bad escape, a NUL, a ".." above the root, or no room.
 * OUT always starts with '/' and never names anything above it.
 */
int
path_clean(const char *in, size_t n, char *out, size_t outsz)
{
	size_t i, o = 1, seg = 1;	/* OUT[seg, o) is the current segment */
	int hi, lo, c, dir = 0;

	if (n == 0 || in[0] != '/' || outsz < 2)
		return -1;
	out[0] = '/';
	for (i = 1; i <= n; i++) {
		c = i < n ? (unsigned char)in[i] : '/';
		if (c == '%' && i < n) {
			if (n - i < 3 || (hi = hexval(in[i + 1])) < 0 ||
			    (lo = hexval(in[i + 2])) < 0)
				return -1;
			c = hi << 4 | lo;
			i += 2;
		}
		if (c == '\0')
			return -1;
		if (c != '/') {
			if (o + 2 >= outsz)
				return -1;
			out[o++] = c;
			continue;
		}
		dir = 1;		/* a name is a directory's unless it is last */
		if (o - seg == 1 && out[seg] == '.') {
			o = seg;
		} else if (o - seg == 2 && out[seg] == '.' && out[seg + 1] == '.') {
			if (seg == 1)
				return -1;
			for (o = seg - 1; out[o - 1] != '/'; o--)
				;
		} else if (o > seg) {
			out[o++] = '/';
			dir = i < n;
		}
		seg = o;
	}
	if (!dir && o > 1)		/* the last name was a file's */
		o--;
	out[o] = '\0';
	return (int)o;
}
