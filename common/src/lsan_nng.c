/*
 * lsan_nng.c: linked into the programs that close nng sockets just before
 * they exit: ow-node, and the test programs that open nng clients against
 * a real ow-node (test_node_wire, crash_test). Not part of ow_common: each
 * program adds it to its own sources. LeakSanitizer reads these at start
 * (sanitizer builds only; elsewhere nothing calls them).
 *
 * nng 1.5.2 frees a closed listener or dialer, and a pipe still in its
 * handshake, later on its own threads, and nng_fini does not wait for
 * them: when a program exits right after closing (SIGTERM while the node
 * accepts connections, a test closing its clients), the leak check may
 * run first and find nng's own objects, memory held at exit rather than
 * a leak. Only nng's allocations are suppressed: the node frees every
 * message it holds and every aio nng gave back (server.c: close_sockets),
 * and the tests close every client they open.
 */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
	return "leak:libnng.so\n";
}

/* Quiet about that suppression at exit; LSAN_OPTIONS overrides. */
const char *__lsan_default_options(void);
const char *
__lsan_default_options(void)
{
	return "print_suppressions=0";
}
