// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tracking ioctls: version 2 (uapi/tenstorrent_track.h) and version 1
 * (track_abi1.h), served side by side, the batch, and the table
 * tt_track_ioctl() dispatches from. The handlers check what user space
 * passed and leave the records and totals to the core (track.c).
 */
#include <linux/file.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "track_internal.h"
#include "track_abi1.h"

/* The tracking file behind an open file, for a batch operation's target */
static struct tt_track_file *(*tt_track_file_of)(struct file *file);

/* Errors version 1 did not have, as version 1 named the same cases */
static int tt_track_v1_errno(int err)
{
	switch (err) {
	case -ERANGE:
		return -EOVERFLOW;
	case -EDQUOT:
		return -ENOSPC;
	default:
		return err;
	}
}

static long tt_track_ioctl_alloc(struct tt_track_file *tfile, void *data)
{
	struct tenstorrent_track_alloc *arg = data;

	return tt_track_alloc(tfile, arg->in.buffer_id, arg->in.size,
			      arg->in.buffer_type, arg->in.flags, &arg->out);
}

static long tt_track_ioctl_free(struct tt_track_file *tfile, void *data)
{
	struct tenstorrent_track_free *arg = data;

	return tt_track_free(tfile, arg->in.buffer_id, arg->in.buffer_type,
			     arg->in.flags, &arg->out);
}

static void tt_track_totals_to_user(const struct tt_track_totals *t,
				    u64 *allocated, u64 *peak, u64 *buffers)
{
	memcpy(allocated, t->allocated, sizeof(t->allocated));
	memcpy(peak, t->peak, sizeof(t->peak));
	memcpy(buffers, t->buffers, sizeof(t->buffers));
}

static int tt_track_query(struct tt_track_file *tfile,
			  struct tenstorrent_query_alloc_stats_out *out)
{
	struct tt_track_device *tdev = tfile->tdev;

	static_assert(sizeof(out->allocated) == sizeof(tdev->totals.allocated));

	memset(out, 0, sizeof(*out));
	if (mutex_lock_killable(&tfile->lock))
		return -EINTR;
	tt_track_totals_to_user(&tfile->totals, out->file.allocated,
				out->file.peak, out->file.buffers);
	spin_lock(&tdev->lock);
	tt_track_totals_to_user(&tdev->totals, out->allocated, out->peak,
				out->buffers);
	out->open_files = tdev->open_files;
	spin_unlock(&tdev->lock);
	mutex_unlock(&tfile->lock);
	return 0;
}

static long tt_track_ioctl_query(struct tt_track_file *tfile, void *data)
{
	struct tenstorrent_query_alloc_stats *arg = data;

	if (arg->in.flags || arg->in.pad)
		return -EINVAL;
	return tt_track_query(tfile, &arg->out);
}

/*
 * A batch applies operations to the calling file and, with
 * TENSTORRENT_TRACK_TARGET, to other tracking files of the caller (ops of
 * version 1's 24 bytes have no fd: the flag is unknown to them). It holds
 * one file's lock at a time, from one operation to the next while they go
 * to the same file, and a reference to a target's file while it is locked.
 */
struct tt_track_batch {
	struct tt_track_file *self;
	struct tt_track_file *locked;
	struct file *held;
	bool v1;
	bool has_fd;
};

static void tt_track_batch_unlock(struct tt_track_batch *b)
{
	if (b->locked)
		mutex_unlock(&b->locked->lock);
	if (b->held)
		fput(b->held);
	b->locked = NULL;
	b->held = NULL;
}

/* Lock the file @op applies to: the caller's or its target */
static int tt_track_batch_lock(struct tt_track_batch *b,
			       const struct tenstorrent_track_op *op)
{
	struct tt_track_file *target = b->self;
	struct file *file = NULL;

	if (op->flags & TENSTORRENT_TRACK_TARGET) {
		file = fget(op->fd);
		if (!file)
			return -EBADF;
		target = tt_track_file_of ? tt_track_file_of(file) :
					    ERR_PTR(-ENOTTY);
		if (IS_ERR(target)) {
			fput(file);
			return PTR_ERR(target);
		}
	} else if (op->fd) {
		return -EINVAL;
	}

	if (target == b->locked) {
		if (file)
			fput(file);
		return 0;
	}
	tt_track_batch_unlock(b);
	if (mutex_lock_killable(&target->lock)) {
		if (file)
			fput(file);
		return -EINTR;
	}
	b->locked = target;
	b->held = file;
	return 0;
}

static int tt_track_batch_op(struct tt_track_batch *b,
			     const struct tenstorrent_track_op *op)
{
	u32 known = b->v1 ? 0 : TENSTORRENT_TRACK_REF | TENSTORRENT_TRACK_TYPED;
	u32 flags = op->flags & ~TENSTORRENT_TRACK_TARGET;
	int ret;

	if (b->has_fd)
		known |= TENSTORRENT_TRACK_TARGET;

	if ((op->flags & ~known) || op->reserved)
		return -EINVAL;
	switch (op->op) {
	case TENSTORRENT_TRACK_OP_ALLOC:
		if (flags & ~TENSTORRENT_TRACK_REF)
			return -EINVAL;
		if (b->v1 && op->buffer_type >= TT_TRACK_V1_TYPES)
			return -EINVAL;
		break;
	case TENSTORRENT_TRACK_OP_FREE:
		if ((flags & ~TENSTORRENT_TRACK_TYPED) || op->size)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}

	ret = tt_track_batch_lock(b, op);
	if (ret)
		return ret;
	if (op->op == TENSTORRENT_TRACK_OP_ALLOC)
		return __tt_track_alloc(b->locked, op->buffer_id, op->size,
					op->buffer_type,
					flags | (b->v1 ? TT_TRACK_UNIQUE_ID : 0),
					NULL);
	return __tt_track_free(b->locked, op->buffer_id, op->buffer_type, flags,
			       NULL);
}

/* Operations copied and applied per lock hold; 512 bytes of stack. */
#define TT_TRACK_BATCH_CHUNK	16

/*
 * Copy @n operations of @op_size bytes each from @uops into @ops, shorter
 * ones zero-extended, longer ones only when their tail is zero. Return 0,
 * or the error of the first that cannot be copied, *@n set to its index.
 */
static int tt_track_batch_read(struct tenstorrent_track_op *ops,
			       const u8 __user *uops, u32 op_size, u32 *n)
{
	u32 i;
	int err;

	if (op_size == sizeof(*ops) &&
	    !copy_from_user(ops, uops, *n * sizeof(*ops)))
		return 0;
	/* one at a time: exactly the operations before a fault are applied */
	for (i = 0; i < *n; i++) {
		err = copy_struct_from_user(&ops[i], sizeof(*ops),
					    uops + (size_t)i * op_size,
					    op_size);
		if (err) {
			*n = i;
			return err;
		}
	}
	return 0;
}

/*
 * Apply @count operations of @op_size bytes at @uops; the number applied
 * goes to *@done. Return 0 or the errno of the operation at *@done.
 */
static int tt_track_batch_run(struct tt_track_file *tfile, u64 uops,
			      u32 count, u32 op_size, bool v1, u32 *done)
{
	struct tenstorrent_track_op ops[TT_TRACK_BATCH_CHUNK];
	struct tt_track_batch b = {
		.self = tfile, .v1 = v1,
		.has_fd = op_size >= offsetofend(struct tenstorrent_track_op, fd),
	};
	const u8 __user *uptr = u64_to_user_ptr(uops);
	int ret = 0;

	*done = 0;
	while (!ret && *done < count) {
		u32 n = min_t(u32, count - *done, TT_TRACK_BATCH_CHUNK);
		u32 i;

		ret = tt_track_batch_read(ops, uptr + (size_t)*done * op_size,
					  op_size, &n);
		for (i = 0; i < n; i++) {
			int err = tt_track_batch_op(&b, &ops[i]);

			if (err) {
				ret = err;
				break;
			}
			(*done)++;
		}
		/* others get the file between chunks */
		tt_track_batch_unlock(&b);
	}
	return ret;
}

/* A batch's answer before it runs: nothing done, no op failed */
static void tt_track_batch_none(void *data)
{
	struct tenstorrent_track_batch *arg = data;

	arg->out.processed = 0;
	arg->out.failed = TENSTORRENT_TRACK_BATCH_NONE;
}

static long tt_track_ioctl_batch(struct tt_track_file *tfile, void *data)
{
	struct tenstorrent_track_batch *arg = data;
	u32 op_size = arg->in.op_size ?: sizeof(struct tenstorrent_track_op);
	int ret;

	tt_track_batch_none(arg);
	if (arg->in.flags || arg->in.reserved || !arg->in.count ||
	    arg->in.count > TENSTORRENT_TRACK_BATCH_MAX ||
	    op_size < TT_TRACK_V1_OP_SIZE || op_size % 8)
		return -EINVAL;

	ret = tt_track_batch_run(tfile, arg->in.ops, arg->in.count, op_size,
				 false, &arg->out.processed);
	if (ret)
		arg->out.failed = arg->out.processed;
	return ret;
}

static long tt_track_ioctl_info(struct tt_track_file *tfile, void *data)
{
	struct tenstorrent_tracking_info *arg = data;
	struct tenstorrent_tracking_info_out *out = &arg->out;

	if (arg->in.flags || arg->in.pad)
		return -EINVAL;

	memset(out, 0, sizeof(*out));
	out->abi_version = TENSTORRENT_TRACK_ABI_VERSION;
	out->buffer_types = GENMASK(TT_BUFFER_TYPE_COUNT - 1, 0);
	out->alloc_flags = TENSTORRENT_TRACK_REF;
	out->batch_max = TENSTORRENT_TRACK_BATCH_MAX;
	out->max_records = READ_ONCE(tt_track_max_records);
	out->free_flags = TENSTORRENT_TRACK_TYPED;
	out->op_flags = TENSTORRENT_TRACK_REF | TENSTORRENT_TRACK_TYPED |
			TENSTORRENT_TRACK_TARGET;
	out->op_size = sizeof(struct tenstorrent_track_op);
	out->max_user_records = tt_track_user_records();
	return 0;
}

/* Version 1: one id per file whatever the type, five types, its errnos */

static long tt_track_v1_ioctl_alloc(struct tt_track_file *tfile, void *data)
{
	struct tt_track_v1_alloc *arg = data;
	struct tenstorrent_track_alloc_out out;
	int ret;

	if (arg->in.flags || arg->in.reserved ||
	    arg->in.buffer_type >= TT_TRACK_V1_TYPES)
		return -EINVAL;
	if (mutex_lock_killable(&tfile->lock))
		return -EINTR;
	ret = __tt_track_alloc(tfile, arg->in.buffer_id, arg->in.size,
			       arg->in.buffer_type, TT_TRACK_UNIQUE_ID, &out);
	mutex_unlock(&tfile->lock);
	if (ret)
		return tt_track_v1_errno(ret);
	arg->out.file_allocated = out.file_allocated;
	arg->out.device_allocated = out.device_allocated;
	return 0;
}

static long tt_track_v1_ioctl_free(struct tt_track_file *tfile, void *data)
{
	struct tt_track_v1_free *arg = data;
	struct tenstorrent_track_free_out out;
	int ret;

	if (arg->in.flags || arg->in.reserved)
		return -EINVAL;
	ret = tt_track_free(tfile, arg->in.buffer_id, 0, 0, &out);
	if (ret)
		return ret;
	arg->out.size = out.size;
	arg->out.buffer_type = out.buffer_type;
	arg->out.reserved = 0;
	return 0;
}

static long tt_track_v1_ioctl_query(struct tt_track_file *tfile, void *data)
{
	struct tt_track_v1_query *arg = data;

	if (arg->in.flags || arg->in.reserved)
		return -EINVAL;
	return tt_track_query(tfile, &arg->out);
}

static void tt_track_v1_batch_none(void *data)
{
	struct tt_track_v1_batch *arg = data;

	arg->out.processed = 0;
	arg->out.reserved = 0;
}

static long tt_track_v1_ioctl_batch(struct tt_track_file *tfile, void *data)
{
	struct tt_track_v1_batch *arg = data;
	int ret;

	tt_track_v1_batch_none(arg);
	if (arg->in.flags || arg->in.reserved || !arg->in.count ||
	    (arg->in.op_size && arg->in.op_size != TT_TRACK_V1_OP_SIZE))
		return -EINVAL;
	if (arg->in.count > TENSTORRENT_TRACK_BATCH_MAX)
		return -E2BIG;
	ret = tt_track_batch_run(tfile, arg->in.ops, arg->in.count,
				 TT_TRACK_V1_OP_SIZE, true,
				 &arg->out.processed);
	return tt_track_v1_errno(ret);
}

static long tt_track_v1_ioctl_info(struct tt_track_file *tfile, void *data)
{
	struct tt_track_v1_info *arg = data;

	if (arg->in.flags || arg->in.reserved)
		return -EINVAL;
	memset(&arg->out, 0, sizeof(arg->out));
	arg->out.abi_version = 1;
	arg->out.buffer_types = GENMASK(TT_TRACK_V1_TYPES - 1, 0);
	arg->out.batch_max = TENSTORRENT_TRACK_BATCH_MAX;
	arg->out.max_records = READ_ONCE(tt_track_max_records);
	return 0;
}

/**
 * struct tt_track_ioctl_desc - one tracking ioctl
 * @cmd: its command; the size in it is the struct's size in this driver,
 *	which is also the smallest accepted: the first of its ABI version
 * @fn: the handler, given the struct in kernel memory
 * @changes: @fn changes records: it needs a file open for writing, and
 *	the struct is probed for writing first (tt_track_probe_writable()),
 *	so a pointer that cannot be written fails before any change, and a
 *	failure to copy the result back after it is not reported
 * @out_on_error: copy the struct back even when @fn fails
 * @refused: when set, fills the struct's answer of a call refused before
 *	@fn ran (a file not open for writing), for @out_on_error
 */
struct tt_track_ioctl_desc {
	unsigned int cmd;
	long (*fn)(struct tt_track_file *tfile, void *data);
	bool changes;
	bool out_on_error;
	void (*refused)(void *data);
};

static const struct tt_track_ioctl_desc tt_track_ioctls[] = {
	{ TENSTORRENT_IOCTL_TRACK_ALLOC, tt_track_ioctl_alloc, true },
	{ TENSTORRENT_IOCTL_TRACK_FREE, tt_track_ioctl_free, true },
	{ TENSTORRENT_IOCTL_QUERY_ALLOC_STATS, tt_track_ioctl_query },
	{ TENSTORRENT_IOCTL_TRACK_BATCH, tt_track_ioctl_batch, true, true,
	  tt_track_batch_none },
	{ TENSTORRENT_IOCTL_GET_TRACKING_INFO, tt_track_ioctl_info },
	{ TT_TRACK_V1_ALLOC, tt_track_v1_ioctl_alloc, true },
	{ TT_TRACK_V1_FREE, tt_track_v1_ioctl_free, true },
	{ TT_TRACK_V1_QUERY, tt_track_v1_ioctl_query },
	{ TT_TRACK_V1_BATCH, tt_track_v1_ioctl_batch, true, true,
	  tt_track_v1_batch_none },
	{ TT_TRACK_V1_INFO, tt_track_v1_ioctl_info },
};

union tt_track_ioctl_arg {
	struct tenstorrent_track_alloc alloc;
	struct tenstorrent_track_free free;
	struct tenstorrent_query_alloc_stats query;
	struct tenstorrent_track_batch batch;
	struct tenstorrent_tracking_info info;
	struct tt_track_v1_alloc v1_alloc;
	struct tt_track_v1_free v1_free;
	struct tt_track_v1_query v1_query;
	struct tt_track_v1_batch v1_batch;
	struct tt_track_v1_info v1_info;
};

/*
 * Can the caller's struct, just copied in to @karg, be written back? Its
 * first and last bytes are written back as they were read: a struct
 * smaller than a page lies on at most two pages, one under each. Before
 * a change, so that -EFAULT always means nothing changed; two bytes, not
 * the whole struct, since every TRACK_ALLOC and TRACK_FREE pays for it.
 */
static int tt_track_probe_writable(void __user *uarg, const void *karg,
				   unsigned int size)
{
	const u8 *k = karg;
	u8 __user *u = uarg;

	BUILD_BUG_ON(sizeof(union tt_track_ioctl_arg) > PAGE_SIZE);
	if (put_user(k[0], u) || put_user(k[size - 1], u + size - 1))
		return -EFAULT;
	return 0;
}

/**
 * tt_track_ioctl() - run a tracking ioctl on a file
 * @tfile: the file
 * @cmd: the ioctl command; its size field gives the size of user space's
 *	struct, which may be older or newer than the driver's
 * @uarg: the struct in user memory
 * @writable: the file is open for writing (FMODE_WRITE); the ioctls that
 *	change records need it
 *
 * Context: process context; may sleep. The calls wait for the file's
 * lock killably: behind a long wait (another call in memory reclaim, a
 * debugfs reader) a task being killed is not held up.
 * Return: 0 or a negative errno as the uapi header describes; -ENOTTY when
 * @cmd is not a tracking ioctl, so the caller may try others; -EINTR when
 * the task was killed while it waited (user space never sees it).
 */
long tt_track_ioctl(struct tt_track_file *tfile, unsigned int cmd,
		    void __user *uarg, bool writable)
{
	const struct tt_track_ioctl_desc *desc = NULL;
	unsigned int usize = _IOC_SIZE(cmd), ksize;
	union tt_track_ioctl_arg karg;
	unsigned int i;
	long ret;
	int err;

	for (i = 0; i < ARRAY_SIZE(tt_track_ioctls); i++) {
		if (_IOC_NR(cmd) == _IOC_NR(tt_track_ioctls[i].cmd)) {
			desc = &tt_track_ioctls[i];
			break;
		}
	}
	if (!desc || _IOC_TYPE(cmd) != TENSTORRENT_TRACK_IOCTL_MAGIC ||
	    _IOC_DIR(cmd) != (_IOC_READ | _IOC_WRITE))
		return -ENOTTY;
	ksize = _IOC_SIZE(desc->cmd);
	if (usize < ksize)
		return -ENOTTY;

	err = copy_struct_from_user(&karg, ksize, uarg, usize);
	if (err)
		return err;
	if (desc->changes && tt_track_probe_writable(uarg, &karg, ksize))
		return -EFAULT;

	if (desc->changes && !writable) {
		if (desc->refused)
			desc->refused(&karg);
		ret = -EBADF;
	} else {
		ret = desc->fn(tfile, &karg);
	}
	/*
	 * EFAULT says nothing changed. After a change the struct, written
	 * a moment ago, can only fail to copy if the caller unmapped it
	 * meanwhile (or a fault was injected): the change's result stands.
	 */
	if ((!ret || desc->out_on_error) && copy_to_user(uarg, &karg, ksize) &&
	    !desc->changes)
		return -EFAULT;
	return ret;
}

/**
 * tt_track_ioctl_init() - set how batch operations find their targets
 * @file_of: as tt_track_init() takes it
 *
 * Context: module init, from tt_track_init().
 */
void tt_track_ioctl_init(struct tt_track_file *(*file_of)(struct file *file))
{
	tt_track_file_of = file_of;
}
