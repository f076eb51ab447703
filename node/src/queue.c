/*
 * queue.c: the hall's walk-in queue, 取号/叫号 (see queue.h).
 *
 * The tickets of the day live in one array kept in issue order (ascending
 * seq): issue appends, restore inserts in place. Every rule is then a
 * linear scan in that order, which is also the order of fairness, and a
 * day holds at most NODE_QUEUE_MAX tickets, so no index is worth its
 * upkeep. The queue is hall-local and never replicated: nothing here
 * needs to merge.
 *
 * Pure logic: no I/O, no clock; allocation through cm_malloc only.
 */
#include "node/queue.h"

#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "node/cases.h"
#include "onewindow.pb-c.h"

/* Number prefixes by lane: the two categories, then the priority lane. */
#define QUEUE_LANE_V 2
#define QUEUE_NLANES 3
static const char queue_prefix[QUEUE_NLANES] = {'A', 'B', 'V'};

/* Wire names, indexed by enum node_ticket_cat. */
static const char *const queue_cat_names[] = {
    [NODE_TICKET_INDIVIDUAL] = "individual",
    [NODE_TICKET_ENTERPRISE] = "enterprise",
};
#define QUEUE_NCATS (sizeof(queue_cat_names) / sizeof(queue_cat_names[0]))

#define QUEUE_CAP_MIN 16

/* ------------------------------------------------------------ names */

const char *
node_ticket_cat_name(enum node_ticket_cat cat)
{
	if ((unsigned)cat >= QUEUE_NCATS) {
		return "unknown";
	}
	return queue_cat_names[cat];
}

int
node_ticket_cat_parse(const char *s, enum node_ticket_cat *out)
{
	if (s == NULL || out == NULL) {
		return CM_EINVAL;
	}
	for (size_t i = 0; i < QUEUE_NCATS; i++) {
		if (strcmp(queue_cat_names[i], s) == 0) {
			*out = (enum node_ticket_cat)i;
			return 0;
		}
	}
	return CM_ENOTFOUND;
}

bool
node_queue_window_valid(const char *window)
{
	size_t n;

	if (window == NULL) {
		return false;
	}
	for (n = 0; window[n] != '\0'; n++) {
		char c = window[n];

		if (n + 1 >= NODE_WINDOW_MAX) {
			return false;
		}
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		        (c >= '0' && c <= '9') || c == '-')) {
			return false;
		}
	}
	return n > 0;
}

/* A case id as node_case_id_format makes them; the length check comes
 * first because the parser accepts a sequence with leading zeros of any
 * length, which would not fit node_ticket.case_id. */
static bool
queue_case_id_valid(const char *id)
{
	char hall[NODE_HALL_CODE_MAX];
	int32_t day;
	uint32_t seq;

	return id != NULL && strnlen(id, NODE_CASE_ID_MAX) < NODE_CASE_ID_MAX &&
	       node_case_id_parse(id, hall, &day, &seq) == 0;
}

/* ------------------------------------------------------------ helpers */

static int
queue_lane(const struct node_ticket *t)
{
	return t->priority ? QUEUE_LANE_V : (int)t->cat;
}

static void
queue_format_number(char out[NODE_TICKET_NO_MAX], int lane, uint32_t no)
{
	/* no <= NODE_QUEUE_MAX, so this never truncates. */
	snprintf(out, NODE_TICKET_NO_MAX, "%c%03u", queue_prefix[lane],
	    (unsigned)no);
}

/*
 * Split "A012" into its lane and number. Only the canonical spelling
 * (what queue_format_number writes) is accepted, so that "A12" and "A012"
 * can never be two tickets.
 */
static int
queue_parse_number(const char *s, int *lane, uint32_t *no)
{
	char canon[NODE_TICKET_NO_MAX];
	uint32_t v = 0;
	size_t i;
	int l;

	for (l = 0; l < QUEUE_NLANES; l++) {
		if (s[0] == queue_prefix[l]) {
			break;
		}
	}
	if (l == QUEUE_NLANES) {
		return CM_EPROTO;
	}
	for (i = 1; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= NODE_TICKET_NO_MAX - 1) {
			return CM_EPROTO;
		}
		v = v * 10 + (uint32_t)(s[i] - '0');
	}
	if (v == 0 || v > NODE_QUEUE_MAX) {
		return CM_EPROTO;
	}
	queue_format_number(canon, l, v);
	if (strcmp(canon, s) != 0) {
		return CM_EPROTO;
	}
	*lane = l;
	*no = v;
	return 0;
}

static struct node_ticket *
queue_find(struct node_queue *q, const char *number)
{
	for (size_t i = 0; i < q->n; i++) {
		if (strcmp(q->t[i].number, number) == 0) {
			return &q->t[i];
		}
	}
	return NULL;
}

/* Room for one more ticket. The array grows by doubling up to the day's
 * limit, so a busy day costs a dozen reallocations at most. */
static int
queue_reserve(struct node_queue *q)
{
	struct node_ticket *t;
	size_t cap;

	if (q->n < q->cap) {
		return 0;
	}
	cap = q->cap == 0 ? QUEUE_CAP_MIN : q->cap * 2;
	if (cap > NODE_QUEUE_MAX) {
		cap = NODE_QUEUE_MAX;
	}
	if (cap <= q->n) {
		return CM_ERANGE;
	}
	t = cm_reallocarray(q->t, cap, sizeof(*t));
	if (t == NULL) {
		return CM_ENOMEM;
	}
	q->t = t;
	q->cap = cap;
	return 0;
}

static void
queue_reset(struct node_queue *q, int32_t day)
{
	q->day = day;
	q->n = 0;
	q->next_seq = 1;
	for (int l = 0; l < QUEUE_NLANES; l++) {
		q->next_no[l] = 1;
	}
}

/* ------------------------------------------------------------ life */

void
node_queue_init(struct node_queue *q, int32_t day)
{
	q->t = NULL;
	q->cap = 0;
	queue_reset(q, day);
}

void
node_queue_free(struct node_queue *q)
{
	cm_free(q->t);
	node_queue_init(q, q->day);
}

void
node_queue_roll(struct node_queue *q, int32_t day)
{
	/* The array is kept: tomorrow is likely as busy as today. */
	if (day != q->day) {
		queue_reset(q, day);
	}
}

/* ------------------------------------------------------------ issue, call */

int
node_queue_issue(struct node_queue *q, enum node_ticket_cat cat, bool priority,
    int64_t now, struct node_ticket **out)
{
	struct node_ticket *t;
	int lane, rc;

	if (q == NULL || (unsigned)cat >= QUEUE_NCATS) {
		return CM_EINVAL;
	}
	lane = priority ? QUEUE_LANE_V : (int)cat;
	/* seq and numbers never pass the day's limit either (restore may
	 * leave gaps), so every ticket issued can be restored. */
	if (q->n >= NODE_QUEUE_MAX || q->next_seq > NODE_QUEUE_MAX ||
	    q->next_no[lane] > NODE_QUEUE_MAX) {
		return CM_ERANGE;
	}
	if ((rc = queue_reserve(q)) != 0) {
		return rc;
	}
	t = &q->t[q->n++];
	memset(t, 0, sizeof(*t));
	queue_format_number(t->number, lane, q->next_no[lane]++);
	t->cat = cat;
	t->priority = priority;
	t->state = NODE_TICKET_WAITING;
	t->issued_at = now;
	t->seq = q->next_seq++;
	if (out != NULL) {
		*out = t;
	}
	return 0;
}

int
node_queue_next(struct node_queue *q, const char *window, int cat, int64_t now,
    struct node_ticket **out)
{
	struct node_ticket *pick = NULL;

	if (q == NULL || !node_queue_window_valid(window) ||
	    cat >= (int)QUEUE_NCATS) {
		return CM_EINVAL;
	}
	/* A double press, or a ticket transferred here: the applicant
	 * already walking to this window is not passed over. */
	for (size_t i = 0; i < q->n; i++) {
		struct node_ticket *t = &q->t[i];

		if (t->state == NODE_TICKET_CALLED &&
		    strcmp(t->window, window) == 0) {
			if (out != NULL) {
				*out = t;
			}
			return 0;
		}
	}
	/* The priority lane is one lane for the whole hall: an elderly or
	 * disabled applicant is not sent round the hall for the right
	 * window. A clerk who cannot serve the matter transfers the ticket. */
	for (size_t i = 0; i < q->n && pick == NULL; i++) {
		if (q->t[i].state == NODE_TICKET_WAITING && q->t[i].priority) {
			pick = &q->t[i];
		}
	}
	for (size_t i = 0; i < q->n && pick == NULL; i++) {
		if (q->t[i].state == NODE_TICKET_WAITING &&
		    (cat < 0 || (int)q->t[i].cat == cat)) {
			pick = &q->t[i];
		}
	}
	if (pick == NULL) {
		return CM_ENOTFOUND;
	}
	pick->state = NODE_TICKET_CALLED;
	snprintf(pick->window, sizeof(pick->window), "%s", window);
	pick->called_at = now;
	if (out != NULL) {
		*out = pick;
	}
	return 0;
}

/*
 * The common head of the per-ticket operations: checks the arguments
 * (window and case id when given), finds the ticket and checks that its
 * state is one of the allowed bits (1 << state).
 */
static int
queue_lookup(struct node_queue *q, const char *number, const char *window,
    const char *case_id, unsigned allowed, struct node_ticket **t)
{
	if (q == NULL || number == NULL) {
		return CM_EINVAL;
	}
	if (window != NULL && !node_queue_window_valid(window)) {
		return CM_EINVAL;
	}
	if (case_id != NULL && !queue_case_id_valid(case_id)) {
		return CM_EINVAL;
	}
	if ((*t = queue_find(q, number)) == NULL) {
		return CM_ENOTFOUND;
	}
	if ((allowed & (1u << (*t)->state)) == 0) {
		return CM_ESTATE;
	}
	return 0;
}

#define QUEUE_IN(state) (1u << (state))

int
node_queue_skip(
    struct node_queue *q, const char *number, struct node_ticket **out)
{
	struct node_ticket *t;
	int rc = queue_lookup(
	    q, number, NULL, NULL, QUEUE_IN(NODE_TICKET_CALLED), &t);

	if (rc != 0) {
		return rc;
	}
	t->state = NODE_TICKET_SKIPPED;
	if (out != NULL) {
		*out = t;
	}
	return 0;
}

int
node_queue_recall(struct node_queue *q, const char *number, const char *window,
    int64_t now, struct node_ticket **out)
{
	struct node_ticket *t;
	int rc;

	if (window == NULL) {
		return CM_EINVAL;
	}
	rc = queue_lookup(q, number, window, NULL,
	    QUEUE_IN(NODE_TICKET_SKIPPED) | QUEUE_IN(NODE_TICKET_CALLED), &t);
	if (rc != 0) {
		return rc;
	}
	t->state = NODE_TICKET_CALLED;
	snprintf(t->window, sizeof(t->window), "%s", window);
	t->called_at = now;
	if (out != NULL) {
		*out = t;
	}
	return 0;
}

int
node_queue_transfer(struct node_queue *q, const char *number,
    const char *window, struct node_ticket **out)
{
	struct node_ticket *t;
	int rc;

	if (window == NULL) {
		return CM_EINVAL;
	}
	rc = queue_lookup(
	    q, number, window, NULL, QUEUE_IN(NODE_TICKET_CALLED), &t);
	if (rc != 0) {
		return rc;
	}
	snprintf(t->window, sizeof(t->window), "%s", window);
	if (out != NULL) {
		*out = t;
	}
	return 0;
}

int
node_queue_link(struct node_queue *q, const char *number, const char *case_id,
    int64_t now, struct node_ticket **out)
{
	struct node_ticket *t;
	int rc;

	if (case_id == NULL) {
		return CM_EINVAL;
	}
	rc = queue_lookup(
	    q, number, NULL, case_id, QUEUE_IN(NODE_TICKET_CALLED), &t);
	if (rc != 0) {
		return rc;
	}
	t->state = NODE_TICKET_SERVED;
	snprintf(t->case_id, sizeof(t->case_id), "%s", case_id);
	t->served_at = now;
	if (out != NULL) {
		*out = t;
	}
	return 0;
}

/* ------------------------------------------------------------ counts */

size_t
node_queue_waiting(const struct node_queue *q)
{
	size_t w = 0;

	for (size_t i = 0; i < q->n; i++) {
		w += q->t[i].state == NODE_TICKET_WAITING;
	}
	return w;
}

size_t
node_queue_ahead(const struct node_queue *q, const char *number)
{
	const struct node_ticket *me = NULL;
	size_t ahead = 0;

	for (size_t i = 0; i < q->n && number != NULL; i++) {
		if (strcmp(q->t[i].number, number) == 0) {
			me = &q->t[i];
			break;
		}
	}
	if (me == NULL || me->state != NODE_TICKET_WAITING) {
		return 0;
	}
	for (size_t i = 0; i < q->n; i++) {
		const struct node_ticket *t = &q->t[i];

		if (t == me || t->state != NODE_TICKET_WAITING) {
			continue;
		}
		if (me->priority) {
			ahead += t->priority && t->seq < me->seq;
		} else {
			ahead += t->priority ||
			         (t->cat == me->cat && t->seq < me->seq);
		}
	}
	return ahead;
}

int64_t
node_queue_longest_wait(const struct node_queue *q, int64_t now)
{
	int64_t longest = 0;

	for (size_t i = 0; i < q->n; i++) {
		const struct node_ticket *t = &q->t[i];

		/* A clock that went back gives 0, never a negative wait. */
		if (t->state == NODE_TICKET_WAITING && t->issued_at < now &&
		    now - t->issued_at > longest) {
			longest = now - t->issued_at;
		}
	}
	return longest;
}

/* ------------------------------------------------------------ persistence */

int
node_ticket_encode(
    const struct node_ticket *t, int32_t day, uint8_t **out, size_t *len)
{
	/* A writable copy: protobuf-c's fields are char *, and pointing them
	 * at t would need a cast that drops const. */
	struct node_ticket c;
	char cat[16];
	Ow__Ticket m;
	uint8_t *buf;
	size_t n;

	if (t == NULL || out == NULL || len == NULL ||
	    (unsigned)t->cat >= QUEUE_NCATS ||
	    (unsigned)t->state > NODE_TICKET_SKIPPED) {
		return CM_EINVAL;
	}
	c = *t;
	snprintf(cat, sizeof(cat), "%s", queue_cat_names[c.cat]);
	c.number[sizeof(c.number) - 1] = '\0';
	c.window[sizeof(c.window) - 1] = '\0';
	c.case_id[sizeof(c.case_id) - 1] = '\0';
	ow__ticket__init(&m);
	m.number = c.number;
	m.category = cat;
	m.priority = c.priority;
	m.state = (uint32_t)c.state;
	m.window = c.window;
	m.issued_at = c.issued_at;
	m.called_at = c.called_at;
	m.case_id = c.case_id;
	m.day = day;
	m.seq = c.seq;
	m.served_at = c.served_at;
	n = ow__ticket__get_packed_size(&m);
	buf = cm_malloc(n);
	if (buf == NULL) {
		return CM_ENOMEM;
	}
	ow__ticket__pack(&m, buf);
	*out = buf;
	*len = n;
	return 0;
}

/*
 * protobuf-c's default allocator reports a failure only as a NULL
 * message, which looks like malformed input. This one goes through
 * cm_malloc (so tests can fail it) and remembers the failure, so that a
 * node short of memory does not call its own records corrupt.
 */
struct queue_alloc_state {
	bool is_failed;
};

static void *
queue_pb_alloc(void *data, size_t size)
{
	struct queue_alloc_state *st = data;
	void *p = cm_malloc(size);

	if (p == NULL) {
		st->is_failed = true;
	}
	return p;
}

static void
queue_pb_free(void *data, void *p)
{
	(void)data;
	cm_free(p);
}

/* Copy s into dst (size bytes) when it fits; CM_EPROTO otherwise. */
static int
queue_copy_field(char *dst, size_t size, const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n >= size) {
		return CM_EPROTO;
	}
	memcpy(dst, s != NULL ? s : "", n + 1);
	return 0;
}

/* A decoded Ticket as a node_ticket, with every field checked against
 * what the queue relies on. 0 or CM_EPROTO. */
static int
queue_from_msg(
    const Ow__Ticket *m, struct node_ticket *t, int *lane, uint32_t *no)
{
	enum node_ticket_cat cat;

	memset(t, 0, sizeof(*t));
	if (node_ticket_cat_parse(m->category, &cat) != 0 ||
	    m->state > NODE_TICKET_SKIPPED || m->seq == 0 ||
	    m->seq > NODE_QUEUE_MAX ||
	    queue_copy_field(t->number, sizeof(t->number), m->number) != 0 ||
	    queue_copy_field(t->window, sizeof(t->window), m->window) != 0 ||
	    queue_copy_field(t->case_id, sizeof(t->case_id), m->case_id) != 0 ||
	    queue_parse_number(t->number, lane, no) != 0) {
		return CM_EPROTO;
	}
	t->cat = cat;
	t->priority = m->priority;
	t->state = (enum node_ticket_state)m->state;
	t->issued_at = m->issued_at;
	t->called_at = m->called_at;
	t->served_at = m->served_at;
	t->seq = m->seq;
	/* The number's prefix must agree with the lane, or numbering would
	 * continue from the wrong counter. */
	if (*lane != queue_lane(t)) {
		return CM_EPROTO;
	}
	/* A called ticket must name a valid window: next() finds a window's
	 * ticket by it. Other states may keep the window as a record. */
	if ((t->window[0] != '\0' || t->state == NODE_TICKET_CALLED) &&
	    !node_queue_window_valid(t->window)) {
		return CM_EPROTO;
	}
	if (t->case_id[0] != '\0' && !queue_case_id_valid(t->case_id)) {
		return CM_EPROTO;
	}
	return 0;
}

/* Put t in the array at its seq position, or over the ticket with the
 * same seq. 0, CM_EPROTO (number or seq contradicts) or CM_ENOMEM. */
static int
queue_insert(struct node_queue *q, const struct node_ticket *t)
{
	size_t lo = 0, hi = q->n;
	int rc;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (q->t[mid].seq < t->seq) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	for (size_t i = 0; i < q->n; i++) {
		if (q->t[i].seq != t->seq &&
		    strcmp(q->t[i].number, t->number) == 0) {
			return CM_EPROTO;
		}
	}
	if (lo < q->n && q->t[lo].seq == t->seq) {
		if (strcmp(q->t[lo].number, t->number) != 0) {
			return CM_EPROTO;
		}
		q->t[lo] = *t;
		return 0;
	}
	/* seq <= NODE_QUEUE_MAX and unique, so the array never outgrows the
	 * day's limit. */
	if ((rc = queue_reserve(q)) != 0) {
		return rc;
	}
	memmove(&q->t[lo + 1], &q->t[lo], (q->n - lo) * sizeof(*q->t));
	q->t[lo] = *t;
	q->n++;
	return 0;
}

int
node_queue_restore(struct node_queue *q, const uint8_t *buf, size_t len)
{
	static const uint8_t empty[1];
	struct queue_alloc_state st = {false};
	ProtobufCAllocator al = {queue_pb_alloc, queue_pb_free, &st};
	struct node_ticket t;
	Ow__Ticket *m;
	uint32_t no;
	int lane, rc;

	if (q == NULL) {
		return CM_EINVAL;
	}
	if (buf == NULL && len > 0) {
		return CM_EPROTO;
	}
	m = ow__ticket__unpack(&al, len, buf != NULL ? buf : empty);
	if (m == NULL) {
		return st.is_failed ? CM_ENOMEM : CM_EPROTO;
	}
	if (m->day != q->day) {
		ow__ticket__free_unpacked(m, &al);
		return 0;
	}
	rc = queue_from_msg(m, &t, &lane, &no);
	ow__ticket__free_unpacked(m, &al);
	if (rc != 0 || (rc = queue_insert(q, &t)) != 0) {
		return rc;
	}
	if (q->next_seq <= t.seq) {
		q->next_seq = t.seq + 1;
	}
	if (q->next_no[lane] <= no) {
		q->next_no[lane] = no + 1;
	}
	return 0;
}
