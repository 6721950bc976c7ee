// SPDX-License-Identifier: GPL-2.0-only
/*
 * Holds one open file of a card for a shell test and does one ioctl per
 * command it reads, so a script can keep the file open across an event it
 * cannot cause itself (the card unplugged under it) and then see what each
 * ioctl and close() return. Commands on stdin, one a line; one reply a line
 * on stdout: "ok [values]" or "err ENAME".
 *   open PATH | alloc ID SIZE TYPE | free ID | batch ID SIZE TYPE |
 *   batch OP... | query | info | close
 * ID and SIZE are numbers in C syntax (0x800000000); "batch ID SIZE TYPE"
 * is a batch of one alloc, "batch OP..." one of up to 16 operations, each
 * +ID:SIZE:TYPE (alloc) or -ID:TYPE (typed free); query replies with the
 * card's live bytes of each type and its live records, info with the ABI
 * version. It exits at the end of stdin, closing the file if still open.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tenstorrent_track.h"

static int fd = -1;

static void reply_err(int err)
{
	const char *name = strerrorname_np(err);

	if (name)
		printf("err %s\n", name);
	else
		printf("err %d\n", err);
}

static void do_ioctl(unsigned long cmd, void *arg)
{
	if (ioctl(fd, cmd, arg))
		reply_err(errno);
	else
		printf("ok\n");
}

static void do_query(void)
{
	struct tenstorrent_query_alloc_stats q = { 0 };
	unsigned long long bufs = 0;
	int t;

	if (ioctl(fd, TENSTORRENT_IOCTL_QUERY_ALLOC_STATS, &q)) {
		reply_err(errno);
		return;
	}
	printf("ok");
	for (t = 0; t < TT_BUFFER_TYPE_COUNT; t++) {
		printf(" %llu", (unsigned long long)q.out.allocated[t]);
		bufs += q.out.buffers[t];
	}
	printf(" %llu\n", bufs);
}

/* "batch OP...": the operations of @ops, +ID:SIZE:TYPE or -ID:TYPE */
static void do_batch(char *ops)
{
	struct tenstorrent_track_op op[16] = { 0 };
	struct tenstorrent_track_batch b = { 0 };
	unsigned int n = 0;
	char *word, *save;

	for (word = strtok_r(ops, " ", &save); word;
	     word = strtok_r(NULL, " ", &save)) {
		unsigned long long id, size;
		unsigned int type;

		if (n == 16) {
			printf("err usage\n");
			return;
		}
		if (sscanf(word, "+%lli:%lli:%u", &id, &size, &type) == 3) {
			op[n].op = TENSTORRENT_TRACK_OP_ALLOC;
			op[n].size = size;
		} else if (sscanf(word, "-%lli:%u", &id, &type) == 2) {
			op[n].op = TENSTORRENT_TRACK_OP_FREE;
			op[n].flags = TENSTORRENT_TRACK_TYPED;
		} else {
			printf("err usage\n");
			return;
		}
		op[n].buffer_id = id;
		op[n].buffer_type = type;
		n++;
	}
	b.in.ops = (unsigned long)op;
	b.in.count = n;
	do_ioctl(TENSTORRENT_IOCTL_TRACK_BATCH, &b);
}

static void command(char *line)
{
	unsigned long long id = 0, size = 0;
	unsigned int type = 0;
	char path[256];

	if (sscanf(line, "open %255s", path) == 1) {
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			reply_err(errno);
		else
			printf("ok\n");
	} else if (sscanf(line, "alloc %lli %lli %u", &id, &size, &type) == 3) {
		struct tenstorrent_track_alloc a = { 0 };

		a.in.buffer_id = id;
		a.in.size = size;
		a.in.buffer_type = type;
		do_ioctl(TENSTORRENT_IOCTL_TRACK_ALLOC, &a);
	} else if (sscanf(line, "free %lli", &id) == 1) {
		struct tenstorrent_track_free f = { 0 };

		f.in.buffer_id = id;
		do_ioctl(TENSTORRENT_IOCTL_TRACK_FREE, &f);
	} else if (strncmp(line, "batch +", 7) == 0 ||
		   strncmp(line, "batch -", 7) == 0) {
		do_batch(line + 6);
	} else if (sscanf(line, "batch %lli %lli %u", &id, &size, &type) == 3) {
		struct tenstorrent_track_op op = { 0 };
		struct tenstorrent_track_batch b = { 0 };

		op.buffer_id = id;
		op.size = size;
		op.buffer_type = type;
		op.op = TENSTORRENT_TRACK_OP_ALLOC;
		b.in.ops = (unsigned long)&op;
		b.in.count = 1;
		do_ioctl(TENSTORRENT_IOCTL_TRACK_BATCH, &b);
	} else if (strcmp(line, "query") == 0) {
		do_query();
	} else if (strcmp(line, "info") == 0) {
		struct tenstorrent_tracking_info i = { 0 };

		if (ioctl(fd, TENSTORRENT_IOCTL_GET_TRACKING_INFO, &i))
			reply_err(errno);
		else
			printf("ok %u\n", i.out.abi_version);
	} else if (strcmp(line, "close") == 0) {
		if (close(fd))
			reply_err(errno);
		else
			printf("ok\n");
		fd = -1;
	} else {
		printf("err usage\n");
	}
}

int main(void)
{
	char line[512];

	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		command(line);
	}
	if (fd >= 0)
		close(fd);
	return 0;
}
