/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tenstorrent device core: one character device per card, whatever the bus.
 *
 * A backend (PCI or simulated) owns a bus device and calls tt_device_add()
 * from its probe and tt_device_remove() from its remove; everything above the
 * bus (class device, device node, open files) is the same code for both.
 */
#ifndef TT_DEVICE_H
#define TT_DEVICE_H

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include "track.h"

/* Highest number of cards the module handles; also the number of minors. */
#define TT_MAX_DEVICES	256

/**
 * struct tt_card_info - what a backend knows about a card
 * @name: card family shown to user space ("wormhole", "blackhole", "sim")
 * @dram_size: device DRAM in bytes
 * @l1_size: L1 SRAM of all the chip's cores together, in bytes
 *
 * The sizes bound what the card's files may report (DRAM and TRACE
 * buffers in DRAM; L1, L1_SMALL, CB and KERNEL in L1); system memory is
 * bounded by the host's RAM.
 */
struct tt_card_info {
	const char *name;
	u64 dram_size;
	u64 l1_size;
};

/**
 * struct tt_device - one card as seen by user space
 * @dev: class device "tenstorrent!N" (node /dev/tenstorrent/N); its
 *	reference count keeps this structure alive while files are open
 * @cdev: character device for the node
 * @info: card family and memory sizes, copied from the backend
 * @id: card index N, also the minor number
 * @bus_id: the bus device's name ("0000:01:00.0", "ttsim0"), copied at
 *	add: files still open after a removal outlive the bus device
 * @lock: protects @removed
 * @removed: set once the backend has removed the card; open files then get
 *	-ENODEV from every operation
 * @track: allocation records and totals of the card's open files
 * @debugfs: the card's directory in debugfs
 */
struct tt_device {
	struct device dev;
	struct cdev cdev;
	struct tt_card_info info;
	int id;
	char bus_id[32];
	struct mutex lock;	/* protects @removed */
	bool removed;
	struct tt_track_device track;
	struct dentry *debugfs;
};

static inline struct tt_device *tt_device_from_dev(struct device *dev)
{
	return container_of(dev, struct tt_device, dev);
}

struct tt_device *tt_device_add(struct device *parent,
				const struct tt_card_info *info);
void tt_device_remove(struct tt_device *card);
u64 tt_device_system_memory(void);

int tt_device_init(void);
void tt_device_exit(void);

#endif /* TT_DEVICE_H */
