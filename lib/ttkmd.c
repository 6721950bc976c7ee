// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libttkmd: the tracking ioctls of the tenstorrent driver as C calls.
 * See ttkmd.h for the API and Documentation/userspace-api/tenstorrent/
 * libttkmd.rst for the guide.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ttkmd.h"

#define TT_API	__attribute__((visibility("default")))

/* every flag of ttkmd_open() this version knows */
#define TTKMD_OPEN_FLAGS	TTKMD_OPEN_RDONLY

/*
 * @rdonly: @fd is not open for writing. The driver refuses TRACK_ALLOC,
 * TRACK_FREE and TRACK_BATCH with EBADF on such a file; the library says
 * so before the ioctl, which gives the same answer from drivers that do
 * not check yet.
 * @refs: the caller's reference, dropped by ttkmd_close(), and one per
 * tracker, dropped by tt_tracker_destroy(); the last one closes @fd. So
 * a tracker may outlive the caller's handle (a C++ Tracker destroyed
 * after its Device) and still flush to the same open file.
 */
struct ttkmd_dev {
	int fd;
	bool rdonly;
	unsigned int refs;
};

struct tt_tracker {
	ttkmd_dev_t *dev;	/* holds a reference */
	pthread_mutex_t lock;	/* protects ops[] and len */
	size_t cap;
	size_t len;
	tt_track_op_t ops[];
};

/*
 * The one place every ioctl goes through: retries EINTR (the tracking
 * ioctls change nothing before they can be interrupted) and turns
 * -1/errno into a negative errno.
 */
static int tt_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, cmd, arg);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : 0;
}

static int ttkmd_open_file(const char *path, unsigned int flags)
{
	int mode = flags & TTKMD_OPEN_RDONLY ? O_RDONLY : O_RDWR;
	int fd;

	do {
		fd = open(path, mode | O_CLOEXEC);
	} while (fd < 0 && errno == EINTR);
	return fd < 0 ? -errno : fd;
}

/*
 * Make a handle of @fd, which it then owns (closed on failure too). The
 * access mode is read from the open file, so a descriptor the runtime
 * opened read-only gives a read-only handle.
 */
static int ttkmd_wrap(int fd, ttkmd_dev_t **out)
{
	int fl = fcntl(fd, F_GETFL);
	ttkmd_dev_t *dev;

	if (fl < 0) {
		fl = -errno;
		close(fd);
		return fl;
	}
	dev = malloc(sizeof(*dev));
	if (!dev) {
		close(fd);
		return -ENOMEM;
	}
	dev->fd = fd;
	dev->rdonly = (fl & O_ACCMODE) == O_RDONLY;
	dev->refs = 1;
	*out = dev;
	return 0;
}

static void ttkmd_get(ttkmd_dev_t *dev)
{
	__atomic_add_fetch(&dev->refs, 1, __ATOMIC_RELAXED);
}

static void ttkmd_put(ttkmd_dev_t *dev)
{
	if (__atomic_sub_fetch(&dev->refs, 1, __ATOMIC_ACQ_REL))
		return;
	close(dev->fd);	/* EINTR on close: the fd is gone anyway on Linux */
	free(dev);
}

TT_API int ttkmd_open_path(const char *path, unsigned int flags,
			   ttkmd_dev_t **out)
{
	int fd;

	if (!path || !out || (flags & ~TTKMD_OPEN_FLAGS))
		return -EINVAL;
	*out = NULL;
	fd = ttkmd_open_file(path, flags);
	if (fd < 0)
		return fd;
	return ttkmd_wrap(fd, out);
}

/* /dev/tenstorrent/@index into @path, which holds TTKMD_PATH_LEN */
#define TTKMD_PATH_LEN	48
static void ttkmd_dev_path(char *path, int index)
{
	snprintf(path, TTKMD_PATH_LEN, "/dev/tenstorrent/%d", index);
}

TT_API int ttkmd_open(int index, unsigned int flags, ttkmd_dev_t **out)
{
	char path[TTKMD_PATH_LEN];

	if (index < 0 || !out)
		return -EINVAL;
	ttkmd_dev_path(path, index);
	return ttkmd_open_path(path, flags, out);
}

TT_API int ttkmd_open_fd(int fd, ttkmd_dev_t **out)
{
	int nfd;

	if (!out)
		return -EINVAL;
	*out = NULL;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (nfd < 0)
		return -errno;
	return ttkmd_wrap(nfd, out);
}

TT_API void ttkmd_close(ttkmd_dev_t *dev)
{
	if (dev)
		ttkmd_put(dev);
}

TT_API int ttkmd_fd(const ttkmd_dev_t *dev)
{
	return dev ? dev->fd : -EINVAL;
}

static int ttkmd_cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* the N of "<prefix>N", or -1 */
static int ttkmd_index_of(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);
	char *end;
	long v;

	if (strncmp(name, prefix, n) || name[n] < '0' || name[n] > '9')
		return -1;
	errno = 0;
	v = strtol(name + n, &end, 10);
	if (*end || errno || v > 0x7fffffff)
		return -1;
	return (int)v;
}

static int ttkmd_scan(const char *dir, const char *prefix, int *found,
		      size_t *n, size_t room)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		int idx = ttkmd_index_of(de->d_name, prefix);

		if (idx < 0)
			continue;
		if (*n == room) {
			closedir(d);
			return -E2BIG;
		}
		found[(*n)++] = idx;
	}
	closedir(d);
	return 1;
}

/*
 * The indices of the class devices under @root, ascending, into *@found
 * (malloc'd, *@n of them); with @dev_too those of /dev/tenstorrent when
 * @root has none. 1 when a directory was read, 0 when none exists, or a
 * negative errno (*@found is then NULL).
 */
static int ttkmd_find(const char *root, bool dev_too, int **found, size_t *n)
{
	size_t room = 1024;
	int ret;

	*n = 0;
	*found = malloc(room * sizeof(**found));
	if (!*found)
		return -ENOMEM;
	ret = ttkmd_scan(root, "tenstorrent!", *found, n, room);
	if (ret >= 0 && *n == 0 && dev_too)
		ret = ttkmd_scan("/dev/tenstorrent", "", *found, n, room);
	if (ret < 0) {
		free(*found);
		*found = NULL;
		return ret;
	}
	qsort(*found, *n, sizeof(**found), ttkmd_cmp_int);
	return ret;
}

TT_API int ttkmd_list(int *indices, size_t max)
{
	size_t n, i;
	int *found, ret;

	if (!indices && max)
		return -EINVAL;
	ret = ttkmd_find("/sys/class/tenstorrent", true, &found, &n);
	if (ret < 0)
		return ret;
	for (i = 0; i < n && i < max; i++)
		indices[i] = found[i];
	free(found);
	return (int)n;
}

TT_API int tt_get_tracking_info(ttkmd_dev_t *dev,
				struct tenstorrent_tracking_info_out *info)
{
	struct tenstorrent_tracking_info arg;
	int ret;

	if (!dev || !info)
		return -EINVAL;
	memset(&arg, 0, sizeof(arg));
	ret = tt_ioctl(dev->fd, TENSTORRENT_IOCTL_GET_TRACKING_INFO, &arg);
	if (!ret)
		*info = arg.out;
	return ret;
}

TT_API int tt_alloc_tracking_available(ttkmd_dev_t *dev)
{
	struct tenstorrent_tracking_info_out info;
	int ret;

	if (!dev)
		return -EINVAL;
	ret = tt_get_tracking_info(dev, &info);
	if (!ret)
		return 1;
	/* ENOTTY: no such ioctl; EINVAL: tt-kmd's answer to unknown ioctls */
	if (ret == -ENOTTY || ret == -EINVAL)
		return 0;
	return ret;
}

static int tt_check_alloc(uint64_t size, uint32_t buffer_type)
{
	if (!size || buffer_type >= TENSTORRENT_BUFFER_TYPE_MAX)
		return -EINVAL;
	return 0;
}

TT_API int tt_track_allocation_flags(ttkmd_dev_t *dev, uint64_t buffer_id,
				     uint64_t size, uint32_t buffer_type,
				     uint32_t flags)
{
	struct tenstorrent_track_alloc arg;

	if (!dev || tt_check_alloc(size, buffer_type))
		return -EINVAL;
	if (dev->rdonly)
		return -EBADF;
	memset(&arg, 0, sizeof(arg));
	arg.in.buffer_id = buffer_id;
	arg.in.size = size;
	arg.in.buffer_type = buffer_type;
	arg.in.flags = flags;
	return tt_ioctl(dev->fd, TENSTORRENT_IOCTL_TRACK_ALLOC, &arg);
}

TT_API int tt_track_allocation(ttkmd_dev_t *dev, uint64_t buffer_id,
			       uint64_t size, uint32_t buffer_type)
{
	return tt_track_allocation_flags(dev, buffer_id, size, buffer_type, 0);
}

/* A free of @buffer_id; of its record of @buffer_type when @typed */
static int tt_free(ttkmd_dev_t *dev, uint64_t buffer_id, uint32_t buffer_type,
		   int typed)
{
	struct tenstorrent_track_free arg;

	if (!dev || (typed && buffer_type >= TENSTORRENT_BUFFER_TYPE_MAX))
		return -EINVAL;
	if (dev->rdonly)
		return -EBADF;
	memset(&arg, 0, sizeof(arg));
	arg.in.buffer_id = buffer_id;
	if (typed) {
		arg.in.buffer_type = buffer_type;
		arg.in.flags = TENSTORRENT_TRACK_TYPED;
	}
	return tt_ioctl(dev->fd, TENSTORRENT_IOCTL_TRACK_FREE, &arg);
}

TT_API int tt_track_free(ttkmd_dev_t *dev, uint64_t buffer_id)
{
	return tt_free(dev, buffer_id, 0, 0);
}

TT_API int tt_track_free_typed(ttkmd_dev_t *dev, uint64_t buffer_id,
			       uint32_t buffer_type)
{
	return tt_free(dev, buffer_id, buffer_type, 1);
}

/* QUERY_ALLOC_STATS on @fd, which may be open read-only */
static int tt_query_fd(int fd, tt_alloc_stats_t *stats)
{
	struct tenstorrent_query_alloc_stats arg;
	int ret;

	memset(&arg, 0, sizeof(arg));
	ret = tt_ioctl(fd, TENSTORRENT_IOCTL_QUERY_ALLOC_STATS, &arg);
	if (!ret)
		*stats = arg.out;
	return ret;
}

TT_API int tt_query_stats(ttkmd_dev_t *dev, tt_alloc_stats_t *stats)
{
	if (!dev || !stats)
		return -EINVAL;
	return tt_query_fd(dev->fd, stats);
}

TT_API int tt_query_card_stats(int index, tt_alloc_stats_t *stats)
{
	char path[TTKMD_PATH_LEN];
	int fd, ret;

	if (index < 0 || !stats)
		return -EINVAL;
	ttkmd_dev_path(path, index);
	fd = ttkmd_open_file(path, TTKMD_OPEN_RDONLY);
	if (fd < 0)
		return fd;
	ret = tt_query_fd(fd, stats);
	close(fd);
	return ret;
}

/*
 * Read @dir/@name into @buf (@len bytes, at least 2) as one line: at most
 * @len - 1 bytes are read, a trailing newline is dropped, and a value with
 * a NUL, a second line or more than fits is refused. 0 or a negative errno.
 */
static int tt_read_attr(const char *dir, const char *name, char *buf,
			size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return -ENAMETOOLONG;
	do {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -errno;
	do {
		n = read(fd, buf, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return (int)n;
	if ((size_t)n == len)
		return -EOVERFLOW;
	if (n && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	if (strlen(buf) != (size_t)n || strchr(buf, '\n'))
		return -EINVAL;
	return 0;
}

/* @dir/@name as a decimal u64; 0 when missing or not strictly one */
static uint64_t tt_read_u64(const char *dir, const char *name)
{
	char buf[32], *end;
	unsigned long long v;

	if (tt_read_attr(dir, name, buf, sizeof(buf)) || buf[0] < '0' ||
	    buf[0] > '9')
		return 0;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (*end || errno)
		return 0;
	return v;
}

/* @dir/@name as printable text into @buf[@len]; "" when missing or not */
static void tt_read_str(const char *dir, const char *name, char *buf,
			size_t len)
{
	size_t i;

	if (tt_read_attr(dir, name, buf, len))
		buf[0] = '\0';
	for (i = 0; buf[i]; i++)
		if (buf[i] < 0x21 || buf[i] > 0x7e) {
			buf[0] = '\0';
			return;
		}
}

/* The bus id: the name the card's "device" link points at, or "" */
static void tt_read_bus_id(const char *dir, char *buf, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;

	buf[0] = '\0';
	if ((size_t)snprintf(path, sizeof(path), "%s/device", dir) >=
	    sizeof(path))
		return;
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return;
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	if (strlen(base) < len)
		strcpy(buf, base);
}

/* The stride of tt_list_cards()'s array: the same in every version */
_Static_assert(sizeof(tt_card_info_t) == 160, "tt_card_info_t changed size");

/* Fill @card from the class device @dir of card @index */
static void tt_read_card(const char *dir, int index, tt_card_info_t *card)
{
	memset(card, 0, sizeof(*card));
	card->size = sizeof(*card);
	card->index = index;
	tt_read_bus_id(dir, card->bus_id, sizeof(card->bus_id));
	tt_read_str(dir, "card_type", card->card_type,
		    sizeof(card->card_type));
	card->dram_total = tt_read_u64(dir, "dram_total");
	card->l1_total = tt_read_u64(dir, "l1_total");
	card->system_memory_total = tt_read_u64(dir, "system_memory_total");
}

/*
 * tt_list_cards() under the class directory @root instead of
 * /sys/class/tenstorrent: not exported by the shared library, for the
 * host tests, which link the static one.
 */
int ttkmd_list_cards_at(const char *root, tt_card_info_t *cards, size_t max)
{
	size_t n, i;
	int *found, ret;

	if (!cards && max)
		return -EINVAL;
	ret = ttkmd_find(root, false, &found, &n);
	if (ret < 0)
		return ret;
	if (ret == 0) {
		free(found);
		return -ENOENT;
	}
	for (i = 0; i < n && i < max; i++) {
		char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "%s/tenstorrent!%d", root, found[i]);
		tt_read_card(dir, found[i], &cards[i]);
	}
	free(found);
	return (int)n;
}

TT_API int tt_list_cards(tt_card_info_t *cards, size_t max)
{
	return ttkmd_list_cards_at("/sys/class/tenstorrent", cards, max);
}

TT_API int tt_track_batch(ttkmd_dev_t *dev, const tt_track_op_t *ops,
			  size_t count, size_t *processed)
{
	size_t done = 0;
	int ret = 0;

	if (processed)
		*processed = 0;
	if (!dev || (!ops && count))
		return -EINVAL;
	if (dev->rdonly)
		return -EBADF;
	while (done < count) {
		struct tenstorrent_track_batch arg;
		size_t n = count - done;

		if (n > TENSTORRENT_TRACK_BATCH_MAX)
			n = TENSTORRENT_TRACK_BATCH_MAX;
		memset(&arg, 0, sizeof(arg));
		arg.in.ops = (uintptr_t)(ops + done);
		arg.in.count = (uint32_t)n;
		arg.in.op_size = sizeof(*ops);
		ret = tt_ioctl(dev->fd, TENSTORRENT_IOCTL_TRACK_BATCH, &arg);
		if (ret) {
			if (arg.out.processed < n)
				done += arg.out.processed;
			break;
		}
		done += n;
	}
	if (processed)
		*processed = done;
	return ret;
}

TT_API int tt_track_mesh(ttkmd_dev_t *const *devs, size_t count,
			 tt_track_op_t op, size_t *processed)
{
	tt_track_op_t *ops;
	size_t i;
	int ret;

	if (processed)
		*processed = 0;
	if (!devs || !count || count > TENSTORRENT_TRACK_BATCH_MAX)
		return -EINVAL;
	for (i = 0; i < count; i++)
		if (!devs[i])
			return -EINVAL;
	ops = calloc(count, sizeof(*ops));
	if (!ops)
		return -ENOMEM;
	for (i = 0; i < count; i++)
		ops[i] = tt_op_on(op, devs[i]->fd);
	ret = tt_track_batch(devs[0], ops, count, processed);
	free(ops);
	return ret;
}

TT_API int tt_tracker_create(ttkmd_dev_t *dev, size_t capacity,
			     tt_tracker_t **out)
{
	tt_tracker_t *t;

	if (!dev || !out || capacity > TT_TRACKER_MAX_CAPACITY)
		return -EINVAL;
	*out = NULL;
	if (dev->rdonly)
		return -EBADF;
	if (!capacity)
		capacity = TT_TRACKER_DEFAULT_CAPACITY;
	t = calloc(1, sizeof(*t) + capacity * sizeof(t->ops[0]));
	if (!t)
		return -ENOMEM;
	if (pthread_mutex_init(&t->lock, NULL)) {
		free(t);
		return -ENOMEM;
	}
	ttkmd_get(dev);
	t->dev = dev;
	t->cap = capacity;
	*out = t;
	return 0;
}

/* Send the queue; called with t->lock held. See tt_tracker_flush(). */
static int tt_tracker_flush_locked(tt_tracker_t *t, tt_track_op_t *failed)
{
	size_t done = 0, drop;
	int ret;

	if (!t->len)
		return 0;
	ret = tt_track_batch(t->dev, t->ops, t->len, &done);
	drop = done;
	if (ret) {
		if (failed)
			*failed = t->ops[done];
		drop++;		/* the failed one would fail again */
	}
	memmove(t->ops, t->ops + drop, (t->len - drop) * sizeof(t->ops[0]));
	t->len -= drop;
	return ret;
}

static int tt_tracker_queue(tt_tracker_t *t, tt_track_op_t op)
{
	int ret = 0;

	pthread_mutex_lock(&t->lock);
	if (t->len == t->cap)
		ret = tt_tracker_flush_locked(t, NULL); /* frees >= 1 slot */
	t->ops[t->len++] = op;
	pthread_mutex_unlock(&t->lock);
	return ret;
}

TT_API int tt_tracker_alloc(tt_tracker_t *t, uint64_t buffer_id,
			    uint64_t size, uint32_t buffer_type)
{
	if (!t || tt_check_alloc(size, buffer_type))
		return -EINVAL;
	return tt_tracker_queue(t, tt_op_alloc(buffer_id, size, buffer_type));
}

TT_API int tt_tracker_free(tt_tracker_t *t, uint64_t buffer_id)
{
	if (!t)
		return -EINVAL;
	return tt_tracker_queue(t, tt_op_free(buffer_id));
}

TT_API int tt_tracker_flush_failed(tt_tracker_t *t, tt_track_op_t *failed)
{
	int ret;

	if (!t)
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	ret = tt_tracker_flush_locked(t, failed);
	pthread_mutex_unlock(&t->lock);
	return ret;
}

TT_API int tt_tracker_flush(tt_tracker_t *t)
{
	return tt_tracker_flush_failed(t, NULL);
}

TT_API size_t tt_tracker_pending(tt_tracker_t *t)
{
	size_t n;

	if (!t)
		return 0;
	pthread_mutex_lock(&t->lock);
	n = t->len;
	pthread_mutex_unlock(&t->lock);
	return n;
}

TT_API int tt_tracker_destroy(tt_tracker_t *t)
{
	int ret;

	if (!t)
		return 0;
	ret = tt_tracker_flush(t);
	ttkmd_put(t->dev);
	pthread_mutex_destroy(&t->lock);
	free(t);
	return ret;
}

TT_API const char *tt_strerror(int err)
{
	const char *s;

	if (err < 0)
		err = -err;
	switch (err) {
	case 0:
		return "success";
	case EINVAL:
		return "invalid argument (size 0, unknown buffer type or operation, NULL pointer)";
	case EEXIST:
		return "buffer id already tracked in that type on this open file";
	case ENOENT:
		return "no such buffer id tracked on this open file (or no such device)";
	case EOVERFLOW:
		return "too many references to one buffer, or a card total would overflow";
	case ERANGE:
		return "more than the card's memory of that buffer type (dram_total, l1_total, system_memory_total)";
	case ENOTUNIQ:
		return "buffer id live in several buffer types: free it by type";
	case ENOSPC:
		return "too many tracked buffers on this open file (max_records)";
	case EDQUOT:
		return "too many tracked buffers for this user (max_user_records)";
	case ENOMEM:
		return "out of memory";
	case EFAULT:
		return "bad address";
	case E2BIG:
		return "struct or batch operation larger than the driver knows, with a non-zero tail";
	case ENODEV:
		return "device removed";
	case ENOTTY:
		return "allocation tracking not supported by this driver or file";
	case EBADF:
		return "bad file descriptor, or tracking on a handle opened read-only";
	case EACCES:
		return "permission denied (see group tenstorrent)";
	}
	s = strerrordesc_np(err);
	return s ? s : "unknown error";
}
