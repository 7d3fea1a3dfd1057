/*
 * dio: write, then read, a known number of bytes with O_DIRECT, and print
 * what it moved as one JSON line (the ground truth for the IO tests).
 *
 *   dio [-w] -f PATH [-W MIB] [-R MIB]
 *
 *   -w  wait for SIGUSR1 before doing IO (so a tracer can attach by pid)
 *   -W  MiB to write at the start of PATH in 1 MiB O_DIRECT writes (default 64)
 *   -R  MiB to read back in 1 MiB O_DIRECT reads (default 0)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (1024 * 1024)

static void die(const char *what)
{
	fprintf(stderr, "dio: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void wait_start(void)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (sigwait(&set, &sig))
		die("sigwait");
}

int main(int argc, char **argv)
{
	long wmib = 64, rmib = 0, i;
	unsigned long long written = 0, readb = 0;
	const char *path = NULL;
	int c, fd, wait = 0;
	sigset_t set;
	char *buf;

	while ((c = getopt(argc, argv, "wf:W:R:")) != -1) {
		switch (c) {
		case 'w': wait = 1; break;
		case 'f': path = optarg; break;
		case 'W': wmib = atol(optarg); break;
		case 'R': rmib = atol(optarg); break;
		default:
			fprintf(stderr, "usage: dio [-w] -f PATH [-W MIB] [-R MIB]\n");
			return 2;
		}
	}
	if (!path) {
		fprintf(stderr, "usage: dio [-w] -f PATH [-W MIB] [-R MIB]\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (posix_memalign((void **)&buf, 4096, CHUNK))
		die("posix_memalign");
	memset(buf, 0xa5, CHUNK);
	if (wait)
		wait_start();
	if (wmib > 0) {
		fd = open(path, O_WRONLY | O_DIRECT);
		if (fd < 0)
			die(path);
		for (i = 0; i < wmib; i++) {
			ssize_t n = pwrite(fd, buf, CHUNK, (off_t)i * CHUNK);

			if (n < 0)
				die("pwrite");
			written += (unsigned long long)n;
		}
		close(fd);
	}
	if (rmib > 0) {
		fd = open(path, O_RDONLY | O_DIRECT);
		if (fd < 0)
			die(path);
		for (i = 0; i < rmib; i++) {
			ssize_t n = pread(fd, buf, CHUNK, (off_t)i * CHUNK);

			if (n < 0)
				die("pread");
			readb += (unsigned long long)n;
		}
		close(fd);
	}
	printf("{\"pid\":%d,\"write_bytes\":%llu,\"read_bytes\":%llu}\n", getpid(), written, readb);
	free(buf);
	return 0;
}
