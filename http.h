/* HTTP/1.x: one function serves one connection, in every mode. */
#ifndef WS_HTTP_H
#define WS_HTTP_H

#include "config.h"

void serve(int in, int out, const struct config *);
int http_drain_init(void);
void http_drain(void);

#endif
