/*
 * state.c: the data directory and the node's in-memory state.
 *
 * DATADIR/ holds node.key and node.pub (the Ed25519 key pair), db/ (the
 * RocksDB store), node.sock and events.sock while the node runs. Meta keys:
 * node/id, node/hall, node/hall_code, node/created, hlc, stat/ops,
 * vv/<origin> (seq and hash of the origin's last op), ids/<YYYYMMDD> (the
 * hall's case sequence of a day), cal/<file> (calendar files), and for
 * compaction (compact.c) base/<case id>, floor/<origin> and
 * stat/compacted.
 */
#include "node.h"
#include "common/alloc.h"
#include "common/date.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/utf8.h"
#include "forms/validate.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_DATA_FILE (4u << 20)

static int
meta_get_str(struct node_store *st, const char *key, char *out, size_t size)
{
	void *val = NULL;
	size_t len = 0;
	int rc = node_store_get(st, NODE_CF_META, key, strlen(key), &val, &len);

	if (rc != 0) {
		return rc;
	}
	if (len >= size) {
		cm_free(val);
		return CM_ECORRUPT;
	}
	memcpy(out, val, len);
	out[len] = '\0';
	cm_free(val);
	return 0;
}

static void
meta_put_str(struct node_batch *b, const char *key, const char *value)
{
	node_batch_put(b, NODE_CF_META, key, strlen(key), value, strlen(value));
}

static void
db_path(const char *dir, char *out, size_t size)
{
	snprintf(out, size, "%s/db", dir);
}

/* ---- catalog and calendar in the store ---------------------------------- */

/* "m/<code>/<version>" holds a matter file; "c/<code>" its current
 * version. Versions are zero-padded so they sort. */
static void
matter_key(const char *code, unsigned version, char *out, size_t size)
{
	snprintf(out, size, "m/%s/%06u", code, version);
}

int
node_load_forms(struct node *n)
{
	struct node_iter *it = NULL;
	struct form_diags d;
	int rc, bad = 0;

	form_catalog_free(&n->cat);
	form_catalog_init(&n->cat);
	form_calendar_free(n->cal);
	n->cal = NULL;
	rc = form_calendar_new(&n->cal);
	if (rc != 0) {
		return rc;
	}
	form_diags_init(&d);
	rc = node_iter_new(n->st, NODE_CF_CATALOG, "c/", 2, &it);
	for (; rc == 0 && node_iter_valid(it); node_iter_next(it)) {
		size_t klen, vlen;
		const char *key = node_iter_key(it, &klen);
		const char *ver = node_iter_value(it, &vlen);
		char code[32], mkey[64], vbuf[16];
		void *json = NULL;
		size_t jlen = 0;

		if (klen - 2 >= sizeof(code) || vlen >= sizeof(vbuf)) {
			bad++;
			continue;
		}
		memcpy(code, key + 2, klen - 2);
		code[klen - 2] = '\0';
		memcpy(vbuf, ver, vlen);
		vbuf[vlen] = '\0';
		matter_key(code, (unsigned)strtoul(vbuf, NULL, 10), mkey,
		    sizeof(mkey));
		if (node_store_get(n->st, NODE_CF_CATALOG, mkey, strlen(mkey),
		        &json, &jlen) != 0 ||
		    form_catalog_load(&n->cat, code, json, jlen, &d) != 0) {
			bad++;
		}
		cm_free(json);
	}
	if (it != NULL) {
		rc = rc == 0 ? node_iter_status(it) : rc;
		node_iter_free(it);
		it = NULL;
	}
	form_catalog_sort(&n->cat);
	if (rc == 0) {
		rc = node_iter_new(n->st, NODE_CF_META, "cal/", 4, &it);
	}
	for (; rc == 0 && node_iter_valid(it); node_iter_next(it)) {
		size_t klen, vlen;
		const char *key = node_iter_key(it, &klen);
		const char *val = node_iter_value(it, &vlen);
		char name[128];

		snprintf(name, sizeof(name), "%.*s", (int)klen, key);
		if (form_calendar_load(n->cal, name, val, vlen, &d) != 0) {
			bad++;
		}
	}
	if (it != NULL) {
		rc = rc == 0 ? node_iter_status(it) : rc;
		node_iter_free(it);
	}
	if (bad > 0) {
		/* Stored data that no longer loads: keep going with what
		 * loads, and say so (file names and positions only). */
		for (size_t i = 0; i < d.n; i++) {
			cm_log_error("forms.load_failed",
			    "file=%s line=%d col=%d", d.items[i].file,
			    d.items[i].line, d.items[i].col);
		}
	}
	form_diags_free(&d);
	cm_log_info("forms.loaded", "matters=%zu bad=%d", n->cat.n, bad);
	return rc;
}

bool
node_calendar_name_ok(const char *name)
{
	size_t len = strlen(name);

	if (len < 6 || len > 64 || strcmp(name + len - 5, ".json") != 0) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		        (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
		        ch == '-')) {
			return false;
		}
	}
	return name[0] != '.';
}

int
node_calendar_check(
    const char *name, const void *buf, size_t len, struct form_diags *d)
{
	struct form_calendar *cal = NULL;
	struct form_diags own;
	int rc = form_calendar_new(&cal);

	form_diags_init(&own);
	if (rc == 0) {
		rc = form_calendar_load(
		    cal, name, buf, len, d != NULL ? d : &own);
	}
	form_calendar_free(cal);
	form_diags_free(&own);
	return rc;
}

void
node_calendar_store(
    struct node *n, const char *name, const void *buf, size_t len)
{
	char key[80];

	snprintf(key, sizeof(key), "cal/%s", name);
	node_batch_put(n->open.batch, NODE_CF_META, key, strlen(key), buf, len);
}

/* ---- counters ----------------------------------------------------------- */

static int
read_day_counter(struct node *n, int32_t day, uint32_t *out)
{
	char key[32], val[16], date[CM_DATE_ISO_LEN];
	int rc;

	cm_date_format(day, date);
	snprintf(
	    key, sizeof(key), "ids/%.4s%.2s%.2s", date, date + 5, date + 8);
	rc = meta_get_str(n->st, key, val, sizeof(val));
	if (rc == CM_ENOTFOUND) {
		*out = 0;
		return 0;
	}
	if (rc != 0) {
		return rc;
	}
	*out = (uint32_t)strtoul(val, NULL, 10);
	return 0;
}

int
node_reload_counters(struct node *n)
{
	char key[8 + NODE_ORIGIN_MAX];
	void *val = NULL;
	size_t len = 0;
	int rc;

	snprintf(key, sizeof(key), "vv/%s", n->node_id);
	rc = node_store_get(n->st, NODE_CF_META, key, strlen(key), &val, &len);
	if (rc == CM_ENOTFOUND) {
		n->seq = 0;
		memset(n->head, 0, sizeof(n->head));
	} else if (rc != 0) {
		return rc;
	} else if (len != 8 + NODE_HASH_BYTES) {
		cm_free(val);
		return CM_ECORRUPT;
	} else {
		n->seq = node_get_be64(val);
		memcpy(n->head, (uint8_t *)val + 8, NODE_HASH_BYTES);
		cm_free(val);
	}
	val = NULL;
	rc = node_store_get(n->st, NODE_CF_META, "hlc", 3, &val, &len);
	if (rc == 0 && len == 8) {
		cm_hlc_init(&n->hlc, node_get_be64(val));
	} else if (rc != CM_ENOTFOUND && rc != 0) {
		return rc;
	}
	cm_free(val);
	val = NULL;
	rc = node_store_get(n->st, NODE_CF_META, "stat/ops", 8, &val, &len);
	n->log_ops = rc == 0 && len == 8 ? node_get_be64(val) : 0;
	cm_free(val);
	if (rc != 0 && rc != CM_ENOTFOUND) {
		return rc;
	}
	val = NULL;
	rc = node_store_get(
	    n->st, NODE_CF_META, "stat/compacted", 14, &val, &len);
	if (rc == 0 && len == 16) {
		n->compacted_cases = node_get_be64(val);
		n->compacted_ops = node_get_be64((uint8_t *)val + 8);
	}
	cm_free(val);
	if (rc != 0 && rc != CM_ENOTFOUND) {
		return rc;
	}
	n->durable_seq = n->flying_seq = n->seq;
	n->id_day = node_today(n);
	return read_day_counter(n, n->id_day, &n->id_seq);
}

/* ---- open and close ----------------------------------------------------- */

int
node_open(struct node *n, const char *dir, const struct node_config *cfg)
{
	char path[1100];
	struct node_iter *it = NULL;
	int rc;

	memset(n, 0, sizeof(*n));
	n->cfg = *cfg;
	if (strlen(dir) >= sizeof(n->datadir)) {
		return CM_EINVAL;
	}
	snprintf(n->datadir, sizeof(n->datadir), "%s", dir);
	n->started_at = node_now(n);
	form_catalog_init(&n->cat);
	db_path(dir, path, sizeof(path));
	rc = node_store_open(path, false, &n->st);
	if (rc != 0) {
		return rc;
	}
	rc = node_keypair_load(dir, &n->kp);
	if (rc == 0) {
		rc = meta_get_str(
		    n->st, "node/id", n->node_id, sizeof(n->node_id));
	}
	if (rc == 0) {
		rc = meta_get_str(n->st, "node/hall", n->hall, sizeof(n->hall));
	}
	if (rc == 0) {
		rc = meta_get_str(n->st, "node/hall_code", n->hall_code,
		    sizeof(n->hall_code));
	}
	if (rc == 0) {
		rc = node_reload_counters(n);
	}
	if (rc == 0) {
		char flag[8];

		n->recovering =
		    meta_get_str(n->st, "recovering", flag, sizeof(flag)) == 0;
	}
	if (rc == 0) {
		rc = node_load_forms(n);
	}
	n->thresholds.yellow = cfg->warning_yellow;
	n->thresholds.red = cfg->warning_red;
	node_sessions_init(
	    &n->sessions, (int64_t)cfg->session_idle_minutes * 60);
	node_queue_init(&n->queue, node_today(n));
	if (rc == 0) {
		rc = node_iter_new(n->st, NODE_CF_LOCAL, "t/", 2, &it);
	}
	for (; rc == 0 && node_iter_valid(it); node_iter_next(it)) {
		size_t vlen;
		const void *val = node_iter_value(it, &vlen);

		/* A ticket that does not decode is dropped, not fatal: the
		 * queue is hall-local and of the day. */
		if (node_queue_restore(&n->queue, val, vlen) == CM_ENOMEM) {
			rc = CM_ENOMEM;
		}
	}
	if (it != NULL) {
		node_iter_free(it);
	}
	if (rc != 0) {
		node_close(n);
	}
	return rc;
}

void
node_close(struct node *n)
{
	if (n->open.batch != NULL) {
		node_batch_free(n->open.batch);
		n->open.batch = NULL;
	}
	node_gen_drop_ops(&n->open);
	node_gen_drop_ops(&n->flying);
	for (struct node_event *e = n->open.events; e != NULL;) {
		struct node_event *next = e->next;

		cm_free(e);
		e = next;
	}
	n->open.events = n->open.events_tail = NULL;
	if (n->flying.batch != NULL) {
		node_batch_free(n->flying.batch);
		n->flying.batch = NULL;
	}
	node_overlay_settle(n, UINT64_MAX);
	cm_free(n->floors);
	n->floors = NULL;
	n->nfloors = 0;
	cm_free(n->overlay);
	n->overlay = NULL;
	n->coverlay = 0;
	cm_free(n->ov_index);
	n->ov_index = NULL;
	n->ov_size = 0;
	for (size_t i = 0; i < n->nundo; i++) {
		cm_free(n->ov_undo[i].bytes);
	}
	cm_free(n->ov_undo);
	n->ov_undo = NULL;
	n->nundo = n->cundo = 0;
	node_gen_drop_sealed(&n->open);
	node_gen_drop_sealed(&n->flying);
	node_pend_settle(n, UINT64_MAX);
	cm_free(n->lww);
	n->lww = NULL;
	n->nlww = n->clww = 0;
	cm_free(n->repl_dead);
	n->repl_dead = NULL;
	node_sessions_free(&n->sessions);
	node_queue_free(&n->queue);
	form_catalog_free(&n->cat);
	form_calendar_free(n->cal);
	n->cal = NULL;
	if (n->st != NULL) {
		node_store_close(n->st);
		n->st = NULL;
	}
	sodium_memzero(&n->kp, sizeof(n->kp));
}

/* ---- init --------------------------------------------------------------- */

/* Every *.json of dir, checked with loader, stored by put(). */
static int
store_files(const char *dir,
    int (*check)(
        void *, const char *, const char *, size_t, struct form_diags *),
    void *target,
    int (*put)(void *ctx, const char *file, const char *buf, size_t len),
    void *ctx, size_t *count)
{
	struct form_diags d;
	char **files = NULL;
	size_t n = 0;
	int rc = cm_dir_list(dir, ".json", &files, &n);

	*count = 0;
	if (rc != 0) {
		fprintf(stderr, _("ow-node: %s: %s\n"), dir, cm_strerror(rc));
		return rc;
	}
	form_diags_init(&d);
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *buf = NULL;
		size_t len = 0;

		rc = cm_file_read(files[i], MAX_DATA_FILE, &buf, &len);
		if (rc != 0) {
			fprintf(stderr, _("ow-node: %s: %s\n"), files[i],
			    cm_strerror(rc));
			break;
		}
		if (check(target, files[i], buf, len, &d) != 0) {
			form_diags_print(&d, stderr);
			rc = CM_EPARSE;
		} else {
			rc = put(ctx, files[i], buf, len);
			(*count)++;
		}
		cm_free(buf);
	}
	form_diags_free(&d);
	cm_file_list_free(files);
	return rc;
}

static int
check_calendar(void *t, const char *name, const char *buf, size_t len,
    struct form_diags *d)
{
	return form_calendar_load(t, name, buf, len, d);
}

static int
put_calendar(void *ctx, const char *file, const char *buf, size_t len)
{
	const char *base = strrchr(file, '/');
	char key[160];

	snprintf(key, sizeof(key), "cal/%s", base != NULL ? base + 1 : file);
	node_batch_put(ctx, NODE_CF_META, key, strlen(key), buf, len);
	return 0;
}

static int
check_matter(void *t, const char *name, const char *buf, size_t len,
    struct form_diags *d)
{
	return form_catalog_load(t, name, buf, len, d);
}

struct publish_ctx {
	struct node *n;
	struct form_catalog *cat;
};

/* Publish one matter as an op (so that catalogs replicate like cases)
 * and keep its file as the current version. */
int node_catalog_put(struct node *n, const char *code, unsigned version,
    const char *json, size_t len, const char *actor);

int
node_catalog_put(struct node *n, const char *code, unsigned version,
    const char *json, size_t len, const char *actor)
{
	Ow__Op op = OW__OP__INIT;
	Ow__CatalogPut body = OW__CATALOG_PUT__INIT;
	char key[64], ver[16];
	int rc;

	op.actor = (char *)(uintptr_t)actor;
	op.kind = OW__OP_KIND__OP_CATALOG_PUT;
	op.body_case = OW__OP__BODY_CATALOG;
	op.catalog = &body;
	body.code = (char *)(uintptr_t)code;
	body.version = version;
	body.matter_json.data = (uint8_t *)(uintptr_t)json;
	body.matter_json.len = len;
	rc = node_write_op(n, &op);
	if (rc != 0) {
		return rc;
	}
	matter_key(code, version, key, sizeof(key));
	node_batch_put(
	    n->open.batch, NODE_CF_CATALOG, key, strlen(key), json, len);
	snprintf(key, sizeof(key), "c/%s", code);
	snprintf(ver, sizeof(ver), "%u", version);
	node_batch_put(
	    n->open.batch, NODE_CF_CATALOG, key, strlen(key), ver, strlen(ver));
	node_catver_pending(n, code, version);
	return 0;
}

static int
put_matter(void *ctx, const char *file, const char *buf, size_t len)
{
	struct publish_ctx *pc = ctx;
	const struct form_matter *m = pc->cat->items[pc->cat->n - 1];

	(void)file;
	return node_catalog_put(
	    pc->n, m->code, (unsigned)m->version, buf, len, "admin");
}

int node_user_put(struct node *n, const char *actor, const char *name,
    enum node_role role, const char *hall, const char *hash, bool disabled,
    const char *display);

int
node_user_put(struct node *n, const char *actor, const char *name,
    enum node_role role, const char *hall, const char *hash, bool disabled,
    const char *display)
{
	Ow__Op op = OW__OP__INIT;
	Ow__UserPut body = OW__USER_PUT__INIT;
	uint8_t *buf;
	size_t len;
	int rc;

	op.actor = (char *)(uintptr_t)actor;
	op.kind = OW__OP_KIND__OP_USER_PUT;
	op.body_case = OW__OP__BODY_USER;
	op.user = &body;
	body.name = (char *)(uintptr_t)name;
	body.role = role;
	body.hall = (char *)(uintptr_t)hall;
	body.password_hash = (char *)(uintptr_t)hash;
	body.disabled = disabled;
	body.display_name = (char *)(uintptr_t)(display != NULL ? display : "");
	len = ow__user_put__get_packed_size(&body);
	buf = cm_malloc(len);
	if (buf == NULL) {
		return CM_ENOMEM;
	}
	ow__user_put__pack(&body, buf);
	rc = node_write_op(n, &op);
	if (rc == 0) {
		node_batch_put(
		    n->open.batch, NODE_CF_USER, name, strlen(name), buf, len);
		node_lww_stamp(n, "user", name, op.hlc, n->node_id);
	}
	cm_free(buf);
	return rc;
}

int
node_init_datadir(const char *dir, const char *node_id, const char *hall,
    const char *hall_code, const char *catalog_dir, const char *calendar_dir,
    const char *admin_password)
{
	struct node_config cfg;
	struct node_store *st = NULL;
	struct node_batch *b = NULL;
	struct node_keypair kp;
	struct form_calendar *cal = NULL;
	struct form_catalog cat;
	struct publish_ctx pc;
	struct node n;
	char path[1100], created[32], hash[crypto_pwhash_STRBYTES];
	size_t count = 0;
	time_t now = time(NULL);
	int rc;

	if (!node_id_valid(node_id) || !node_hall_code_valid(hall_code) ||
	    hall[0] == '\0' || strlen(hall) >= 128 ||
	    !cm_utf8_valid(hall, strlen(hall))) {
		return CM_EINVAL;
	}
	if (strlen(dir) > 900) {
		return CM_EINVAL;
	}
	/* An existing directory is the first thing to say, whatever else is
	 * wrong: init never touches one. */
	if (access(dir, F_OK) == 0) {
		return CM_EEXIST;
	}
	if ((rc = node_password_policy("admin", admin_password)) != 0) {
		return rc;
	}
	if (mkdir(dir, 0700) != 0) {
		return errno == EEXIST ? CM_EEXIST : cm_err_from_errno(errno);
	}
	rc = node_keypair_generate(&kp);
	if (rc == 0) {
		rc = node_keypair_save(&kp, dir);
	}
	sodium_memzero(&kp, sizeof(kp));
	db_path(dir, path, sizeof(path));
	if (rc == 0) {
		rc = node_store_open(path, true, &st);
	}
	if (rc == 0) {
		rc = node_batch_new(st, &b);
	}
	if (rc == 0) {
		strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ",
		    gmtime(&now));
		meta_put_str(b, "node/id", node_id);
		meta_put_str(b, "node/hall", hall);
		meta_put_str(b, "node/hall_code", hall_code);
		meta_put_str(b, "node/created", created);
		rc = form_calendar_new(&cal);
	}
	if (rc == 0) {
		rc = store_files(
		    calendar_dir, check_calendar, cal, put_calendar, b, &count);
	}
	if (rc == 0) {
		rc = node_store_write(st, b, true);
	}
	form_calendar_free(cal);
	if (b != NULL) {
		node_batch_free(b);
	}
	if (st != NULL) {
		node_store_close(st);
	}
	if (rc != 0) {
		return rc;
	}

	/* The rest goes through the node's own op path: the catalog and the
	 * first account are signed ops, so that they replicate (issue 5). */
	node_config_defaults(&cfg);
	cfg.log_level = CM_LOG_WARN;
	rc = node_open(&n, dir, &cfg);
	if (rc != 0) {
		return rc;
	}
	form_catalog_init(&cat);
	pc.n = &n;
	pc.cat = &cat;
	rc = store_files(
	    catalog_dir, check_matter, &cat, put_matter, &pc, &count);
	if (rc == 0) {
		rc = node_password_hash(admin_password, hash, sizeof(hash));
	}
	if (rc == 0) {
		rc = node_user_put(&n, "admin", "admin", NODE_ROLE_OPS,
		    hall_code, hash, false, "");
	}
	if (rc == 0 && n.open.batch != NULL) {
		rc = node_gen_seal(&n, &n.open);
	}
	if (rc == 0 && n.open.batch != NULL) {
		rc = node_store_write(n.st, n.open.batch, true);
	}
	sodium_memzero(hash, sizeof(hash));
	form_catalog_free(&cat);
	node_close(&n);
	return rc;
}

/* ---- backups ------------------------------------------------------------ */

int
node_backup_keys(const struct node_keypair *kp, const char *backup_dir)
{
	char dir[1100];
	struct node_keypair have;
	int rc;

	if (mkdir(backup_dir, 0700) != 0 && errno != EEXIST) {
		return cm_err_from_errno(errno);
	}
	snprintf(dir, sizeof(dir), "%s/keys", backup_dir);
	rc = node_keypair_load(dir, &have);
	if (rc == 0) {
		/* Kept once; another node's backups in the same place are
		 * refused rather than mixed. */
		return sodium_memcmp(have.pk, kp->pk, NODE_PK_BYTES) == 0
		           ? 0
		           : CM_EEXIST;
	}
	if (rc != CM_ENOENT) {
		return rc;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		return cm_err_from_errno(errno);
	}
	return node_keypair_save(kp, dir);
}

int
node_restore_datadir(const char *backup_dir, uint32_t id, const char *dir)
{
	struct node_keypair kp;
	struct node_store *st = NULL;
	struct node_batch *b = NULL;
	char path[1100], keys[1100];
	struct stat sb;
	int rc;

	if (lstat(dir, &sb) == 0) {
		return CM_EEXIST; /* never over a data directory */
	}
	snprintf(keys, sizeof(keys), "%s/keys", backup_dir);
	rc = node_keypair_load(keys, &kp);
	if (rc != 0) {
		return rc;
	}
	if (mkdir(dir, 0700) != 0) {
		sodium_memzero(&kp, sizeof(kp));
		return cm_err_from_errno(errno);
	}
	db_path(dir, path, sizeof(path));
	rc = node_store_backup_restore(backup_dir, id, path);
	if (rc == 0) {
		rc = node_keypair_save(&kp, dir);
	}
	sodium_memzero(&kp, sizeof(kp));
	/* The hall made ops after the backup that its peers hold: it takes
	 * them back before it makes any (node_repl_start). */
	if (rc == 0) {
		rc = node_store_open(path, false, &st);
	}
	if (rc == 0) {
		rc = node_batch_new(st, &b);
	}
	if (rc == 0) {
		node_batch_put(b, NODE_CF_META, "recovering", 10, "1", 1);
		rc = node_store_write(st, b, true);
	}
	node_batch_free(b);
	node_store_close(st);
	return rc;
}
