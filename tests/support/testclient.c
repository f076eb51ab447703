/*
 * testclient.c: see testclient.h.
 */
#include "testclient.h"

#include <stdio.h>

struct node_client *
ow_connect_login(
    const char *url, const char *user, const char *pw, int timeout_ms, int *rcp)
{
	struct node_client *c = NULL;
	int rc = node_client_open(url, NULL, timeout_ms, &c);

	if (rc == 0) {
		rc = node_client_login(c, user, pw, "", NULL);
	}
	if (rc != 0) {
		node_client_close(c);
		c = NULL;
	}
	if (rcp != NULL) {
		*rcp = rc;
	}
	return c;
}

void
ow_citizen_id(uint64_t i, char out[19])
{
	static const int w[17] = {
	    7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	static const char check[] = "10X98765432";
	unsigned seq = (unsigned)(i % 1000), d = (unsigned)(i / 1000 % 28 + 1),
	         m = (unsigned)(i / 28000 % 12 + 1),
	         y = (unsigned)(1960 + i / 336000 % 40);
	int sum = 0;

	snprintf(out, 19, "440304%04u%02u%02u%03u", y, m, d, seq);
	for (int k = 0; k < 17; k++) {
		sum += (out[k] - '0') * w[k];
	}
	out[17] = check[sum % 11];
	out[18] = '\0';
}
