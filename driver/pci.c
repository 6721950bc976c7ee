// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCI backend: binds Tenstorrent Wormhole and Blackhole functions and hands
 * them to the device core. Grayskull is matched only to be refused with a
 * clear message instead of being silently ignored.
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/sizes.h>

#include "device.h"
#include "pci.h"

#define PCI_VENDOR_ID_TENSTORRENT		0x1e52
#define PCI_DEVICE_ID_TENSTORRENT_GRAYSKULL	0xfaca
#define PCI_DEVICE_ID_TENSTORRENT_WORMHOLE	0x401e
#define PCI_DEVICE_ID_TENSTORRENT_BLACKHOLE	0xb140

/*
 * Index into tt_pci_cards, kept in the id table's driver_data. new_id only
 * accepts driver_data values found in the table, so a test can bind another
 * PCI device as any of these families; 0 is none of them.
 */
enum tt_pci_card {
	TT_PCI_WORMHOLE = 1,
	TT_PCI_BLACKHOLE,
	TT_PCI_GRAYSKULL,
};

/*
 * Memory per ASIC, the most any board of the family has, so that no true
 * report is refused. DRAM: one Wormhole ASIC (n150, each half of an n300)
 * has 12 GiB; Blackhole p150 has 32 GiB (p100: 28 GiB). L1: every core of
 * the die, harvested or not: Wormhole 80 Tensix cores of 1464 KiB and 16
 * Ethernet cores of 256 KiB; Blackhole 140 Tensix cores of 1536 KiB and 14
 * Ethernet cores of 512 KiB.
 */
#define TT_PCI_WORMHOLE_L1	(80ULL * 1464 * SZ_1K + 16ULL * 256 * SZ_1K)
#define TT_PCI_BLACKHOLE_L1	(140ULL * 1536 * SZ_1K + 14ULL * 512 * SZ_1K)

static const struct tt_card_info tt_pci_cards[] = {
	[TT_PCI_WORMHOLE] = {
		.name = "wormhole",
		.dram_size = 12ULL * SZ_1G,
		.l1_size = TT_PCI_WORMHOLE_L1,
	},
	[TT_PCI_BLACKHOLE] = {
		.name = "blackhole",
		.dram_size = 32ULL * SZ_1G,
		.l1_size = TT_PCI_BLACKHOLE_L1,
	},
	[TT_PCI_GRAYSKULL] = { .name = "grayskull" },
};

static int tt_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct tt_device *card;
	int ret;

	if (id->driver_data >= ARRAY_SIZE(tt_pci_cards) ||
	    !tt_pci_cards[id->driver_data].name)
		return -ENODEV;

	if (id->driver_data == TT_PCI_GRAYSKULL) {
		dev_err(&pdev->dev,
			"Grayskull is not supported by this driver\n");
		return -ENODEV;
	}

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	card = tt_device_add(&pdev->dev, &tt_pci_cards[id->driver_data]);
	if (IS_ERR(card))
		return PTR_ERR(card);

	pci_set_drvdata(pdev, card);
	return 0;
}

static void tt_pci_remove(struct pci_dev *pdev)
{
	tt_device_remove(pci_get_drvdata(pdev));
}

static const struct pci_device_id tt_pci_ids[] = {
	{ PCI_VDEVICE(TENSTORRENT, PCI_DEVICE_ID_TENSTORRENT_WORMHOLE),
	  .driver_data = TT_PCI_WORMHOLE },
	{ PCI_VDEVICE(TENSTORRENT, PCI_DEVICE_ID_TENSTORRENT_BLACKHOLE),
	  .driver_data = TT_PCI_BLACKHOLE },
	{ PCI_VDEVICE(TENSTORRENT, PCI_DEVICE_ID_TENSTORRENT_GRAYSKULL),
	  .driver_data = TT_PCI_GRAYSKULL },
	{ }
};
MODULE_DEVICE_TABLE(pci, tt_pci_ids);

static struct pci_driver tt_pci_driver = {
	.name = "tenstorrent",
	.id_table = tt_pci_ids,
	.probe = tt_pci_probe,
	.remove = tt_pci_remove,
};

int tt_pci_init(void)
{
	return pci_register_driver(&tt_pci_driver);
}

void tt_pci_exit(void)
{
	pci_unregister_driver(&tt_pci_driver);
}
