// SPDX-License-Identifier: GPL-2.0-only
/*
 * The record store: a file's live records packed in 4 KiB blocks, found
 * through a hash table of singly linked chains, the link inside each
 * record.
 *
 * Why not an xarray: buffer ids are whatever a runtime chooses (tt-metal:
 * device addresses). An xarray indexed by them costs a 576-byte node per
 * record when ids are spread over the 64-bit space, so a limit on records
 * would bound nothing like memory. Here memory does not depend on the ids
 * at all: a record is 32 bytes, the table keeps between one and two
 * records per 8-byte bucket as it grows (two to one half as it shrinks),
 * so a record costs 36 to 40 bytes while records are being added and at
 * most 48 bytes after most of them were freed, for any ids, plus at most
 * two blocks (8 KiB) per file. The chains are keyed with a multiplier drawn
 * at load (multiply-shift hashing), so ids cannot be chosen to pile up in
 * one chain without knowing it.
 *
 * Why blocks of its own and not a slab cache: the records stay packed. The
 * store's first count places hold them; a freed record's place takes the
 * store's last record (found through its chain, one short walk), and a
 * block goes back once the one after the last record is empty too. So
 * releasing a file frees one block per 128 records, with no walk over the
 * records at all, and a resize rehashes them in memory order. The first
 * block starts at 4 records and doubles to 128 (moving its records, which
 * are then linked again), so a file with a few records costs little.
 *
 * The table grows when it holds more than two records per bucket and
 * shrinks below one half, each time linking every record again and
 * rescheduling as it goes; a failed resize leaves the table as it was
 * (longer chains, never a lost record). All the records of one id, in different types, are in one
 * chain, so a free that names no type finds them all in one walk.
 */
#include <linux/bits.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sizes.h>

#include "track_store.h"

/* Smallest and largest table: 16 buckets (128 bytes), 2^30 buckets */
#define TT_TRACK_STORE_MIN_BITS	4
#define TT_TRACK_STORE_MAX_BITS	30
/* Records the first block holds at first (128 bytes) */
#define TT_TRACK_STORE_FIRST	4

/* The chains' hash multiplier, odd, drawn at load */
static u64 tt_track_store_mul __read_mostly = 0x9e3779b97f4a7c15ULL;

/* Draw the chains' hash multiplier: once, before any file opens. */
void tt_track_store_global_init(void)
{
	BUILD_BUG_ON(TT_TRACK_STORE_BLOCK * sizeof(struct tt_track_record) !=
		     SZ_4K);
	get_random_bytes(&tt_track_store_mul, sizeof(tt_track_store_mul));
	tt_track_store_mul |= 1;
}

/*
 * Multiply-shift: the top bits of id * mul for a random odd mul. For any
 * two ids the chance that a table of 2^k buckets puts them in one is at
 * most 2 / 2^k (Dietzfelbinger et al., a universal family), whatever ids
 * a user chooses without knowing mul; and it costs one multiplication.
 */
static u32 tt_track_store_hash(u64 id)
{
	return (id * tt_track_store_mul) >> 32;
}

/* The bucket of a hash: its top bits, so that buckets keep hash order */
static unsigned long tt_track_store_bucket_of(u32 hash, unsigned int bits)
{
	return hash >> (32 - bits);
}

static unsigned long tt_track_store_bucket(u64 id, unsigned int bits)
{
	return tt_track_store_bucket_of(tt_track_store_hash(id), bits);
}

/**
 * tt_track_store_init() - an empty store, with no table yet
 * @s: the store
 */
void tt_track_store_init(struct tt_track_store *s)
{
	*s = (struct tt_track_store){ };
}

/* The record in place @k, below the store's room */
static struct tt_track_record *tt_track_store_at(struct tt_track_store *s,
						 unsigned long k)
{
	return &s->blocks[k / TT_TRACK_STORE_BLOCK][k % TT_TRACK_STORE_BLOCK];
}

/* Places the blocks have */
static unsigned long tt_track_store_room(const struct tt_track_store *s)
{
	return s->nblocks ?
	       (s->nblocks - 1UL) * TT_TRACK_STORE_BLOCK + s->first : 0;
}

/**
 * tt_track_store_find() - the record of a buffer id and type
 * @s: the store
 * @id: buffer id
 * @type: buffer type
 *
 * Return: the link that points at the record (for
 * tt_track_store_unlink()), or NULL when there is none.
 */
struct tt_track_record **tt_track_store_find(struct tt_track_store *s,
					     u64 id, u32 type)
{
	struct tt_track_record **p, *rec;

	if (!s->buckets)
		return NULL;
	for (p = &s->buckets[tt_track_store_bucket(id, s->bits)];
	     (rec = *p); p = &rec->next)
		if (rec->id == id && rec->type == type)
			return p;
	return NULL;
}

/**
 * tt_track_store_find_id() - the records of a buffer id, whatever their type
 * @s: the store
 * @id: buffer id
 * @slot: set to the link pointing at the first such record, if any
 *
 * Return: how many records have @id (at most one per type).
 */
unsigned int tt_track_store_find_id(struct tt_track_store *s, u64 id,
				    struct tt_track_record ***slot)
{
	struct tt_track_record **p, *rec;
	unsigned int n = 0;

	if (!s->buckets)
		return 0;
	for (p = &s->buckets[tt_track_store_bucket(id, s->bits)];
	     (rec = *p); p = &rec->next) {
		if (rec->id != id)
			continue;
		if (!n++)
			*slot = p;
	}
	return n;
}

/* Link every record into @table, 1 << @bits empty chains, in place order */
static void tt_track_store_link(struct tt_track_store *s,
				struct tt_track_record **table, unsigned int bits)
{
	struct tt_track_record *rec;
	unsigned long k, b;

	for (k = 0; k < s->count; k++) {
		rec = tt_track_store_at(s, k);
		b = tt_track_store_bucket(rec->id, bits);
		rec->next = table[b];
		table[b] = rec;
		if (!((k + 1) % 4096))
			cond_resched();
	}
}

/* Move every record into a table of 1 << @bits buckets, if one can be had */
static void tt_track_store_resize(struct tt_track_store *s, unsigned int bits,
				  gfp_t gfp)
{
	struct tt_track_record **new;

	new = kvcalloc(1UL << bits, sizeof(*new), gfp);
	if (!new)
		return;
	tt_track_store_link(s, new, bits);
	kvfree(s->buckets);
	s->buckets = new;
	s->bits = bits;
}

/* The first block, from 4 records, doubled; its records are linked again */
static int tt_track_store_grow_first(struct tt_track_store *s, gfp_t gfp)
{
	unsigned int first = s->first ? 2 * s->first : TT_TRACK_STORE_FIRST;
	struct tt_track_record *old = s->nblocks ? s->blocks[0] : NULL;
	struct tt_track_record *new;

	new = krealloc(old, first * sizeof(*new), gfp);
	if (!new)
		return -ENOMEM;
	s->blocks[0] = new;
	s->nblocks = 1;
	s->first = first;
	if (new != old && s->count) {
		memset(s->buckets, 0, sizeof(*s->buckets) << s->bits);
		tt_track_store_link(s, s->buckets, s->bits);
	}
	return 0;
}

/* One more whole block, the array of blocks doubled when it is full */
static int tt_track_store_add_block(struct tt_track_store *s, gfp_t gfp)
{
	struct tt_track_record *block, **blocks;
	unsigned int max;

	if (s->nblocks == s->max_blocks) {
		max = max(2 * s->max_blocks, 4U);
		blocks = kvmalloc_array(max, sizeof(*blocks), gfp);
		if (!blocks)
			return -ENOMEM;
		if (s->nblocks)
			memcpy(blocks, s->blocks, s->nblocks * sizeof(*blocks));
		kvfree(s->blocks);
		s->blocks = blocks;
		s->max_blocks = max;
	}
	if (s->nblocks <= 1 && s->first < TT_TRACK_STORE_BLOCK)
		return tt_track_store_grow_first(s, gfp);
	block = kmalloc_array(TT_TRACK_STORE_BLOCK, sizeof(*block), gfp);
	if (!block)
		return -ENOMEM;
	s->blocks[s->nblocks++] = block;
	return 0;
}

/**
 * tt_track_store_reserve() - make room for one more record
 * @s: the store
 * @gfp: allocation flags
 *
 * tt_track_store_insert() cannot fail after this. Records may move (the
 * first block grows), so pointers to records are stale after it.
 *
 * Return: 0 or -ENOMEM, the store as it was.
 */
int tt_track_store_reserve(struct tt_track_store *s, gfp_t gfp)
{
	if (!s->buckets) {
		s->buckets = kvcalloc(1UL << TT_TRACK_STORE_MIN_BITS,
				      sizeof(*s->buckets), gfp);
		if (!s->buckets)
			return -ENOMEM;
		s->bits = TT_TRACK_STORE_MIN_BITS;
	}
	if (s->count < tt_track_store_room(s))
		return 0;
	return tt_track_store_add_block(s, gfp);
}

/**
 * tt_track_store_insert() - add a record, with one reference
 * @s: the store, with room for it (tt_track_store_reserve())
 * @id: its buffer id
 * @type: its type; (@id, @type) not in the store yet
 * @size: its size, at most TT_TRACK_SIZE_MAX
 * @stamp: when it was recorded, tt_track_stamp()
 * @gfp: allocation flags for growing the table
 *
 * The record is written whole, once, rather than zeroed and then its bit
 * fields read back and rewritten one by one.
 *
 * Return: the record.
 */
struct tt_track_record *tt_track_store_insert(struct tt_track_store *s,
					      u64 id, u32 type, u64 size,
					      u64 stamp, gfp_t gfp)
{
	struct tt_track_record *rec = tt_track_store_at(s, s->count);
	unsigned long b = tt_track_store_bucket(id, s->bits);

	*rec = (struct tt_track_record){
		.next = s->buckets[b],
		.id = id,
		.size = size,
		.type = type,
		.stamp = stamp,
		.refs = 1,
	};
	s->buckets[b] = rec;
	s->count++;
	if (s->count > 2UL << s->bits && s->bits < TT_TRACK_STORE_MAX_BITS)
		tt_track_store_resize(s, s->bits + 1, gfp);
	return rec;
}

/**
 * tt_track_store_remove() - take a record out and free it
 * @s: the store
 * @slot: the link pointing at it, from a find just before
 * @gfp: allocation flags for shrinking the table
 *
 * The store's last record moves into the freed place.
 */
void tt_track_store_remove(struct tt_track_store *s,
			   struct tt_track_record **slot, gfp_t gfp)
{
	struct tt_track_record *rec = *slot, *last, **p;

	*slot = rec->next;
	last = tt_track_store_at(s, --s->count);
	if (last != rec) {
		p = &s->buckets[tt_track_store_bucket(last->id, s->bits)];
		while (*p != last)
			p = &(*p)->next;
		*rec = *last;
		*p = rec;
	}
	/* keep one empty block after the last record, free a second one */
	if (s->nblocks >= 2 &&
	    s->count <= (s->nblocks - 2UL) * TT_TRACK_STORE_BLOCK)
		kfree(s->blocks[--s->nblocks]);
	if (s->bits > TT_TRACK_STORE_MIN_BITS && s->count < (1UL << s->bits) / 2)
		tt_track_store_resize(s, s->bits - 1, gfp);
}

/**
 * tt_track_store_drain() - free every record and the table
 * @s: the store; empty and without a table after
 *
 * One free per block of 128 records, no walk over the records; others may
 * run every 256 blocks. Nothing is locked: nothing else reaches the store.
 */
void tt_track_store_drain(struct tt_track_store *s)
{
	unsigned int i;

	for (i = 0; i < s->nblocks; i++) {
		kfree(s->blocks[i]);
		if (!((i + 1) % 256))
			cond_resched();
	}
	kvfree(s->blocks);
	kvfree(s->buckets);
	tt_track_store_init(s);
}

/* Does the record of (@hash, @id, @type) come before @pos in walk order? */
static bool tt_track_store_before(u32 hash, u64 id, u32 type,
				  const struct tt_track_store_pos *pos)
{
	if (hash != pos->hash)
		return hash < pos->hash;
	if (id != pos->id)
		return id < pos->id;
	return pos->after ? type <= pos->type : type < pos->type;
}

/**
 * tt_track_store_walk() - the next record of a walk in (hash, id, type) order
 * @s: the store
 * @pos: in: where the walk stands; out: at the record returned
 *
 * Return: the first record at or after @pos, or NULL past the last. A
 * chain is short (one or two records), so each step takes the least of a
 * chain's records after @pos.
 */
struct tt_track_record *tt_track_store_walk(struct tt_track_store *s,
					    struct tt_track_store_pos *pos)
{
	struct tt_track_record *rec, *best = NULL;
	unsigned long b = 0;
	u32 hash, best_hash = 0;

	if (!s->buckets)
		return NULL;
	if (pos->valid)
		b = tt_track_store_bucket_of(pos->hash, s->bits);
	for (; b < 1UL << s->bits; b++) {
		for (rec = s->buckets[b]; rec; rec = rec->next) {
			hash = tt_track_store_hash(rec->id);
			if (pos->valid &&
			    tt_track_store_before(hash, rec->id, rec->type, pos))
				continue;
			if (best && (hash > best_hash ||
				     (hash == best_hash &&
				      (rec->id > best->id ||
				       (rec->id == best->id &&
					rec->type > best->type)))))
				continue;
			best = rec;
			best_hash = hash;
		}
		if (best)
			break;
	}
	if (best) {
		pos->hash = best_hash;
		pos->id = best->id;
		pos->type = best->type;
		pos->after = false;
		pos->valid = true;
	}
	return best;
}

/**
 * tt_track_store_bytes() - memory the store takes
 * @s: the store
 *
 * Return: bytes of its table, its array of blocks and its blocks.
 */
size_t tt_track_store_bytes(const struct tt_track_store *s)
{
	size_t bytes = s->buckets ? sizeof(*s->buckets) << s->bits : 0;

	bytes += s->max_blocks * sizeof(*s->blocks);
	return bytes + tt_track_store_room(s) * sizeof(struct tt_track_record);
}
