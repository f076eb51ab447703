/*
 * width.h: display widths of text on a terminal, for layout. Never strlen
 * or printf("%-10s") for columns: a Chinese character is 2 columns, 3 bytes.
 *
 * Widths come from wcwidth(), so the process must have called setlocale()
 * with a UTF-8 locale (ow-desk does it in cm_i18n_init, the tests in main).
 * glibc's wcwidth() returns -1 for the newest CJK extensions (Extension I
 * U+2EBF0.., Extension H U+31350..U+323AF in glibc 2.36) and for unassigned
 * code points: such characters are taken as 2 columns if they are in a CJK
 * block (ideographs and all their extensions, the whole of planes 2 and 3,
 * compatibility ideographs, Hangul, kana, Bopomofo, CJK symbols and
 * punctuation, full-width forms U+FF01..U+FF60 and U+FFE0..U+FFE6) and 1
 * otherwise, never -1. Control characters (C0, DEL, C1) are 0 columns.
 * East-Asian ambiguous characters (·, —, box drawing) are 1 column, as
 * glibc says; the desk's own chrome avoids them.
 *
 * Nothing here allocates; all functions are pure apart from reading the
 * locale.
 */
#ifndef TUI_WIDTH_H
#define TUI_WIDTH_H

#include <stddef.h>
#include <stdint.h>

/* Columns of one code point: 0, 1 or 2. Needs setlocale() to a UTF-8
 * locale for wcwidth; without one, the CJK ranges are still 2 and every
 * other non-ASCII character is 1. A value that is not a Unicode scalar
 * value (a surrogate, above U+10FFFF) is 1: a terminal shows a
 * replacement glyph for it. */
int tui_cp_width(uint32_t cp);

/* Columns of a NUL-terminated UTF-8 string; borrows s. Invalid bytes count
 * 1 each (tui_fit shows each as U+FFFD), control characters 0. */
size_t tui_str_width(const char *s);

/*
 * Copy the longest prefix of s (borrowed, UTF-8, NUL-terminated) that fits
 * in cols columns into out (size bytes, always NUL-terminated when
 * size > 0), never half a character: a 2-column character that would
 * straddle the limit is left out with everything after it, and when pad is
 * set its place is filled with a space like the rest of the padding, so
 * the result is exactly cols columns. Zero-width characters (combining
 * marks) right after the last whole character are kept with it. Control
 * characters are dropped (they would move the terminal's cursor or start
 * an escape sequence); each invalid byte becomes U+FFFD (1 column).
 *
 * out needs at most 4 * cols + 1 bytes unless s holds zero-width
 * characters. A smaller out cuts the text at a whole character earlier,
 * keeping room for the padding when pad is set (size >= cols + 1 is then
 * always padded to cols). Returns the columns written, padding included.
 */
size_t tui_fit(const char *s, size_t cols, int pad, char *out, size_t size);

#endif
