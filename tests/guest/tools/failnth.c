// SPDX-License-Identifier: GPL-2.0
/*
 * failnth - one system call with its Nth fault point failing, for the
 * virtual i.MX95 guest (tests/guest/scenarios/faults.sh).
 *
 * Built static for aarch64 by `make tests-tools`; scripts/run-qemu.sh puts it
 * at /bin/failnth in the guest.
 *
 *   failnth N write FILE STRING
 *	open FILE, then make the Nth fault point of this task fail
 *	(/proc/thread-self/fail-nth, Documentation/fault-injection/) and
 *	write STRING to FILE in one write(2): `echo start > state`, a driver
 *	bind, ...
 *   failnth N insmod MODULE [PARAMS]
 *	the same around finit_module(2) of MODULE.
 *
 * N = 0 injects nothing: the call alone, to see its errno (a shell's
 * `echo start > state` only says "write error").
 *
 * Prints "ERRNO INJECTED": the errno of the call (0 if it succeeded) and 1
 * if the Nth fault point was reached (the fault was injected), 0 if the call
 * has fewer than N fault points. Which fault points exist depends on the
 * kernel (CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC and their debugfs
 * settings, see faults.sh).
 *
 * Exit status: 0 when the attempt was made, 2 on a usage or setup error.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *prog = "failnth";

static int usage(void)
{
	fprintf(stderr,
		"usage: %s N write FILE STRING\n"
		"       %s N insmod MODULE [PARAMS]\n",
		prog, prog);
	return 2;
}

/* Writes the decimal n to the fail-nth file fd; 0 or -1. */
static int set_nth(int fd, unsigned long n)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%lu", n);

	return pwrite(fd, buf, len, 0) == len ? 0 : -1;
}

int main(int argc, char **argv)
{
	unsigned long n;
	char *end, buf[32];
	int nth_fd, target, res, err;
	ssize_t got;
	int injected;

	if (argc < 4)
		return usage();
	errno = 0;
	n = strtoul(argv[1], &end, 0);
	if (errno || *end || argv[1][0] == '\0') {
		fprintf(stderr, "%s: N must be a number, not '%s'\n", prog, argv[1]);
		return 2;
	}
	if (strcmp(argv[2], "write") == 0) {
		if (argc != 5)
			return usage();
		target = open(argv[3], O_WRONLY);
	} else if (strcmp(argv[2], "insmod") == 0) {
		if (argc > 5)
			return usage();
		target = open(argv[3], O_RDONLY | O_CLOEXEC);
	} else {
		return usage();
	}
	if (target < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, argv[3], strerror(errno));
		return 2;
	}
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (nth_fd < 0) {
		fprintf(stderr, "%s: /proc/thread-self/fail-nth: %s (CONFIG_FAULT_INJECTION?)\n",
			prog, strerror(errno));
		return 2;
	}

	/* Nothing but the call itself between arming and reading back. */
	if (n && set_nth(nth_fd, n)) {
		fprintf(stderr, "%s: setting fail-nth: %s\n", prog, strerror(errno));
		return 2;
	}
	if (argv[2][0] == 'w')
		res = write(target, argv[4], strlen(argv[4])) < 0 ? -1 : 0;
	else
		res = syscall(SYS_finit_module, target, argc == 5 ? argv[4] : "", 0);
	err = res < 0 ? errno : 0;
	got = pread(nth_fd, buf, sizeof(buf) - 1, 0);
	/* Disarm before anything else allocates in this task. */
	if (set_nth(nth_fd, 0)) {
		fprintf(stderr, "%s: clearing fail-nth: %s\n", prog, strerror(errno));
		return 2;
	}
	if (got <= 0) {
		fprintf(stderr, "%s: reading fail-nth back failed\n", prog);
		return 2;
	}
	buf[got] = '\0';
	injected = n && strtoul(buf, NULL, 10) == 0;
	printf("%d %d\n", err, injected);
	return 0;
}
