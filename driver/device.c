// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tenstorrent device core: class "tenstorrent", minors, class devices and
 * their character devices. Bus backends call tt_device_add()/remove().
 */
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "chardev.h"
#include "debugfs.h"
#include "device.h"
#include "sysfs.h"

static dev_t tt_devt;
static DEFINE_IDA(tt_device_ida);

static struct class tt_class = {
	.name = "tenstorrent",
};

/*
 * The last reference is gone: the card was removed and its last open file
 * released. Only now may its index (minor, name, the number in leak lines
 * and tracepoints) go to another card, so that no two cards that still
 * have files open share one.
 */
static void tt_device_release(struct device *dev)
{
	struct tt_device *card = tt_device_from_dev(dev);
	int id = card->id;

	tt_track_device_destroy(&card->track);
	mutex_destroy(&card->lock);
	kfree(card);
	ida_free(&tt_device_ida, id);
}

/**
 * tt_device_system_memory() - the host memory a card's buffers may take
 *
 * SYSTEM_MEMORY buffers are host memory the card reaches; more than the
 * host's RAM cannot be true.
 *
 * Return: bytes of RAM.
 */
u64 tt_device_system_memory(void)
{
	return (u64)totalram_pages() << PAGE_SHIFT;
}

/**
 * tt_device_add() - create the class device and node for a probed card
 * @parent: the bus device of the card (PCI function or simulated card)
 * @info: card family and memory sizes; copied
 *
 * The card gets the lowest free index N, a class device "tenstorrent!N" and
 * the node /dev/tenstorrent/N, which user space may open as soon as this
 * returns. The index of a removed card stays taken until its last open
 * file is released.
 *
 * Context: process context; may sleep.
 * Return: the new device, or an ERR_PTR: -ENOSPC when all indexes are in
 * use, -ENOMEM, or an error from registering the device.
 */
struct tt_device *tt_device_add(struct device *parent,
				const struct tt_card_info *info)
{
	u64 capacity[TT_TRACK_MEMS];
	struct tt_device *card;
	int id, ret;

	id = ida_alloc_max(&tt_device_ida, TT_MAX_DEVICES - 1, GFP_KERNEL);
	if (id < 0)
		return ERR_PTR(id);

	card = kzalloc(sizeof(*card), GFP_KERNEL);
	if (!card) {
		ret = -ENOMEM;
		goto err_free_id;
	}
	card->id = id;
	card->info = *info;
	strscpy(card->bus_id, dev_name(parent), sizeof(card->bus_id));
	mutex_init(&card->lock);
	capacity[TT_TRACK_MEM_DRAM] = info->dram_size;
	capacity[TT_TRACK_MEM_L1] = info->l1_size;
	capacity[TT_TRACK_MEM_SYSTEM] = tt_device_system_memory();
	tt_track_device_init(&card->track, &card->dev, id, capacity,
			     tt_sysfs_notify);

	device_initialize(&card->dev);
	card->dev.class = &tt_class;
	card->dev.parent = parent;
	card->dev.devt = MKDEV(MAJOR(tt_devt), id);
	card->dev.release = tt_device_release;
	/* in place before the add event, so udev sees the attributes */
	card->dev.groups = tt_sysfs_groups;
	/* devtmpfs and udev turn the '!' into a '/': /dev/tenstorrent/N */
	ret = dev_set_name(&card->dev, "tenstorrent!%d", id);
	if (ret)
		goto err_put_device;

	cdev_init(&card->cdev, &tt_chardev_fops);
	card->cdev.owner = THIS_MODULE;
	ret = cdev_device_add(&card->cdev, &card->dev);
	if (ret)
		goto err_put_device;

	tt_debugfs_add_device(card);
	return card;

err_put_device:
	/* the release frees the index */
	put_device(&card->dev);
	return ERR_PTR(ret);
err_free_id:
	ida_free(&tt_device_ida, id);
	return ERR_PTR(ret);
}

/**
 * tt_device_remove() - take a card away from user space
 * @card: device returned by tt_device_add()
 *
 * The node and class device go away at once; files still open keep @card
 * alive but every operation on them fails with -ENODEV from now on. The
 * memory and the card's index are freed when the last of them is released.
 *
 * Context: process context; may sleep.
 */
void tt_device_remove(struct tt_device *card)
{
	mutex_lock(&card->lock);
	WRITE_ONCE(card->removed, true);
	mutex_unlock(&card->lock);

	tt_track_device_stop(&card->track);
	tt_debugfs_remove_device(card);
	cdev_device_del(&card->cdev, &card->dev);
	put_device(&card->dev);
}

int tt_device_init(void)
{
	int ret;

	ret = alloc_chrdev_region(&tt_devt, 0, TT_MAX_DEVICES, "tenstorrent");
	if (ret)
		return ret;

	ret = class_register(&tt_class);
	if (ret)
		goto err_unregister_region;

	return 0;

err_unregister_region:
	unregister_chrdev_region(tt_devt, TT_MAX_DEVICES);
	return ret;
}

void tt_device_exit(void)
{
	class_unregister(&tt_class);
	unregister_chrdev_region(tt_devt, TT_MAX_DEVICES);
	ida_destroy(&tt_device_ida);
}
