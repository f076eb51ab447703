/*
 * bench_desk_load.c: cases for the desk's benchmark (bench_desk.sh): N
 * social security card applications taken in by one clerk through the
 * client library, so that the clerk's list holds N open cases.
 *
 *   bench_desk_load DATADIR USER PASSWORD N
 */
#include "common/error.h"
#include "node/client.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
citizen_id(unsigned long i, char out[19])
{
	static const int w[17] = {
	    7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	static const char check[] = "10X98765432";
	int sum = 0;

	snprintf(out, 19, "440304%04lu%02lu%02lu%03lu", 1950 + i % 50,
	    1 + i / 50 % 12, 1 + i / 600 % 28, i / 16800 % 1000);
	for (int k = 0; k < 17; k++) {
		sum += (out[k] - '0') * w[k];
	}
	out[17] = check[sum % 11];
	out[18] = '\0';
}

int
main(int argc, char **argv)
{
	struct node_client *c;
	char url[1100], idn[19], mobile[16];
	unsigned long n;
	int rc;

	if (argc != 5) {
		fprintf(
		    stderr, "usage: bench_desk_load DATADIR USER PASSWORD N\n");
		return 2;
	}
	n = strtoul(argv[4], NULL, 10);
	node_client_local_url(argv[1], url, sizeof(url));
	if ((rc = node_client_open(url, NULL, 30000, &c)) != 0 ||
	    (rc = node_client_login(c, argv[2], argv[3], "", NULL)) != 0) {
		fprintf(
		    stderr, "bench_desk_load: login: %s\n", cm_strerror(rc));
		return 1;
	}
	for (unsigned long i = 0; i < n; i++) {
		Ow__Request req = OW__REQUEST__INIT;
		Ow__CaseCreateReq b = OW__CASE_CREATE_REQ__INIT;
		Ow__Party app = OW__PARTY__INIT;
		Ow__KeyValue kv[6], *kvp[6];
		const char *keys[6] = {"applicant_name", "applicant_id",
		    "applicant_mobile", "applicant_address", "bank",
		    "is_minor"};
		const char *vals[6];
		char *mats[1] = {(char *)(uintptr_t) "id_card"};
		Ow__Response *resp = NULL;

		citizen_id(i, idn);
		snprintf(mobile, sizeof(mobile), "138%08lu", i % 100000000);
		vals[0] = "欧阳娜娜";
		vals[1] = idn;
		vals[2] = mobile;
		vals[3] = "深圳市福田区福华三路1号";
		vals[4] = "icbc";
		vals[5] = "no";
		for (int k = 0; k < 6; k++) {
			ow__key_value__init(&kv[k]);
			kv[k].key = (char *)(uintptr_t)keys[k];
			kv[k].value = (char *)(uintptr_t)vals[k];
			kvp[k] = &kv[k];
		}
		app.kind = OW__APPLICANT_KIND__APPLICANT_PERSON;
		app.id_number = idn;
		app.name = (char *)(uintptr_t) "欧阳娜娜";
		app.mobile = mobile;
		b.matter = (char *)(uintptr_t) "GG00032001";
		b.applicant = &app;
		b.fields = kvp;
		b.n_fields = 6;
		b.materials = mats;
		b.n_materials = 1;
		req.body_case = OW__REQUEST__BODY_CASE_CREATE;
		req.case_create = &b;
		rc = node_client_call(c, &req, &resp);
		if (rc == 0 && resp->status != 0) {
			rc = resp->status;
		}
		if (resp != NULL) {
			ow__response__free_unpacked(resp, NULL);
		}
		if (rc != 0) {
			fprintf(stderr, "bench_desk_load: case %lu: %s\n", i,
			    cm_strerror(rc));
			node_client_close(c);
			return 1;
		}
	}
	node_client_close(c);
	return 0;
}
