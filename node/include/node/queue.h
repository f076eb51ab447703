/*
 * queue.h: the hall's walk-in queue (取号/叫号). Hall-local, never
 * replicated. Pure logic over an in-memory list; the node persists each
 * changed ticket (node_ticket_encode) in its local column family and
 * reloads them at start (node_queue_restore), so a restart keeps the
 * queue. Times are passed in (unix seconds), so tests control them.
 */
#ifndef NODE_QUEUE_H
#define NODE_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NODE_TICKET_NO_MAX 8 /* "A012", "V003", with NUL */
#define NODE_WINDOW_MAX    16
#define NODE_QUEUE_MAX     10000 /* tickets a day */

/* Categories: individual (A...), enterprise (B...); the priority lane
 * (绿色通道: elderly, disabled, ...) is served first and numbered V... */
enum node_ticket_cat {
	NODE_TICKET_INDIVIDUAL = 0,
	NODE_TICKET_ENTERPRISE = 1,
};

enum node_ticket_state {
	NODE_TICKET_WAITING = 0,
	NODE_TICKET_CALLED = 1, /* called to a window, applicant not yet seen */
	NODE_TICKET_SERVED = 2, /* linked to a case, or finished */
	NODE_TICKET_SKIPPED = 3, /* called and did not come; may be recalled */
};

struct node_ticket {
	char number[NODE_TICKET_NO_MAX];
	enum node_ticket_cat cat;
	bool priority;
	enum node_ticket_state state;
	char window[NODE_WINDOW_MAX]; /* the window it is called to */
	int64_t issued_at, called_at, served_at; /* unix seconds, 0 = not yet */
	char case_id[32];
	uint32_t seq; /* issue order of the day, from 1 */
};

struct node_queue {
	int32_t day; /* the day the tickets belong to */
	struct node_ticket *t;
	size_t n, cap;
	uint32_t next_seq;
	uint32_t next_no[3]; /* next number per A, B, V */
};

/* Wire names of the categories ("individual", "enterprise"), as in
 * QueueIssueReq.category and Ticket.category: static storage, never NULL,
 * "unknown" for a value out of range. The parser matches exactly and
 * returns 0, CM_ENOTFOUND or CM_EINVAL (NULL); *out is written only on 0. */
const char *node_ticket_cat_name(enum node_ticket_cat cat);
int node_ticket_cat_parse(const char *s, enum node_ticket_cat *out);

/* Windows are 1..15 bytes of [A-Za-z0-9-] ("3", "B-12"). */
bool node_queue_window_valid(const char *window);

void node_queue_init(struct node_queue *q, int32_t day);
void node_queue_free(struct node_queue *q);

/* A new day empties the queue (tickets are for one day) and restarts the
 * numbers at A001, B001, V001. Rolling to the day the queue already holds
 * does nothing, so a repeated call cannot wipe a live queue. */
void node_queue_roll(struct node_queue *q, int32_t day);

/* Issue a ticket: A001.. for individuals, B001.. for enterprises, V001..
 * for the priority lane whatever the category (four digits past 999).
 * *out points into the queue (valid until the next change). 0, CM_ERANGE
 * (NODE_QUEUE_MAX reached), CM_EINVAL (bad category) or CM_ENOMEM. */
int node_queue_issue(struct node_queue *q, enum node_ticket_cat cat,
    bool priority, int64_t now, struct node_ticket **out);

/*
 * Call the next ticket to window: priority tickets first, in issue order
 * and whatever the requested category (the priority lane is one lane for
 * the hall), then the longest waiting ticket of category cat; cat < 0
 * means any category. A window that still has a called ticket gets that
 * one back (a double press does not lose an applicant); with several (a
 * transfer), the earliest issued. 0, CM_ENOTFOUND (nobody waiting) or
 * CM_EINVAL (bad window or category).
 */
int node_queue_next(struct node_queue *q, const char *window, int cat,
    int64_t now, struct node_ticket **out);

/* Called ticket did not come: CALLED -> SKIPPED (it may be recalled
 * later; the window is kept as a record). */
int node_queue_skip(
    struct node_queue *q, const char *number, struct node_ticket **out);
/* Call a skipped (or called) ticket again, to window: -> CALLED, with
 * called_at = now. */
int node_queue_recall(struct node_queue *q, const char *number,
    const char *window, int64_t now, struct node_ticket **out);
/* Send a called ticket to another window (CALLED stays CALLED; called_at
 * is kept). Transferring to its own window changes nothing. */
int node_queue_transfer(struct node_queue *q, const char *number,
    const char *window, struct node_ticket **out);
/* The applicant's case: CALLED -> SERVED with case_id (a case id of
 * node_case_id_format's shape) and served_at = now. A skipped ticket is
 * recalled first. */
int node_queue_link(struct node_queue *q, const char *number,
    const char *case_id, int64_t now, struct node_ticket **out);
/* These return 0, CM_EINVAL (bad number, window or case id: checked
 * first), CM_ENOTFOUND (no such ticket) or CM_ESTATE (not in a state that
 * allows it). out may be NULL; *out is written only on 0. */

/* Tickets waiting. */
size_t node_queue_waiting(const struct node_queue *q);
/*
 * How many waiting tickets would be called before number, as counted for
 * the applicant: for a priority ticket, the priority tickets issued before
 * it; otherwise every waiting priority ticket and the waiting tickets of
 * its own category issued before it (windows of the other category do
 * not hold it up). 0 when the ticket is unknown or not waiting.
 */
size_t node_queue_ahead(const struct node_queue *q, const char *number);

/* The longest current wait in seconds (0 if nobody waits). */
int64_t node_queue_longest_wait(const struct node_queue *q, int64_t now);

/* Persistence: a ticket as bytes (protobuf Ticket) and back. On 0, *out
 * (caller frees with cm_free) and *len are set. 0, CM_EINVAL or
 * CM_ENOMEM. */
int node_ticket_encode(
    const struct node_ticket *t, int32_t day, uint8_t **out, size_t *len);
/*
 * Put a stored ticket back (at start); borrows buf. Tickets of another
 * day are ignored (returns 0). Restoring a ticket whose seq is already
 * there replaces it (one copy per seq). Numbering continues after the
 * highest number and seq restored. 0, CM_EPROTO (malformed, or a number
 * or seq that contradicts one already there) or CM_ENOMEM; the queue is
 * unchanged on error.
 */
int node_queue_restore(struct node_queue *q, const uint8_t *buf, size_t len);

#endif
