// SPDX-License-Identifier: LGPL-2.1-or-later
/* libttkmd in brief: open card 0, report a buffer, read totals, free it. */
#include <stdio.h>
#include <ttkmd.h>

int main(void)
{
	tt_alloc_stats_t st;
	ttkmd_dev_t *dev;
	int ret;

	ret = ttkmd_open(0, 0, &dev);
	if (ret) {
		fprintf(stderr, "open: %s\n", tt_strerror(ret));
		return 1;
	}
	if (tt_alloc_tracking_available(dev) <= 0) {
		fprintf(stderr, "driver does not track allocations\n");
		ttkmd_close(dev);
		return 1;
	}
	ret = tt_track_allocation(dev, 0x800000000, 1 << 20, TT_BUFFER_TYPE_DRAM);
	if (!ret)
		ret = tt_query_stats(dev, &st);
	if (!ret)
		printf("card DRAM %llu bytes, mine %llu\n",
		       (unsigned long long)st.allocated[TT_BUFFER_TYPE_DRAM],
		       (unsigned long long)st.file.allocated[TT_BUFFER_TYPE_DRAM]);
	if (!ret)
		ret = tt_track_free(dev, 0x800000000);
	if (ret)
		fprintf(stderr, "tracking: %s\n", tt_strerror(ret));
	ttkmd_close(dev);	/* records left behind are dropped here too */
	return ret ? 1 : 0;
}
