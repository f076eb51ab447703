/*
 * events.c: nng SUB to the node's event socket, handed over to the loop
 * thread through a locked queue and uv_async_send (see events.h).
 */
#include "events.h"

#include <nng/protocol/pubsub0/sub.h>
#include <string.h>

#include "common/error.h"
#include "node/client.h"

#define EVENT_MAX_BYTES (64u << 10)

/* On an nng thread: queue the message and wake the loop. */
static void
recv_cb(void *arg)
{
	struct tui_events *e = arg;
	int rv = nng_aio_result(e->aio);

	if (rv == NNG_ECLOSED || rv == NNG_ECANCELED) {
		return; /* stopping */
	}
	if (rv == 0) {
		nng_msg *m = nng_aio_get_msg(e->aio);

		pthread_mutex_lock(&e->lock);
		if (e->n < TUI_EVENTS_QUEUE) {
			e->queue[e->n++] = m;
			m = NULL;
		} else {
			e->lost = true;
		}
		pthread_mutex_unlock(&e->lock);
		if (m != NULL) {
			nng_msg_free(m);
		}
		uv_async_send(&e->async);
	}
	nng_recv_aio(e->sock, e->aio);
}

/*
 * On an nng thread: a connection to the node came up (at start, or after
 * the node restarted). Events published while there was none are lost,
 * so the batch says "lost" and the desk refreshes everything.
 */
static void
pipe_cb(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	struct tui_events *e = arg;

	(void)p;
	(void)ev;
	pthread_mutex_lock(&e->lock);
	e->lost = true;
	pthread_mutex_unlock(&e->lock);
	uv_async_send(&e->async);
}

/* On the loop thread: everything queued since the last wake-up. */
static void
async_cb(uv_async_t *h)
{
	struct tui_events *e = h->data;
	nng_msg *msgs[TUI_EVENTS_QUEUE];
	Ow__Event *evs[TUI_EVENTS_QUEUE];
	size_t n, nev = 0;
	bool lost;

	pthread_mutex_lock(&e->lock);
	n = e->n;
	memcpy(msgs, e->queue, n * sizeof(msgs[0]));
	e->n = 0;
	lost = e->lost;
	e->lost = false;
	pthread_mutex_unlock(&e->lock);
	for (size_t i = 0; i < n; i++) {
		evs[nev] = ow__event__unpack(
		    NULL, nng_msg_len(msgs[i]), nng_msg_body(msgs[i]));
		if (evs[nev] != NULL) {
			nev++;
		} else {
			lost = true; /* undecodable: refresh to be sure */
		}
		nng_msg_free(msgs[i]);
	}
	if (nev > 0 || lost) {
		e->cb(e->arg, evs, nev, lost);
	}
	for (size_t i = 0; i < nev; i++) {
		ow__event__free_unpacked(evs[i], NULL);
	}
}

int
tui_events_start(struct tui_events *e, uv_loop_t *loop, const char *url,
    tui_events_cb cb, void *arg)
{
	int rv;

	memset(e, 0, sizeof(*e));
	e->cb = cb;
	e->arg = arg;
	if (pthread_mutex_init(&e->lock, NULL) != 0) {
		return CM_ENOMEM;
	}
	if (uv_async_init(loop, &e->async, async_cb) != 0) {
		pthread_mutex_destroy(&e->lock);
		return CM_EINTERNAL;
	}
	e->async.data = e;
	rv = nng_sub0_open(&e->sock);
	if (rv == 0) {
		rv = nng_socket_set(e->sock, NNG_OPT_SUB_SUBSCRIBE, "", 0);
		if (rv == 0) {
			nng_socket_set_size(
			    e->sock, NNG_OPT_RECVMAXSZ, EVENT_MAX_BYTES);
			nng_socket_set_ms(e->sock, NNG_OPT_RECONNMINT, 100);
			nng_socket_set_ms(e->sock, NNG_OPT_RECONNMAXT, 2000);
			rv = nng_aio_alloc(&e->aio, recv_cb, e);
		}
		if (rv == 0) {
			rv = nng_pipe_notify(
			    e->sock, NNG_PIPE_EV_ADD_POST, pipe_cb, e);
		}
		if (rv == 0) {
			/* Non-blocking: a node that is down is dialled
			 * again in the background. */
			rv = nng_dial(e->sock, url, NULL, NNG_FLAG_NONBLOCK);
		}
		if (rv != 0) {
			if (e->aio != NULL) {
				nng_aio_free(e->aio);
				e->aio = NULL;
			}
			nng_close(e->sock);
		}
	}
	if (rv != 0) {
		uv_close((uv_handle_t *)&e->async, NULL);
		pthread_mutex_destroy(&e->lock);
		return node_err_from_nng(rv);
	}
	e->started = true;
	nng_recv_aio(e->sock, e->aio);
	return 0;
}

void
tui_events_stop(struct tui_events *e)
{
	if (!e->started) {
		return;
	}
	e->started = false;
	/* Closing fails the pending receive with NNG_ECLOSED (the callback
	 * does not re-arm); nng_aio_stop then waits for a callback that is
	 * running, so none can call uv_async_send after uv_close (nor can
	 * pipe_cb: nng_close returns after the socket's pipes are gone). */
	nng_close(e->sock);
	nng_aio_stop(e->aio);
	nng_aio_free(e->aio);
	e->aio = NULL;
	for (size_t i = 0; i < e->n; i++) {
		nng_msg_free(e->queue[i]);
	}
	e->n = 0;
	pthread_mutex_destroy(&e->lock);
	uv_close((uv_handle_t *)&e->async, NULL);
}
