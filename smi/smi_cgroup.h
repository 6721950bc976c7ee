/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tt-smi: which container and which Kubernetes pod a cgroup v2 path
 * names, as the container runtimes and the kubelet name their cgroups.
 * Pure string work, tested on the host (tests/test_cgroup.c).
 */
#ifndef SMI_CGROUP_H
#define SMI_CGROUP_H

#define SMI_CONTAINER_ID_LEN	64	/* hex digits of a container id */
#define SMI_POD_UID_LEN		36	/* 8-4-4-4-12 hex digits */
#define SMI_CONTAINER_SHORT	12	/* as docker ps, podman ps show it */

/*
 * @runtime: "docker", "containerd", "cri-o", "podman", or "" when the
 *	path holds a container id of a runtime it does not name (the
 *	kubelet's cgroupfs layout, a bare id)
 * @container: the id, lower-case hex, or "" when the path holds none
 * @pod: the pod's uid with dashes, or "" when the path holds none
 */
struct smi_cgroup_ids {
	const char *runtime;
	char container[SMI_CONTAINER_ID_LEN + 1];
	char pod[SMI_POD_UID_LEN + 1];
};

/*
 * The ids path (a cgroup v2 path, "/a/b/c") holds: the innermost
 * container's id, and the pod's uid. Knows the layouts of docker
 * (docker-<id>.scope, /docker/<id>), containerd (cri-containerd-<id>.scope,
 * nerdctl-<id>.scope), cri-o (crio-<id>.scope), podman (libpod-<id>.scope,
 * libpod-<id>) and the kubelet (kubepods-...-pod<uid>.slice with
 * underscores, pod<uid> with dashes, a bare <id> below it). The
 * runtimes' monitor processes (conmon: crio-conmon-<id>.scope,
 * libpod-conmon-<id>.scope) are no container.
 */
void smi_cgroup_ids(const char *path, struct smi_cgroup_ids *ids);

#endif /* SMI_CGROUP_H */
