// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tenstorrent accelerator driver with kernel-side tracking of device-memory
 * allocations. Module entry: the device core, then the card backends.
 */
#include <linux/module.h>

#include "chardev.h"
#include "debugfs.h"
#include "device.h"
#include "pci.h"
#include "sim.h"
#include "track.h"

static int __init tt_init(void)
{
	int ret;

	tt_track_init(tt_chardev_track_file);
	tt_debugfs_init();

	ret = tt_device_init();
	if (ret)
		goto err_track_exit;

	ret = tt_sim_init();
	if (ret)
		goto err_device_exit;

	ret = tt_pci_init();
	if (ret)
		goto err_sim_exit;

	return 0;

err_sim_exit:
	tt_sim_exit();
err_device_exit:
	tt_device_exit();
err_track_exit:
	tt_debugfs_exit();
	tt_track_exit();
	return ret;
}

static void __exit tt_exit(void)
{
	tt_pci_exit();
	tt_sim_exit();
	tt_device_exit();
	tt_debugfs_exit();
	tt_track_exit();
}

module_init(tt_init);
module_exit(tt_exit);

MODULE_DESCRIPTION("Tenstorrent AI accelerators with device-memory allocation tracking");
MODULE_LICENSE("GPL");
