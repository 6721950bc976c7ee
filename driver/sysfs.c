// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-card totals in sysfs: one value per file under
 * /sys/class/tenstorrent/tenstorrent!N/, decimal, world-readable, each read
 * O(1) from the totals the tracking core keeps. Monitors can poll(POLLPRI)
 * them: changes are notified, coalesced to at most ten a second.
 * Documentation/ABI/testing/sysfs-class-tenstorrent describes each file.
 */
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/sysfs.h>

#include "device.h"
#include "sysfs.h"

/**
 * struct tt_sysfs_total - a per-type total shown in sysfs
 * @attr: the attribute, named <type>_allocated or <type>_peak
 * @type: enum tenstorrent_buffer_type
 * @peak: show the peak rather than the bytes allocated now
 */
struct tt_sysfs_total {
	struct device_attribute attr;
	u32 type;
	bool peak;
};

/*
 * Bytes of one buffer type live on the card, all open files together
 * (<type>_allocated), or the highest that has been since the card appeared
 * or its peaks were reset (<type>_peak).
 */
static ssize_t tt_sysfs_total_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	struct tt_sysfs_total *ta = container_of(attr, struct tt_sysfs_total,
						 attr);
	struct tt_track_totals t;

	tt_track_device_totals(&tt_device_from_dev(dev)->track, &t, NULL);
	return sysfs_emit(buf, "%llu\n",
			  ta->peak ? t.peak[ta->type] : t.allocated[ta->type]);
}

#define TT_SYSFS_TOTAL(_name, _type, _peak)				\
	static struct tt_sysfs_total tt_sysfs_##_name = {		\
		.attr = __ATTR(_name, 0444, tt_sysfs_total_show, NULL),	\
		.type = _type,						\
		.peak = _peak,						\
	}

TT_SYSFS_TOTAL(dram_allocated, TT_BUFFER_TYPE_DRAM, false);
TT_SYSFS_TOTAL(l1_allocated, TT_BUFFER_TYPE_L1, false);
TT_SYSFS_TOTAL(system_memory_allocated, TT_BUFFER_TYPE_SYSTEM_MEMORY, false);
TT_SYSFS_TOTAL(l1_small_allocated, TT_BUFFER_TYPE_L1_SMALL, false);
TT_SYSFS_TOTAL(trace_allocated, TT_BUFFER_TYPE_TRACE, false);
TT_SYSFS_TOTAL(cb_allocated, TT_BUFFER_TYPE_CB, false);
TT_SYSFS_TOTAL(kernel_allocated, TT_BUFFER_TYPE_KERNEL, false);
TT_SYSFS_TOTAL(dram_peak, TT_BUFFER_TYPE_DRAM, true);
TT_SYSFS_TOTAL(l1_peak, TT_BUFFER_TYPE_L1, true);
TT_SYSFS_TOTAL(system_memory_peak, TT_BUFFER_TYPE_SYSTEM_MEMORY, true);
TT_SYSFS_TOTAL(l1_small_peak, TT_BUFFER_TYPE_L1_SMALL, true);
TT_SYSFS_TOTAL(trace_peak, TT_BUFFER_TYPE_TRACE, true);
TT_SYSFS_TOTAL(cb_peak, TT_BUFFER_TYPE_CB, true);
TT_SYSFS_TOTAL(kernel_peak, TT_BUFFER_TYPE_KERNEL, true);

/* Live buffer records on the card, all types and open files together. */
static ssize_t buffers_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct tt_track_totals t;
	u64 sum = 0;
	unsigned int type;

	tt_track_device_totals(&tt_device_from_dev(dev)->track, &t, NULL);
	for (type = 0; type < TT_TRACK_TYPES; type++)
		sum += t.buffers[type];
	return sysfs_emit(buf, "%llu\n", sum);
}
static DEVICE_ATTR_RO(buffers);

/* Open files of the card's node, whether or not they track anything. */
static ssize_t open_files_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct tt_track_totals t;
	unsigned int n;

	tt_track_device_totals(&tt_device_from_dev(dev)->track, &t, &n);
	return sysfs_emit(buf, "%u\n", n);
}
static DEVICE_ATTR_RO(open_files);

/*
 * The card's capacity of each memory in bytes, which bounds what its files
 * may report: dram_total (DRAM and TRACE buffers), l1_total (L1, L1_SMALL,
 * CB and KERNEL), system_memory_total (SYSTEM_MEMORY: the host's RAM).
 */
static ssize_t tt_sysfs_capacity(struct device *dev, char *buf,
				 enum tt_track_memory mem)
{
	return sysfs_emit(buf, "%llu\n",
			  tt_device_from_dev(dev)->track.capacity[mem]);
}

static ssize_t dram_total_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return tt_sysfs_capacity(dev, buf, TT_TRACK_MEM_DRAM);
}
static DEVICE_ATTR_RO(dram_total);

static ssize_t l1_total_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	return tt_sysfs_capacity(dev, buf, TT_TRACK_MEM_L1);
}
static DEVICE_ATTR_RO(l1_total);

static ssize_t system_memory_total_show(struct device *dev,
					struct device_attribute *attr,
					char *buf)
{
	return tt_sysfs_capacity(dev, buf, TT_TRACK_MEM_SYSTEM);
}
static DEVICE_ATTR_RO(system_memory_total);

/* The card family: wormhole, blackhole or sim. */
static ssize_t card_type_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", tt_device_from_dev(dev)->info.name);
}
static DEVICE_ATTR_RO(card_type);

/* Root only: writing 1 sets each of the card's peaks to what is live now. */
static ssize_t reset_peaks_store(struct device *dev,
				 struct device_attribute *attr,
				 const char *buf, size_t count)
{
	bool reset;
	int ret;

	ret = kstrtobool(buf, &reset);
	if (ret)
		return ret;
	if (!reset)
		return -EINVAL;
	tt_track_device_reset_peaks(&tt_device_from_dev(dev)->track);
	return count;
}
static DEVICE_ATTR_WO(reset_peaks);

/* What changes as buffers are tracked: these are notified to pollers. */
static struct attribute *tt_sysfs_total_attrs[] = {
	&tt_sysfs_dram_allocated.attr.attr,
	&tt_sysfs_l1_allocated.attr.attr,
	&tt_sysfs_system_memory_allocated.attr.attr,
	&tt_sysfs_l1_small_allocated.attr.attr,
	&tt_sysfs_trace_allocated.attr.attr,
	&tt_sysfs_cb_allocated.attr.attr,
	&tt_sysfs_kernel_allocated.attr.attr,
	&tt_sysfs_dram_peak.attr.attr,
	&tt_sysfs_l1_peak.attr.attr,
	&tt_sysfs_system_memory_peak.attr.attr,
	&tt_sysfs_l1_small_peak.attr.attr,
	&tt_sysfs_trace_peak.attr.attr,
	&tt_sysfs_cb_peak.attr.attr,
	&tt_sysfs_kernel_peak.attr.attr,
	&dev_attr_buffers.attr,
	&dev_attr_open_files.attr,
	NULL
};

static const struct attribute_group tt_sysfs_total_group = {
	.attrs = tt_sysfs_total_attrs,
};

static struct attribute *tt_sysfs_card_attrs[] = {
	&dev_attr_dram_total.attr,
	&dev_attr_l1_total.attr,
	&dev_attr_system_memory_total.attr,
	&dev_attr_card_type.attr,
	&dev_attr_reset_peaks.attr,
	NULL
};

static const struct attribute_group tt_sysfs_card_group = {
	.attrs = tt_sysfs_card_attrs,
};

const struct attribute_group *tt_sysfs_groups[] = {
	&tt_sysfs_total_group,
	&tt_sysfs_card_group,
	NULL
};

/**
 * tt_sysfs_notify() - wake pollers of the card's changing attributes
 * @tdev: the card's tracking state
 *
 * The tracking core calls this at most every TT_TRACK_NOTIFY_DELAY after
 * totals or open files changed; pollers then re-read what they watch.
 *
 * Context: process context (a work item).
 */
void tt_sysfs_notify(struct tt_track_device *tdev)
{
	struct tt_device *card = container_of(tdev, struct tt_device, track);
	struct attribute **attr;

	for (attr = tt_sysfs_total_attrs; *attr; attr++)
		sysfs_notify(&card->dev.kobj, NULL, (*attr)->name);
}
