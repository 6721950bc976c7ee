// SPDX-License-Identifier: GPL-2.0-only
/*
 * tt-smi: container and pod ids from a cgroup v2 path (smi_cgroup.h).
 *
 * The layouts, as the runtimes make them with systemd's cgroup manager
 * and with their own (cgroupfs):
 *
 *   docker      /system.slice/docker-<id>.scope     /docker/<id>
 *   containerd  .../cri-containerd-<id>.scope       /system.slice/nerdctl-<id>.scope
 *   cri-o       .../crio-<id>.scope
 *   podman      /machine.slice/libpod-<id>.scope[/container]   /libpod_parent/libpod-<id>
 *   kubelet     /kubepods.slice/kubepods-burstable.slice/
 *                 kubepods-burstable-pod<uid, '_' for '-'>.slice/<runtime's scope>
 *               /kubepods/burstable/pod<uid>/<id>
 *
 * <id> is 64 lower-case hex digits, <uid> 8-4-4-4-12 of them.
 */
#include <stdbool.h>
#include <string.h>

#include "smi_cgroup.h"

static bool smi_is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* The word [s, s + n) is prefix, then a container id, then suffix */
static bool smi_id_between(const char *s, size_t n, const char *prefix,
			   const char *suffix)
{
	size_t p = strlen(prefix), q = strlen(suffix);

	return n == p + SMI_CONTAINER_ID_LEN + q && !memcmp(s, prefix, p) &&
	       smi_is_hex(s + p, SMI_CONTAINER_ID_LEN) &&
	       !memcmp(s + p + SMI_CONTAINER_ID_LEN, suffix, q);
}

/*
 * The component [s, s + n) of a path as a container: its runtime, the id
 * into ids; parent is the component above it ("" at the top).
 */
static bool smi_container_of(const char *s, size_t n, const char *parent,
			     size_t pn, struct smi_cgroup_ids *ids)
{
	static const struct {
		const char *prefix, *suffix, *runtime;
	} forms[] = {
		{ "docker-", ".scope", "docker" },
		{ "cri-containerd-", ".scope", "containerd" },
		{ "nerdctl-", ".scope", "containerd" },
		{ "crio-", ".scope", "cri-o" },
		{ "libpod-", ".scope", "podman" },
		{ "libpod-", "", "podman" },
	};
	size_t i;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		if (!smi_id_between(s, n, forms[i].prefix, forms[i].suffix))
			continue;
		ids->runtime = forms[i].runtime;
		memcpy(ids->container, s + strlen(forms[i].prefix),
		       SMI_CONTAINER_ID_LEN);
		return true;
	}
	if (n != SMI_CONTAINER_ID_LEN || !smi_is_hex(s, n))
		return false;
	ids->runtime = pn == 6 && !memcmp(parent, "docker", 6) ? "docker" : "";
	memcpy(ids->container, s, SMI_CONTAINER_ID_LEN);
	return true;
}

/* A pod uid at s, with sep ('-' or '_') between its groups, into ids */
static bool smi_pod_uid(const char *s, char sep, struct smi_cgroup_ids *ids)
{
	size_t i;

	for (i = 0; i < SMI_POD_UID_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != sep : !smi_is_hex(s + i, 1))
			return false;
	}
	for (i = 0; i < SMI_POD_UID_LEN; i++)
		ids->pod[i] = s[i] == '_' ? '-' : s[i];
	return true;
}

/* The component [s, s + n) as a pod's: kubepods-...pod<uid>.slice, pod<uid> */
static bool smi_pod_of(const char *s, size_t n, struct smi_cgroup_ids *ids)
{
	const size_t slice = strlen(".slice"), pod = strlen("pod");

	if (n == pod + SMI_POD_UID_LEN && !memcmp(s, "pod", pod))
		return smi_pod_uid(s + pod, '-', ids);
	if (n < strlen("kubepods-") + pod + SMI_POD_UID_LEN + slice ||
	    memcmp(s, "kubepods-", strlen("kubepods-")) ||
	    memcmp(s + n - slice, ".slice", slice))
		return false;
	s += n - slice - SMI_POD_UID_LEN - pod;
	if (memcmp(s, "pod", pod) || s[-1] != '-')
		return false;
	return smi_pod_uid(s + pod, '_', ids);
}

/* Components of a path looked at, the innermost: deeper nesting is no layout */
#define SMI_CGROUP_DEPTH	16

void smi_cgroup_ids(const char *path, struct smi_cgroup_ids *ids)
{
	struct {
		const char *s;
		size_t n;
	} c[SMI_CGROUP_DEPTH];
	size_t nc = 0, i, k;
	bool container = false, pod = false;
	const char *s = path, *e;

	memset(ids, 0, sizeof(*ids));
	ids->runtime = "";
	for (;;) {
		while (*s == '/')
			s++;
		if (!*s)
			break;
		e = strchrnul(s, '/');
		c[nc % SMI_CGROUP_DEPTH].s = s;
		c[nc % SMI_CGROUP_DEPTH].n = (size_t)(e - s);
		nc++;
		s = e;
	}
	/* from the innermost component out: the innermost container wins */
	for (i = nc; i > 0 && nc - i < SMI_CGROUP_DEPTH && !(container && pod); i--) {
		k = (i - 1) % SMI_CGROUP_DEPTH;
		if (!container) {
			bool top = i == 1 || nc - i + 1 == SMI_CGROUP_DEPTH;
			size_t up = (i + SMI_CGROUP_DEPTH - 2) % SMI_CGROUP_DEPTH;

			container = smi_container_of(c[k].s, c[k].n,
						     top ? "" : c[up].s,
						     top ? 0 : c[up].n, ids);
		}
		if (!pod)
			pod = smi_pod_of(c[k].s, c[k].n, ids);
	}
}
