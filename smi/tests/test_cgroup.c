// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host unit tests of tt-smi's container and pod ids (smi_cgroup.c): the
 * cgroup paths docker, containerd, cri-o, podman and the kubelet make,
 * with systemd's cgroup manager and with cgroupfs; paths that only look
 * like them (the runtimes' monitors, a short or upper-case id, a uid of
 * the wrong shape); and hostile paths (very deep, very long, empty).
 * Prints TAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smi_cgroup.h"
#include "tap.h"

#define ID  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID2 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define UID "8a1f3c2e-1b2d-4e5f-9a8b-7c6d5e4f3a2b"
#define UID_ "8a1f3c2e_1b2d_4e5f_9a8b_7c6d5e4f3a2b"

static void expect(const char *path, const char *runtime, const char *container,
		   const char *pod, int line)
{
	struct smi_cgroup_ids ids;

	smi_cgroup_ids(path, &ids);
	if (strcmp(ids.runtime, runtime) || strcmp(ids.container, container) ||
	    strcmp(ids.pod, pod)) {
		printf("# line %d: %s: got \"%s\" \"%s\" \"%s\", want \"%s\" \"%s\" \"%s\"\n",
		       line, path, ids.runtime, ids.container, ids.pod, runtime,
		       container, pod);
		failed_checks++;
	}
}

#define EXPECT(path, runtime, container, pod) \
	expect(path, runtime, container, pod, __LINE__)

static void test_runtimes(void)
{
	EXPECT("/system.slice/docker-" ID ".scope", "docker", ID, "");
	EXPECT("/docker/" ID, "docker", ID, "");
	EXPECT("/system.slice/nerdctl-" ID ".scope", "containerd", ID, "");
	EXPECT("/machine.slice/libpod-" ID ".scope", "podman", ID, "");
	EXPECT("/machine.slice/libpod-" ID ".scope/container", "podman", ID, "");
	EXPECT("/libpod_parent/libpod-" ID, "podman", ID, "");
	EXPECT("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID ".scope",
	       "podman", ID, "");
	EXPECT("/system.slice/crio-" ID ".scope", "cri-o", ID, "");
	/* a bare id of a runtime the path does not name */
	EXPECT("/" ID, "", ID, "");
}

static void test_kubelet(void)
{
	EXPECT("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	       ".slice/cri-containerd-" ID ".scope", "containerd", ID, UID);
	EXPECT("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_
	       ".slice/crio-" ID ".scope", "cri-o", ID, UID);
	/* guaranteed pods sit right under kubepods.slice */
	EXPECT("/kubepods.slice/kubepods-pod" UID_ ".slice/docker-" ID ".scope",
	       "docker", ID, UID);
	EXPECT("/kubepods/burstable/pod" UID "/" ID, "", ID, UID);
	EXPECT("/kubepods/pod" UID "/" ID, "", ID, UID);
	/* the pod's own cgroup, no container in it */
	EXPECT("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice",
	       "", "", UID);
	/* kind, minikube: a node's kubelet inside a container */
	EXPECT("/docker/" ID2 "/kubepods/burstable/pod" UID "/" ID, "", ID, UID);
}

static void test_not_containers(void)
{
	EXPECT("/", "", "", "");
	EXPECT("", "", "", "");
	EXPECT("/user.slice/user-1000.slice/session-3.scope", "", "", "");
	EXPECT("/system.slice/docker.service", "", "", "");
	/* the runtimes' monitors */
	EXPECT("/machine.slice/libpod-conmon-" ID ".scope", "", "", "");
	EXPECT("/system.slice/crio-conmon-" ID ".scope", "", "", "");
	/* ids of the wrong length or case, names that only start right */
	EXPECT("/system.slice/docker-" "0123456789abcdef.scope", "", "", "");
	EXPECT("/docker/0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
	       "", "", "");
	EXPECT("/system.slice/docker-" ID ".scopex", "", "", "");
	EXPECT("/system.slice/docker-" ID "0.scope", "", "", "");
	EXPECT("/kubepods/podnot-a-uid/x", "", "", "");
	EXPECT("/kubepods.slice/kubepods-burstable-pod" UID ".slice", "", "", "");
	EXPECT("/kubepods.slice/kubepods-pod8a1f3c2e_1b2d_4e5f_9a8b_7c6d5e4f3a2.slice",
	       "", "", "");
	EXPECT("/pod" UID_, "", "", "");
	/* the innermost container wins; a runtime's own slice is not one */
	EXPECT("/docker/" ID2 "/docker/" ID, "docker", ID, "");
}

/* Paths nobody's runtime makes: deep, long, full of slashes */
static void test_hostile(void)
{
	size_t n = 8192, i;
	char *p = malloc(n + 200);

	CHECK(p != NULL);
	if (!p)
		return;
	for (i = 0; i < n; i++)
		p[i] = "/a"[i % 2];
	strcpy(p + n, "/docker-" ID ".scope");
	EXPECT(p, "docker", ID, "");
	memset(p, '/', n);
	p[n] = '\0';
	EXPECT(p, "", "", "");
	/* the container deeper than the components looked at: none */
	for (i = 0; i < 40; i++)
		memcpy(p + 2 * i, "/b", 2);
	strcpy(p + 80, "");
	memmove(p + strlen("/docker-" ID ".scope"), p, 81);
	memcpy(p, "/docker-" ID ".scope", strlen("/docker-" ID ".scope"));
	EXPECT(p, "", "", "");
	free(p);
}

int main(void)
{
	static const struct tap_test tests[] = {
		{ "container_runtimes", test_runtimes },
		{ "kubelet_pods", test_kubelet },
		{ "not_containers", test_not_containers },
		{ "hostile_paths", test_hostile },
	};

	return tap_run(tests, sizeof(tests) / sizeof(tests[0]), "", NULL);
}
