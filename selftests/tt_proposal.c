// SPDX-License-Identifier: GPL-2.0-only
/*
 * The client code of the proposal this tracking came from
 * ("Kernel-Only vs. Server-Based Allocation Tracking"), compiled as it is
 * written there as far as it is C, against uapi/tenstorrent_track.h: the
 * UMD's C wrapper around TRACK_ALLOC, the monitoring tool's QUERY_ALLOC_STATS
 * and the migration's is_kernel_available() probe. The tests check that
 * the numbers they see are right.
 *
 * Expects the module loaded with at least one card; skips otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tenstorrent_track.h"
#include "kselftest_harness.h"

/*
 * ---- The proposal's code. Only what is C++ is left out or replaced, each
 * place marked "proposal:"; everything else is character for character. ----
 */

/* proposal: tt-umd's device handle, of which the wrapper uses the fd */
typedef struct {
	int fd;
} tt_device_t;

// C wrapper (tt_kmd_lib.c)
int tt_track_allocation(tt_device_t* dev, uint64_t buffer_id,
                       uint64_t size, uint8_t buffer_type) {
    struct tenstorrent_track_alloc alloc = {0};
    alloc.in.buffer_id = buffer_id;
    alloc.in.size = size;
    alloc.in.buffer_type = buffer_type;

    return ioctl(dev->fd, TENSTORRENT_IOCTL_TRACK_ALLOC, &alloc);  // ← Fast!
}

/*
 * proposal: the monitoring tool's "Option 2", as a function returning its
 * numbers
 */
static void seed_query(uint64_t *dram, uint64_t *l1)
{
// Option 2: ioctl (programmatic)
int fd = open("/dev/tenstorrent/0", O_RDWR);

struct tenstorrent_query_alloc_stats query = {0};
ioctl(fd, TENSTORRENT_IOCTL_QUERY_ALLOC_STATS, &query);

	/* proposal: std::cout << "DRAM: " << query.out.dram_allocated << std::endl; */
	*dram = query.out.dram_allocated;
	/* proposal: std::cout << "L1: " << query.out.l1_allocated << std::endl; */
	*l1 = query.out.l1_allocated;

close(fd);
}

/* proposal: the tracker's device file, a member there */
static int fd = -1;

/* proposal: a member function, AllocationTracker::is_kernel_available() */
bool is_kernel_available() {
    // Check if kernel supports new ioctl
    static int available = -1;
    if (available == -1) {
        struct tenstorrent_track_alloc test = {0};
        test.in.buffer_id = 0;
        available = (ioctl(fd, TENSTORRENT_IOCTL_TRACK_ALLOC, &test) != -ENOTTY);
    }
    return available == 1;
}

/* ---- end of the proposal's code ---- */

/*
 * The proposal's probe compares ioctl()'s return value with -ENOTTY, which
 * the C library never returns (it returns -1 and sets errno), so it says
 * "available" on any file. This is the same probe done as intended.
 */
static bool kernel_tracking_available(int dev_fd)
{
	struct tenstorrent_track_alloc test = { 0 };

	return ioctl(dev_fd, TENSTORRENT_IOCTL_TRACK_ALLOC, &test) == 0 ||
	       errno != ENOTTY;
}

#define SETUP_SKIP(fmt, ...)	SKIP(_exit(255), fmt, ##__VA_ARGS__)

static int query_file(int dev_fd, struct tenstorrent_query_alloc_stats_out *out)
{
	struct tenstorrent_query_alloc_stats q = { 0 };

	if (ioctl(dev_fd, TENSTORRENT_IOCTL_QUERY_STATS, &q))
		return -errno;
	*out = q.out;
	return 0;
}

FIXTURE(seed) {
	tt_device_t dev;
};

FIXTURE_SETUP(seed)
{
	self->dev.fd = open("/dev/tenstorrent/0", O_RDWR | O_CLOEXEC);
	if (self->dev.fd < 0)
		SETUP_SKIP("no /dev/tenstorrent/0: %s", strerror(errno));
	fd = self->dev.fd;
}

FIXTURE_TEARDOWN(seed)
{
	close(self->dev.fd);
}

/*
 * The UMD wrapper records a 1 MiB DRAM buffer at 0x800000000 (the
 * proposal's example) and an L1 buffer; the monitoring tool, with its own
 * open of the card, sees both in the card's totals; they go when the
 * runtime's file is closed ("kernel guarantees cleanup").
 */
TEST_F(seed, wrapper_and_monitor_agree)
{
	uint64_t dram0, l10, dram, l1;

	seed_query(&dram0, &l10);
	ASSERT_EQ(0, tt_track_allocation(&self->dev, 0x800000000, 1048576,
					 TT_BUFFER_TYPE_DRAM));
	seed_query(&dram, &l1);
	EXPECT_EQ(dram0 + 1048576, dram);
	EXPECT_EQ(l10, l1);

	ASSERT_EQ(0, tt_track_allocation(&self->dev, 0x1000, 4096,
					 TT_BUFFER_TYPE_L1));
	seed_query(&dram, &l1);
	EXPECT_EQ(dram0 + 1048576, dram);
	EXPECT_EQ(l10 + 4096, l1);

	close(self->dev.fd);
	self->dev.fd = open("/dev/tenstorrent/0", O_RDWR | O_CLOEXEC);
	seed_query(&dram, &l1);
	EXPECT_EQ(dram0, dram);
	EXPECT_EQ(l10, l1);
}

/* The wrapper hands back ioctl()'s -1 with errno set on a refused record. */
TEST_F(seed, wrapper_reports_errors)
{
	ASSERT_EQ(0, tt_track_allocation(&self->dev, 0x800000000, 1048576,
					 TT_BUFFER_TYPE_DRAM));
	EXPECT_EQ(-1, tt_track_allocation(&self->dev, 0x800000000, 1048576,
					  TT_BUFFER_TYPE_DRAM));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, tt_track_allocation(&self->dev, 0x800100000, 0,
					  TT_BUFFER_TYPE_DRAM));
	EXPECT_EQ(EINVAL, errno);
	/* a uint8_t buffer_type: 5..255 are unknown types */
	EXPECT_EQ(-1, tt_track_allocation(&self->dev, 0x800100000, 64, 255));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * The probe's call, a zeroed TRACK_ALLOC, fails with EINVAL (zero size),
 * not ENOTTY, and records nothing: probing costs no record and no id.
 */
TEST_F(seed, probe_finds_tracking_records_nothing)
{
	struct tenstorrent_query_alloc_stats_out before, after;
	struct tenstorrent_track_alloc test = { 0 };
	uint64_t dram0, l10, dram, l1;

	ASSERT_EQ(0, query_file(fd, &before));
	seed_query(&dram0, &l10);

	EXPECT_TRUE(is_kernel_available());
	EXPECT_TRUE(kernel_tracking_available(fd));
	EXPECT_EQ(-1, ioctl(fd, TENSTORRENT_IOCTL_TRACK_ALLOC, &test));
	EXPECT_EQ(EINVAL, errno);

	ASSERT_EQ(0, query_file(fd, &after));
	EXPECT_EQ(0, memcmp(&before.file, &after.file, sizeof(before.file)));
	seed_query(&dram, &l1);
	EXPECT_EQ(dram0, dram);
	EXPECT_EQ(l10, l1);
	/* buffer_id 0 is still free for a real buffer */
	EXPECT_EQ(0, tt_track_allocation(&self->dev, 0, 64, TT_BUFFER_TYPE_L1));
}

/*
 * On a file without tracking (here /dev/null) the probe must say "not
 * available". Done as intended it does; the proposal's text does not.
 */
TEST_F(seed, probe_on_other_file_says_unavailable)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, null);
	EXPECT_FALSE(kernel_tracking_available(null));
	fd = null;
	if (is_kernel_available())
		TH_LOG("note: the proposal's is_kernel_available() says yes on "
		       "/dev/null: it compares ioctl()'s -1 with -ENOTTY; "
		       "check errno == ENOTTY instead");
	close(null);
}

int main(int argc, char **argv)
{
	int dev_fd = open("/dev/tenstorrent/0", O_RDWR | O_CLOEXEC);

	if (dev_fd < 0)
		ksft_exit_skip("cannot open /dev/tenstorrent/0: %s\n", strerror(errno));
	if (!kernel_tracking_available(dev_fd))
		ksft_exit_skip("the driver has no allocation tracking\n");
	close(dev_fd);
	return test_harness_run(argc, argv);
}
