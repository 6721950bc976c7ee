// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the device core: card indexes, names and minors, the class,
 * the copied card info, and the lifetime of a card after its removal.
 *
 * The driver's init has registered the class and the minors before any case
 * runs: built in, initcalls run before the KUnit executor. (KUnit in 6.1 runs
 * a module's suites while the module is coming, before its init: these need
 * the driver built in, as scripts/kunit/run builds it.) The cases count
 * indexes from the lowest free one when they begin (0 without cards) and
 * expect those above it to be free too, which holds for cards made at load
 * (indexes 0 to sim_cards - 1).
 */
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/kdev_t.h>
#include <linux/sizes.h>

#include "device.h"

/**
 * struct tt_device_test_ctx - what one test case created
 * @parent: a root device standing in for the bus device of the cards
 * @base: the lowest free card index when the case began
 * @cards: the cards added and not yet removed, indexed by their id
 */
struct tt_device_test_ctx {
	struct device *parent;
	int base;
	struct tt_device *cards[TT_MAX_DEVICES];
};

static const struct tt_card_info tt_device_test_info = {
	.name = "kunit",
	.dram_size = SZ_1G,
};

/*
 * Set by tt_device_test_release(), which one case installs on one card to see
 * when the card is freed. KUnit runs the cases of a suite one at a time.
 */
static void (*tt_device_test_orig_release)(struct device *dev);
static bool tt_device_test_released;

static void tt_device_test_release(struct device *dev)
{
	tt_device_test_released = true;
	tt_device_test_orig_release(dev);
}

/* Add a card under the test's parent; the exit hook removes it if need be. */
static struct tt_device *tt_device_test_add(struct kunit *test,
					    const struct tt_card_info *info)
{
	struct tt_device_test_ctx *ctx = test->priv;
	struct tt_device *card;

	card = tt_device_add(ctx->parent, info);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, card);
	KUNIT_ASSERT_GE(test, card->id, 0);
	KUNIT_ASSERT_LT(test, card->id, TT_MAX_DEVICES);
	KUNIT_ASSERT_NULL(test, ctx->cards[card->id]);
	ctx->cards[card->id] = card;

	return card;
}

static void tt_device_test_remove(struct kunit *test, struct tt_device *card)
{
	struct tt_device_test_ctx *ctx = test->priv;

	ctx->cards[card->id] = NULL;
	tt_device_remove(card);
}

/* The name card index id must have */
static const char *tt_device_test_name_of(struct kunit *test, int id)
{
	char *name = kunit_kzalloc(test, 32, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, name);
	snprintf(name, 32, "tenstorrent!%d", id);
	return name;
}

static void tt_device_test_ids_distinct(struct kunit *test)
{
	struct tt_device_test_ctx *ctx = test->priv;
	struct tt_device *first, *second;

	first = tt_device_test_add(test, &tt_device_test_info);
	second = tt_device_test_add(test, &tt_device_test_info);

	KUNIT_EXPECT_EQ(test, first->id, ctx->base);
	KUNIT_EXPECT_EQ(test, second->id, ctx->base + 1);
}

static void tt_device_test_name(struct kunit *test)
{
	struct tt_device_test_ctx *ctx = test->priv;
	struct tt_device *first, *second;

	first = tt_device_test_add(test, &tt_device_test_info);
	second = tt_device_test_add(test, &tt_device_test_info);

	KUNIT_EXPECT_STREQ(test, dev_name(&first->dev),
			   tt_device_test_name_of(test, ctx->base));
	KUNIT_EXPECT_STREQ(test, dev_name(&second->dev),
			   tt_device_test_name_of(test, ctx->base + 1));
}

static void tt_device_test_minor(struct kunit *test)
{
	struct tt_device *first, *second;

	first = tt_device_test_add(test, &tt_device_test_info);
	second = tt_device_test_add(test, &tt_device_test_info);

	KUNIT_EXPECT_EQ(test, MINOR(first->dev.devt), first->id);
	KUNIT_EXPECT_EQ(test, MINOR(second->dev.devt), second->id);
	KUNIT_EXPECT_NE(test, MAJOR(first->dev.devt), 0);
	KUNIT_EXPECT_EQ(test, MAJOR(second->dev.devt), MAJOR(first->dev.devt));
}

static void tt_device_test_parent(struct kunit *test)
{
	struct tt_device_test_ctx *ctx = test->priv;
	struct tt_device *card;

	card = tt_device_test_add(test, &tt_device_test_info);

	KUNIT_EXPECT_PTR_EQ(test, card->dev.parent, ctx->parent);
}

static void tt_device_test_class(struct kunit *test)
{
	struct tt_device *card;

	card = tt_device_test_add(test, &tt_device_test_info);

	KUNIT_ASSERT_NOT_NULL(test, card->dev.class);
	KUNIT_EXPECT_STREQ(test, card->dev.class->name, "tenstorrent");
}

static void tt_device_test_lowest_free_id(struct kunit *test)
{
	struct tt_device_test_ctx *ctx = test->priv;
	struct tt_device *first, *card;

	first = tt_device_test_add(test, &tt_device_test_info);
	tt_device_test_add(test, &tt_device_test_info);
	KUNIT_ASSERT_EQ(test, first->id, ctx->base);

	tt_device_test_remove(test, first);
	card = tt_device_test_add(test, &tt_device_test_info);

	KUNIT_EXPECT_EQ(test, card->id, ctx->base);
	KUNIT_EXPECT_STREQ(test, dev_name(&card->dev),
			   tt_device_test_name_of(test, ctx->base));
}

static void tt_device_test_info_copied(struct kunit *test)
{
	struct tt_card_info info = tt_device_test_info;
	struct tt_device *card;

	card = tt_device_test_add(test, &info);
	info.name = "changed";
	info.dram_size = SZ_2G;

	KUNIT_EXPECT_STREQ(test, card->info.name, tt_device_test_info.name);
	KUNIT_EXPECT_EQ(test, card->info.dram_size,
			tt_device_test_info.dram_size);
}

static void tt_device_test_full(struct kunit *test)
{
	struct tt_device_test_ctx *ctx = test->priv;
	struct tt_device *card;
	int i;

	for (i = ctx->base; i < TT_MAX_DEVICES; i++)
		tt_device_test_add(test, &tt_device_test_info);

	card = tt_device_add(ctx->parent, &tt_device_test_info);
	if (!IS_ERR(card))
		tt_device_remove(card);

	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(card), -ENOSPC);
}

static void tt_device_test_removed_flag(struct kunit *test)
{
	struct tt_device *card;

	card = tt_device_test_add(test, &tt_device_test_info);
	get_device(&card->dev);
	tt_device_test_remove(test, card);

	KUNIT_EXPECT_TRUE(test, card->removed);
	put_device(&card->dev);
}

static void tt_device_test_freed_on_last_put(struct kunit *test)
{
	struct tt_device *card;

	card = tt_device_test_add(test, &tt_device_test_info);
	tt_device_test_released = false;
	tt_device_test_orig_release = card->dev.release;
	card->dev.release = tt_device_test_release;
	get_device(&card->dev);
	tt_device_test_remove(test, card);

	KUNIT_EXPECT_FALSE(test, tt_device_test_released);
	put_device(&card->dev);
	KUNIT_EXPECT_TRUE(test, tt_device_test_released);
}

/*
 * A removed card's index stays taken while a reference (an open file) holds
 * the card, so a card added meanwhile gets another; the last put frees it.
 */
static void tt_device_test_id_kept_while_referenced(struct kunit *test)
{
	struct tt_device_test_ctx *ctx = test->priv;
	struct tt_device *old, *card;

	old = tt_device_test_add(test, &tt_device_test_info);
	KUNIT_ASSERT_EQ(test, old->id, ctx->base);
	get_device(&old->dev);
	tt_device_test_remove(test, old);

	card = tt_device_test_add(test, &tt_device_test_info);
	KUNIT_EXPECT_NE(test, card->id, ctx->base);
	put_device(&old->dev);

	card = tt_device_test_add(test, &tt_device_test_info);
	KUNIT_EXPECT_EQ(test, card->id, ctx->base);
}

static int tt_device_test_init(struct kunit *test)
{
	struct tt_device_test_ctx *ctx;
	struct tt_device *card;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);

	ctx->parent = root_device_register("tt_kunit");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->parent);
	test->priv = ctx;

	/* the lowest free index: the one a card added now would get */
	card = tt_device_add(ctx->parent, &tt_device_test_info);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, card);
	ctx->base = card->id;
	tt_device_remove(card);

	return 0;
}

static void tt_device_test_exit(struct kunit *test)
{
	struct tt_device_test_ctx *ctx = test->priv;
	int i;

	/* init may have failed half way; exit runs all the same */
	if (!ctx)
		return;

	for (i = 0; i < TT_MAX_DEVICES; i++) {
		if (ctx->cards[i])
			tt_device_remove(ctx->cards[i]);
	}
	root_device_unregister(ctx->parent);
}

static struct kunit_case tt_device_test_cases[] = {
	KUNIT_CASE(tt_device_test_ids_distinct),
	KUNIT_CASE(tt_device_test_name),
	KUNIT_CASE(tt_device_test_minor),
	KUNIT_CASE(tt_device_test_parent),
	KUNIT_CASE(tt_device_test_class),
	KUNIT_CASE(tt_device_test_lowest_free_id),
	KUNIT_CASE(tt_device_test_info_copied),
	KUNIT_CASE(tt_device_test_full),
	KUNIT_CASE(tt_device_test_removed_flag),
	KUNIT_CASE(tt_device_test_freed_on_last_put),
	KUNIT_CASE(tt_device_test_id_kept_while_referenced),
	{}
};

static struct kunit_suite tt_device_test_suite = {
	.name = "tenstorrent_device",
	.init = tt_device_test_init,
	.exit = tt_device_test_exit,
	.test_cases = tt_device_test_cases,
};

kunit_test_suite(tt_device_test_suite);
