// SPDX-License-Identifier: GPL-2.0-only
/*
 * Simulated cards: devices on a bus of their own ("tenstorrent_sim", as
 * netdevsim has), each bound by a driver that hands it to the device core
 * exactly as the PCI backend does. They let the driver, the tools and the
 * tests run on a machine with no card. Cards come from the sim_cards
 * parameter at load, and tests add and remove them at run time through
 * /sys/kernel/debug/tenstorrent/sim/{new_card,del_card}, the way netdevsim
 * does through its bus.
 */
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "debugfs.h"
#include "device.h"
#include "sim.h"

/* A 4x8 mesh (Galaxy) of simulated cards fits */
#define TT_SIM_MAX_CARDS	32
/* A Wormhole ASIC's DRAM and L1 (pci.c), the default sizes of a card */
#define TT_SIM_DEFAULT_DRAM_MIB	(12 * 1024)
#define TT_SIM_DEFAULT_L1_KIB	(80 * 1464 + 16 * 256)

static unsigned int sim_cards;
module_param(sim_cards, uint, 0444);
MODULE_PARM_DESC(sim_cards,
		 "Number of simulated cards to create at load (0-32, default 0)");

static unsigned int sim_dram_mib[TT_SIM_MAX_CARDS];
static unsigned int sim_dram_mib_count;
module_param_array(sim_dram_mib, uint, &sim_dram_mib_count, 0444);
MODULE_PARM_DESC(sim_dram_mib,
		 "DRAM size in MiB of each simulated card, comma-separated (default 12288 each)");

static unsigned int sim_l1_kib[TT_SIM_MAX_CARDS];
static unsigned int sim_l1_kib_count;
module_param_array(sim_l1_kib, uint, &sim_l1_kib_count, 0444);
MODULE_PARM_DESC(sim_l1_kib,
		 "L1 size in KiB of each simulated card by index, comma-separated (default 121216 each, a Wormhole's)");

/**
 * struct tt_sim_card - one simulated card
 * @dev: the card's device on the tenstorrent_sim bus ("ttsimN")
 * @info: what the device core is told about the card
 * @card: the device core's view, set while bound
 */
struct tt_sim_card {
	struct device dev;
	struct tt_card_info info;
	struct tt_device *card;
};

/* Protects tt_sim_cards: load, unload and the debugfs knobs change it. */
static DEFINE_MUTEX(tt_sim_lock);
static struct tt_sim_card *tt_sim_cards[TT_SIM_MAX_CARDS];
static struct dentry *tt_sim_debugfs;

static struct tt_sim_card *tt_sim_card_from_dev(struct device *dev)
{
	return container_of(dev, struct tt_sim_card, dev);
}

static int tt_sim_probe(struct device *dev)
{
	struct tt_sim_card *sim = tt_sim_card_from_dev(dev);
	struct tt_device *card;

	card = tt_device_add(dev, &sim->info);
	if (IS_ERR(card))
		return PTR_ERR(card);

	sim->card = card;
	return 0;
}

TT_BUS_REMOVE(tt_sim_remove)
{
	struct tt_sim_card *sim = tt_sim_card_from_dev(dev);

	tt_device_remove(sim->card);
	sim->card = NULL;
}

static struct bus_type tt_sim_bus = {
	.name = "tenstorrent_sim",
	.dev_name = "ttsim",
	.probe = tt_sim_probe,
	.remove = tt_sim_remove,
};

static struct device_driver tt_sim_driver = {
	.name = "tenstorrent_sim",
	.bus = &tt_sim_bus,
	.owner = THIS_MODULE,
};

static void tt_sim_card_release(struct device *dev)
{
	kfree(tt_sim_card_from_dev(dev));
}

/* Create ttsim@index with @dram_mib of DRAM and the L1 sim_l1_kib gives */
static int tt_sim_card_create(unsigned int index, unsigned int dram_mib)
{
	unsigned int l1_kib = TT_SIM_DEFAULT_L1_KIB;
	struct tt_sim_card *sim;
	int ret;

	lockdep_assert_held(&tt_sim_lock);

	sim = kzalloc(sizeof(*sim), GFP_KERNEL);
	if (!sim)
		return -ENOMEM;

	sim->info.name = "sim";
	if (index < sim_l1_kib_count && sim_l1_kib[index])
		l1_kib = sim_l1_kib[index];
	sim->info.dram_size = (u64)dram_mib * SZ_1M;
	sim->info.l1_size = (u64)l1_kib * SZ_1K;
	sim->dev.bus = &tt_sim_bus;
	sim->dev.id = index;
	sim->dev.release = tt_sim_card_release;

	ret = device_register(&sim->dev);
	if (ret) {
		put_device(&sim->dev);
		return ret;
	}

	tt_sim_cards[index] = sim;
	return 0;
}

static void tt_sim_card_destroy(unsigned int index)
{
	lockdep_assert_held(&tt_sim_lock);

	device_unregister(&tt_sim_cards[index]->dev);
	tt_sim_cards[index] = NULL;
}

static void tt_sim_cards_destroy(void)
{
	unsigned int i;

	mutex_lock(&tt_sim_lock);
	for (i = 0; i < ARRAY_SIZE(tt_sim_cards); i++)
		if (tt_sim_cards[i])
			tt_sim_card_destroy(i);
	mutex_unlock(&tt_sim_lock);
}

/*
 * new_card: write a DRAM size in MiB (0 for the default) to add a card as
 * ttsimN with the lowest free N; -ENOSPC when all 32 exist.
 */
static ssize_t tt_sim_new_card_write(struct file *file,
				     const char __user *ubuf, size_t count,
				     loff_t *ppos)
{
	unsigned int mib, i;
	int ret;

	ret = kstrtouint_from_user(ubuf, count, 0, &mib);
	if (ret)
		return ret;
	if (!mib)
		mib = TT_SIM_DEFAULT_DRAM_MIB;

	mutex_lock(&tt_sim_lock);
	for (i = 0; i < ARRAY_SIZE(tt_sim_cards); i++)
		if (!tt_sim_cards[i])
			break;
	if (i == ARRAY_SIZE(tt_sim_cards))
		ret = -ENOSPC;
	else
		ret = tt_sim_card_create(i, mib);
	mutex_unlock(&tt_sim_lock);

	return ret ? ret : count;
}

/*
 * del_card: write N to remove ttsimN as if it were unplugged: its node
 * goes, files still open on it get -ENODEV until they are closed.
 */
static ssize_t tt_sim_del_card_write(struct file *file,
				     const char __user *ubuf, size_t count,
				     loff_t *ppos)
{
	unsigned int index;
	int ret;

	ret = kstrtouint_from_user(ubuf, count, 0, &index);
	if (ret)
		return ret;

	mutex_lock(&tt_sim_lock);
	if (index >= ARRAY_SIZE(tt_sim_cards) || !tt_sim_cards[index])
		ret = -ENOENT;
	else
		tt_sim_card_destroy(index);
	mutex_unlock(&tt_sim_lock);

	return ret ? ret : count;
}

static const struct file_operations tt_sim_new_card_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = tt_sim_new_card_write,
	.llseek = noop_llseek,
};

static const struct file_operations tt_sim_del_card_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = tt_sim_del_card_write,
	.llseek = noop_llseek,
};

int tt_sim_init(void)
{
	unsigned int i;
	int ret;

	if (sim_cards > TT_SIM_MAX_CARDS) {
		pr_err("tenstorrent: sim_cards=%u is over the maximum of %d\n",
		       sim_cards, TT_SIM_MAX_CARDS);
		return -EINVAL;
	}

	ret = bus_register(&tt_sim_bus);
	if (ret)
		return ret;

	ret = driver_register(&tt_sim_driver);
	if (ret)
		goto err_unregister_bus;

	mutex_lock(&tt_sim_lock);
	for (i = 0; i < sim_cards; i++) {
		unsigned int mib = TT_SIM_DEFAULT_DRAM_MIB;

		if (i < sim_dram_mib_count && sim_dram_mib[i])
			mib = sim_dram_mib[i];

		ret = tt_sim_card_create(i, mib);
		if (ret)
			break;
	}
	mutex_unlock(&tt_sim_lock);
	if (ret)
		goto err_destroy_cards;

	tt_sim_debugfs = debugfs_create_dir("sim", tt_debugfs_root());
	debugfs_create_file("new_card", 0200, tt_sim_debugfs, NULL,
			    &tt_sim_new_card_fops);
	debugfs_create_file("del_card", 0200, tt_sim_debugfs, NULL,
			    &tt_sim_del_card_fops);
	return 0;

err_destroy_cards:
	tt_sim_cards_destroy();
	driver_unregister(&tt_sim_driver);
err_unregister_bus:
	bus_unregister(&tt_sim_bus);
	return ret;
}

void tt_sim_exit(void)
{
	debugfs_remove_recursive(tt_sim_debugfs);
	tt_sim_cards_destroy();
	driver_unregister(&tt_sim_driver);
	bus_unregister(&tt_sim_bus);
}
