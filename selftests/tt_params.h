/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading and writing the driver's sysfs attributes and module parameters,
 * for tests and benchmarks alike (no kselftest harness needed).
 */
#ifndef TT_PARAMS_H
#define TT_PARAMS_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tenstorrent_track.h"

/* Each buffer type's name in sysfs and debugfs, indexed by type */
static const char *const tt_type_names[TT_BUFFER_TYPE_COUNT] = {
	TENSTORRENT_BUFFER_TYPE_NAMES
};

/*
 * Write s to a (sysfs, debugfs, cgroup) file with one write(): 0 or -errno,
 * as the kernel and libttkmd return errors.
 */
static inline int write_text(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* A small (sysfs) file read as a number; -1 when unreadable. */
static inline long long read_number(const char *path)
{
	char buf[64];
	FILE *f = fopen(path, "r");
	long long v = -1;

	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = strtoll(buf, NULL, 0);
	fclose(f);
	return v;
}

/*
 * Bytes card @card can hold of buffer type @type: the capacity of the
 * memory the type lives in (sysfs dram_total, l1_total or
 * system_memory_total); 0 when unreadable.
 */
static inline __u64 type_capacity(int card, __u32 type)
{
	static const char *const mem[] = {
		[TT_BUFFER_TYPE_DRAM] = "dram_total",
		[TT_BUFFER_TYPE_L1] = "l1_total",
		[TT_BUFFER_TYPE_SYSTEM_MEMORY] = "system_memory_total",
		[TT_BUFFER_TYPE_L1_SMALL] = "l1_total",
		[TT_BUFFER_TYPE_TRACE] = "dram_total",
		[TT_BUFFER_TYPE_CB] = "l1_total",
		[TT_BUFFER_TYPE_KERNEL] = "l1_total",
	};
	char path[128];
	long long v;

	if (type >= sizeof(mem) / sizeof(mem[0]))
		return 0;
	snprintf(path, sizeof(path), "/sys/class/tenstorrent/tenstorrent!%d/%s",
		 card, mem[type]);
	v = read_number(path);
	return v > 0 ? (__u64)v : 0;
}

/*
 * Raise the driver's per-user record cap to at least n: by default 4% of
 * RAM at 64 bytes a record, below a million in the test VM's 1 GiB. Needs
 * root (else nothing changes); left raised, which only gives later tests
 * more room.
 */
static inline void user_records_at_least(unsigned long long n)
{
	const char *param = "/sys/module/tenstorrent/parameters/max_user_records";
	char num[32];

	if (read_number(param) >= 0 && (unsigned long long)read_number(param) < n) {
		snprintf(num, sizeof(num), "%llu\n", n);
		write_text(param, num);
	}
}

#endif /* TT_PARAMS_H */
