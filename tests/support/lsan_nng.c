/*
 * lsan_nng.c: linked into the test programs that open nng clients against
 * a real ow-node (test_node_wire, crash_test). LeakSanitizer reads these at
 * start (sanitizer builds only), as ow-node does (node/tools/ow_node.c):
 * nng 1.5.2 frees a closed dialer, and a pipe still in its handshake, later
 * on its own threads, so a client closed just before exit may leave nng's
 * own objects to a leak check that runs first. Only nng's allocations are
 * suppressed: the tests close every client they open.
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
