/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef TT_DEBUGFS_H
#define TT_DEBUGFS_H

struct dentry;
struct tt_device;

void tt_debugfs_init(void);
void tt_debugfs_exit(void);
struct dentry *tt_debugfs_root(void);
void tt_debugfs_add_device(struct tt_device *card);
void tt_debugfs_remove_device(struct tt_device *card);

#endif /* TT_DEBUGFS_H */
