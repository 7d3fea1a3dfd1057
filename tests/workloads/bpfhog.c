/*
 * bpfhog: CPU time spent in a BPF program that this process loads when it
 * starts work (with -w: after SIGUSR1, so long after a profiler attached
 * and read the kernel's symbols). The program is a socket filter named
 * pp_hog with a bounded loop, attached to one end of an AF_UNIX datagram
 * pair; the process sends one-byte datagrams to it for SECONDS, and the
 * filter runs in its context on each send (and drops the datagram).
 *
 *   bpfhog [-w] SECONDS
 *
 * Prints one JSON line at the end: pid, seconds, sends, cpu_s, and prog:
 * the name /proc/kallsyms gives the program (bpf_prog_<tag>_pp_hog).
 * Needs root (CAP_BPF or CAP_SYS_ADMIN). Exit 2 when the kernel refuses
 * the program.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include "workload.h"

#define LOOPS 4000 /* per datagram: a few microseconds in the filter */

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

int main(int argc, char **argv)
{
	/* r0 = 0; do r0 += 1 while (r0 < LOOPS); return 0 (drop) */
	struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
		{.code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_0, .imm = 1},
		{.code = BPF_JMP | BPF_JLT | BPF_K, .dst_reg = BPF_REG_0, .off = -2, .imm = LOOPS},
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	struct bpf_prog_info info;
	union bpf_attr attr;
	double seconds, t0, c0;
	unsigned long sends = 0;
	char name[64], *p;
	int wait, fd, sv[2], i;

	if (parse_wait_seconds(argc, argv, &wait, &seconds)) {
		fprintf(stderr, "usage: bpfhog [-w] SECONDS\n");
		return 1;
	}
	if (wait_for_start(wait))
		return 1;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = sizeof(insns) / sizeof(insns[0]);
	attr.license = (unsigned long)"GPL";
	snprintf(attr.prog_name, sizeof(attr.prog_name), "pp_hog");
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd < 0) {
		perror("bpfhog: BPF_PROG_LOAD");
		return 2;
	}
	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (unsigned long)&info;
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr)) {
		perror("bpfhog: BPF_OBJ_GET_INFO_BY_FD");
		return 2;
	}
	p = name + snprintf(name, sizeof(name), "bpf_prog_");
	for (i = 0; i < BPF_TAG_SIZE; i++)
		p += snprintf(p, 3, "%02x", info.tag[i]);
	snprintf(p, sizeof(name) - (size_t)(p - name), "_pp_hog");
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) ||
	    setsockopt(sv[1], SOL_SOCKET, SO_ATTACH_BPF, &fd, sizeof(fd))) {
		perror("bpfhog: socket");
		return 2;
	}
	t0 = now_seconds();
	c0 = cpu_seconds();
	while (now_seconds() - t0 < seconds) {
		if (send(sv[0], "x", 1, 0) == 1)
			sends++;
	}
	printf("{\"pid\":%d,\"seconds\":%.3f,\"sends\":%lu,\"cpu_s\":%.3f,\"prog\":\"%s\"}\n", (int)getpid(),
	       now_seconds() - t0, sends, cpu_seconds() - c0, name);
	return 0;
}
