/*
 * ow_proxy.c: ow-proxy, a byte-level TCP fault-injection proxy for the
 * real-process replication fault tests. It sits between two processes and
 * forwards bytes unchanged (so TLS passes through untouched) until a test
 * tells it to misbehave.
 *
 * Usage: ow-proxy LISTEN_PORT TARGET_HOST:TARGET_PORT [--control PATH]
 *
 * It listens on 127.0.0.1:LISTEN_PORT (0: the kernel picks a port) and
 * connects every accepted connection to the target (the first address
 * getaddrinfo gives). Once the listener and the control socket are ready,
 * the first line on stdout is always "port N".
 *
 * Control: one command per line, on stdin and, with --control, on any
 * connection to the unix stream socket PATH (replaced if it exists,
 * removed at exit). Every non-blank line gets exactly one reply line: on
 * stdout for stdin, on the same connection for the socket.
 *
 *   pass       forward normally; also clears delay and drop       -> ok
 *   cut        reset (RST) every connection now, and reset new ones
 *              right after accepting them, until pass             -> ok
 *   blackhole  keep connections open, discard bytes (and EOFs) both
 *              ways, including bytes queued by delay              -> ok
 *   delay MS   hold each chunk MS ms before forwarding, in order   -> ok
 *   drop P     reset a connection with probability P (0..1) for each
 *              chunk it would forward (seed: env OW_PROXY_SEED)   -> ok
 *   stats      -> conns N bytes_up N bytes_down N
 *              (connections forwarded since start; bytes delivered
 *              to the target and to the clients)
 *   quit       -> ok, then exit 0
 *   else       -> error: MESSAGE
 *
 * delay and drop combine with each other and with the mode (pass, cut or
 * blackhole). End of stdin ends the proxy, unless --control is given.
 *
 * One thread, poll(); sockets are non-blocking, a direction stops reading
 * while it has QUEUE_LIMIT bytes queued.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define CHUNK_MAX    16384
#define QUEUE_LIMIT  (256 * 1024)
#define CTL_MAX      8 /* control connections, besides stdin */
#define CTL_LINE_MAX 256

enum mode { MODE_PASS, MODE_CUT, MODE_BLACKHOLE };

/* Bytes read in one go, waiting until due_ms to be written. */
struct chunk {
	struct chunk *next;
	uint64_t due_ms;
	size_t len;
	size_t off; /* already written */
	char data[];
};

/* One direction of a connection. */
struct dir {
	struct chunk *head;
	struct chunk *tail;
	size_t queued;
	bool is_eof;  /* the reading side has ended */
	bool is_shut; /* the writing side has been shut down */
	uint64_t *counter;
};

struct conn {
	struct conn *next;
	int cfd; /* client */
	int tfd; /* target */
	bool is_connecting;
	bool is_dead;
	struct dir up;   /* client -> target */
	struct dir down; /* target -> client */
	int cpi;         /* index in the poll array, -1 when not polled */
	int tpi;
};

/* A source of command lines: stdin (slot 0) or a control connection. */
struct ctl {
	int fd; /* -1: free */
	int out;
	int pi;
	size_t len;
	char buf[CTL_LINE_MAX];
};

static struct {
	enum mode mode;
	unsigned delay_ms;
	double drop_p;
	uint64_t rng;
	struct addrinfo *target;
	int lfd;
	int ctl_lfd;
	const char *ctl_path;
	struct conn *conns;
	struct ctl ctls[1 + CTL_MAX];
	uint64_t n_conns;
	uint64_t bytes_up;
	uint64_t bytes_down;
	bool is_quitting;
} px;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A uniform double in [0, 1) (xorshift64*: good enough to flip coins). */
static double
rng_next(void)
{
	px.rng ^= px.rng >> 12;
	px.rng ^= px.rng << 25;
	px.rng ^= px.rng >> 27;
	return (double)((px.rng * 2685821657736338717ULL) >> 11) /
	       9007199254740992.0;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0) {
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	}
}

/* Close with a RST rather than a FIN: the peer sees the link die. */
static void
close_rst(int fd)
{
	struct linger lg = {.l_onoff = 1, .l_linger = 0};

	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(fd);
	}
}

static void
dir_clear(struct dir *d)
{
	while (d->head != NULL) {
		struct chunk *k = d->head;

		d->head = k->next;
		free(k);
	}
	d->tail = NULL;
	d->queued = 0;
}

/* Reset both sides; the connection is freed after this loop turn. */
static void
conn_kill(struct conn *c)
{
	close_rst(c->cfd);
	close_rst(c->tfd);
	c->cfd = c->tfd = -1;
	dir_clear(&c->up);
	dir_clear(&c->down);
	c->is_dead = true;
}

/* Start forwarding the accepted cfd; on failure it is reset, and the
 * connection freed after this loop turn. */
static void
conn_start(int cfd)
{
	const struct addrinfo *ai = px.target;
	struct conn *c = calloc(1, sizeof(*c));
	int one = 1;

	if (c == NULL) {
		close_rst(cfd);
		return;
	}
	c->cfd = cfd;
	c->cpi = c->tpi = -1;
	c->up.counter = &px.bytes_up;
	c->down.counter = &px.bytes_down;
	c->next = px.conns;
	px.conns = c;
	c->tfd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
	if (c->tfd < 0) {
		conn_kill(c);
		return;
	}
	set_nonblock(cfd);
	set_nonblock(c->tfd);
	/* A proxy must not add Nagle's delays of its own. */
	setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(c->tfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->is_connecting = connect(c->tfd, ai->ai_addr, ai->ai_addrlen) < 0;
	if (c->is_connecting && errno != EINPROGRESS && errno != EINTR) {
		conn_kill(c);
		return;
	}
	px.n_conns++;
}

static bool
dir_wants_read(const struct dir *d)
{
	return !d->is_eof && d->queued < QUEUE_LIMIT;
}

static bool
dir_wants_write(const struct dir *d, uint64_t now)
{
	return d->head != NULL && d->head->due_ms <= now;
}

/* Lower *wake to when d's next chunk falls due, if later than now. */
static void
dir_wake(const struct dir *d, uint64_t now, uint64_t *wake)
{
	if (d->head != NULL && d->head->due_ms > now &&
	    d->head->due_ms < *wake) {
		*wake = d->head->due_ms;
	}
}

static void
dir_read(struct conn *c, struct dir *d, int from, uint64_t now)
{
	char buf[CHUNK_MAX];
	ssize_t n = read(from, buf, sizeof(buf));
	struct chunk *k;

	if (n < 0) {
		if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
			conn_kill(c);
		}
		return;
	}
	if (n == 0) {
		d->is_eof = true;
		return;
	}
	if (px.mode == MODE_BLACKHOLE) {
		return;
	}
	if (px.drop_p > 0 && rng_next() < px.drop_p) {
		conn_kill(c);
		return;
	}
	k = malloc(sizeof(*k) + (size_t)n);
	if (k == NULL) {
		conn_kill(c);
		return;
	}
	memcpy(k->data, buf, (size_t)n);
	k->len = (size_t)n;
	k->off = 0;
	k->next = NULL;
	k->due_ms = now + px.delay_ms;
	if (d->tail != NULL) {
		d->tail->next = k;
	} else {
		d->head = k;
	}
	d->tail = k;
	d->queued += k->len;
}

/* Write the chunks that are due; forward the EOF once the queue is empty. */
static void
dir_flush(struct conn *c, struct dir *d, int to, uint64_t now)
{
	while (dir_wants_write(d, now)) {
		struct chunk *k = d->head;
		ssize_t n = write(to, k->data + k->off, k->len - k->off);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return;
		}
		if (n < 0) {
			conn_kill(c);
			return;
		}
		k->off += (size_t)n;
		*d->counter += (uint64_t)n;
		if (k->off < k->len) {
			return;
		}
		d->head = k->next;
		if (d->head == NULL) {
			d->tail = NULL;
		}
		d->queued -= k->len;
		free(k);
	}
	if (d->is_eof && d->head == NULL && !d->is_shut &&
	    px.mode != MODE_BLACKHOLE) {
		shutdown(to, SHUT_WR);
		d->is_shut = true;
	}
}

static void
conn_io(struct conn *c, const struct pollfd *pfds, uint64_t now)
{
	short cre = c->cpi >= 0 ? pfds[c->cpi].revents : 0;
	short tre = c->tpi >= 0 ? pfds[c->tpi].revents : 0;
	const short rd = POLLIN | POLLHUP | POLLERR;

	if (c->is_dead) {
		return;
	}
	if (c->is_connecting) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (tre == 0) {
			return;
		}
		if (getsockopt(c->tfd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 ||
		    err != 0) {
			conn_kill(c);
			return;
		}
		c->is_connecting = false;
		return;
	}
	if ((cre & rd) != 0 && dir_wants_read(&c->up)) {
		dir_read(c, &c->up, c->cfd, now);
	}
	if (!c->is_dead && (tre & rd) != 0 && dir_wants_read(&c->down)) {
		dir_read(c, &c->down, c->tfd, now);
	}
	if (!c->is_dead) {
		dir_flush(c, &c->up, c->tfd, now);
	}
	if (!c->is_dead) {
		dir_flush(c, &c->down, c->cfd, now);
	}
	if (!c->is_dead && c->up.is_shut && c->down.is_shut) {
		/* Both sides have said all they had: a clean close. */
		close(c->cfd);
		close(c->tfd);
		c->cfd = c->tfd = -1;
		c->is_dead = true;
	}
}

static void reply(const struct ctl *k, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* One reply line to whoever sent the command. */
static void
reply(const struct ctl *k, const char *fmt, ...)
{
	char buf[CTL_LINE_MAX + 64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	n = n < 0 ? 0 : n > (int)sizeof(buf) - 2 ? (int)sizeof(buf) - 2 : n;
	buf[n++] = '\n';
	if (write_all(k->out, buf, (size_t)n) < 0 && k->out == 1) {
		px.is_quitting = true; /* nobody is listening any more */
	}
}

static void
ctl_command(const struct ctl *k, char *line)
{
	char *save = NULL, *end = NULL;
	char *cmd = strtok_r(line, " \t\r", &save);
	char *arg = strtok_r(NULL, " \t\r", &save);
	bool wants_arg = cmd != NULL && (strcmp(cmd, "delay") == 0 ||
	                                    strcmp(cmd, "drop") == 0);

	if (cmd == NULL) {
		return; /* a blank line */
	}
	if (strtok_r(NULL, " \t\r", &save) != NULL ||
	    (arg != NULL) != wants_arg) {
		reply(k, "error: %.32s takes %s", cmd,
		    wants_arg ? "one value" : "no value");
	} else if (strcmp(cmd, "pass") == 0) {
		px.mode = MODE_PASS;
		px.delay_ms = 0;
		px.drop_p = 0;
		reply(k, "ok");
	} else if (strcmp(cmd, "cut") == 0) {
		px.mode = MODE_CUT;
		for (struct conn *c = px.conns; c != NULL; c = c->next) {
			if (!c->is_dead) {
				conn_kill(c);
			}
		}
		reply(k, "ok");
	} else if (strcmp(cmd, "blackhole") == 0) {
		px.mode = MODE_BLACKHOLE;
		for (struct conn *c = px.conns; c != NULL; c = c->next) {
			dir_clear(&c->up);
			dir_clear(&c->down);
		}
		reply(k, "ok");
	} else if (strcmp(cmd, "delay") == 0) {
		unsigned long ms = strtoul(arg, &end, 10);

		if (arg[0] < '0' || arg[0] > '9' || *end != '\0' ||
		    ms > 3600000) {
			reply(k, "error: delay wants MS, 0..3600000");
			return;
		}
		px.delay_ms = (unsigned)ms;
		reply(k, "ok");
	} else if (strcmp(cmd, "drop") == 0) {
		double p = strtod(arg, &end);

		if (*end != '\0' || !(p >= 0 && p <= 1)) {
			reply(k, "error: drop wants P, 0..1");
			return;
		}
		px.drop_p = p;
		reply(k, "ok");
	} else if (strcmp(cmd, "stats") == 0) {
		reply(k, "conns %llu bytes_up %llu bytes_down %llu",
		    (unsigned long long)px.n_conns,
		    (unsigned long long)px.bytes_up,
		    (unsigned long long)px.bytes_down);
	} else if (strcmp(cmd, "quit") == 0) {
		px.is_quitting = true;
		reply(k, "ok");
	} else {
		reply(k, "error: unknown command '%.32s'", cmd);
	}
}

static void
ctl_close(struct ctl *k)
{
	if (k == &px.ctls[0]) {
		/* End of stdin: the driver has gone, unless it uses PATH. */
		if (px.ctl_lfd < 0) {
			px.is_quitting = true;
		}
	} else {
		close(k->fd);
	}
	k->fd = -1;
	k->len = 0;
}

static void
ctl_read(struct ctl *k)
{
	ssize_t n = read(k->fd, k->buf + k->len, sizeof(k->buf) - k->len);
	char *nl;

	if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
		return;
	}
	if (n <= 0) {
		ctl_close(k);
		return;
	}
	k->len += (size_t)n;
	while ((nl = memchr(k->buf, '\n', k->len)) != NULL) {
		size_t used = (size_t)(nl - k->buf) + 1;

		*nl = '\0';
		ctl_command(k, k->buf);
		memmove(k->buf, nl + 1, k->len - used);
		k->len -= used;
	}
	if (k->len == sizeof(k->buf)) {
		reply(k, "error: line too long");
		k->len = 0;
	}
}

static void
ctl_accept(void)
{
	int fd = accept(px.ctl_lfd, NULL, NULL);

	if (fd < 0) {
		return;
	}
	for (size_t i = 1; i < 1 + CTL_MAX; i++) {
		if (px.ctls[i].fd < 0) {
			px.ctls[i].fd = px.ctls[i].out = fd;
			px.ctls[i].len = 0;
			return;
		}
	}
	(void)write_all(fd, "error: too many control connections\n", 36);
	close(fd);
}

static void
accept_all(void)
{
	for (;;) {
		int fd = accept(px.lfd, NULL, NULL);

		if (fd < 0 && errno == EINTR) {
			continue;
		}
		if (fd < 0) {
			return; /* EAGAIN, or out of descriptors: retry later */
		}
		if (px.mode == MODE_CUT) {
			close_rst(fd);
		} else {
			conn_start(fd);
		}
	}
}

static int
pfd_add(struct pollfd *pfds, size_t *n, int fd, short events)
{
	if (fd < 0 || events == 0) {
		return -1; /* not polled, so no busy POLLHUP either */
	}
	pfds[*n] = (struct pollfd){.fd = fd, .events = events};
	return (int)(*n)++;
}

static void
loop(void)
{
	struct pollfd *pfds = NULL;
	size_t cap = 0;

	while (!px.is_quitting) {
		uint64_t now = now_ms();
		uint64_t wake = UINT64_MAX;
		size_t n = 0, need = 2 + 1 + CTL_MAX;
		int lpi, cpi, timeout = -1;

		for (struct conn *c = px.conns; c != NULL; c = c->next) {
			need += 2;
		}
		if (need > cap) {
			struct pollfd *p = realloc(pfds, need * sizeof(*p));

			if (p == NULL) {
				break;
			}
			pfds = p;
			cap = need;
		}
		lpi = pfd_add(pfds, &n, px.lfd, POLLIN);
		cpi = pfd_add(pfds, &n, px.ctl_lfd, POLLIN);
		for (size_t i = 0; i < 1 + CTL_MAX; i++) {
			px.ctls[i].pi =
			    pfd_add(pfds, &n, px.ctls[i].fd, POLLIN);
		}
		for (struct conn *c = px.conns; c != NULL; c = c->next) {
			short ce = 0, te = 0;

			if (c->is_connecting) {
				c->cpi = -1;
				c->tpi = pfd_add(pfds, &n, c->tfd, POLLOUT);
				continue;
			}
			ce |= dir_wants_read(&c->up) ? POLLIN : 0;
			ce |= dir_wants_write(&c->down, now) ? POLLOUT : 0;
			te |= dir_wants_read(&c->down) ? POLLIN : 0;
			te |= dir_wants_write(&c->up, now) ? POLLOUT : 0;
			c->cpi = pfd_add(pfds, &n, c->cfd, ce);
			c->tpi = pfd_add(pfds, &n, c->tfd, te);
			dir_wake(&c->up, now, &wake);
			dir_wake(&c->down, now, &wake);
		}
		if (wake != UINT64_MAX) {
			timeout = (int)(wake - now);
		}
		if (poll(pfds, n, timeout) < 0) {
			if (errno == EINTR) {
				continue;
			}
			perror("ow-proxy: poll");
			break;
		}
		now = now_ms();
		/* Commands first: a "pass" after "cut" lets waiting
		 * connections through in this same turn. */
		for (size_t i = 0; i < 1 + CTL_MAX; i++) {
			struct ctl *k = &px.ctls[i];

			if (k->fd >= 0 && k->pi >= 0 && pfds[k->pi].revents) {
				ctl_read(k);
			}
		}
		if (cpi >= 0 && pfds[cpi].revents != 0) {
			ctl_accept();
		}
		if (lpi >= 0 && pfds[lpi].revents != 0) {
			accept_all();
		}
		for (struct conn *c = px.conns; c != NULL; c = c->next) {
			conn_io(c, pfds, now);
		}
		for (struct conn **pc = &px.conns; *pc != NULL;) {
			struct conn *c = *pc;

			if (c->is_dead) {
				*pc = c->next;
				free(c);
			} else {
				pc = &c->next;
			}
		}
	}
	free(pfds);
}

static int
setup(const char *lport, const char *target, const char *ctl_path)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM};
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t slen = sizeof(sin);
	char host[256], line[32];
	const char *colon = strrchr(target, ':');
	char *end = NULL;
	unsigned long port = strtoul(lport, &end, 10);
	size_t hlen;
	int one = 1, rc;

	if (lport[0] < '0' || lport[0] > '9' || *end != '\0' || port > 65535 ||
	    colon == NULL || (hlen = (size_t)(colon - target)) == 0 ||
	    hlen >= sizeof(host)) {
		fprintf(stderr, "ow-proxy: bad LISTEN_PORT or TARGET\n");
		return 2;
	}
	memcpy(host, target, hlen);
	host[hlen] = '\0';
	if (host[0] == '[' && host[hlen - 1] == ']') { /* [::1]:port */
		memmove(host, host + 1, hlen - 2);
		host[hlen - 2] = '\0';
	}
	rc = getaddrinfo(host, colon + 1, &hints, &px.target);
	if (rc != 0) {
		fprintf(stderr, "ow-proxy: %s: %s\n", target, gai_strerror(rc));
		return 1;
	}
	px.lfd = socket(AF_INET, SOCK_STREAM, 0);
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (px.lfd < 0 ||
	    setsockopt(px.lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(px.lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(px.lfd, 512) < 0 ||
	    getsockname(px.lfd, (struct sockaddr *)&sin, &slen) < 0) {
		perror("ow-proxy: listen");
		return 1;
	}
	set_nonblock(px.lfd);
	if (ctl_path != NULL) {
		struct sockaddr_un sun = {.sun_family = AF_UNIX};

		if (strlen(ctl_path) >= sizeof(sun.sun_path)) {
			fprintf(stderr, "ow-proxy: control path too long\n");
			return 2;
		}
		strcpy(sun.sun_path, ctl_path);
		unlink(ctl_path);
		px.ctl_lfd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (px.ctl_lfd < 0 ||
		    bind(px.ctl_lfd, (struct sockaddr *)&sun, sizeof(sun)) ||
		    listen(px.ctl_lfd, 8) < 0) {
			perror("ow-proxy: control");
			return 1;
		}
		px.ctl_path = ctl_path;
		set_nonblock(px.ctl_lfd);
	}
	snprintf(line, sizeof(line), "port %u\n", ntohs(sin.sin_port));
	return write_all(1, line, strlen(line)) < 0 ? 1 : 0;
}

int
main(int argc, char **argv)
{
	const char *ctl_path = NULL;
	const char *seed = getenv("OW_PROXY_SEED");
	struct rlimit rl;
	int rc;

	if (argc == 5 && strcmp(argv[3], "--control") == 0) {
		ctl_path = argv[4];
	} else if (argc != 3) {
		fprintf(stderr, "usage: ow-proxy LISTEN_PORT "
		                "TARGET_HOST:TARGET_PORT [--control PATH]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	/* Many connections: two descriptors each. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	px.rng = seed != NULL ? strtoull(seed, NULL, 10)
	                      : (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
	px.rng = px.rng != 0 ? px.rng : 0x9e3779b97f4a7c15ULL;
	px.lfd = px.ctl_lfd = -1;
	for (size_t i = 0; i < 1 + CTL_MAX; i++) {
		px.ctls[i].fd = -1;
	}
	px.ctls[0].fd = 0;
	px.ctls[0].out = 1;
	rc = setup(argv[1], argv[2], ctl_path);
	if (rc == 0) {
		loop();
	}
	/* Connections and memory go with the process. */
	if (px.ctl_path != NULL) {
		unlink(px.ctl_path);
	}
	return rc;
}
