/*
 * events.h: the node's live events (nng SUB on ipc://DATADIR/events.sock)
 * handed to the desk's loop thread.
 *
 * nng calls the receive callback on its own threads; the callback only
 * puts the message in a locked queue and wakes the loop with
 * uv_async_send. uv_async_send coalesces (many sends, one callback), so
 * the loop drains the whole queue each time and gives the desk one batch.
 * Events are hints: when the queue overflows, or the connection to the
 * node (re)opens and events may have been missed meanwhile, the batch
 * says so and the desk refreshes everything.
 */
#ifndef TUI_EVENTS_H
#define TUI_EVENTS_H

#include <nng/nng.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "onewindow.pb-c.h"

#define TUI_EVENTS_QUEUE 256

/* On the loop thread: evs[0..n) (borrowed for the call), and lost when
 * some were dropped. */
typedef void (*tui_events_cb)(
    void *arg, Ow__Event *const *evs, size_t n, bool lost);

struct tui_events {
	uv_async_t async;
	nng_socket sock;
	nng_aio *aio;
	bool started;
	pthread_mutex_t lock;
	nng_msg *queue[TUI_EVENTS_QUEUE]; /* under lock */
	size_t n;                         /* under lock */
	bool lost;                        /* under lock */
	tui_events_cb cb;
	void *arg;
};

/*
 * Subscribe to every event at url. The dial does not wait: a node that is
 * down is dialled again in the background. Returns 0 or a CM_E* code
 * (then nothing is left to stop).
 */
int tui_events_start(struct tui_events *e, uv_loop_t *loop, const char *url,
    tui_events_cb cb, void *arg);

/* Stop: after this no callback runs; the async handle is closed (its
 * memory must live until the loop has run once more). Safe if not
 * started. */
void tui_events_stop(struct tui_events *e);

#endif
