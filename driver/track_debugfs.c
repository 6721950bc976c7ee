// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tracking core's views: in debugfs, one line per open file of a card
 * (tt_track_show_files()) and every record of a card, walked one seq_file
 * buffer at a time (tt_track_records_seq_ops); in /proc/PID/fdinfo, an
 * open file's own usage (tt_track_show_fdinfo()). The host driver creates
 * the files; a debugfs reader pins and locks one open file at a time, so
 * open() and close() of the card's files never wait for it.
 */
#include <linux/cgroup.h>
#include <linux/limits.h>
#include <linux/nsproxy.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>
#include <linux/wait_bit.h>
#include <linux/xarray.h>

#include "track_internal.h"

static const char *const tt_track_type_names[] = {
	TENSTORRENT_BUFFER_TYPE_NAMES
};

static_assert(ARRAY_SIZE(tt_track_type_names) == TT_BUFFER_TYPE_COUNT);

/*
 * The first file of @tdev at index *@id or after (*@id set to its index),
 * pinned so that its release waits for tt_track_file_unpin(); NULL past
 * the last. Only the xarray's spinlock is taken, for the lookup: a reader
 * never holds anything that open() or close() needs while it sleeps on a
 * file's lock.
 */
static struct tt_track_file *tt_track_file_pin(struct tt_track_device *tdev,
					       unsigned long *id)
{
	struct tt_track_file *tfile;

	xa_lock(&tdev->files);
	tfile = xa_find(&tdev->files, id, ULONG_MAX, XA_PRESENT);
	if (tfile)
		atomic_inc(&tfile->readers);
	xa_unlock(&tdev->files);
	return tfile;
}

static void tt_track_file_unpin(struct tt_track_file *tfile)
{
	if (atomic_dec_and_test(&tfile->readers))
		wake_up_var(&tfile->readers);
}

/* A command name as one field of a debugfs line; \\000 when empty */
static void tt_track_show_comm(struct seq_file *m, const char *comm)
{
	char buf[TT_TRACK_COMM_BUF];

	tt_track_escape_comm(buf, comm);
	seq_puts(m, *buf ? buf : "\\000");
}

/*
 * A file's cgroup as one field: its path as the reader's cgroup namespace
 * sees it (as in /proc/PID/cgroup), escaped as a command name is; "-" when
 * it has none (no cgroups in the kernel) or the path does not fit in @buf
 * (PATH_MAX bytes). Every path starts with '/', so "-" is no path.
 * Context: process context; may sleep (takes the cgroup core's lock).
 */
static void tt_track_show_cgroup(struct seq_file *m, struct cgroup *cgrp,
				 char *buf)
{
	char e[4];
	int len = -ENOENT;
	int i;

#ifdef CONFIG_CGROUPS
	if (cgrp)
		len = cgroup_path_ns(cgrp, buf, PATH_MAX,
				     current->nsproxy->cgroup_ns);
#endif
	if (len <= 0 || len >= PATH_MAX) {
		seq_putc(m, '-');
		return;
	}
	for (i = 0; i < len; i++)
		seq_write(m, e, tt_track_escape_byte(e, buf[i]));
}

/**
 * tt_track_show_files() - one line per open file of a card
 * @m: the seq_file to print to
 * @tdev: the card
 *
 * Columns: pid (in the reader's pid namespace, 0 when not visible there),
 * uid (in the reader's user namespace), comm (escaped), buffers, bytes live
 * and peak per buffer type, then the opener's cgroup (escaped; in the
 * reader's cgroup namespace). Each line but its cgroup is read at one
 * instant; a file's cgroup is fixed at open.
 *
 * Context: process context; pins and locks one file at a time, for its
 * line: open() and close() of the card's files do not wait for the walk.
 * Return: 0, or -ENOMEM.
 */
int tt_track_show_files(struct seq_file *m, struct tt_track_device *tdev)
{
	struct tt_track_file *tfile;
	unsigned long id;
	unsigned int t;
	char *path;

	path = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!path)
		return -ENOMEM;

	seq_puts(m, "pid uid comm buffers");
	for (t = 0; t < TT_BUFFER_TYPE_COUNT; t++)
		seq_printf(m, " %s", tt_track_type_names[t]);
	for (t = 0; t < TT_BUFFER_TYPE_COUNT; t++)
		seq_printf(m, " %s_peak", tt_track_type_names[t]);
	seq_puts(m, " cgroup\n");

	for (id = 0; (tfile = tt_track_file_pin(tdev, &id)); id++) {
		mutex_lock(&tfile->lock);
		seq_printf(m, "%d %u ", pid_vnr(tfile->pid),
			   from_kuid_munged(current_user_ns(), tfile->uid));
		tt_track_show_comm(m, tfile->comm);
		seq_printf(m, " %lu", tfile->records.count);
		for (t = 0; t < TT_BUFFER_TYPE_COUNT; t++)
			seq_printf(m, " %llu", tfile->totals.allocated[t]);
		for (t = 0; t < TT_BUFFER_TYPE_COUNT; t++)
			seq_printf(m, " %llu", tfile->totals.peak[t]);
		mutex_unlock(&tfile->lock);
		/* outside the file's lock: the cgroup core's may sleep */
		seq_putc(m, ' ');
		tt_track_show_cgroup(m, tfile->cgrp, path);
		seq_putc(m, '\n');
		tt_track_file_unpin(tfile);
		cond_resched();
	}
	kfree(path);
	return 0;
}

/**
 * tt_track_show_fdinfo() - an open file's usage, for /proc/PID/fdinfo/FD
 * @m: the fdinfo seq_file, after the host driver's own keys
 * @tfile: the file
 *
 * Keys in the manner of the kernel's DRM usage stats
 * (Documentation/gpu/drm-usage-stats.rst), prefixed "tt-": the file's
 * client id, its live records, then for each buffer type its bytes live
 * ("tt-total-<type>") and their peak ("tt-peak-<type>"), in bytes, read
 * at one instant.
 *
 * Context: process context; takes the file's lock.
 */
void tt_track_show_fdinfo(struct seq_file *m, struct tt_track_file *tfile)
{
	unsigned int t;

	mutex_lock(&tfile->lock);
	seq_printf(m, "tt-client-id:\t%llu\n", tfile->client_id);
	seq_printf(m, "tt-buffers:\t%lu\n", tfile->records.count);
	for (t = 0; t < TT_BUFFER_TYPE_COUNT; t++)
		seq_printf(m, "tt-total-%s:\t%llu\n", tt_track_type_names[t],
			   tfile->totals.allocated[t]);
	for (t = 0; t < TT_BUFFER_TYPE_COUNT; t++)
		seq_printf(m, "tt-peak-%s:\t%llu\n", tt_track_type_names[t],
			   tfile->totals.peak[t]);
	mutex_unlock(&tfile->lock);
}

/*
 * Records a walk lists with a file pinned and locked, at most: a seek far
 * into the dump (seq_file's traverse() goes there record by record) lets
 * go of the file, and lets others run, this often.
 */
#define TT_TRACK_CURSOR_BATCH	64

/* Let go of the cursor's file, if it holds one; the cursor stays put. */
static void tt_track_cursor_put(struct tt_track_cursor *c)
{
	if (!c->tfile)
		return;
	mutex_unlock(&c->tfile->lock);
	tt_track_file_unpin(c->tfile);
	c->tfile = NULL;
}

/* The cursor's file has no more records: on to the next file. */
static void tt_track_cursor_next_file(struct tt_track_cursor *c)
{
	tt_track_cursor_put(c);
	c->file_id++;
	c->at.valid = false;
}

/*
 * The record at or after the cursor, moving on to the next file as they
 * run out; NULL at the end. Holds the file it returns a record of pinned
 * and locked.
 */
static struct tt_track_record *tt_track_cursor_find(struct tt_track_cursor *c)
{
	struct tt_track_device *tdev = c->tdev;
	struct tt_track_record *rec;
	unsigned long id;

	for (;;) {
		if (!c->tfile) {
			id = c->file_id;
			c->tfile = tt_track_file_pin(tdev, &id);
			if (!c->tfile)
				return NULL;
			mutex_lock(&c->tfile->lock);
			/* the file the cursor was in has closed: the next one */
			if (id != c->file_id) {
				c->file_id = id;
				c->at.valid = false;
			}
		}
		/*
		 * The walk order does not depend on the table: records that
		 * came or went, or a resize, since the last read move nothing.
		 */
		rec = tt_track_store_walk(&c->tfile->records, &c->at);
		if (rec)
			return rec;
		tt_track_cursor_next_file(c);
	}
}

/* Step past the record at the cursor, now and then letting go of its file */
static void tt_track_cursor_advance(struct tt_track_cursor *c)
{
	c->pos++;
	c->at.after = true;
	if (!(c->pos % TT_TRACK_CURSOR_BATCH)) {
		tt_track_cursor_put(c);
		cond_resched();
	}
}

static void tt_track_cursor_reset(struct tt_track_cursor *c)
{
	c->file_id = 0;
	c->at.valid = false;
	c->pos = 0;
}

static void *tt_track_records_start(struct seq_file *m, loff_t *pos)
{
	struct tt_track_cursor *c = m->private;
	struct tt_track_record *rec;

	c->tfile = NULL;
	c->now = tt_track_stamp();
	if (*pos == 0)
		return SEQ_START_TOKEN;

	/*
	 * Reads go on where the last stopped: the cursor is at *pos. Any
	 * other position (a seek) walks there from the start.
	 */
	if (*pos - 1 < c->pos)
		tt_track_cursor_reset(c);
	rec = tt_track_cursor_find(c);
	while (rec && c->pos < *pos - 1) {
		tt_track_cursor_advance(c);
		rec = tt_track_cursor_find(c);
	}
	return rec;
}

static void *tt_track_records_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct tt_track_cursor *c = m->private;

	++*pos;
	if (v == SEQ_START_TOKEN)
		tt_track_cursor_reset(c);
	else
		tt_track_cursor_advance(c);
	return tt_track_cursor_find(c);
}

static void tt_track_records_stop(struct seq_file *m, void *v)
{
	tt_track_cursor_put(m->private);
}

/* One line per record: owner pid, buffer id, type, size, refs, age in ms. */
static int tt_track_records_show(struct seq_file *m, void *v)
{
	struct tt_track_cursor *c = m->private;
	struct tt_track_record *rec = v;

	if (v == SEQ_START_TOKEN) {
		seq_puts(m, "pid buffer_id type size refs age_ms\n");
		return 0;
	}

	seq_printf(m, "%d 0x%llx %s %llu %u %llu\n", pid_vnr(c->tfile->pid),
		   rec->id, tt_track_type_names[rec->type], (u64)rec->size,
		   (unsigned int)rec->refs,
		   tt_track_stamp_age_ms(rec->stamp, c->now));
	return 0;
}

/*
 * Walks every record of a card, one seq_file buffer at a time: a file is
 * pinned and locked from start() to stop() only, and for at most
 * TT_TRACK_CURSOR_BATCH records, so a dump of a million records, or a seek
 * to its end, never holds a file across the whole walk, never makes open()
 * or close() wait for it, and each line is consistent.
 * Records are listed by file, in an order of their hashes (not sorted by
 * id); a record live for the whole of a dump is listed exactly once.
 */
const struct seq_operations tt_track_records_seq_ops = {
	.start = tt_track_records_start,
	.next = tt_track_records_next,
	.stop = tt_track_records_stop,
	.show = tt_track_records_show,
};
