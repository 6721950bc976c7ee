/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The record store of one open file: its live buffer records, packed in
 * blocks of 4 KiB the store owns, found by buffer id in a hash table of
 * singly linked chains that resizes itself.
 */
#ifndef TT_TRACK_STORE_H
#define TT_TRACK_STORE_H

#include <linux/slab.h>
#include <linux/types.h>

/* Largest size a record holds; every card's capacity is below it. */
#define TT_TRACK_SIZE_MAX	(BIT_ULL(56) - 1)
/* Most references one record holds. */
#define TT_TRACK_REFS_MAX	(BIT(24) - 1)
/* Records in one block of the store: 4 KiB */
#define TT_TRACK_STORE_BLOCK	128

/**
 * struct tt_track_record - one live buffer, 32 bytes
 * @next: the next record of its hash chain
 * @id: the buffer id
 * @size: bytes, at most TT_TRACK_SIZE_MAX
 * @type: enum tenstorrent_buffer_type
 * @stamp: when it was recorded, tt_track_stamp()
 * @refs: references (repeated reports), 1 to TT_TRACK_REFS_MAX
 */
struct tt_track_record {
	struct tt_track_record *next;
	u64 id;
	u64 size : 56;
	u64 type : 8;
	u64 stamp : 40;
	u64 refs : 24;
};

/**
 * struct tt_track_store - the records of one file
 * @buckets: 1 << @bits chain heads; NULL until the first record
 * @blocks: @nblocks blocks of TT_TRACK_STORE_BLOCK records each (the
 *	first may be smaller, see @first); record k is in block k / 128
 * @bits: log2 of the number of buckets, 0 while @buckets is NULL
 * @nblocks: blocks allocated
 * @max_blocks: room in @blocks
 * @first: records the first block holds, until it holds a whole block
 * @count: records in the store, in its first @count places
 *
 * The records are packed: the store's first @count places hold them, in
 * no order; a record that goes is replaced by the last one. A pointer to
 * a record is therefore good only until the store next changes.
 *
 * The caller serialises every call on one store (the file's mutex).
 */
struct tt_track_store {
	struct tt_track_record **buckets;
	struct tt_track_record **blocks;
	unsigned int bits;
	unsigned int nblocks;
	unsigned int max_blocks;
	unsigned int first;
	unsigned long count;
};

/* Coarse clock of records, in units of 2^20 ns (about 1.05 ms). */
static inline u64 tt_track_stamp(void)
{
	return (ktime_get_coarse_ns() >> 20) & (BIT_ULL(40) - 1);
}

/* Milliseconds from a record's stamp to @now, another stamp. */
static inline u64 tt_track_stamp_age_ms(u64 stamp, u64 now)
{
	u64 delta = (now - stamp) & (BIT_ULL(40) - 1);

	return div_u64(delta << 20, NSEC_PER_MSEC);
}

/**
 * struct tt_track_store_pos - a place in a walk over a store's records
 * @hash: the record's chain hash (tt_track_store_hash())
 * @id: its id
 * @type: its type
 * @after: the place is just after that record, not at it
 * @valid: a place at all; false: before the first record
 *
 * A walk goes in the order of (hash, id, type), which does not depend on
 * the table's size: records live all along a walk are met once each, also
 * when others come and go and the table is resized between two steps.
 */
struct tt_track_store_pos {
	u32 hash;
	u64 id;
	u32 type;
	bool after;
	bool valid;
};

void tt_track_store_init(struct tt_track_store *s);
struct tt_track_record **tt_track_store_find(struct tt_track_store *s,
					     u64 id, u32 type);
unsigned int tt_track_store_find_id(struct tt_track_store *s, u64 id,
				    struct tt_track_record ***slot);
int tt_track_store_reserve(struct tt_track_store *s, gfp_t gfp);
struct tt_track_record *tt_track_store_insert(struct tt_track_store *s,
					      u64 id, u32 type, u64 size,
					      u64 stamp, gfp_t gfp);
void tt_track_store_remove(struct tt_track_store *s,
			   struct tt_track_record **slot, gfp_t gfp);
void tt_track_store_drain(struct tt_track_store *s);
struct tt_track_record *tt_track_store_walk(struct tt_track_store *s,
					    struct tt_track_store_pos *pos);
size_t tt_track_store_bytes(const struct tt_track_store *s);

void tt_track_store_global_init(void);

#endif /* TT_TRACK_STORE_H */
