/*
 * test_common.c: errors, allocation hook, dates, UTF-8, logging, sbuf.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/date.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/sbuf.h"
#include "common/utf8.h"

static void
test_error_names(void **state)
{
	(void)state;
	assert_string_equal(cm_err_name(0), "CM_OK");
	assert_string_equal(cm_err_name(CM_ENOMEM), "CM_ENOMEM");
	assert_string_equal(cm_err_name(CM_ENODATA), "CM_ENODATA");
	assert_string_equal(cm_err_name(12345), "CM_E?");
	assert_string_equal(cm_strerror(CM_ENOMEM), "out of memory");
	assert_true(CM_ENOMEM < 0 && CM_EINTERNAL < 0);
	/* The numbers are on the wire: they never move. */
	assert_int_equal(CM_ENOMEM, -999);
	assert_int_equal(CM_EDENIED, -984);
	assert_int_equal(CM_EPROTO, -979);
	assert_int_equal(CM_EINTERNAL, -975);
	assert_int_equal(CM_ENOREPL, -974);
	assert_int_equal(CM_ERECOVERING, -973);
	assert_int_equal(cm_err_from_errno(2 /* ENOENT */), CM_ENOENT);
}

static void
test_alloc_hook(void **state)
{
	void *a, *b, *c;

	(void)state;
	cm_alloc_fail_after(2, 0);
	a = cm_malloc(8);
	b = cm_malloc(8);
	c = cm_malloc(8);
	assert_non_null(a);
	assert_null(b); /* the 2nd from now */
	assert_non_null(c);
	cm_free(a);
	cm_free(c);

	cm_alloc_fail_after(1, 1); /* sticky: all from now on */
	assert_null(cm_strdup("x"));
	assert_null(cm_calloc(1, 1));
	cm_alloc_fail_after(0, 0);
	a = cm_strdup("back");
	assert_string_equal(a, "back");
	cm_free(a);
	assert_null(cm_reallocarray(NULL, (size_t)-1, 16));
}

static void
test_dates(void **state)
{
	int32_t d;
	int y, m, dd;
	char buf[CM_DATE_ISO_LEN];

	(void)state;
	assert_rc(cm_date_from_ymd(1970, 1, 1, &d), 0);
	assert_int_equal(d, 0);
	assert_rc(cm_date_parse("2000-03-01", &d), 0);
	assert_int_equal(d, 11017);
	cm_date_to_ymd(d, &y, &m, &dd);
	assert_int_equal(y * 10000 + m * 100 + dd, 20000301);
	assert_rc(cm_date_parse("2024-02-29", &d), 0);
	assert_rc(cm_date_parse("2025-02-29", &d), CM_ERANGE);
	assert_rc(cm_date_parse("1900-02-29", &d), CM_ERANGE);
	assert_rc(cm_date_parse("2025-13-01", &d), CM_ERANGE);
	assert_rc(cm_date_parse("2025-1-01", &d), CM_EPARSE);
	assert_rc(cm_date_parse("2025-01-01x", &d), CM_EPARSE);
	assert_rc(cm_date_parse("", &d), CM_EPARSE);
	/* 2025-01-01 was a Wednesday, 2025-01-26 a Sunday. */
	assert_int_equal(cm_date_weekday(ow_day("2025-01-01")), 3);
	assert_int_equal(cm_date_weekday(ow_day("2025-01-26")), 7);
	assert_true(cm_date_is_weekend(ow_day("2025-01-25")));
	assert_false(cm_date_is_weekend(ow_day("2025-01-27")));
	assert_string_equal(
	    cm_date_format(ow_day("0999-12-31"), buf), "0999-12-31");
	/* The extremes do not overflow (UBSan would stop here). */
	cm_date_to_ymd(INT32_MAX, &y, &m, &dd);
	cm_date_to_ymd(INT32_MIN, &y, &m, &dd);
	/* Round trip over 40 years, day by day. */
	for (d = ow_day("1990-01-01"); d < ow_day("2030-01-01"); d++) {
		int32_t back;

		cm_date_to_ymd(d, &y, &m, &dd);
		assert_rc(cm_date_from_ymd(y, m, dd, &back), 0);
		assert_int_equal(back, d);
	}
}

static void
test_utf8(void **state)
{
	uint32_t cp;
	char buf[4];

	(void)state;
	assert_int_equal(cm_utf8_decode("\xf0\xa0\xae\xb7", 4, &cp), 4);
	assert_int_equal(cp, 0x20BB7);                            /* 𠮷 */
	assert_int_equal(cm_utf8_decode("\xc0\x80", 2, &cp), -1); /* overlong */
	assert_int_equal(
	    cm_utf8_decode("\xed\xa0\x80", 3, &cp), -1); /* surrogate */
	assert_int_equal(
	    cm_utf8_decode("\xe4\xb8", 2, &cp), -1); /* truncated */
	assert_int_equal(cm_utf8_decode("\xf4\x90\x80\x80", 4, &cp), -1);
	assert_int_equal(cm_utf8_count("张三abc", strlen("张三abc")), 5);
	assert_int_equal(cm_utf8_count("\xff", 1), -1);
	assert_int_equal(cm_utf8_encode(0x4E2D, buf), 3);
	assert_memory_equal(buf, "中", 3);
	assert_int_equal(cm_utf8_encode(0xD800, buf), 0);
	assert_int_equal(cm_utf8_encode(0x110000, buf), 0);
}

static void
test_log_lines(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	char masked[32];
	enum cm_log_level lvl;

	(void)state;
	assert_non_null(fp);
	cm_log_set_stream(fp);
	cm_log_set_level(CM_LOG_INFO);
	cm_log_debug("test.hidden", "n=%d", 1);
	cm_log_info("catalog.loaded", "matters=%d", 14);
	cm_log_info("forged", "note=%s", "x\nts=1 level=error event=fake");
	cm_log_set_stream(NULL);
	fclose(fp);
	assert_null(strstr(buf, "test.hidden"));
	assert_non_null(
	    strstr(buf, " level=info event=catalog.loaded matters=14\n"));
	assert_true(strncmp(buf, "ts=", 3) == 0);
	/* The newline in the value is escaped: still one line per event. */
	assert_non_null(
	    strstr(buf, "note=x\\x0ats=1 level=error event=fake\n"));
	assert_null(strstr(buf, "\nts=1"));
	free(buf);

	assert_string_equal(
	    cm_log_mask("11010519491231002X", masked, sizeof(masked)),
	    "11**************2X");
	assert_string_equal(
	    cm_log_mask("13800", masked, sizeof(masked)), "*****");
	assert_rc(cm_log_parse_level("warn", &lvl), 0);
	assert_int_equal(lvl, CM_LOG_WARN);
	assert_rc(cm_log_parse_level("loud", &lvl), CM_EINVAL);
}

static void
test_sbuf(void **state)
{
	struct cm_sbuf b;
	char *s;

	(void)state;
	cm_sbuf_init(&b);
	for (int i = 0; i < 1000; i++) {
		cm_sbuf_printf(&b, "%d,", i % 10);
	}
	cm_sbuf_puts(&b, "中");
	s = cm_sbuf_take(&b);
	assert_int_equal(strlen(s), 2003);
	assert_string_equal(s + 2000, "中");
	cm_free(s);

	cm_sbuf_init(&b);
	cm_alloc_fail_after(1, 0);
	cm_sbuf_puts(&b, "lost");
	cm_sbuf_puts(&b, "also lost");
	assert_true(b.oom);
	assert_null(cm_sbuf_take(&b));
}

static void
test_fs(void **state)
{
	char **files = NULL;
	size_t n = 0;
	char *buf = NULL;
	size_t len = 0;

	(void)state;
	assert_rc(
	    cm_dir_list(OW_SRC_DIR "/common/include/common", ".h", &files, &n),
	    0);
	assert_true(n >= 6);
	for (size_t i = 1; i < n; i++) {
		assert_true(strcmp(files[i - 1], files[i]) < 0);
	}
	cm_file_list_free(files);
	assert_rc(cm_dir_list("/nonexistent-dir", ".h", &files, &n), CM_ENOENT);
	assert_rc(cm_file_read("/nonexistent-file", 10, &buf, &len), CM_ENOENT);
	assert_rc(cm_file_read(OW_SRC_DIR "/CMakeLists.txt", 10, &buf, &len),
	    CM_ETOOBIG);
	assert_rc(
	    cm_file_read(OW_SRC_DIR "/CMakeLists.txt", 1 << 20, &buf, &len), 0);
	assert_true(len > 100 && buf[len] == '\0');
	cm_free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_error_names),
	    cmocka_unit_test(test_alloc_hook),
	    cmocka_unit_test(test_dates),
	    cmocka_unit_test(test_utf8),
	    cmocka_unit_test(test_log_lines),
	    cmocka_unit_test(test_sbuf),
	    cmocka_unit_test(test_fs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
