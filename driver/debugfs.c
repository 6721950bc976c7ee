// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-process and per-buffer detail in debugfs, for root:
 * /sys/kernel/debug/tenstorrent/<N>/processes and .../buffers. Return
 * values of debugfs calls are ignored, as debugfs wants: the driver works
 * the same without it.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "debugfs.h"
#include "device.h"

static struct dentry *tt_debugfs_dir;

static int tt_debugfs_processes_show(struct seq_file *m, void *unused)
{
	struct tt_device *card = m->private;

	return tt_track_show_files(m, &card->track);
}
DEFINE_SHOW_ATTRIBUTE(tt_debugfs_processes);

static int tt_debugfs_buffers_open(struct inode *inode, struct file *file)
{
	struct tt_track_cursor *c;

	c = __seq_open_private(file, &tt_track_records_seq_ops, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->tdev = &((struct tt_device *)inode->i_private)->track;
	return 0;
}

static const struct file_operations tt_debugfs_buffers_fops = {
	.owner = THIS_MODULE,
	.open = tt_debugfs_buffers_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release_private,
};

/**
 * tt_debugfs_add_device() - create /sys/kernel/debug/tenstorrent/<N>/
 * @card: the card
 *
 * Context: process context.
 */
void tt_debugfs_add_device(struct tt_device *card)
{
	char name[16];

	snprintf(name, sizeof(name), "%d", card->id);
	card->debugfs = debugfs_create_dir(name, tt_debugfs_dir);
	debugfs_create_file("processes", 0400, card->debugfs, card,
			    &tt_debugfs_processes_fops);
	debugfs_create_file("buffers", 0400, card->debugfs, card,
			    &tt_debugfs_buffers_fops);
}

/**
 * tt_debugfs_remove_device() - remove a card's debugfs directory
 * @card: the card
 *
 * Waits for readers inside its files to leave them.
 *
 * Context: process context; may sleep.
 */
void tt_debugfs_remove_device(struct tt_device *card)
{
	debugfs_remove_recursive(card->debugfs);
	card->debugfs = NULL;
}

/* /sys/kernel/debug/tenstorrent, for the backends' own files too */
struct dentry *tt_debugfs_root(void)
{
	return tt_debugfs_dir;
}

void tt_debugfs_init(void)
{
	tt_debugfs_dir = debugfs_create_dir("tenstorrent", NULL);
}

void tt_debugfs_exit(void)
{
	debugfs_remove_recursive(tt_debugfs_dir);
}
