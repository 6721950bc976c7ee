// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * allocation_tracker.hpp builds with -fno-exceptions -fno-rtti and its
 * handles are move-only RAII (host check: /dev/null, no driver needed).
 */
#include <cstdio>
#include <cstring>
#include <type_traits>
#include <utility>
#include <fcntl.h>

#include "allocation_tracker.hpp"

static_assert(!std::is_copy_constructible<tt::kmd::Device>::value, "move-only");
static_assert(!std::is_copy_assignable<tt::kmd::Device>::value, "move-only");
static_assert(std::is_nothrow_move_constructible<tt::kmd::Device>::value, "");
static_assert(std::is_nothrow_move_assignable<tt::kmd::Device>::value, "");
static_assert(!std::is_copy_constructible<tt::kmd::Tracker>::value, "move-only");
static_assert(std::is_nothrow_move_constructible<tt::kmd::Tracker>::value, "");

/* a Tracker member declared before the Device it tracks: destroyed after it */
struct TrackerFirst {
	tt::kmd::Tracker tracker;
	tt::kmd::Device dev;
};

static int failures;
static int num;

static void ok(bool cond, const char *name)
{
	std::printf("%sok %d - %s\n", cond ? "" : "not ", ++num, name);
	failures += !cond;
}

int main()
{
	std::printf("TAP version 13\n1..8\n");
	int fd;
	{
		tt::kmd::Device dev;
		ok(!dev && tt::kmd::Device::open("/nonexistent", dev) == -ENOENT,
		   "cxx_open_missing_enoent");
		ok(tt::kmd::Device::open("/dev/null", dev) == 0 && dev &&
		   !dev.tracking_available(), "cxx_devnull_not_available");
		fd = dev.fd();
		tt::kmd::Device moved(std::move(dev));
		ok(!dev && moved && moved.fd() == fd &&
		   moved.track_allocation(1, 64, tt::kmd::BufferType::DRAM) == -ENOTTY &&
		   moved.track_allocation(1, 64, 200u) == -EINVAL &&
		   std::strstr(tt::kmd::strerror(-ENOTTY), "not supported"),
		   "cxx_move_and_errors");
		tt::kmd::Tracker t;
		ok(tt::kmd::Tracker::create(moved, 2, t) == 0 &&
		   t.track_allocation(1, 64, 0) == 0 && t.pending() == 1 &&
		   t.track_allocation(2, 64, tt::kmd::BufferType::L1_SMALL) == 0 &&
		   t.pending() == 2 &&
		   t.track_allocation(3, 64, 200u) == -EINVAL &&
		   t.flush() == -ENOTTY && t.pending() == 1 &&
		   t.flush() == -ENOTTY && t.pending() == 0, "cxx_tracker");
	}
	ok(fcntl(fd, F_GETFD) < 0, "cxx_raii_closed");
	{
		tt::kmd::Device ro, wrapped;
		bool good = tt::kmd::Device::open("/dev/null", ro,
						  TTKMD_OPEN_RDONLY) == 0 &&
			    ro.track_allocation(1, 64, tt::kmd::BufferType::L1) == -EBADF &&
			    tt::kmd::Device::open_fd(ro.fd(), wrapped) == 0 &&
			    wrapped.fd() != ro.fd() &&
			    wrapped.track_free(1) == -EBADF;

		ok(good, "cxx_rdonly_and_open_fd");
	}
	{
		TrackerFirst h;
		bool good = tt::kmd::Device::open("/dev/null", h.dev) == 0 &&
			    tt::kmd::Tracker::create(h.dev, 4, h.tracker) == 0 &&
			    h.tracker.track_allocation(1, 64, 0) == 0 &&
			    h.tracker.pending() == 1;

		fd = h.dev.fd();
		ok(good, "cxx_tracker_before_device_member_setup");
		/* h.dev goes first, then h.tracker flushes through it */
	}
	ok(fcntl(fd, F_GETFD) < 0, "cxx_tracker_before_device_member_closed");
	return failures ? 1 : 0;
}
