// SPDX-License-Identifier: GPL-2.0-only
/*
 * The record store: a file's live records in a hash table of singly linked
 * chains, the link inside each record.
 *
 * Why not an xarray: buffer ids are whatever a runtime chooses (tt-metal:
 * device addresses). An xarray indexed by them costs a 576-byte node per
 * record when ids are spread over the 64-bit space, so a limit on records
 * would bound nothing like memory. Here memory does not depend on the ids
 * at all: a record is 32 bytes and the table keeps between one and two
 * records per 8-byte bucket as it grows (two to one half as it shrinks),
 * so a record costs 36 to 40 bytes while records are being added and at
 * most 48 bytes after most of them were freed, for any ids. The chains are
 * keyed with a multiplier drawn at load (multiply-shift hashing), so ids
 * cannot be chosen to pile up in one chain without knowing it.
 *
 * The table grows when it holds more than two records per bucket and
 * shrinks below one half, each time rehashing every record, rescheduling as
 * it goes; a failed resize leaves the table as it was (longer chains, never
 * a lost record). All the records of one id, in different types, are in one
 * chain, so a free that names no type finds them all in one walk.
 */
#include <linux/bits.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/prefetch.h>
#include <linux/sched.h>
#include <linux/random.h>

#include "track_store.h"

/* Smallest and largest table: 16 buckets (128 bytes), 2^30 buckets */
#define TT_TRACK_STORE_MIN_BITS	4
#define TT_TRACK_STORE_MAX_BITS	30

/* The chains' hash multiplier, odd, drawn at load */
static u64 tt_track_store_mul __read_mostly = 0x9e3779b97f4a7c15ULL;

/* Draw the chains' hash multiplier: once, before any file opens. */
void tt_track_store_global_init(void)
{
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
	s->buckets = NULL;
	s->bits = 0;
	s->count = 0;
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

/* Move every record into a table of 1 << @bits buckets, if one can be had */
static void tt_track_store_resize(struct tt_track_store *s, unsigned int bits,
				  gfp_t gfp)
{
	struct tt_track_record **new, *rec, *next;
	unsigned long i, old = 1UL << s->bits;

	new = kvcalloc(1UL << bits, sizeof(*new), gfp);
	if (!new)
		return;
	for (i = 0; i < old; i++) {
		for (rec = s->buckets[i]; rec; rec = next) {
			unsigned long b = tt_track_store_bucket(rec->id, bits);

			next = rec->next;
			rec->next = new[b];
			new[b] = rec;
		}
		if (!(i % 4096))
			cond_resched();
	}
	kvfree(s->buckets);
	s->buckets = new;
	s->bits = bits;
}

/**
 * tt_track_store_reserve() - make sure the store has a table
 * @s: the store
 * @gfp: allocation flags
 *
 * tt_track_store_insert() cannot fail after this.
 *
 * Return: 0 or -ENOMEM.
 */
int tt_track_store_reserve(struct tt_track_store *s, gfp_t gfp)
{
	if (s->buckets)
		return 0;
	s->buckets = kvcalloc(1UL << TT_TRACK_STORE_MIN_BITS,
			      sizeof(*s->buckets), gfp);
	if (!s->buckets)
		return -ENOMEM;
	s->bits = TT_TRACK_STORE_MIN_BITS;
	return 0;
}

/**
 * tt_track_store_insert() - add a record
 * @s: the store, with a table (tt_track_store_reserve())
 * @rec: the record, its id and type not in the store yet
 * @gfp: allocation flags for growing the table
 */
void tt_track_store_insert(struct tt_track_store *s,
			   struct tt_track_record *rec, gfp_t gfp)
{
	unsigned long b = tt_track_store_bucket(rec->id, s->bits);

	rec->next = s->buckets[b];
	s->buckets[b] = rec;
	s->count++;
	if (s->count > 2UL << s->bits && s->bits < TT_TRACK_STORE_MAX_BITS)
		tt_track_store_resize(s, s->bits + 1, gfp);
}

/**
 * tt_track_store_unlink() - take a record out
 * @s: the store
 * @slot: the link pointing at it, from a find just before
 * @gfp: allocation flags for shrinking the table
 *
 * The record is the caller's to free.
 */
void tt_track_store_unlink(struct tt_track_store *s,
			   struct tt_track_record **slot, gfp_t gfp)
{
	*slot = (*slot)->next;
	s->count--;
	if (s->bits > TT_TRACK_STORE_MIN_BITS && s->count < (1UL << s->bits) / 2)
		tt_track_store_resize(s, s->bits - 1, gfp);
}

/**
 * tt_track_store_drain() - free every record and the table
 * @s: the store; empty and without a table after
 * @cache: the records' slab cache
 *
 * Records go back to the slab 64 at a time (kmem_cache_free_bulk() hands a
 * slab page's objects back together); the walk lets others run every 4096
 * records. Nothing is locked: nothing else reaches the store any more.
 */
void tt_track_store_drain(struct tt_track_store *s, struct kmem_cache *cache)
{
	struct tt_track_record *rec, *next;
	unsigned long i, n = 0;
	void *bulk[64];
	size_t k = 0;

	for (i = 0; s->buckets && i < 1UL << s->bits; i++) {
		/* the records lie in hash order: fetch a few buckets ahead */
		if (i + 32 < 1UL << s->bits)
			prefetch(s->buckets[i + 32]);
		for (rec = s->buckets[i]; rec; rec = next) {
			next = rec->next;
			bulk[k++] = rec;
			if (k < ARRAY_SIZE(bulk))
				continue;
			kmem_cache_free_bulk(cache, k, bulk);
			k = 0;
			if (!(++n % (4096 / ARRAY_SIZE(bulk))))
				cond_resched();
		}
	}
	if (k)
		kmem_cache_free_bulk(cache, k, bulk);
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
 * tt_track_store_index_bytes() - memory the table itself takes
 * @s: the store
 *
 * Return: bytes of the bucket array (records not included).
 */
size_t tt_track_store_index_bytes(const struct tt_track_store *s)
{
	return s->buckets ? sizeof(*s->buckets) << s->bits : 0;
}
