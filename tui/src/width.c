/*
 * width.c: display widths for the desk's layout (tui/width.h).
 *
 * wcwidth() is the authority, because the terminal's idea of a width comes
 * from the same tables in practice; this file only fills its gaps (-1 for
 * characters newer than the C library) and turns strings into whole
 * characters that fit a number of columns. Part of ow_tui_core: no
 * terminal, no I/O, no allocation.
 */

/* wcwidth() is X/Open, not ISO C: ask for it before any system header. */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif

#include "tui/width.h"

#include <stdbool.h>
#include <string.h>
#include <wchar.h>

#include "common/utf8.h"

/*
 * Blocks whose characters are 2 columns wide (East Asian Wide or Full
 * width), consulted only when wcwidth() does not know a character. Planes
 * 2 and 3 are wide as a whole: Unicode gives their unassigned code points
 * the W default, so ideographs of extensions not yet encoded when this was
 * written are 2 columns too. Sorted, for the binary search.
 */
static const struct cjk_range {
	uint32_t first, last;
} cjk_wide[] = {
    {0x1100, 0x115f},   /* Hangul Jamo initial consonants */
    {0x2e80, 0x4dbf},   /* radicals, Kangxi, CJK symbols U+3000.., kana,
                           Bopomofo, Hangul compatibility Jamo, enclosed and
                           compatibility CJK, Extension A */
    {0x4e00, 0xa4cf},   /* CJK Unified Ideographs, Yi */
    {0xa960, 0xa97f},   /* Hangul Jamo Extended-A */
    {0xac00, 0xd7a3},   /* Hangul syllables */
    {0xf900, 0xfaff},   /* CJK compatibility ideographs */
    {0xfe10, 0xfe19},   /* vertical forms */
    {0xfe30, 0xfe6f},   /* CJK compatibility forms, small form variants */
    {0xff01, 0xff60},   /* full-width ASCII forms */
    {0xffe0, 0xffe6},   /* full-width signs */
    {0x1aff0, 0x1b16f}, /* kana extensions and supplement */
    {0x20000, 0x2fffd}, /* plane 2: Extensions B-F and I, compatibility
                           supplement */
    {0x30000, 0x3fffd}, /* plane 3: Extensions G and H (U+31350..U+323AF) */
};

/* C0, DEL and C1: they act on the terminal and take no column. */
static bool
is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0);
}

static bool
is_cjk_wide(uint32_t cp)
{
	size_t lo = 0, hi = sizeof(cjk_wide) / sizeof(cjk_wide[0]);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp < cjk_wide[mid].first) {
			hi = mid;
		} else if (cp > cjk_wide[mid].last) {
			lo = mid + 1;
		} else {
			return true;
		}
	}
	return false;
}

int
tui_cp_width(uint32_t cp)
{
	int w;

	/* Decided here, not by wcwidth, so that the answer does not depend
	 * on the locale. */
	if (is_control(cp)) {
		return 0;
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
		return 1;
	}
	w = wcwidth((wchar_t)cp);
	if (w >= 0) {
		return w > 2 ? 2 : w;
	}
	return is_cjk_wide(cp) ? 2 : 1;
}

/* Decode the character at s (NUL-terminated). Returns the bytes it takes;
 * *cp is U+FFFD and the result 1 for an invalid byte, the way tui_fit
 * shows it. */
static size_t
next_cp(const char *s, uint32_t *cp)
{
	int n = cm_utf8_decode(s, strnlen(s, 4), cp);

	if (n < 0) {
		*cp = 0xfffd;
		return 1;
	}
	return (size_t)n;
}

size_t
tui_str_width(const char *s)
{
	size_t cols = 0;
	uint32_t cp;

	while (*s != '\0') {
		s += next_cp(s, &cp);
		cols += (size_t)tui_cp_width(cp);
	}
	return cols;
}

size_t
tui_fit(const char *s, size_t cols, int pad, char *out, size_t size)
{
	size_t used = 0, col = 0;
	uint32_t cp;

	if (size == 0) {
		return 0;
	}
	while (*s != '\0') {
		size_t n = next_cp(s, &cp);
		size_t w = (size_t)tui_cp_width(cp);
		char buf[4];
		size_t blen, reserve;

		s += n;
		if (is_control(cp)) {
			continue;
		}
		if (col + w > cols) {
			break;
		}
		blen = (size_t)cm_utf8_encode(cp, buf);
		/* Keep room for the NUL and, when padding, for one space per
		 * column still to fill after this character. */
		reserve = 1 + (pad ? cols - col - w : 0);
		if (used + blen + reserve > size) {
			break;
		}
		memcpy(out + used, buf, blen);
		used += blen;
		col += w;
	}
	while (pad && col < cols && used + 1 < size) {
		out[used++] = ' ';
		col++;
	}
	out[used] = '\0';
	return col;
}
