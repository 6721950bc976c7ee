/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tracepoints of the allocation tracking core: tenstorrent:tt_track_alloc,
 * tenstorrent:tt_track_free and tenstorrent:tt_track_release (a file closed
 * with records still live).
 *
 * Every enum constant of a format (a type's name, the array's length) has
 * a TRACE_DEFINE_ENUM(): tracefs then shows its value, which user-space
 * parsers (libtraceevent: perf, trace-cmd) need, since they cannot know
 * the kernel's enums.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM tenstorrent

#if !defined(TT_TRACK_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define TT_TRACK_TRACE_H

#include <linux/tracepoint.h>

#include "tenstorrent_track.h"

TRACE_DEFINE_ENUM(TT_BUFFER_TYPE_DRAM);
TRACE_DEFINE_ENUM(TT_BUFFER_TYPE_L1);
TRACE_DEFINE_ENUM(TT_BUFFER_TYPE_SYSTEM_MEMORY);
TRACE_DEFINE_ENUM(TT_BUFFER_TYPE_L1_SMALL);
TRACE_DEFINE_ENUM(TT_BUFFER_TYPE_TRACE);
TRACE_DEFINE_ENUM(TT_BUFFER_TYPE_CB);
TRACE_DEFINE_ENUM(TT_BUFFER_TYPE_KERNEL);
TRACE_DEFINE_ENUM(TT_BUFFER_TYPE_COUNT);

/* The names debugfs gives the types too (TENSTORRENT_BUFFER_TYPE_NAMES) */
#define tt_track_trace_type(type)					\
	__print_symbolic(type,						\
			 { TT_BUFFER_TYPE_DRAM, "dram" },		\
			 { TT_BUFFER_TYPE_L1, "l1" },			\
			 { TT_BUFFER_TYPE_SYSTEM_MEMORY, "system_memory" }, \
			 { TT_BUFFER_TYPE_L1_SMALL, "l1_small" },	\
			 { TT_BUFFER_TYPE_TRACE, "trace" },		\
			 { TT_BUFFER_TYPE_CB, "cb" },			\
			 { TT_BUFFER_TYPE_KERNEL, "kernel" })

DECLARE_EVENT_CLASS(tt_track_buffer,
		    TP_PROTO(int card, u64 buffer_id, u64 size, u32 type),
		    TP_ARGS(card, buffer_id, size, type),
		    TP_STRUCT__entry(__field(int, card)
				     __field(u32, type)
				     __field(u64, buffer_id)
				     __field(u64, size)),
		    TP_fast_assign(__entry->card = card;
				   __entry->type = type;
				   __entry->buffer_id = buffer_id;
				   __entry->size = size;),
		    TP_printk("card=%d buffer_id=0x%llx size=%llu type=%s",
			      __entry->card, __entry->buffer_id, __entry->size,
			      tt_track_trace_type(__entry->type))
);

DEFINE_EVENT(tt_track_buffer, tt_track_alloc,
	     TP_PROTO(int card, u64 buffer_id, u64 size, u32 type),
	     TP_ARGS(card, buffer_id, size, type)
);

DEFINE_EVENT(tt_track_buffer, tt_track_free,
	     TP_PROTO(int card, u64 buffer_id, u64 size, u32 type),
	     TP_ARGS(card, buffer_id, size, type)
);

TRACE_EVENT(tt_track_release,
	    TP_PROTO(int card, pid_t pid, u64 buffers, const u64 *allocated),
	    TP_ARGS(card, pid, buffers, allocated),
	    TP_STRUCT__entry(__field(int, card)
			     __field(pid_t, pid)
			     __field(u64, buffers)
			     __array(u64, allocated, TT_BUFFER_TYPE_COUNT)),
	    TP_fast_assign(__entry->card = card;
			   __entry->pid = pid;
			   __entry->buffers = buffers;
			   memcpy(__entry->allocated, allocated,
				  sizeof(__entry->allocated));),
	    /* libtraceevent before 1.8 knows sizeof(long long), not of u64 */
	    TP_printk("card=%d pid=%d buffers=%llu bytes_per_type=%s",
		      __entry->card, __entry->pid, __entry->buffers,
		      __print_array(__entry->allocated, TT_BUFFER_TYPE_COUNT,
				    sizeof(unsigned long long)))
);

#endif /* TT_TRACK_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE track_trace
#include <trace/define_trace.h>
