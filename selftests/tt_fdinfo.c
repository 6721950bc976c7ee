// SPDX-License-Identifier: GPL-2.0-only
/*
 * An open card file's usage in /proc/PID/fdinfo/FD: the driver, the card's
 * bus id and index, a client id that tells one file shared (dup, fork)
 * from two, the live records, and bytes live and peak per buffer type,
 * exactly as the file's records add up. The process's owner reads it
 * without root; another user may not.
 * Documentation/ABI/testing/procfs-fdinfo-tenstorrent is the
 * specification.
 *
 * Expects the module loaded with at least one card (`modprobe tenstorrent
 * sim_cards=2`). The tests of other users need root and skip without it.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tt_sysfs_helpers.h"

#define OTHER_UID	65533	/* a user other than nobody */

/* The tt- keys, in the order the driver prints them */
#define NKEYS		(5 + 2 * NTYPES)

struct fdinfo {
	char driver[32];
	char pdev[64];
	__u64 card;
	__u64 client_id;
	__u64 buffers;
	__u64 total[NTYPES];
	__u64 peak[NTYPES];
};

/* The name of key k of NKEYS (tt-total-<type>, ...) */
static void key_name(int k, char *buf, size_t len)
{
	static const char *const fixed[] = {
		"tt-driver", "tt-pdev", "tt-card", "tt-client-id", "tt-buffers",
	};

	if (k < 5)
		snprintf(buf, len, "%s", fixed[k]);
	else if (k < 5 + NTYPES)
		snprintf(buf, len, "tt-total-%s", tt_type_names[k - 5]);
	else
		snprintf(buf, len, "tt-peak-%s", tt_type_names[k - 5 - NTYPES]);
}

/*
 * Parse fdinfo text strictly: every line "key:\tvalue", the kernel's own
 * keys first, then each tt- key exactly once in its order, numbers in
 * decimal. 0, or -1 with the reason on stderr.
 */
static int parse_fdinfo(char *text, struct fdinfo *fi)
{
	char *line, *save, want[64];
	int k = 0;

	memset(fi, 0, sizeof(*fi));
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *tab = strstr(line, ":\t"), *v;
		__u64 n = 0;

		if (!tab || tab == line || strchr(tab + 2, '\t') || !tab[2]) {
			fprintf(stderr, "# not key:\\tvalue: \"%s\"\n", line);
			return -1;
		}
		*tab = '\0';
		v = tab + 2;
		if (strncmp(line, "tt-", 3)) {
			if (k) {
				fprintf(stderr, "# %s after the tt- keys\n", line);
				return -1;
			}
			continue;
		}
		if (k == NKEYS) {
			fprintf(stderr, "# key past the last: %s\n", line);
			return -1;
		}
		key_name(k, want, sizeof(want));
		if (strcmp(line, want)) {
			fprintf(stderr, "# key %d: %s, not %s\n", k, line, want);
			return -1;
		}
		if (k >= 2 && !parse_dec(v, &n)) {
			fprintf(stderr, "# %s: not a number: \"%s\"\n", line, v);
			return -1;
		}
		if (k == 0)
			snprintf(fi->driver, sizeof(fi->driver), "%s", v);
		else if (k == 1)
			snprintf(fi->pdev, sizeof(fi->pdev), "%s", v);
		else if (k == 2)
			fi->card = n;
		else if (k == 3)
			fi->client_id = n;
		else if (k == 4)
			fi->buffers = n;
		else if (k < 5 + NTYPES)
			fi->total[k - 5] = n;
		else
			fi->peak[k - 5 - NTYPES] = n;
		k++;
	}
	if (k != NKEYS) {
		fprintf(stderr, "# %d of the %d tt- keys\n", k, NKEYS);
		return -1;
	}
	return 0;
}

/* Read and parse /proc/PID/fdinfo/FD: 0, -errno of the open or read, -EBADMSG. */
static int read_fdinfo(pid_t pid, int fd, struct fdinfo *fi)
{
	char path[64], text[4096];
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
	ret = read_text(path, text, sizeof(text));
	if (ret)
		return ret;
	return parse_fdinfo(text, fi) ? -EBADMSG : 0;
}

/* The name of card's bus device, as sysfs links it: 0 or -1 */
static int card_bus_id(int card, char *buf, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX], *base;
	ssize_t n;

	attr_path(path, sizeof(path), card, "device");
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -1;
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	if (strlen(base) >= len)
		return -1;
	strcpy(buf, base);
	return 0;
}

FIXTURE(fdinfo) {
	int fd;
};

FIXTURE_SETUP(fdinfo)
{
	self->fd = open_card(0);
	if (self->fd < 0)
		SETUP_SKIP("no /dev/tenstorrent/0: %s", strerror(errno));
}

FIXTURE_TEARDOWN(fdinfo)
{
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * The keys name the driver, the card's bus id and index, and the file's
 * records: live bytes and peaks per type as recorded, after a free too.
 */
TEST_F(fdinfo, keys_and_totals)
{
	__u64 sum[NTYPES] = { 0 }, count[NTYPES] = { 0 }, nrec = 0;
	struct fdinfo fi;
	char bus[64];
	int t;

	ASSERT_EQ(0, read_fdinfo(getpid(), self->fd, &fi));
	EXPECT_EQ(0ULL, fi.buffers);
	for (t = 0; t < NTYPES; t++)
		EXPECT_EQ(0ULL, fi.total[t]);

	alloc_known(_metadata, self->fd, sum, count);
	ASSERT_EQ(0, track_free(self->fd, known[0].id));
	ASSERT_EQ(0, read_fdinfo(getpid(), self->fd, &fi));
	EXPECT_STREQ("tenstorrent", fi.driver);
	ASSERT_EQ(0, card_bus_id(0, bus, sizeof(bus)));
	EXPECT_STREQ(bus, fi.pdev);
	EXPECT_EQ(0ULL, fi.card);
	EXPECT_LT(0ULL, fi.client_id);
	for (t = 0; t < NTYPES; t++) {
		__u64 now = sum[t] - ((__u32)t == known[0].type ? known[0].size : 0);

		EXPECT_EQ(now, fi.total[t]) {
			TH_LOG("tt-total-%s", tt_type_names[t]);
		}
		EXPECT_EQ(sum[t], fi.peak[t]) {
			TH_LOG("tt-peak-%s", tt_type_names[t]);
		}
		nrec += count[t];
	}
	EXPECT_EQ(nrec - 1, fi.buffers);
}

/*
 * One client id per open file: a dup() and a forked child's copy share
 * it, another open has its own, and a file opened after one was closed
 * never gets an id given before.
 */
TEST_F(fdinfo, client_id_per_open_file)
{
	struct fdinfo a, b, c, d;
	int fd2, fd3, fd4, rc;
	pid_t pid;

	fd2 = open_card(0);
	ASSERT_LE(0, fd2);
	fd3 = dup(self->fd);
	ASSERT_LE(0, fd3);
	ASSERT_EQ(0, read_fdinfo(getpid(), self->fd, &a));
	ASSERT_EQ(0, read_fdinfo(getpid(), fd2, &b));
	ASSERT_EQ(0, read_fdinfo(getpid(), fd3, &c));
	EXPECT_NE(a.client_id, b.client_id);
	EXPECT_EQ(a.client_id, c.client_id);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct fdinfo own;

		CHILD_CHECK(!read_fdinfo(getpid(), self->fd, &own));
		CHILD_CHECK(own.client_id == a.client_id);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));

	close(fd2);
	close(fd3);
	fd4 = open_card(0);
	ASSERT_LE(0, fd4);
	rc = read_fdinfo(getpid(), fd4, &d);
	close(fd4);
	ASSERT_EQ(0, rc);
	EXPECT_LT(a.client_id > b.client_id ? a.client_id : b.client_id,
		  d.client_id);
}

/* ---- other users ---- */

/*
 * A process of user uid, as a user's own process would be (dumpable),
 * holding card 0 open at fd: its pid, or -1. It exits when the test
 * closes *release (its end of a pipe).
 */
static pid_t holder_start(uid_t uid, int *fd, int *release)
{
	int p[2], ready[2];
	pid_t pid;
	char c;

	if (pipe(p) || pipe(ready))
		return -1;
	*fd = open_card(0);
	if (*fd < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(p[1]);
		close(ready[0]);
		if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
		    setresuid(uid, uid, uid) || prctl(PR_SET_DUMPABLE, 1))
			_exit(100);
		signal_fd(ready[1]);
		/* until the test lets go */
		while (read(p[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	close(ready[1]);
	close(*fd);	/* the child's copy stays open, at the same number */
	if (read(ready[0], &c, 1) != 1) {
		close(ready[0]);
		close(p[1]);
		waitpid(pid, NULL, 0);
		return -1;
	}
	close(ready[0]);
	*release = p[1];
	return pid;
}

struct peek {
	pid_t pid;
	int fd;
};

/* As the user run_as() makes it: read another process's fdinfo; its errno. */
static int peek_errno(void *arg)
{
	const struct peek *pk = arg;
	struct fdinfo fi;
	int ret = read_fdinfo(pk->pid, pk->fd, &fi);

	if (ret == -EBADMSG)
		return 99;
	if (!ret && strcmp(fi.driver, "tenstorrent"))
		return 98;
	return -ret;
}

/*
 * A normal user's process: another process of the same user reads its
 * fdinfo, as tt-smi run by that user does, and root does; a process of
 * another user gets EACCES.
 */
TEST(owner_reads_others_refused)
{
	struct peek pk;
	struct fdinfo fi;
	int release;
	pid_t pid;

	if (geteuid())
		SKIP(return, "needs root to act as two other users");
	pid = holder_start(NOBODY, &pk.fd, &release);
	ASSERT_LT(0, pid);
	pk.pid = pid;

	EXPECT_EQ(0, run_as(NOBODY, peek_errno, &pk));
	EXPECT_EQ(EACCES, run_as(OTHER_UID, peek_errno, &pk));
	EXPECT_EQ(0, read_fdinfo(pid, pk.fd, &fi));
	EXPECT_STREQ("tenstorrent", fi.driver);

	close(release);
	EXPECT_EQ(0, wait_child(pid));
}

int main(int argc, char **argv)
{
	return sysfs_tests_main(argc, argv);
}
