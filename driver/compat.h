/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What differs between the kernels the module builds on, from Debian's 5.10
 * (bullseye) to 7.3 (trixie-backports), in one place. Each shim names the
 * kernel that changed the interface and what it changed; the rest of the
 * driver is written against the newest kernel and includes this header
 * where it meets one of these interfaces.
 */
#ifndef _TT_COMPAT_H
#define _TT_COMPAT_H

#include <linux/device.h>
#include <linux/ratelimit.h>
#include <linux/version.h>

/*
 * TT_BUS_REMOVE(fn) - define a struct bus_type remove() callback
 *
 * Linux 5.15 made it return void ("bus: Make remove callback return
 * void"); before, it returned an int that the driver core ignored. Write
 * the body as for the void callback; on older kernels a wrapper of the old
 * type calls it and returns 0.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 15, 0)
#define TT_BUS_REMOVE(fn)						\
	static void fn##_void(struct device *dev);			\
	static int fn(struct device *dev)				\
	{								\
		fn##_void(dev);						\
		return 0;						\
	}								\
	static void fn##_void(struct device *dev)
#else
#define TT_BUS_REMOVE(fn)	static void fn(struct device *dev)
#endif

/*
 * ratelimit_state_get_miss() - how many calls a ratelimit_state held back
 *
 * Linux 6.16 made struct ratelimit_state's missed an atomic_t, read with
 * this helper ("ratelimit: Convert the ->missed field to atomic_t"); before,
 * it was a plain int.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 16, 0)
static inline int ratelimit_state_get_miss(struct ratelimit_state *rs)
{
	return rs->missed;
}
#endif

#endif /* _TT_COMPAT_H */
