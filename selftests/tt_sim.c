// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tenstorrent driver's simulated cards (ttsimI on the tenstorrent_sim
 * bus): the cards of the sim_cards parameter say "sim" in card_type and
 * have sim_dram_mib's DRAM size; the debugfs knobs
 * /sys/kernel/debug/tenstorrent/sim/new_card and del_card add and remove
 * a card with its node, class device and debugfs directory; a file left
 * open on a removed card fails with ENODEV and keeps the card's number
 * taken; no more than 32 cards. Documentation/ABI/testing/debugfs-tenstorrent
 * and Documentation/admin-guide/tenstorrent/module-parameters.rst are the
 * specification.
 *
 * Expects the module loaded (`modprobe tenstorrent sim_cards=2`). The
 * knobs need root: their tests skip without it. Leaves the system as
 * found: the cards it adds are removed.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tt_sysfs_helpers.h"

#define SIM_NEW_CARD	DEBUGFS_DIR "/sim/new_card"
#define SIM_DEL_CARD	DEBUGFS_DIR "/sim/del_card"
#define SIM_BUS_DIR	"/sys/bus/tenstorrent_sim/devices"
#define PARAM_DIR	"/sys/module/tenstorrent/parameters"

#define SIM_MAX_CARDS	32
#define SIM_DEFAULT_MIB	12288ULL

/* ---- cards ---- */

/* Simulated cards present (ttsimI on their bus), as a bit mask of I */
static __u32 sim_cards_present(void)
{
	DIR *d = opendir(SIM_BUS_DIR);
	struct dirent *e;
	__u32 mask = 0;
	unsigned int i;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (sscanf(e->d_name, "ttsim%u", &i) == 1 && i < 32)
			mask |= 1U << i;
	closedir(d);
	return mask;
}

/* The bus device name (e.g. "ttsim0", "0000:00:03.0") of card N */
static int card_parent(int card, char *name, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;

	attr_path(path, sizeof(path), card, "device");
	if (!realpath(path, target))
		return -errno;
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	strcpy(name, base);
	return 0;
}

/* The class id N of simulated card ttsimI; -1 when there is none */
static int sim_class_id(unsigned int sim)
{
	char parent[64], want[32];
	__u64 cards = class_cards();
	int n;

	snprintf(want, sizeof(want), "ttsim%u", sim);
	for (n = 0; n < 64; n++)
		if ((cards & (1ULL << n)) &&
		    !card_parent(n, parent, sizeof(parent)) &&
		    !strcmp(parent, want))
			return n;
	return -1;
}

/* ---- cards of the sim_cards parameter ---- */

/*
 * Simulated cards say "sim" in card_type and give their DRAM size in
 * dram_total: sim_dram_mib's value for them, else the default 12 GiB.
 */
TEST(sim_card_type_and_dram_total)
{
	__u64 mib[SIM_MAX_CARDS], cards = class_cards(), loaded = 0;
	char text[256], parent[64], path[PATH_MAX], *p, *tok;
	unsigned int nmib = 0, sim;
	int n, checked = 0;

	if (read_text(PARAM_DIR "/sim_dram_mib", text, sizeof(text)))
		SKIP(return, "no sim_dram_mib parameter");
	for (p = text; (tok = strsep(&p, ",\n")) && nmib < SIM_MAX_CARDS;) {
		if (!*tok)
			continue;
		ASSERT_TRUE(parse_dec(tok, &mib[nmib++]));
	}
	ASSERT_EQ(0, read_text(PARAM_DIR "/sim_cards", text, sizeof(text)));
	text[strcspn(text, "\n")] = '\0';
	ASSERT_TRUE(parse_dec(text, &loaded));

	for (n = 0; n < 64; n++) {
		__u64 total, want;

		if (!(cards & (1ULL << n)))
			continue;
		ASSERT_EQ(0, card_parent(n, parent, sizeof(parent)));
		if (sscanf(parent, "ttsim%u", &sim) != 1)
			continue;
		attr_path(path, sizeof(path), n, "card_type");
		ASSERT_EQ(0, read_text(path, text, sizeof(text)));
		EXPECT_STREQ("sim\n", text) {
			TH_LOG("card %d (%s)", n, parent);
		}
		if (sim >= loaded)	/* added through new_card: any size */
			continue;
		want = (sim < nmib && mib[sim] ? mib[sim] : SIM_DEFAULT_MIB) * MiB;
		ASSERT_EQ(0, read_attr(n, "dram_total", &total));
		EXPECT_EQ(want, total) {
			TH_LOG("card %d (%s)", n, parent);
		}
		if (want == SIM_DEFAULT_MIB * MiB)
			EXPECT_EQ(12884901888ULL, total);
		checked++;
	}
	if (!checked)
		SKIP(return, "no simulated card from sim_cards");
}

/* ---- simulated-card knobs ---- */

FIXTURE(sim) {
	__u32 added;	/* sim indexes this test added, removed at teardown */
	int fd;		/* a file on an added card, or -1 */
};

FIXTURE_SETUP(sim)
{
	self->added = 0;
	self->fd = -1;
	if (geteuid())
		SETUP_SKIP("the sim knobs need root");
	if (!exists(SIM_NEW_CARD))
		SETUP_SKIP("no %s", SIM_NEW_CARD);
}

FIXTURE_TEARDOWN(sim)
{
	__u32 left;
	unsigned int i;

	if (self->fd >= 0)
		close(self->fd);
	left = self->added & sim_cards_present();
	for (i = 0; i < 32; i++) {
		char num[16];

		if (!(left & (1U << i)))
			continue;
		snprintf(num, sizeof(num), "%u\n", i);
		if (write_text(SIM_DEL_CARD, num))
			fprintf(stderr, "# cannot remove ttsim%u\n", i);
	}
}

/*
 * Add a card of mib MiB through new_card: 0 and its sim index in *sim,
 * or -errno of the write.
 */
static int sim_add(FIXTURE_DATA(sim) *self, unsigned int mib,
		   unsigned int *sim)
{
	__u32 before = sim_cards_present(), added;
	char num[16];
	int ret;

	snprintf(num, sizeof(num), "%u\n", mib);
	ret = write_text(SIM_NEW_CARD, num);
	if (ret)
		return ret;
	added = sim_cards_present() & ~before;
	if (!added || (added & (added - 1)))
		return -EPROTO;	/* not exactly one new ttsim device */
	self->added |= added;
	*sim = __builtin_ctz(added);
	return 0;
}

static int sim_del(FIXTURE_DATA(sim) *self, unsigned int sim)
{
	char num[16];
	int ret;

	snprintf(num, sizeof(num), "%u\n", sim);
	ret = write_text(SIM_DEL_CARD, num);
	if (!ret)
		self->added &= ~(1U << sim);
	return ret;
}

static void expect_card_gone(struct __test_metadata *_metadata, int n)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), CLASS_DIR "/tenstorrent!%d", n);
	EXPECT_FALSE(exists(path)) {
		TH_LOG("%s still there", path);
	}
	snprintf(path, sizeof(path), DEBUGFS_DIR "/%d", n);
	EXPECT_FALSE(exists(path)) {
		TH_LOG("%s still there", path);
	}
	snprintf(path, sizeof(path), "/dev/tenstorrent/%d", n);
	EXPECT_FALSE(exists(path)) {
		TH_LOG("%s still there", path);
	}
}

/*
 * new_card adds a simulated card with the DRAM size written, its node,
 * class device and debugfs directory; del_card takes them all away.
 */
TEST_F(sim, new_card_and_del_card)
{
	char path[PATH_MAX], text[32];
	unsigned int sim;
	__u64 total;
	int n, fd;

	ASSERT_EQ(0, sim_add(self, 4096, &sim));
	n = sim_class_id(sim);
	ASSERT_LE(0, n) {
		TH_LOG("no class device for ttsim%u", sim);
	}
	ASSERT_EQ(0, read_attr(n, "dram_total", &total));
	EXPECT_EQ(4096 * MiB, total);
	attr_path(path, sizeof(path), n, "card_type");
	ASSERT_EQ(0, read_text(path, text, sizeof(text)));
	EXPECT_STREQ("sim\n", text);
	snprintf(path, sizeof(path), DEBUGFS_DIR "/%d/processes", n);
	EXPECT_TRUE(exists(path));
	fd = open_card(n);
	ASSERT_LE(0, fd) {
		TH_LOG("/dev/tenstorrent/%d: %s", n, strerror(errno));
	}
	EXPECT_EQ(0, track_alloc(fd, 0x1000, 4096, TT_BUFFER_TYPE_L1));
	close(fd);

	ASSERT_EQ(0, sim_del(self, sim));
	expect_card_gone(_metadata, n);
	EXPECT_FALSE(sim_cards_present() & (1U << sim));
}

/* new_card with 0 gives the default size, 12 GiB. */
TEST_F(sim, new_card_zero_is_default_size)
{
	unsigned int sim;
	__u64 total;
	int n;

	ASSERT_EQ(0, sim_add(self, 0, &sim));
	n = sim_class_id(sim);
	ASSERT_LE(0, n);
	ASSERT_EQ(0, read_attr(n, "dram_total", &total));
	EXPECT_EQ(12884901888ULL, total);
}

/*
 * A card removed while a file is open on it: TRACK_ALLOC and QUERY fail
 * with ENODEV, close works, and the card's directories are gone.
 */
TEST_F(sim, del_card_with_open_file)
{
	unsigned int sim;
	stats_t s;
	int n;

	ASSERT_EQ(0, sim_add(self, 1024, &sim));
	n = sim_class_id(sim);
	ASSERT_LE(0, n);
	self->fd = open_card(n);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, track_alloc(self->fd, 0x800000000ULL, MiB,
				 TT_BUFFER_TYPE_DRAM));

	ASSERT_EQ(0, sim_del(self, sim));
	EXPECT_EQ(-ENODEV, track_alloc(self->fd, 0x800100000ULL, MiB,
				      TT_BUFFER_TYPE_DRAM));
	EXPECT_EQ(-ENODEV, track_free(self->fd, 0x800000000ULL));
	EXPECT_EQ(-ENODEV, query(self->fd, &s));
	expect_card_gone(_metadata, n);
	EXPECT_EQ(0, close(self->fd));
	self->fd = -1;
}

/*
 * A removed card's number (minor, class device name, the number in leak
 * lines and tracepoints) stays taken while a file of it is open: a card
 * added meanwhile gets another; once the file is closed the number is
 * free again.
 */
TEST_F(sim, card_number_kept_while_open)
{
	unsigned int a, b, c;
	int n, m;

	ASSERT_EQ(0, sim_add(self, 1024, &a));
	n = sim_class_id(a);
	ASSERT_LE(0, n);
	self->fd = open_card(n);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, sim_del(self, a));

	ASSERT_EQ(0, sim_add(self, 1024, &b));
	m = sim_class_id(b);
	ASSERT_LE(0, m);
	EXPECT_NE(n, m) {
		TH_LOG("card %d was given again while a file of it is open", n);
	}
	EXPECT_EQ(0, close(self->fd));
	self->fd = -1;

	/* n was the lowest free number when the first card took it */
	ASSERT_EQ(0, sim_add(self, 1024, &c));
	EXPECT_EQ(n, sim_class_id(c));
}

/* del_card of a card that does not exist: ENOENT. */
TEST_F(sim, del_card_missing_enoent)
{
	__u32 present = sim_cards_present();
	unsigned int i;
	char num[16];

	for (i = 0; i < SIM_MAX_CARDS; i++)
		if (!(present & (1U << i)))
			break;
	if (i < SIM_MAX_CARDS) {
		snprintf(num, sizeof(num), "%u\n", i);
		EXPECT_EQ(-ENOENT, write_text(SIM_DEL_CARD, num)) {
			TH_LOG("ttsim%u", i);
		}
	}
	EXPECT_EQ(-ENOENT, write_text(SIM_DEL_CARD, "32\n"));
	EXPECT_EQ(present, sim_cards_present());
}

/* Thirty-two simulated cards at most: the next new_card fails with ENOSPC. */
TEST_F_TIMEOUT(sim, new_card_beyond_32_enospc, 120)
{
	unsigned int have = __builtin_popcount(sim_cards_present()), i, sim;

	ASSERT_GE(SIM_MAX_CARDS, have);
	for (i = have; i < SIM_MAX_CARDS; i++) {
		ASSERT_EQ(0, sim_add(self, 64, &sim)) {
			TH_LOG("card %u of %d", i + 1, SIM_MAX_CARDS);
		}
	}
	EXPECT_EQ(SIM_MAX_CARDS, __builtin_popcount(sim_cards_present()));
	EXPECT_EQ(-ENOSPC, write_text(SIM_NEW_CARD, "64\n"));
	EXPECT_EQ(SIM_MAX_CARDS, __builtin_popcount(sim_cards_present()));
}

int main(int argc, char **argv)
{
	return sysfs_tests_main(argc, argv);
}
