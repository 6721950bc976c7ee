// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libttkmd beside tt-umd's tt-kmd-lib in one program. Compiled as C and as
 * C++ with -Wall -Wextra -Werror, this file includes ttkmd.h and then the
 * declarations of tt-umd's names (tt_umd_api.h): a type, function or macro
 * of ours with one of those names does not build. Linked against
 * libttkmd.so and, after it, a stand-in library that defines tt-umd's
 * functions (umd_standin.c), it checks at run time that each call reaches
 * the library it was written for: a tt-umd name exported by libttkmd
 * would be found first and take the runtime's calls.
 * Prints one "ok N - name" / "not ok N - name" line per test (TAP).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ttkmd.h"
#include "tt_umd_api.h"
#include "tap.h"

#define STR(x)		#x
#define XSTR(x)		STR(x)
#define LIBTTKMD	"libttkmd.so." XSTR(TTKMD_VERSION_MAJOR)
#define STANDIN		"libumd_standin.so"
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* the test names of the C++ build end in _cxx */
#ifdef __cplusplus
#define VARIANT		"_cxx"
#else
#define VARIANT		""
#endif

/* tt-umd's functions, in the order umd_calls_reach_the_standin calls them */
static const char *const umd_names[] = {
	"tt_device_open", "tt_device_get_attr", "tt_device_get_attrs",
	"tt_driver_get_attr", "tt_device_query_bar_mappings",
	"tt_noc_read32", "tt_noc_write32", "tt_noc_read", "tt_noc_write",
	"tt_dma_map", "tt_dma_get_dma_addr", "tt_dma_get_noc_addr",
	"tt_dma_unmap", "tt_pin_pages", "tt_unpin_pages",
	"tt_allocate_dma_buf", "tt_tlb_alloc", "tt_tlb_get_mmio",
	"tt_tlb_get_id", "tt_tlb_map", "tt_tlb_map_unicast",
	"tt_tlb_export_dmabuf", "tt_tlb_free", "tt_device_set_power_state",
	"tt_device_reset", "tt_device_close",
};

/* ours that this program calls */
static const char *const ttkmd_names[] = {
	"ttkmd_list", "ttkmd_open", "ttkmd_open_path", "ttkmd_open_fd",
	"ttkmd_close", "ttkmd_fd", "tt_alloc_tracking_available",
	"tt_track_allocation", "tt_track_free", "tt_query_stats",
	"tt_strerror",
};

static void test_umd_calls_reach_the_standin(void)
{
	char expect[1024] = "", buf[64];
	tt_noc_addr_config_t cfg;
	tt_bar_mappings_t maps;
	tt_device_attrs_t attrs;
	tt_device_t *udev = NULL;
	tt_dma_t *dma = NULL;
	tt_tlb_t *tlb = NULL;
	uint64_t v = 0;
	uint32_t v32 = 0;
	void *p = NULL;
	int ret = 0, fd = -1;
	size_t i;

	memset(&cfg, 0, sizeof(cfg));
	umd_standin_reset();
	ret |= tt_device_open("/dev/tenstorrent/0", &udev, 0);
	ret |= tt_device_get_attr(udev, 0, &v);
	ret |= tt_device_get_attrs(udev, &attrs);
	ret |= tt_driver_get_attr(udev, 0, &v);
	ret |= tt_device_query_bar_mappings(udev, &maps);
	ret |= tt_noc_read32(udev, 0, 0, 0, &v32);
	ret |= tt_noc_write32(udev, 0, 0, 0, v32);
	ret |= tt_noc_read(udev, 0, 0, 0, buf, sizeof(buf));
	ret |= tt_noc_write(udev, 0, 0, 0, buf, sizeof(buf));
	ret |= tt_dma_map(udev, buf, sizeof(buf), 0, &dma);
	ret |= tt_dma_get_dma_addr(dma, &v);
	ret |= tt_dma_get_noc_addr(dma, &v);
	ret |= tt_dma_unmap(udev, dma);
	ret |= tt_pin_pages(udev, buf, sizeof(buf), 0, &v);
	ret |= tt_unpin_pages(udev, buf, sizeof(buf));
	ret |= tt_allocate_dma_buf(udev, 4096, 0, &p);
	ret |= tt_tlb_alloc(udev, 1 << 21, 0, &tlb);
	ret |= tt_tlb_get_mmio(tlb, &p);
	ret |= tt_tlb_get_id(tlb, &v32);
	ret |= tt_tlb_map(udev, tlb, &cfg);
	ret |= tt_tlb_map_unicast(udev, tlb, 0, 0, 0);
	ret |= tt_tlb_export_dmabuf(udev, tlb, &fd);
	ret |= tt_tlb_free(udev, tlb);
	ret |= tt_device_set_power_state(udev, 0);
	ret |= tt_device_reset(udev, 0);
	ret |= tt_device_close(udev);
	CHECK(ret == 0);
	for (i = 0; i < ARRAY_SIZE(umd_names); i++) {
		strcat(expect, umd_names[i]);
		strcat(expect, " ");
	}
	CHECK(strcmp(expect, umd_standin_log()) == 0);
	if (strcmp(expect, umd_standin_log()))
		printf("# stand-in answered: %s\n", umd_standin_log());
}

/* /dev/null answers ENOTTY, so a result of libttkmd's own code shows */
static void test_ttkmd_calls_reach_libttkmd(void)
{
	tt_alloc_stats_t st;
	ttkmd_dev_t *dev = NULL, *dup = NULL;

	umd_standin_reset();
	CHECK(ttkmd_list(NULL, 0) >= 0);
	CHECK(ttkmd_open(-1, 0, &dev) == -EINVAL);
	CHECK(ttkmd_open_path("/dev/null", 0, &dev) == 0 && dev);
	CHECK(ttkmd_fd(dev) >= 0);
	CHECK(ttkmd_open_fd(ttkmd_fd(dev), &dup) == 0 && dup);
	CHECK(tt_alloc_tracking_available(dev) == 0);
	CHECK(tt_track_allocation(dev, 1, 64, TT_BUFFER_TYPE_DRAM) == -ENOTTY);
	CHECK(tt_track_free(dup, 1) == -ENOTTY);
	CHECK(tt_query_stats(dev, &st) == -ENOTTY);
	CHECK(strstr(tt_strerror(-ENOTTY), "tracking") != NULL);
	ttkmd_close(dup);
	ttkmd_close(dev);
	CHECK(umd_standin_log()[0] == '\0');
}

/* 1 when the object that defines @addr is the library named @lib */
static int defined_in(const void *addr, const char *lib)
{
	const char *base;
	Dl_info info;

	if (!addr || !dladdr(addr, &info) || !info.dli_fname)
		return 0;
	base = strrchr(info.dli_fname, '/');
	base = base ? base + 1 : info.dli_fname;
	return strcmp(base, lib) == 0;
}

/* What the dynamic linker binds a call to: the first definition in scope */
static void test_global_lookup_finds_each_in_its_library(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(umd_names); i++) {
		if (!defined_in(dlsym(RTLD_DEFAULT, umd_names[i]), STANDIN)) {
			printf("# %s is not the stand-in's\n", umd_names[i]);
			failed_checks++;
		}
	}
	for (i = 0; i < ARRAY_SIZE(ttkmd_names); i++) {
		void *addr = dlsym(RTLD_DEFAULT, ttkmd_names[i]);

		if (!defined_in(addr, LIBTTKMD)) {
			printf("# %s is not %s's\n", ttkmd_names[i], LIBTTKMD);
			failed_checks++;
		}
	}
}

static void test_libttkmd_exports_no_umd_name(void)
{
	void *h = dlopen(LIBTTKMD, RTLD_NOW | RTLD_NOLOAD);
	size_t i;

	CHECK(h != NULL);
	if (!h)
		return;
	CHECK(dlsym(h, "ttkmd_open") != NULL);
	for (i = 0; i < ARRAY_SIZE(umd_names); i++) {
		if (dlsym(h, umd_names[i])) {
			printf("# %s exports %s\n", LIBTTKMD, umd_names[i]);
			failed_checks++;
		}
	}
	dlclose(h);
}

static const struct tap_test tests[] = {
	{ "umd_calls_reach_the_standin", test_umd_calls_reach_the_standin },
	{ "ttkmd_calls_reach_libttkmd", test_ttkmd_calls_reach_libttkmd },
	{ "global_lookup_finds_each_in_its_library",
	  test_global_lookup_finds_each_in_its_library },
	{ "libttkmd_exports_no_umd_name", test_libttkmd_exports_no_umd_name },
};

int main(void)
{
	return tap_run(tests, ARRAY_SIZE(tests), VARIANT, NULL);
}
