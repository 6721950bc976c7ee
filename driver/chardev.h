/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef TT_CHARDEV_H
#define TT_CHARDEV_H

#include <linux/fs.h>

/* File operations of /dev/tenstorrent/N */
extern const struct file_operations tt_chardev_fops;

struct tt_track_file *tt_chardev_track_file(struct file *file);

#endif /* TT_CHARDEV_H */
