// SPDX-License-Identifier: GPL-2.0-only
/*
 * allocation_tracker.hpp against the real driver: RAII open, track,
 * untrack, the buffered tracker, and cleanup when the handle goes out of
 * scope. Built with g++ -std=c++17 -fno-exceptions, statically against
 * libttkmd.a. KTAP output; exit 4 (skip) without card 0.
 */
#include <cstdio>
#include <utility>

#include "allocation_tracker.hpp"

using tt::kmd::BufferType;
using tt::kmd::Device;

static int num, failures;

static void ok(bool cond, const char *name)
{
	std::printf("%sok %d %s\n", cond ? "" : "not ", ++num, name);
	failures += !cond;
}

int main()
{
	Device mon;
	tt_alloc_stats_t st0, st;
	int ret;

	std::printf("TAP version 13\n1..4\n");
	ret = Device::open(0, mon, TTKMD_OPEN_RDONLY);
	if (ret) {
		std::printf("# SKIP no card 0: %s\n", tt::kmd::strerror(ret));
		return 4;
	}
	mon.query(st0);
	{
		Device dev;
		bool good = Device::open("/dev/tenstorrent/0", dev) == 0 &&
			    dev.tracking_available();
		Device moved = std::move(dev);

		good = good && !dev && moved &&
		       moved.track_allocation(0x800000000, 1 << 20, BufferType::DRAM) == 0 &&
		       moved.track_allocation(0x1000, 4096, BufferType::L1) == 0 &&
		       moved.track_allocation(0x1000, 1, BufferType::L1) == -EEXIST &&
		       mon.query(st) == 0 &&
		       st.allocated[TT_BUFFER_TYPE_DRAM] == st0.allocated[TT_BUFFER_TYPE_DRAM] + (1 << 20);
		ok(good, "cxx_raii_open_move_track");

		good = moved.track_free(0x1000) == 0 &&
		       moved.track_free(0x1000) == -ENOENT && moved.query(st) == 0 &&
		       st.file.allocated[TT_BUFFER_TYPE_L1] == 0;
		ok(good, "cxx_untrack");

		tt::kmd::Tracker t;
		good = tt::kmd::Tracker::create(moved, 16, t) == 0 &&
		       t.track_allocation(1, 10, BufferType::TRACE) == 0 &&
		       moved.query(st) == 0 && st.file.buffers[TT_BUFFER_TYPE_TRACE] == 0 &&
		       t.flush() == 0 && moved.query(st) == 0 &&
		       st.file.buffers[TT_BUFFER_TYPE_TRACE] == 1;
		ok(good, "cxx_tracker_flush");
		/* leave the DRAM buffer and the trace buffer to the destructors */
	}
	ok(mon.query(st) == 0 &&
	   st.allocated[TT_BUFFER_TYPE_DRAM] == st0.allocated[TT_BUFFER_TYPE_DRAM] &&
	   st.allocated[TT_BUFFER_TYPE_TRACE] == st0.allocated[TT_BUFFER_TYPE_TRACE],
	   "cxx_raii_close_drops_records");
	return failures ? 1 : 0;
}
