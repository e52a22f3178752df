/* A connection: reading requests, sending responses, keep-alive; the one
 * function every mode (fork, thread, inetd) serves a connection with. */
#ifndef WS_CONN_H
#define WS_CONN_H

#include "config.h"

void serve(int in, int out, const struct config *);
int conn_drain_init(void);
void conn_drain(void);

#endif
