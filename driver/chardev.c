// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/tenstorrent/N: open, release and ioctl dispatch. Each open file has
 * its own context; records user space reports through it belong to the file,
 * not to the process, so they follow the file across fork() and go away when
 * its last reference is closed, also when the process crashed.
 */
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "chardev.h"
#include "device.h"
#include "track.h"

/**
 * struct tt_file - per-open-file context
 * @card: the card; a reference is held for the life of the file
 * @track: the allocation records reported through this file
 */
struct tt_file {
	struct tt_device *card;
	struct tt_track_file track;
};

static int tt_chardev_open(struct inode *inode, struct file *file)
{
	struct tt_device *card = container_of(inode->i_cdev, struct tt_device,
					      cdev);
	struct tt_file *ctx;
	int ret = 0;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return -ENOMEM;

	mutex_lock(&card->lock);
	if (card->removed)
		ret = -ENODEV;
	else
		get_device(&card->dev);
	mutex_unlock(&card->lock);
	if (ret) {
		kfree(ctx);
		return ret;
	}

	ret = tt_track_file_init(&ctx->track, &card->track);
	if (ret) {
		put_device(&card->dev);
		kfree(ctx);
		return ret;
	}

	ctx->card = card;
	file->private_data = ctx;
	return nonseekable_open(inode, file);
}

static int tt_chardev_release(struct inode *inode, struct file *file)
{
	struct tt_file *ctx = file->private_data;

	tt_track_file_release(&ctx->track);
	put_device(&ctx->card->dev);
	kfree(ctx);
	return 0;
}

static long tt_chardev_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	struct tt_file *ctx = file->private_data;

	/*
	 * No lock: an ioctl racing the removal may still update the records,
	 * which stay valid until the file is released.
	 */
	if (READ_ONCE(ctx->card->removed))
		return -ENODEV;

	return tt_track_ioctl(&ctx->track, cmd, (void __user *)arg,
			      file->f_mode & FMODE_WRITE);
}

/*
 * /proc/PID/fdinfo/FD of a card's file, which the kernel lets only the
 * process's owner (and root) read: which driver and card, then the file's
 * own usage (tt_track_show_fdinfo()). A user sees their own processes'
 * usage here without root, where debugfs shows everyone's to root only.
 */
static void tt_chardev_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct tt_file *ctx = file->private_data;

	seq_printf(m, "tt-driver:\t%s\n", KBUILD_MODNAME);
	seq_printf(m, "tt-pdev:\t%s\n", ctx->card->bus_id);
	seq_printf(m, "tt-card:\t%d\n", ctx->card->id);
	tt_track_show_fdinfo(m, &ctx->track);
}

/**
 * tt_chardev_track_file() - the tracking file behind an open card file
 * @file: any open file, e.g. a batch operation's target
 *
 * Context: process context; the caller holds a reference to @file.
 * Return: the records of @file, or ERR_PTR(-ENOTTY) when it is not a card's
 * file, -EBADF when it is not open for writing, -ENODEV when its card has
 * been removed.
 */
struct tt_track_file *tt_chardev_track_file(struct file *file)
{
	struct tt_file *ctx = file->private_data;

	if (file->f_op != &tt_chardev_fops)
		return ERR_PTR(-ENOTTY);
	if (!(file->f_mode & FMODE_WRITE))
		return ERR_PTR(-EBADF);
	if (READ_ONCE(ctx->card->removed))
		return ERR_PTR(-ENODEV);
	return &ctx->track;
}

const struct file_operations tt_chardev_fops = {
	.owner = THIS_MODULE,
	.open = tt_chardev_open,
	.release = tt_chardev_release,
	.unlocked_ioctl = tt_chardev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.show_fdinfo = tt_chardev_show_fdinfo,
};
