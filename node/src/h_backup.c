/*
 * h_backup.c: backups of the hall's store for ops (RocksDB BackupEngine):
 * create, list, verify, and restore into a new data directory. Every one
 * runs on libuv's thread pool, the loop keeps serving; RocksDB lets a
 * backup be taken while the store is written.
 *
 * A backup is the store at one point in time; the node's key pair is kept
 * beside the backups once (DIR/keys). A hall restored from one has lost
 * the ops it made after it, but its peers hold them: the restored data
 * directory carries the flag "recovering", and the node takes them back
 * before it makes any op of its own (node/src/repl.c). docs/ops.md,
 * "Backups".
 */
#include "handlers.h"
#include "common/alloc.h"
#include "common/error.h"
#include "common/log.h"

#include <stdlib.h>
#include <string.h>

#define BACKUPS_KEPT 10

/* One backup job at a time: RocksDB's BackupEngine allows one writer per
 * directory, and a purge could remove what a restore copies. Loop only. */
static bool backup_busy;

enum backup_op { B_CREATE, B_LIST, B_VERIFY, B_RESTORE };

struct backup_job {
	uv_work_t w;
	struct node *n;
	struct node_slot *slot;
	enum backup_op op;
	char request_id[80];
	char dir[1100];
	char target[1100];
	uint32_t id, keep;
	int rc;
	uint32_t made; /* create: the new backup's id */
	struct node_backup_info *list;
	size_t nlist;
};

static void
backup_work(uv_work_t *w)
{
	struct backup_job *j = w->data;

	switch (j->op) {
	case B_CREATE:
		j->rc = node_backup_keys(&j->n->kp, j->dir);
		if (j->rc == 0) {
			j->rc = node_store_backup(
			    j->n->st, j->dir, j->keep, &j->made);
		}
		if (j->rc == 0) {
			j->rc =
			    node_store_backup_list(j->dir, &j->list, &j->nlist);
		}
		break;
	case B_LIST:
		j->rc = node_store_backup_list(j->dir, &j->list, &j->nlist);
		if (j->rc == CM_ENOENT) {
			j->rc = 0; /* none made yet */
		}
		break;
	case B_VERIFY:
		j->rc = node_store_backup_verify(j->dir, j->id);
		break;
	case B_RESTORE:
		j->rc = node_restore_datadir(j->dir, j->id, j->target);
		break;
	}
}

static Ow__BackupInfo *
info_msg(const struct node_backup_info *b)
{
	Ow__BackupInfo *m = malloc(sizeof(*m));

	if (m != NULL) {
		ow__backup_info__init(m);
		m->id = b->id;
		m->timestamp = b->timestamp;
		m->size = b->size;
		m->files = b->files;
	}
	return m;
}

static void
backup_done(uv_work_t *w, int status)
{
	struct backup_job *j = w->data;
	Ow__Response resp = OW__RESPONSE__INIT;
	Ow__BackupResp *br = malloc(sizeof(*br));
	static const char *const names[] = {
	    "create", "list", "verify", "restore"};

	node_job_done(j->n);
	backup_busy = false;
	resp.version = 1;
	resp.request_id = j->request_id;
	resp.status = status != 0 ? CM_EINTERNAL : j->rc;
	if (br != NULL && resp.status == 0) {
		ow__backup_resp__init(br);
		br->dir = node__dup(j->op == B_RESTORE ? j->target : j->dir);
		br->backups = calloc(j->nlist + 1, sizeof(*br->backups));
		for (size_t i = 0; br->backups != NULL && i < j->nlist; i++) {
			/* create: the new one only. */
			if (j->op == B_CREATE && j->list[i].id != j->made) {
				continue;
			}
			br->backups[br->n_backups] = info_msg(&j->list[i]);
			br->n_backups += br->backups[br->n_backups] != NULL;
		}
		resp.body_case = OW__RESPONSE__BODY_BACKUP;
		resp.backup = br;
		br = NULL;
	} else if (br == NULL && resp.status == 0) {
		resp.status = CM_ENOMEM;
	}
	free(br);
	/* Paths of the hall's own disks only: no personal data. */
	if (resp.status == 0) {
		cm_log_info("backup.done", "op=%s id=%u", names[j->op],
		    j->op == B_CREATE ? j->made : j->id);
	} else {
		cm_log_warn("backup.failed", "op=%s error=%s", names[j->op],
		    cm_err_name(resp.status));
	}
	node_finish_async(j->n, j->slot, &resp, NODE_REPLY_NOW);
	cm_free(j->list);
	cm_free(j);
}

enum node_disp
node__h_backup(struct call *c)
{
	const Ow__BackupReq *r = c->req->backup;
	struct backup_job *j;

	if (backup_busy) {
		node__fail(c->resp, CM_EBUSY);
		return NODE_REPLY_NOW;
	}
	j = cm_calloc(1, sizeof(*j));
	if (j == NULL) {
		node__fail(c->resp, CM_ENOMEM);
		return NODE_REPLY_NOW;
	}
	if (strcmp(r->op, "create") == 0) {
		j->op = B_CREATE;
	} else if (strcmp(r->op, "list") == 0) {
		j->op = B_LIST;
	} else if (strcmp(r->op, "verify") == 0 && r->id != 0) {
		j->op = B_VERIFY;
	} else if (strcmp(r->op, "restore") == 0 && r->target[0] == '/' &&
	           strlen(r->target) < sizeof(j->target)) {
		j->op = B_RESTORE;
	} else {
		cm_free(j);
		node__fail(c->resp, CM_EINVAL);
		return NODE_REPLY_NOW;
	}
	/* Absolute paths only: the node's working directory is nobody's
	 * business. Default: beside the store (for a real hall, configure
	 * another disk: docs/ops.md). */
	if (r->dir[0] != '\0' &&
	    (r->dir[0] != '/' || strlen(r->dir) >= sizeof(j->dir))) {
		cm_free(j);
		node__fail(c->resp, CM_EINVAL);
		return NODE_REPLY_NOW;
	}
	if (r->dir[0] != '\0') {
		snprintf(j->dir, sizeof(j->dir), "%s", r->dir);
	} else {
		snprintf(j->dir, sizeof(j->dir), "%s/backups", c->n->datadir);
	}
	snprintf(j->target, sizeof(j->target), "%s", r->target);
	snprintf(
	    j->request_id, sizeof(j->request_id), "%s", c->req->request_id);
	j->id = r->id;
	j->keep = r->keep != 0 ? r->keep : BACKUPS_KEPT;
	j->n = c->n;
	j->slot = c->slot;
	j->w.data = j;
	if (node_queue_job(c->n, &j->w, backup_work, backup_done) != 0) {
		cm_free(j);
		node__fail(c->resp, CM_EINTERNAL);
		return NODE_REPLY_NOW;
	}
	backup_busy = true;
	return NODE_REPLY_LATER;
}
