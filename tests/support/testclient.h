/*
 * testclient.h: what the C benchmarks and the crash test share to talk to
 * a real node: a logged-in client and valid applicant ID numbers. Library
 * ow_testclient (with the client library).
 */
#ifndef OW_TEST_CLIENT_H
#define OW_TEST_CLIENT_H

#include <stdint.h>

#include "node/client.h"

/* A client of the node at url logged in as user (calls time out after
 * timeout_ms); NULL on failure, with the CM_E* code in *rcp (rcp may be
 * NULL). */
struct node_client *ow_connect_login(const char *url, const char *user,
    const char *pw, int timeout_ms, int *rcp);

/* A valid citizen ID number (with its check character) for applicant i,
 * unique up to 13 million. */
void ow_citizen_id(uint64_t i, char out[19]);

#endif
