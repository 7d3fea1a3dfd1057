// SPDX-License-Identifier: GPL-2.0
#include "collect/keptbuf.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

size_t keptbuf_used(void *buf, size_t size, size_t used, size_t *high)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), start, end;

	if (used > size)
		used = size;
	if (used >= *high) {
		*high = used;
		return 0;
	}
	if (*high - used < KEPTBUF_SLACK)
		return 0;
	/* whole pages only, inside the buffer: the allocator's own words
	 * before and after it stay as they are */
	start = ((uintptr_t)buf + used + page - 1) & ~(page - 1);
	end = ((uintptr_t)buf + *high + page - 1) & ~(page - 1);
	if (end > (((uintptr_t)buf + size) & ~(page - 1)))
		end = ((uintptr_t)buf + size) & ~(page - 1);
	*high = used;
	if (end <= start || madvise((void *)start, end - start, MADV_DONTNEED))
		return 0;
	return end - start;
}
