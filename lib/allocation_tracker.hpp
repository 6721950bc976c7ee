// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * allocation_tracker.hpp - header-only C++ wrapper of libttkmd (ttkmd.h).
 *
 * No exceptions are thrown (builds with -fno-exceptions); every call returns
 * 0 or a negative errno like the C API (tt::kmd::strerror() names it).
 *
 *   tt::kmd::Device dev;
 *   if (tt::kmd::Device::open(0, dev) == 0 && dev.tracking_available())
 *       dev.track_allocation(addr, size, TT_BUFFER_TYPE_DRAM);
 */
#ifndef TENSTORRENT_ALLOCATION_TRACKER_HPP
#define TENSTORRENT_ALLOCATION_TRACKER_HPP

#include <cerrno>
#include <cstddef>
#include <cstdint>

#include "ttkmd.h"

namespace tt {
namespace kmd {

enum class BufferType : uint32_t {
	DRAM = TT_BUFFER_TYPE_DRAM,
	L1 = TT_BUFFER_TYPE_L1,
	SYSTEM_MEMORY = TT_BUFFER_TYPE_SYSTEM_MEMORY,
	L1_SMALL = TT_BUFFER_TYPE_L1_SMALL,
	TRACE = TT_BUFFER_TYPE_TRACE,
	CB = TT_BUFFER_TYPE_CB,
	KERNEL = TT_BUFFER_TYPE_KERNEL,
};

inline const char *strerror(int err) noexcept { return tt_strerror(err); }

/* An open card; move-only, closed by the destructor. */
class Device {
public:
	Device() noexcept = default;
	explicit Device(ttkmd_dev_t *dev) noexcept : dev_(dev) {}
	~Device() { ttkmd_close(dev_); }
	Device(const Device &) = delete;
	Device &operator=(const Device &) = delete;
	Device(Device &&o) noexcept : dev_(o.dev_) { o.dev_ = nullptr; }
	Device &operator=(Device &&o) noexcept
	{
		if (this != &o) {
			ttkmd_close(dev_);
			dev_ = o.dev_;
			o.dev_ = nullptr;
		}
		return *this;
	}

	/*
	 * Open /dev/tenstorrent/index (or a path) into out; flags as
	 * ttkmd_open(): TTKMD_OPEN_RDONLY for a monitor.
	 */
	static int open(int index, Device &out, unsigned int flags = 0) noexcept
	{
		ttkmd_dev_t *d = nullptr;
		int ret = ttkmd_open(index, flags, &d);

		return adopt(ret, d, out);
	}
	static int open(const char *path, Device &out,
			unsigned int flags = 0) noexcept
	{
		ttkmd_dev_t *d = nullptr;
		int ret = ttkmd_open_path(path, flags, &d);

		return adopt(ret, d, out);
	}
	/* Wrap a descriptor the runtime has open, as ttkmd_open_fd(). */
	static int open_fd(int fd, Device &out) noexcept
	{
		ttkmd_dev_t *d = nullptr;
		int ret = ttkmd_open_fd(fd, &d);

		return adopt(ret, d, out);
	}

	bool is_open() const noexcept { return dev_ != nullptr; }
	explicit operator bool() const noexcept { return is_open(); }
	ttkmd_dev_t *get() const noexcept { return dev_; }
	int fd() const noexcept { return ttkmd_fd(dev_); }
	void close() noexcept { ttkmd_close(dev_); dev_ = nullptr; }

	/* The proposal's is_kernel_available(): true only on a tracking driver. */
	bool tracking_available() const noexcept
	{
		return tt_alloc_tracking_available(dev_) > 0;
	}

	int track_allocation(uint64_t buffer_id, uint64_t size,
			     uint32_t type) noexcept
	{
		return tt_track_allocation(dev_, buffer_id, size, type);
	}
	int track_allocation(uint64_t buffer_id, uint64_t size,
			     BufferType type) noexcept
	{
		return track_allocation(buffer_id, size,
					static_cast<uint32_t>(type));
	}
	int track_free(uint64_t buffer_id) noexcept
	{
		return tt_track_free(dev_, buffer_id);
	}
	int query(tt_alloc_stats_t &stats) noexcept
	{
		return tt_query_stats(dev_, &stats);
	}

private:
	static int adopt(int ret, ttkmd_dev_t *d, Device &out) noexcept
	{
		if (!ret)
			out = Device(d);
		return ret;
	}

	ttkmd_dev_t *dev_ = nullptr;
};

/*
 * A buffered tracker over a Device; move-only. It holds a reference of its
 * own on the Device's handle (see tt_tracker_create()), so the two may be
 * destroyed in either order: a class may declare its Tracker member before
 * or after its Device member.
 */
class Tracker {
public:
	Tracker() noexcept = default;
	~Tracker() { tt_tracker_destroy(t_); }
	Tracker(const Tracker &) = delete;
	Tracker &operator=(const Tracker &) = delete;
	Tracker(Tracker &&o) noexcept : t_(o.t_) { o.t_ = nullptr; }
	Tracker &operator=(Tracker &&o) noexcept
	{
		if (this != &o) {
			tt_tracker_destroy(t_);
			t_ = o.t_;
			o.t_ = nullptr;
		}
		return *this;
	}

	static int create(Device &dev, size_t capacity, Tracker &out) noexcept
	{
		tt_tracker_t *t = nullptr;
		int ret = tt_tracker_create(dev.get(), capacity, &t);

		if (!ret) {
			out = Tracker();
			out.t_ = t;
		}
		return ret;
	}

	int track_allocation(uint64_t id, uint64_t size, uint32_t type) noexcept
	{
		return tt_tracker_alloc(t_, id, size, type);
	}
	int track_allocation(uint64_t id, uint64_t size,
			     BufferType type) noexcept
	{
		return track_allocation(id, size, static_cast<uint32_t>(type));
	}
	int track_free(uint64_t id) noexcept { return tt_tracker_free(t_, id); }
	int flush() noexcept { return tt_tracker_flush(t_); }
	size_t pending() noexcept { return tt_tracker_pending(t_); }
	/* flush and free now; returns the flush's result */
	int destroy() noexcept
	{
		int ret = tt_tracker_destroy(t_);

		t_ = nullptr;
		return ret;
	}

private:
	tt_tracker_t *t_ = nullptr;
};

} // namespace kmd
} // namespace tt

#endif // TENSTORRENT_ALLOCATION_TRACKER_HPP
