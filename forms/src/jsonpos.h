/*
 * jsonpos.h: find where a value sits in a JSON text.
 *
 * jansson reports line and column for syntax errors only; its values carry
 * no positions. The loaders check a document after jansson has parsed it,
 * and when something is wrong they ask this scanner for the line and column
 * of the offending key or value, by path. The text is known to be valid
 * JSON by then, so the scanner is small and forgiving.
 */
#ifndef FORM_JSONPOS_H
#define FORM_JSONPOS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Locate the value at path in buf[0..len). path is '/'-separated: object
 * keys, or decimal indexes into arrays ("fields/3/type"); "" is the whole
 * document. With want_key, the position is that of the member's key (for
 * "unknown key" errors). When the path does not resolve, the position of
 * the deepest part that does is given. line and col are 1-based; col counts
 * characters, as jansson does.
 */
void form_json_locate(const char *buf, size_t len, const char *path,
    bool want_key, int *line, int *col);

/* 1-based line and column (in characters) of byte offset off of buf. */
void form_json_offset_pos(const char *buf, size_t off, int *line, int *col);

#endif
