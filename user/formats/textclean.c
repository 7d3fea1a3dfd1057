// SPDX-License-Identifier: GPL-2.0
/* Names made safe for text formats (see textclean.h). */
#include <stdint.h>
#include "formats/textclean.h"

/* The length of the valid UTF-8 sequence at s, or 0. */
static size_t seq_len(const unsigned char *s)
{
	uint32_t c;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return n;
}

size_t text_utf8_len(const char *s)
{
	return seq_len((const unsigned char *)s);
}

size_t text_clean(char *dst, size_t len, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t out = 0, n, i;

	if (!len)
		return 0;
	while (*s) {
		n = seq_len(s);
		if (n <= 1) {
			if (out + 1 >= len)
				break;
			dst[out++] = (n == 0 || *s < 0x20 || *s == 0x7f) ? '?' : (char)*s;
			s++;
			continue;
		}
		if (out + n >= len)
			break;
		for (i = 0; i < n; i++)
			dst[out++] = (char)s[i];
		s += n;
	}
	dst[out] = '\0';
	return out;
}
