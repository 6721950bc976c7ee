// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A stand-in for tt-umd's tt-kmd-lib: a shared library defining its public
 * functions (tt_umd_api.h), each of which only writes its name to a log.
 * test_coexist links it with libttkmd to see that each call reaches the
 * library it was written for. Built with -Wno-unused-parameter: the bodies
 * use none of tt-umd's parameters.
 */
#include <stdlib.h>
#include <string.h>

#include "tt_umd_api.h"

#define STANDIN_API	__attribute__((visibility("default")))

struct tt_device {
	int open;
};

static char standin_log[1024];

/* Append @name to the log (dropped when the log is full) and return 0. */
static int standin_called(const char *name)
{
	size_t len = strlen(standin_log), n = strlen(name);

	if (len + n + 2 <= sizeof(standin_log)) {
		memcpy(standin_log + len, name, n);
		standin_log[len + n] = ' ';
		standin_log[len + n + 1] = '\0';
	}
	return 0;
}

STANDIN_API const char *umd_standin_log(void)
{
	return standin_log;
}

STANDIN_API void umd_standin_reset(void)
{
	standin_log[0] = '\0';
}

STANDIN_API int tt_device_open(const char *chardev_path,
			       tt_device_t **out_dev, int extra_flags)
{
	tt_device_t *dev = calloc(1, sizeof(*dev));

	if (!dev)
		return -1;
	dev->open = 1;
	*out_dev = dev;
	return standin_called(__func__);
}

STANDIN_API int tt_device_close(tt_device_t *dev)
{
	free(dev);
	return standin_called(__func__);
}

STANDIN_API int tt_device_get_attr(tt_device_t *dev, int attr,
				   uint64_t *value)
{
	return standin_called(__func__);
}

STANDIN_API int tt_device_get_attrs(tt_device_t *dev, tt_device_attrs_t *attrs)
{
	return standin_called(__func__);
}

STANDIN_API int tt_driver_get_attr(tt_device_t *dev, int attr,
				   uint64_t *value)
{
	return standin_called(__func__);
}

STANDIN_API int tt_device_query_bar_mappings(tt_device_t *dev,
					     tt_bar_mappings_t *maps)
{
	return standin_called(__func__);
}

STANDIN_API int tt_noc_read32(tt_device_t *dev, uint16_t x, uint16_t y,
			      uint64_t addr, uint32_t *value)
{
	return standin_called(__func__);
}

STANDIN_API int tt_noc_write32(tt_device_t *dev, uint16_t x, uint16_t y,
			       uint64_t addr, uint32_t value)
{
	return standin_called(__func__);
}

STANDIN_API int tt_noc_read(tt_device_t *dev, uint16_t x, uint16_t y,
			    uint64_t addr, void *dst, size_t size)
{
	return standin_called(__func__);
}

STANDIN_API int tt_noc_write(tt_device_t *dev, uint16_t x, uint16_t y,
			     uint64_t addr, const void *src, size_t size)
{
	return standin_called(__func__);
}

STANDIN_API int tt_dma_map(tt_device_t *dev, void *addr, size_t size,
			   int flags, tt_dma_t **out)
{
	return standin_called(__func__);
}

STANDIN_API int tt_dma_unmap(tt_device_t *dev, tt_dma_t *dma)
{
	return standin_called(__func__);
}

STANDIN_API int tt_dma_get_dma_addr(tt_dma_t *dma, uint64_t *dma_addr)
{
	return standin_called(__func__);
}

STANDIN_API int tt_dma_get_noc_addr(tt_dma_t *dma, uint64_t *noc_addr)
{
	return standin_called(__func__);
}

STANDIN_API int tt_pin_pages(tt_device_t *dev, void *addr, size_t size,
			     int flags, uint64_t *iova)
{
	return standin_called(__func__);
}

STANDIN_API int tt_unpin_pages(tt_device_t *dev, void *addr, size_t size)
{
	return standin_called(__func__);
}

STANDIN_API int tt_allocate_dma_buf(tt_device_t *dev, size_t size, int flags,
				    void **buf)
{
	return standin_called(__func__);
}

STANDIN_API int tt_tlb_alloc(tt_device_t *dev, size_t size, int flags,
			     tt_tlb_t **out)
{
	return standin_called(__func__);
}

STANDIN_API int tt_tlb_free(tt_device_t *dev, tt_tlb_t *tlb)
{
	return standin_called(__func__);
}

STANDIN_API int tt_tlb_get_mmio(tt_tlb_t *tlb, void **mmio)
{
	return standin_called(__func__);
}

STANDIN_API int tt_tlb_get_id(tt_tlb_t *tlb, uint32_t *id)
{
	return standin_called(__func__);
}

STANDIN_API int tt_tlb_map(tt_device_t *dev, tt_tlb_t *tlb,
			   const tt_noc_addr_config_t *config)
{
	return standin_called(__func__);
}

STANDIN_API int tt_tlb_map_unicast(tt_device_t *dev, tt_tlb_t *tlb,
				   uint16_t x, uint16_t y, uint64_t addr)
{
	return standin_called(__func__);
}

STANDIN_API int tt_tlb_export_dmabuf(tt_device_t *dev, tt_tlb_t *tlb,
				     int *dmabuf_fd)
{
	return standin_called(__func__);
}

STANDIN_API int tt_device_set_power_state(tt_device_t *dev, int state)
{
	return standin_called(__func__);
}

STANDIN_API int tt_device_reset(tt_device_t *dev, int flags)
{
	return standin_called(__func__);
}
