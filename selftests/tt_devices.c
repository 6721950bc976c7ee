// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device nodes, open/close and module reference counting of the tenstorrent
 * driver. Expects the module loaded with at least one card (two for the
 * tests that compare cards), e.g. `modprobe tenstorrent sim_cards=2`; skips
 * otherwise.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "kselftest_harness.h"

#define CLASS_DIR	"/sys/class/tenstorrent"
#define MODULE_DIR	"/sys/module/tenstorrent"

/* An ioctl number in the driver's magic that no version will ever define */
#define TT_IOCTL_NEVER	_IO(0xFA, 0xFF)

/* Read the first line of a small file into buf; -1 when unreadable. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int ret = 0;

	if (!f)
		return -1;
	if (!fgets(buf, len, f))
		ret = -1;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return ret;
}

/* Number of cards: entries "tenstorrent!N" in the class directory. */
static int count_cards(void)
{
	DIR *d = opendir(CLASS_DIR);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "tenstorrent!", 12))
			n++;
	closedir(d);
	return n;
}

/* The major number the kernel lists for "tenstorrent" in /proc/devices. */
static int proc_devices_major(void)
{
	char line[128], name[64];
	int major, found = -1;
	FILE *f = fopen("/proc/devices", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%d %63s", &major, name) == 2 &&
		    !strcmp(name, "tenstorrent"))
			found = major;
	fclose(f);
	return found;
}

static long module_refcnt(void)
{
	char buf[32];

	if (read_line(MODULE_DIR "/refcnt", buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

static int open_card(int n)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/tenstorrent/%d", n);
	return open(path, O_RDWR | O_CLOEXEC);
}

FIXTURE(card) {
	int fd;
};

FIXTURE_SETUP(card)
{
	self->fd = open_card(0);
	if (self->fd < 0)
		SKIP(return, "no /dev/tenstorrent/0: %s", strerror(errno));
}

FIXTURE_TEARDOWN(card)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Every class device has a character node with its dev_t and index. */
TEST(nodes_match_sysfs)
{
	int major = proc_devices_major();
	int n, cards = count_cards();

	if (!cards)
		SKIP(return, "no tenstorrent cards");
	ASSERT_LT(0, major);

	for (n = 0; n < cards; n++) {
		char path[PATH_MAX], buf[32];
		unsigned int ma, mi;
		struct stat st;

		snprintf(path, sizeof(path), CLASS_DIR "/tenstorrent!%d/dev", n);
		ASSERT_EQ(0, read_line(path, buf, sizeof(buf))) {
			TH_LOG("cards are not numbered 0..%d: no %s", cards - 1, path);
		}
		ASSERT_EQ(2, sscanf(buf, "%u:%u", &ma, &mi));
		EXPECT_EQ((unsigned int)major, ma);
		EXPECT_EQ((unsigned int)n, mi);

		snprintf(path, sizeof(path), "/dev/tenstorrent/%d", n);
		ASSERT_EQ(0, stat(path, &st)) {
			TH_LOG("%s: %s", path, strerror(errno));
		}
		EXPECT_TRUE(S_ISCHR(st.st_mode));
		EXPECT_EQ(ma, major(st.st_rdev));
		EXPECT_EQ(mi, minor(st.st_rdev));
	}
}

/* Every class device links to its bus device, simulated or PCI. */
TEST(device_link_to_bus)
{
	int n, cards = count_cards();

	if (!cards)
		SKIP(return, "no tenstorrent cards");

	for (n = 0; n < cards; n++) {
		char path[PATH_MAX], target[PATH_MAX];
		const char *bus;

		snprintf(path, sizeof(path),
			 CLASS_DIR "/tenstorrent!%d/device/subsystem", n);
		ASSERT_NE(NULL, realpath(path, target)) {
			TH_LOG("%s: %s", path, strerror(errno));
		}
		bus = strrchr(target, '/') + 1;
		EXPECT_TRUE(!strcmp(bus, "tenstorrent_sim") || !strcmp(bus, "pci")) {
			TH_LOG("card %d sits on bus %s", n, bus);
		}
	}
}

TEST_F(card, open_close_many)
{
	int fds[64], i;

	for (i = 0; i < 64; i++) {
		fds[i] = open_card(0);
		ASSERT_LE(0, fds[i]);
	}
	for (i = 0; i < 64; i++)
		EXPECT_EQ(0, close(fds[i]));
}

TEST_F(card, unknown_ioctl_is_enotty)
{
	EXPECT_EQ(-1, ioctl(self->fd, TT_IOCTL_NEVER, 0));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(card, not_seekable)
{
	EXPECT_EQ(-1, lseek(self->fd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
}

/*
 * Each open file pins the module (the kernel takes one reference for the
 * cdev and one for its file operations); closing it lets go.
 */
TEST_F(card, module_refcount_follows_open_files)
{
	long before = module_refcnt();
	int fd;

	ASSERT_LT(0, before);	/* our fixture's own file */
	fd = open_card(0);
	ASSERT_LE(0, fd);
	EXPECT_LT(before, module_refcnt());
	close(fd);
	EXPECT_EQ(before, module_refcnt());
}

TEST_F(card, unload_refused_while_open)
{
	if (syscall(SYS_delete_module, "tenstorrent", O_NONBLOCK) == 0)
		ASSERT_TRUE(false) {
			TH_LOG("module unloaded with a file open");
		}
	if (errno == EPERM)
		SKIP(return, "no CAP_SYS_MODULE");
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_EQ(0, access(MODULE_DIR, F_OK));
	/* and the file still works */
	EXPECT_EQ(-1, ioctl(self->fd, TT_IOCTL_NEVER, 0));
	EXPECT_EQ(ENOTTY, errno);
}

/* Two cards are separate devices: separate nodes and parents. */
TEST(two_cards_independent)
{
	char p0[PATH_MAX], p1[PATH_MAX];
	struct stat s0, s1;
	int fd0, fd1;

	if (count_cards() < 2)
		SKIP(return, "needs two cards (sim_cards=2)");

	fd0 = open_card(0);
	fd1 = open_card(1);
	ASSERT_LE(0, fd0);
	ASSERT_LE(0, fd1);
	ASSERT_EQ(0, fstat(fd0, &s0));
	ASSERT_EQ(0, fstat(fd1, &s1));
	EXPECT_NE(s0.st_rdev, s1.st_rdev);

	ASSERT_NE(NULL, realpath(CLASS_DIR "/tenstorrent!0/device", p0));
	ASSERT_NE(NULL, realpath(CLASS_DIR "/tenstorrent!1/device", p1));
	EXPECT_NE(0, strcmp(p0, p1));

	/* closing one card's file leaves the other's working */
	EXPECT_EQ(0, close(fd0));
	EXPECT_EQ(-1, ioctl(fd1, TT_IOCTL_NEVER, 0));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(0, close(fd1));
}

TEST_HARNESS_MAIN
