// SPDX-License-Identifier: GPL-2.0-only
/*
 * Simulated cards: devices on a bus of their own ("tenstorrent_sim", as
 * netdevsim has), each bound by a driver that hands it to the device core
 * exactly as the PCI backend does. They let the driver, the tools and the
 * tests run on a machine with no card.
 */
#include <linux/device.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "device.h"
#include "sim.h"

#define TT_SIM_MAX_CARDS	16
/* A Wormhole n150's DRAM, the default size of a simulated card */
#define TT_SIM_DEFAULT_DRAM_MIB	(12 * 1024)

static unsigned int sim_cards;
module_param(sim_cards, uint, 0444);
MODULE_PARM_DESC(sim_cards,
		 "Number of simulated cards to create at load (0-16, default 0)");

static unsigned int sim_dram_mib[TT_SIM_MAX_CARDS];
static unsigned int sim_dram_mib_count;
module_param_array(sim_dram_mib, uint, &sim_dram_mib_count, 0444);
MODULE_PARM_DESC(sim_dram_mib,
		 "DRAM size in MiB of each simulated card, comma-separated (default 12288 each)");

/**
 * struct tt_sim_card - one simulated card
 * @dev: the card's device on the tenstorrent_sim bus ("ttsimN")
 * @info: what the device core is told about the card
 * @tdev: the device core's view, set while bound
 */
struct tt_sim_card {
	struct device dev;
	struct tt_card_info info;
	struct tt_device *tdev;
};

static struct tt_sim_card *tt_sim_cards[TT_SIM_MAX_CARDS];

static struct tt_sim_card *tt_sim_card_from_dev(struct device *dev)
{
	return container_of(dev, struct tt_sim_card, dev);
}

static int tt_sim_probe(struct device *dev)
{
	struct tt_sim_card *card = tt_sim_card_from_dev(dev);
	struct tt_device *tdev;

	tdev = tt_device_add(dev, &card->info);
	if (IS_ERR(tdev))
		return PTR_ERR(tdev);

	card->tdev = tdev;
	return 0;
}

static void tt_sim_remove(struct device *dev)
{
	struct tt_sim_card *card = tt_sim_card_from_dev(dev);

	tt_device_remove(card->tdev);
	card->tdev = NULL;
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

static int tt_sim_card_create(unsigned int index, u64 dram_size)
{
	struct tt_sim_card *card;
	int ret;

	card = kzalloc(sizeof(*card), GFP_KERNEL);
	if (!card)
		return -ENOMEM;

	card->info.name = "sim";
	card->info.dram_size = dram_size;
	card->dev.bus = &tt_sim_bus;
	card->dev.id = index;
	card->dev.release = tt_sim_card_release;

	ret = device_register(&card->dev);
	if (ret) {
		put_device(&card->dev);
		return ret;
	}

	tt_sim_cards[index] = card;
	return 0;
}

static void tt_sim_cards_destroy(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tt_sim_cards); i++) {
		if (!tt_sim_cards[i])
			continue;
		device_unregister(&tt_sim_cards[i]->dev);
		tt_sim_cards[i] = NULL;
	}
}

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

	for (i = 0; i < sim_cards; i++) {
		u64 mib = TT_SIM_DEFAULT_DRAM_MIB;

		if (i < sim_dram_mib_count && sim_dram_mib[i])
			mib = sim_dram_mib[i];

		ret = tt_sim_card_create(i, mib * SZ_1M);
		if (ret)
			goto err_destroy_cards;
	}

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
	tt_sim_cards_destroy();
	driver_unregister(&tt_sim_driver);
	bus_unregister(&tt_sim_bus);
}
