/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The public names of tt-umd's tt-kmd-lib, the library tt-metal opens its
 * cards with, declared here from the list of its names (not copied from
 * its header) to prove that libttkmd can live beside it: one translation
 * unit includes ttkmd.h and this file, one program links libttkmd and
 * umd_standin.c, a library that defines these names.
 *
 * tt_device_open() and tt_device_close() have tt-umd's signatures. The
 * other prototypes and the struct members are shapes of our own: a clash
 * between two C libraries is a clash of names (a type, a function, a
 * macro), whatever the signatures, and the names are tt-umd's.
 */
#ifndef TT_UMD_API_H
#define TT_UMD_API_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tt_device tt_device_t;	/* opaque */
typedef struct tt_tlb tt_tlb_t;		/* opaque */
typedef struct tt_dma tt_dma_t;		/* opaque */

typedef struct tt_device_attrs {
	uint16_t vendor_id;
	uint16_t device_id;
	uint32_t pci_domain;
	uint64_t attrs[6];
} tt_device_attrs_t;

typedef struct tt_bar_mapping {
	uint32_t id;
	uint32_t pad;
	uint64_t base;
	uint64_t size;
} tt_bar_mapping_t;

typedef struct tt_bar_mappings {
	uint32_t count;
	uint32_t pad;
	tt_bar_mapping_t mapping[8];
} tt_bar_mappings_t;

typedef struct tt_noc_addr_config {
	uint64_t addr;
	uint16_t x_start, y_start, x_end, y_end;
	uint8_t noc, mcast, ordering, static_vc;
} tt_noc_addr_config_t;

int tt_device_open(const char *chardev_path, tt_device_t **out_dev,
		   int extra_flags);
int tt_device_close(tt_device_t *dev);
int tt_device_get_attr(tt_device_t *dev, int attr, uint64_t *value);
int tt_device_get_attrs(tt_device_t *dev, tt_device_attrs_t *attrs);
int tt_driver_get_attr(tt_device_t *dev, int attr, uint64_t *value);
int tt_device_query_bar_mappings(tt_device_t *dev, tt_bar_mappings_t *maps);
int tt_noc_read32(tt_device_t *dev, uint16_t x, uint16_t y, uint64_t addr,
		  uint32_t *value);
int tt_noc_write32(tt_device_t *dev, uint16_t x, uint16_t y, uint64_t addr,
		   uint32_t value);
int tt_noc_read(tt_device_t *dev, uint16_t x, uint16_t y, uint64_t addr,
		void *dst, size_t size);
int tt_noc_write(tt_device_t *dev, uint16_t x, uint16_t y, uint64_t addr,
		 const void *src, size_t size);
int tt_dma_map(tt_device_t *dev, void *addr, size_t size, int flags,
	       tt_dma_t **out);
int tt_dma_unmap(tt_device_t *dev, tt_dma_t *dma);
int tt_dma_get_dma_addr(tt_dma_t *dma, uint64_t *dma_addr);
int tt_dma_get_noc_addr(tt_dma_t *dma, uint64_t *noc_addr);
int tt_pin_pages(tt_device_t *dev, void *addr, size_t size, int flags,
		 uint64_t *iova);
int tt_unpin_pages(tt_device_t *dev, void *addr, size_t size);
int tt_allocate_dma_buf(tt_device_t *dev, size_t size, int flags,
			void **buf);
int tt_tlb_alloc(tt_device_t *dev, size_t size, int flags, tt_tlb_t **out);
int tt_tlb_free(tt_device_t *dev, tt_tlb_t *tlb);
int tt_tlb_get_mmio(tt_tlb_t *tlb, void **mmio);
int tt_tlb_get_id(tt_tlb_t *tlb, uint32_t *id);
int tt_tlb_map(tt_device_t *dev, tt_tlb_t *tlb,
	       const tt_noc_addr_config_t *config);
int tt_tlb_map_unicast(tt_device_t *dev, tt_tlb_t *tlb, uint16_t x,
		       uint16_t y, uint64_t addr);
int tt_tlb_export_dmabuf(tt_device_t *dev, tt_tlb_t *tlb, int *dmabuf_fd);
int tt_device_set_power_state(tt_device_t *dev, int state);
int tt_device_reset(tt_device_t *dev, int flags);

/*
 * Not tt-umd's: the stand-in's log, the names of the calls it answered
 * since the last reset, in order, each followed by a space.
 */
const char *umd_standin_log(void);
void umd_standin_reset(void);

#ifdef __cplusplus
}
#endif

#endif /* TT_UMD_API_H */
