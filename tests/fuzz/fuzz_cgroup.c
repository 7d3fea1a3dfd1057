// SPDX-License-Identifier: GPL-2.0
/*
 * The cgroup files of /proc (collect/cgroup.c). The input is up to four
 * parts split at NULs: mountinfo, a -c argument, /proc/PID/cgroup and
 * /proc/cgroups; the mounts read resolve the argument, the process's
 * cgroup is read for v2 and for the v1 controllers.
 */
#include "fuzz.h"
#include "collect/cgroup.h"

/* The next part of the input, at most up to the next NUL. */
static const uint8_t *part(const uint8_t **data, size_t *size, size_t *len)
{
	const uint8_t *p = *data, *nul = memchr(p, 0, *size);

	*len = nul ? (size_t)(nul - p) : *size;
	*data += *len + (nul != NULL);
	*size -= *len + (nul != NULL);
	return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cg_mounts mounts;
	static const char *const ctrls[] = { "cpu", "memory", "name=systemd", "" };
	struct cg_target t;
	const uint8_t *p;
	char err[256], path[PATH_MAX], *arg;
	size_t len;
	FILE *f;

	p = part(&data, &size, &len);
	f = fuzz_stream(p, len);
	memset(&mounts, 0, sizeof(mounts));
	cg_parse_mountinfo(f, &mounts);
	fclose(f);

	p = part(&data, &size, &len);
	arg = fuzz_string(p, len);
	cg_split_path(&mounts, arg, &t, err, sizeof(err));
	free(arg);

	p = part(&data, &size, &len);
	for (size_t i = 0; i < 4; i++) {
		f = fuzz_stream(p, len);
		cg_parse_proc_cgroup(f, i ? PP_CGROUP_V1 : PP_CGROUP_V2, ctrls[i], path, sizeof(path));
		fclose(f);
	}

	p = part(&data, &size, &len);
	for (size_t i = 0; i < 4; i++) {
		f = fuzz_stream(p, len);
		cg_controller_ssid(f, ctrls[i]);
		fclose(f);
	}
	return 0;
}
