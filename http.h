/* HTTP/1.x: one function serves one connection, in every mode. */
#ifndef WS_HTTP_H
#define WS_HTTP_H

#include "config.h"

void serve(int in, int out, const struct config *);

#endif
