/* SPDX-License-Identifier: GPL-2.0 */
/* Names from binaries made safe for text formats (JSON, XML). */
#ifndef PP_TEXTCLEAN_H
#define PP_TEXTCLEAN_H

#include <stddef.h>

/*
 * Copy src to dst (len bytes, len > 0), always NUL-terminated: valid UTF-8
 * sequences as they are, every other byte (a stray or truncated sequence, an
 * overlong form, a surrogate) and every control character as '?'. A sequence
 * that does not fit whole is left out. Returns the length written.
 */
size_t text_clean(char *dst, size_t len, const char *src);

/* The length of the valid UTF-8 sequence at s (1 to 4 bytes: ASCII, the NUL
 * included, is 1), or 0 when s starts with a byte that begins none. */
size_t text_utf8_len(const char *s);

#endif
