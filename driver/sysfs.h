/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef TT_SYSFS_H
#define TT_SYSFS_H

#include <linux/sysfs.h>

#include "track.h"

/* Attributes of each class device tenstorrent!N, for its .groups */
extern const struct attribute_group *tt_sysfs_groups[];

void tt_sysfs_notify(struct tt_track_device *tdev);

#endif /* TT_SYSFS_H */
