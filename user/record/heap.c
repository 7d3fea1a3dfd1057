// SPDX-License-Identifier: GPL-2.0
#include <malloc.h>
#include <time.h>

#include "record/heap.h"

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int heap_trim_due(double now, double last, size_t free_bytes, size_t slack, double gap_s)
{
	return now - last >= gap_s && free_bytes > slack;
}

int heap_give_back(size_t slack, double gap_s)
{
	static double last = -1e300;
	double now = mono_s();
	struct mallinfo2 mi;

	if (now - last < gap_s)
		return 0;
	/* free bytes in the heap's chunks: what a trim can give back (it
	 * leaves them free, so this stays high until they are used again;
	 * the gap, not this, keeps trims apart) */
	mi = mallinfo2();
	if (!heap_trim_due(now, last, mi.fordblks + mi.fsmblks, slack, gap_s))
		return 0;
	malloc_trim(0);
	last = now;
	return 1;
}
