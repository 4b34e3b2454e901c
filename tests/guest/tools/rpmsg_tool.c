// SPDX-License-Identifier: GPL-2.0
/*
 * rpmsg_tool - rpmsg user-space checks for the virtual i.MX95 guest.
 *
 * Built static for aarch64 by `make tests-tools`; scripts/run-qemu.sh puts it
 * at /bin/rpmsg_tool in the guest.
 *
 *   rpmsg_tool ept NAME SRC DST [CTRL]
 *	create an endpoint through /dev/rpmsg_ctrl0 (or CTRL) with
 *	RPMSG_CREATE_EPT_IOCTL; prints the /dev/rpmsgN it made. SRC/DST are
 *	numbers (0x.. for hex) or "any" (RPMSG_ADDR_ANY).
 *   rpmsg_tool destroy DEV
 *	RPMSG_DESTROY_EPT_IOCTL on DEV.
 *   rpmsg_tool echo DEV MSG [COUNT]
 *	write MSG COUNT times (default 1) to DEV, read each reply back and
 *	compare; prints "echo ok N", or the mismatch / timeout (exit 1).
 *	Messages already queued on DEV (late answers) are discarded first.
 *   rpmsg_tool tty DEV MSG
 *	write MSG to a /dev/ttyRPMSGn in raw mode and print the reply (read
 *	until 1 s of silence, at most 3 s); exit 1 if nothing came back.
 *
 * Exit status: 0 success, 1 check failed, 2 usage or system error.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* include/uapi/linux/rpmsg.h, repeated so that the tool builds without
 * kernel headers for the target. */
#define RPMSG_ADDR_ANY 0xFFFFFFFFu

struct rpmsg_endpoint_info {
	char name[32];
	uint32_t src;
	uint32_t dst;
};

#define RPMSG_CREATE_EPT_IOCTL _IOW(0xb5, 0x1, struct rpmsg_endpoint_info)
#define RPMSG_DESTROY_EPT_IOCTL _IO(0xb5, 0x2)

/* The largest rpmsg payload (512-byte buffers, 16-byte header). */
#define MAX_PAYLOAD 496

static const char *prog = "rpmsg_tool";

static int usage(void)
{
	fprintf(stderr,
		"usage: %s ept NAME SRC DST [CTRL]\n"
		"       %s destroy DEV\n"
		"       %s echo DEV MSG [COUNT]\n"
		"       %s tty DEV MSG\n",
		prog, prog, prog, prog);
	return 2;
}

static int parse_addr(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (!strcmp(s, "any") || !strcmp(s, "-1")) {
		*out = RPMSG_ADDR_ANY;
		return 0;
	}
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || end == s || v > 0xFFFFFFFFul)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Reads a sysfs attribute into buf (newline stripped); 0 on success. */
static int read_attr(const char *dir, const char *attr, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

/*
 * Finds the newest /sys/class/rpmsg/rpmsgN whose name, src and dst match
 * (rpmsg_char shows src and dst with "%d", so RPMSG_ADDR_ANY reads -1).
 * Returns N, or -1.
 */
static int find_eptdev(const struct rpmsg_endpoint_info *info)
{
	char want_src[16], want_dst[16], name[64], src[16], dst[16];
	char dir[PATH_MAX];
	struct dirent *de;
	int best = -1;
	DIR *d;

	snprintf(want_src, sizeof(want_src), "%d", (int)info->src);
	snprintf(want_dst, sizeof(want_dst), "%d", (int)info->dst);
	d = opendir("/sys/class/rpmsg");
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		int n;
		char tail;

		if (sscanf(de->d_name, "rpmsg%d%c", &n, &tail) != 1)
			continue;
		snprintf(dir, sizeof(dir), "/sys/class/rpmsg/%s", de->d_name);
		if (read_attr(dir, "name", name, sizeof(name)) ||
		    read_attr(dir, "src", src, sizeof(src)) ||
		    read_attr(dir, "dst", dst, sizeof(dst)))
			continue;
		if (strcmp(name, info->name) || strcmp(src, want_src) ||
		    strcmp(dst, want_dst))
			continue;
		if (n > best)
			best = n;
	}
	closedir(d);
	return best;
}

static int cmd_ept(int argc, char **argv)
{
	const char *ctrl = argc > 5 ? argv[5] : "/dev/rpmsg_ctrl0";
	struct rpmsg_endpoint_info info;
	char dev[64];
	long deadline;
	int fd, n;

	if (argc < 5 || argc > 6)
		return usage();
	memset(&info, 0, sizeof(info));
	if (strlen(argv[2]) >= sizeof(info.name)) {
		fprintf(stderr, "%s: name '%s' too long (max 31)\n", prog, argv[2]);
		return 2;
	}
	strcpy(info.name, argv[2]);
	if (parse_addr(argv[3], &info.src) || parse_addr(argv[4], &info.dst)) {
		fprintf(stderr, "%s: bad address\n", prog);
		return 2;
	}
	fd = open(ctrl, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, ctrl, strerror(errno));
		return 2;
	}
	if (ioctl(fd, RPMSG_CREATE_EPT_IOCTL, &info) < 0) {
		fprintf(stderr, "%s: RPMSG_CREATE_EPT_IOCTL: %s\n", prog, strerror(errno));
		close(fd);
		return 2;
	}
	close(fd);

	/* The class device is added synchronously; its node may lag a bit. */
	deadline = now_ms() + 2000;
	for (;;) {
		n = find_eptdev(&info);
		if (n >= 0) {
			snprintf(dev, sizeof(dev), "/dev/rpmsg%d", n);
			if (access(dev, R_OK | W_OK) == 0)
				break;
		}
		if (now_ms() > deadline) {
			fprintf(stderr, "%s: endpoint created, but no /dev/rpmsgN for it\n", prog);
			return 2;
		}
		usleep(10000);
	}
	printf("%s\n", dev);
	return 0;
}

static int cmd_destroy(int argc, char **argv)
{
	int fd;

	if (argc != 3)
		return usage();
	fd = open(argv[2], O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, argv[2], strerror(errno));
		return 2;
	}
	if (ioctl(fd, RPMSG_DESTROY_EPT_IOCTL) < 0) {
		fprintf(stderr, "%s: RPMSG_DESTROY_EPT_IOCTL: %s\n", prog, strerror(errno));
		close(fd);
		return 2;
	}
	close(fd);
	return 0;
}

/* Waits up to ms for fd to become readable: 1 readable, 0 timeout, -1 error. */
static int wait_readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;

	do {
		r = poll(&p, 1, ms);
	} while (r < 0 && errno == EINTR);
	if (r > 0 && !(p.revents & POLLIN))
		return -1;
	return r;
}

static int cmd_echo(int argc, char **argv)
{
	const char *msg;
	char buf[MAX_PAYLOAD + 1];
	size_t len;
	long count = 1, i;
	int fd, r;
	ssize_t n;

	if (argc < 4 || argc > 5)
		return usage();
	msg = argv[3];
	len = strlen(msg);
	if (len == 0 || len > MAX_PAYLOAD) {
		fprintf(stderr, "%s: message of %zu bytes (1..%d)\n", prog, len, MAX_PAYLOAD);
		return 2;
	}
	if (argc == 5) {
		char *end;

		count = strtol(argv[4], &end, 0);
		if (*end || count < 1)
			return usage();
	}
	fd = open(argv[2], O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, argv[2], strerror(errno));
		return 2;
	}
	/* Late answers to an earlier run are not answers to this one. */
	while (wait_readable(fd, 50) > 0 && read(fd, buf, sizeof(buf)) > 0)
		;
	for (i = 0; i < count; i++) {
		n = write(fd, msg, len);
		if (n != (ssize_t)len) {
			printf("echo write %ld failed: %s\n", i + 1,
			       n < 0 ? strerror(errno) : "short write");
			close(fd);
			return 1;
		}
		r = wait_readable(fd, 3000);
		if (r <= 0) {
			printf("echo timeout at %ld of %ld (no reply within 3 s)\n", i + 1, count);
			close(fd);
			return 1;
		}
		n = read(fd, buf, sizeof(buf) - 1);
		if (n < 0) {
			printf("echo read %ld failed: %s\n", i + 1, strerror(errno));
			close(fd);
			return 1;
		}
		buf[n] = '\0';
		if ((size_t)n != len || memcmp(buf, msg, len)) {
			printf("echo mismatch at %ld: got '%s' (%zd bytes), expected '%s'\n",
			       i + 1, buf, n, msg);
			close(fd);
			return 1;
		}
	}
	close(fd);
	printf("echo ok %ld\n", count);
	return 0;
}

static int cmd_tty(int argc, char **argv)
{
	char buf[2 * MAX_PAYLOAD + 1];
	struct termios tio;
	size_t len, got = 0;
	long deadline;
	ssize_t n;
	int fd, r;

	if (argc != 4)
		return usage();
	len = strlen(argv[3]);
	fd = open(argv[2], O_RDWR | O_NOCTTY);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, argv[2], strerror(errno));
		return 2;
	}
	if (tcgetattr(fd, &tio) == 0) {
		cfmakeraw(&tio);
		tcsetattr(fd, TCSANOW, &tio);
	}
	n = write(fd, argv[3], len);
	if (n != (ssize_t)len) {
		printf("tty write failed: %s\n", n < 0 ? strerror(errno) : "short write");
		close(fd);
		return 1;
	}
	deadline = now_ms() + 3000;
	while (got < sizeof(buf) - 1) {
		long left = deadline - now_ms();

		if (left <= 0)
			break;
		r = wait_readable(fd, got ? (left < 1000 ? (int)left : 1000) : (int)left);
		if (r <= 0)
			break;
		n = read(fd, buf + got, sizeof(buf) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	if (!got) {
		printf("tty: no reply within 3 s\n");
		return 1;
	}
	printf("%s\n", buf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "ept"))
		return cmd_ept(argc, argv);
	if (!strcmp(argv[1], "destroy"))
		return cmd_destroy(argc, argv);
	if (!strcmp(argv[1], "echo"))
		return cmd_echo(argc, argv);
	if (!strcmp(argv[1], "tty"))
		return cmd_tty(argc, argv);
	return usage();
}
