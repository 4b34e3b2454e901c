// SPDX-License-Identifier: GPL-2.0
/*
 * rpmsg_bench - the measuring side of `make bench` on the virtual i.MX95.
 *
 * Built static for aarch64 by `make tests-tools`; scripts/bench.sh puts it at
 * /bin/rpmsg_bench in the guest and tests/guest/bench.sh runs it. Every
 * measurement prints raw samples, one per line:
 *
 *	METRIC DRIVER VALUE_NS
 *
 * (DRIVER is what the caller passes: c, rust, or floor for the simulated
 * hardware alone); scripts/bench.sh computes the statistics. Times are
 * CLOCK_MONOTONIC, the clock of the kernel's ktime_get() and of the
 * simulated M7's log (/sys/kernel/debug/imx95_sim/m7_log).
 *
 *   rpmsg_bench probe DRV KO
 *	finit_module(KO): metric probe (module load, init, driver
 *	registration and the synchronous probe of the remoteproc device).
 *   rpmsg_bench unload DRV MODNAME
 *	delete_module(MODNAME): metric unload.
 *   rpmsg_bench startstop DRV RPROC COUNT
 *	COUNT times: write "start" to RPROC/state, wait for the channels, write
 *	"stop", wait until they are gone. Metrics: start_write (the write
 *	returning), start_reset (write to the M7 leaving reset, from m7_log),
 *	start (write to rpmsg-client-sample in /sys/bus/rpmsg/devices, the first
 *	channel the M7 announces), start_ready (... to rpmsg-raw bound to
 *	rpmsg_char: everything usable), stop_write, stop (write to
 *	/sys/bus/rpmsg/devices empty).
 *   rpmsg_bench load DRV RPROC FW LABEL COUNT
 *	sets RPROC/firmware to FW, then COUNT times start/stop: metric
 *	load_LABEL (write "start" to the M7 leaving reset: request_firmware,
 *	parsing, copying the segments, resource table, SCMI up to CPU_START)
 *	and load_write_LABEL (the write returning). Fails if the M7 did not find
 *	the image intact (m7_stats last_boot). With DRV rust also the driver's
 *	own load op, from the last_load line of its debugfs status: metric
 *	loadop_LABEL (its time, microsecond resolution) and loadop_bytes_LABEL
 *	(the bytes it wrote, not a time).
 *   rpmsg_bench readfile LABEL FILE REPS
 *	REPS times: read FILE whole with read() into a fresh anonymous mapping
 *	of its size (open, fstat, mmap, read loop; what request_firmware does
 *	with vmalloc, from user space): metric readfile_LABEL; then read it
 *	again into the same, already faulted-in buffer (the copy alone):
 *	metric readfile_warm_LABEL; then the simulated board's bench_readfw
 *	(tests/sim/bench.rs) reads it REPS times in the kernel with
 *	kernel_read_file_from_path() into a fresh vmalloc buffer, as
 *	request_firmware does: metric readfw_LABEL; driver floor.
 *   rpmsg_bench echo DRV DEV SIZE COUNT
 *	COUNT round trips of a SIZE-byte message through the raw endpoint DEV
 *	(write, poll, read, compare): metric echoSIZE.
 *   rpmsg_bench tput DRV DEV SIZE WINDOW BATCHES
 *	BATCHES times: write WINDOW messages (non-blocking, waiting in
 *	poll(POLLOUT) while all tx buffers are in flight), then read the WINDOW
 *	replies: metric tputSIZExWINDOW, the time of one batch.
 *   rpmsg_bench memcpy LABEL SIZE REPS
 *	the simulated board's bench_memcpy (tests/sim/bench.rs): SIZE bytes
 *	into m7_reserved with memcpy (what the loaders do for DDR), metric
 *	memcpy_LABEL, and with memcpy_toio, metric memcpy_toio_LABEL; driver
 *	floor.
 *   rpmsg_bench pingpong COUNT
 *	the board's bench_mu_pingpong (tests/sim/bench.rs): metric mu_hops,
 *	the simulation's own hops from a kick to the M7's notification, timed
 *	in the kernel per round trip; driver floor.
 *   rpmsg_bench fwstart DRV RPROC COUNT
 *	COUNT times: write "start" to RPROC/state, wait for the firmware's first
 *	endpoint (a device in /sys/bus/rpmsg/devices other than Linux's own
 *	rpmsg_ctrl and rpmsg_ns: what the firmware's name-service announcement
 *	created), write "stop", wait until the devices are gone. Metric
 *	fw_start (the write to the first endpoint). For real firmware, whose
 *	channels and timing the test does not choose (scripts/bench-vm7.sh).
 *   rpmsg_bench ttyecho DRV TTY COUNT
 *	COUNT round trips through the rpmsg tty TTY (raw mode): write "ping N",
 *	read until the reply ends with it (Zephyr's openamp_rsc_table answers
 *	"TTY 0x%04x: " and the message). Metric ttyecho.
 *   rpmsg_bench pipe SIZE COUNT
 *	the system calls of an echo round trip (write, poll, read of SIZE
 *	bytes) through a pipe, with nothing behind them: metric pipeSIZE,
 *	driver floor.
 *
 * Exit status: 0 success, 1 a measurement failed, 2 usage or system error.
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define SIM "/sys/kernel/debug/imx95_sim"
#define RPMSG_DEVICES "/sys/bus/rpmsg/devices"
/* The largest rpmsg payload (512-byte buffers, 16-byte header). */
#define MAX_PAYLOAD 496
/* Polling period while waiting for sysfs to change. */
#define POLL_NS 50000L
/* Give up waiting after this long. */
#define WAIT_NS 10000000000LL

static const char *prog = "rpmsg_bench";

static int usage(void)
{
	fprintf(stderr,
		"usage: %s probe DRV KO\n"
		"       %s unload DRV MODNAME\n"
		"       %s startstop DRV RPROC COUNT\n"
		"       %s load DRV RPROC FW LABEL COUNT\n"
		"       %s echo DRV DEV SIZE COUNT\n"
		"       %s tput DRV DEV SIZE WINDOW BATCHES\n"
		"       %s memcpy LABEL SIZE REPS\n"
		"       %s readfile LABEL FILE REPS\n"
		"       %s pingpong COUNT\n"
		"       %s fwstart DRV RPROC COUNT\n"
		"       %s ttyecho DRV TTY COUNT\n"
		"       %s pipe SIZE COUNT\n",
		prog, prog, prog, prog, prog, prog, prog, prog, prog, prog, prog, prog);
	return 2;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void nap(void)
{
	struct timespec ts = { 0, POLL_NS };

	nanosleep(&ts, NULL);
}

static void sample(const char *metric, const char *drv, int64_t ns)
{
	printf("%s %s %lld\n", metric, drv, (long long)ns);
}

static long parse_count(const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || *end || end == s || v < 1 || v > max)
		return -1;
	return v;
}

/* Writes s to path in one write(); 0 on success, else -errno. */
static int write_str(const char *path, const char *s)
{
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0)
		err = -errno;
	else if ((size_t)n != strlen(s))
		err = -EIO;
	close(fd);
	return err;
}

/* Reads a whole (small) file into a malloc'ed NUL-terminated buffer. */
static char *read_all(const char *path)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap), *nb;
	ssize_t n;
	int fd;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	for (;;) {
		if (len + 1 >= cap) {
			cap *= 2;
			nb = realloc(buf, cap);
			if (!nb)
				break;
			buf = nb;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

/*
 * Looks at /sys/bus/rpmsg/devices: *total is the number of devices,
 * *sample whether rpmsg-client-sample exists, *raw_bound whether an
 * rpmsg-raw device is bound to a driver (rpmsg_char).
 */
static int scan_rpmsg(int *total, int *sample_up, int *raw_bound)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;

	*total = *sample_up = *raw_bound = 0;
	d = opendir(RPMSG_DEVICES);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		(*total)++;
		if (strstr(de->d_name, ".rpmsg-client-sample."))
			*sample_up = 1;
		if (strstr(de->d_name, ".rpmsg-raw.")) {
			snprintf(path, sizeof(path), RPMSG_DEVICES "/%s/driver", de->d_name);
			if (lstat(path, &st) == 0)
				*raw_bound = 1;
		}
	}
	closedir(d);
	return 0;
}

/*
 * The time of the M7's last "reset: vector table" line in m7_log (the
 * simulated M7 leaving reset), in ns, or -1.
 */
static int64_t m7_reset_ns(void)
{
	char *log = read_all(SIM "/m7_log"), *p, *line;
	int64_t best = -1;

	if (!log)
		return -1;
	for (line = log; line && *line; line = p) {
		long s, us;

		p = strchr(line, '\n');
		if (p)
			*p++ = '\0';
		if (!strstr(line, "] reset: vector table"))
			continue;
		if (sscanf(line, "[%ld.%ld]", &s, &us) == 2)
			best = (int64_t)s * 1000000000LL + (int64_t)us * 1000LL;
	}
	free(log);
	return best;
}

/* "ok ..." from m7_stats' last_boot: the M7 found the image intact. */
static int m7_boot_ok(void)
{
	char *st = read_all(SIM "/m7_stats"), *p;
	int ok = 0;

	if (!st)
		return 0;
	p = strstr(st, "\nlast_boot ");
	if (p)
		ok = !strncmp(p + strlen("\nlast_boot "), "ok", 2);
	free(st);
	return ok;
}

static int cmd_probe(int argc, char **argv)
{
	int64_t t0, t1;
	int fd;
	long r;

	if (argc != 4)
		return usage();
	fd = open(argv[3], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, argv[3], strerror(errno));
		return 2;
	}
	t0 = now_ns();
	r = syscall(SYS_finit_module, fd, "", 0);
	t1 = now_ns();
	close(fd);
	if (r) {
		fprintf(stderr, "%s: finit_module %s: %s\n", prog, argv[3], strerror(errno));
		return 1;
	}
	sample("probe", argv[2], t1 - t0);
	return 0;
}

static int cmd_unload(int argc, char **argv)
{
	int64_t t0, t1;
	long r;

	if (argc != 4)
		return usage();
	t0 = now_ns();
	r = syscall(SYS_delete_module, argv[3], O_NONBLOCK);
	t1 = now_ns();
	if (r) {
		fprintf(stderr, "%s: delete_module %s: %s\n", prog, argv[3], strerror(errno));
		return 1;
	}
	sample("unload", argv[2], t1 - t0);
	return 0;
}

/* Writes "start" to dir/state, timing it; 0 or -errno. */
static int rproc_write(const char *dir, const char *what, int64_t *t0, int64_t *t1)
{
	char path[PATH_MAX];
	int r;

	snprintf(path, sizeof(path), "%s/state", dir);
	*t0 = now_ns();
	r = write_str(path, what);
	*t1 = now_ns();
	return r;
}

static int cmd_startstop(int argc, char **argv)
{
	const char *drv, *dir;
	int64_t t0, t1, t, reset, t_sample = -1, t_ready = -1;
	int total, up, bound, r;
	long count, i;

	if (argc != 5)
		return usage();
	drv = argv[2];
	dir = argv[3];
	count = parse_count(argv[4], 100000);
	if (count < 0)
		return usage();
	for (i = 0; i < count; i++) {
		write_str(SIM "/m7_log", "clear");
		r = rproc_write(dir, "start", &t0, &t1);
		if (r) {
			fprintf(stderr, "%s: start: %s\n", prog, strerror(-r));
			return 1;
		}
		t_sample = t_ready = -1;
		for (;;) {
			t = now_ns();
			scan_rpmsg(&total, &up, &bound);
			if (up && t_sample < 0)
				t_sample = t;
			if (bound && t_ready < 0)
				t_ready = t;
			if (t_sample >= 0 && t_ready >= 0)
				break;
			if (t - t0 > WAIT_NS) {
				fprintf(stderr, "%s: no rpmsg channels 10 s after start\n", prog);
				return 1;
			}
			nap();
		}
		reset = m7_reset_ns();
		sample("start_write", drv, t1 - t0);
		if (reset >= t0)
			sample("start_reset", drv, reset - t0);
		sample("start", drv, t_sample - t0);
		sample("start_ready", drv, t_ready - t0);

		r = rproc_write(dir, "stop", &t0, &t1);
		if (r) {
			fprintf(stderr, "%s: stop: %s\n", prog, strerror(-r));
			return 1;
		}
		for (;;) {
			t = now_ns();
			scan_rpmsg(&total, &up, &bound);
			if (!total)
				break;
			if (t - t0 > WAIT_NS) {
				fprintf(stderr, "%s: rpmsg devices left 10 s after stop\n", prog);
				return 1;
			}
			nap();
		}
		sample("stop_write", drv, t1 - t0);
		sample("stop", drv, t - t0);
	}
	return 0;
}

#define RS_DEBUGFS "/sys/kernel/debug/imx_rproc_rs"

/*
 * The last_load line of imx_rproc_rs's debugfs status (the first device):
 * "last_load: BYTES bytes in US us". 0 on success, -1 if there is none.
 */
static int rs_last_load(long long *bytes, long long *us)
{
	char path[PATH_MAX], *st = NULL, *p;
	struct dirent *de;
	int r = -1;
	DIR *d;

	d = opendir(RS_DEBUGFS);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), RS_DEBUGFS "/%s/status", de->d_name);
		st = read_all(path);
		break;
	}
	closedir(d);
	if (!st)
		return -1;
	p = strstr(st, "\nlast_load: ");
	if (p && sscanf(p, "\nlast_load: %lld bytes in %lld us", bytes, us) == 2)
		r = 0;
	free(st);
	return r;
}

static int cmd_load(int argc, char **argv)
{
	const char *drv, *dir, *fw, *label;
	char path[PATH_MAX], metric[64];
	int64_t t0, t1, reset;
	long count, i;
	int r;

	if (argc != 7)
		return usage();
	drv = argv[2];
	dir = argv[3];
	fw = argv[4];
	label = argv[5];
	count = parse_count(argv[6], 100000);
	if (count < 0)
		return usage();
	snprintf(path, sizeof(path), "%s/firmware", dir);
	r = write_str(path, fw);
	if (r) {
		fprintf(stderr, "%s: firmware %s: %s\n", prog, fw, strerror(-r));
		return 1;
	}
	for (i = 0; i < count; i++) {
		write_str(SIM "/m7_log", "clear");
		r = rproc_write(dir, "start", &t0, &t1);
		if (r) {
			fprintf(stderr, "%s: start %s: %s\n", prog, fw, strerror(-r));
			return 1;
		}
		reset = m7_reset_ns();
		if (!m7_boot_ok() || reset < t0) {
			fprintf(stderr, "%s: %s: the M7 did not boot the image intact\n", prog, fw);
			rproc_write(dir, "stop", &t0, &t1);
			return 1;
		}
		snprintf(metric, sizeof(metric), "load_%s", label);
		sample(metric, drv, reset - t0);
		snprintf(metric, sizeof(metric), "load_write_%s", label);
		sample(metric, drv, t1 - t0);
		if (!strcmp(drv, "rust")) {
			long long bytes, us;

			if (rs_last_load(&bytes, &us)) {
				fprintf(stderr, "%s: no last_load in %s/*/status\n", prog, RS_DEBUGFS);
				rproc_write(dir, "stop", &t0, &t1);
				return 1;
			}
			snprintf(metric, sizeof(metric), "loadop_%s", label);
			sample(metric, drv, us * 1000);
			snprintf(metric, sizeof(metric), "loadop_bytes_%s", label);
			sample(metric, drv, bytes);
		}
		r = rproc_write(dir, "stop", &t0, &t1);
		if (r) {
			fprintf(stderr, "%s: stop: %s\n", prog, strerror(-r));
			return 1;
		}
	}
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

static int open_ept(const char *dev)
{
	char buf[MAX_PAYLOAD];
	int fd;

	fd = open(dev, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, dev, strerror(errno));
		return -1;
	}
	/* Late answers to an earlier run are not answers to this one. */
	while (wait_readable(fd, 20) > 0 && read(fd, buf, sizeof(buf)) > 0)
		;
	return fd;
}

static void fill(char *msg, size_t len, long seq)
{
	size_t i;

	for (i = 0; i < len; i++)
		msg[i] = (char)('a' + (seq + (long)i) % 26);
}

/* Reads one reply of len bytes matching msg; 0 ok, 1 failure (printed). */
static int read_reply(int fd, const char *msg, size_t len, long seq)
{
	char buf[MAX_PAYLOAD + 1];
	ssize_t n;

	if (wait_readable(fd, 3000) <= 0) {
		fprintf(stderr, "%s: no reply to message %ld within 3 s\n", prog, seq);
		return 1;
	}
	n = read(fd, buf, sizeof(buf));
	if (n < 0) {
		fprintf(stderr, "%s: read: %s\n", prog, strerror(errno));
		return 1;
	}
	if ((size_t)n != len || (msg && memcmp(buf, msg, len))) {
		fprintf(stderr, "%s: reply %ld: %zd bytes, not the %zu sent\n", prog, seq, n, len);
		return 1;
	}
	return 0;
}

/*
 * The rpmsg devices: *total of them, *fw of them the firmware's (neither
 * rpmsg_ctrl nor rpmsg_ns, which Linux creates for every vdev).
 */
static int scan_fw_epts(int *total, int *fw)
{
	struct dirent *de;
	DIR *d;

	*total = *fw = 0;
	d = opendir(RPMSG_DEVICES);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		(*total)++;
		if (!strstr(de->d_name, ".rpmsg_ctrl.") && !strstr(de->d_name, ".rpmsg_ns."))
			(*fw)++;
	}
	closedir(d);
	return 0;
}

static int cmd_fwstart(int argc, char **argv)
{
	int64_t t0, t1, t;
	int total, fw, r;
	long count, i;

	if (argc != 5)
		return usage();
	count = parse_count(argv[4], 100000);
	if (count < 0)
		return usage();
	for (i = 0; i < count; i++) {
		r = rproc_write(argv[3], "start", &t0, &t1);
		if (r) {
			fprintf(stderr, "%s: start: %s\n", prog, strerror(-r));
			return 1;
		}
		for (;;) {
			t = now_ns();
			scan_fw_epts(&total, &fw);
			if (fw)
				break;
			if (t - t0 > 3 * WAIT_NS) {
				fprintf(stderr, "%s: no firmware endpoint 30 s after start\n", prog);
				return 1;
			}
			nap();
		}
		sample("fw_start", argv[2], t - t0);
		r = rproc_write(argv[3], "stop", &t0, &t1);
		if (r) {
			fprintf(stderr, "%s: stop: %s\n", prog, strerror(-r));
			return 1;
		}
		for (;;) {
			scan_fw_epts(&total, &fw);
			if (!total)
				break;
			if (now_ns() - t0 > WAIT_NS) {
				fprintf(stderr, "%s: rpmsg devices left 10 s after stop\n", prog);
				return 1;
			}
			nap();
		}
	}
	return 0;
}

static int cmd_ttyecho(int argc, char **argv)
{
	char msg[32], buf[256];
	struct termios tio;
	int64_t t0, t1;
	size_t len, got;
	long count, i;
	ssize_t n;
	int fd, r;

	if (argc != 5)
		return usage();
	count = parse_count(argv[4], 1000000);
	if (count < 0)
		return usage();
	fd = open(argv[3], O_RDWR | O_NOCTTY);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, argv[3], strerror(errno));
		return 2;
	}
	if (tcgetattr(fd, &tio) == 0) {
		cfmakeraw(&tio);
		tcsetattr(fd, TCSANOW, &tio);
	}
	/* Late answers to an earlier run are not answers to this one. */
	while (wait_readable(fd, 20) > 0 && read(fd, buf, sizeof(buf)) > 0)
		;
	for (i = 0; i < count; i++) {
		len = (size_t)snprintf(msg, sizeof(msg), "ping %ld", i);
		got = 0;
		t0 = now_ns();
		n = write(fd, msg, len);
		if (n != (ssize_t)len) {
			fprintf(stderr, "%s: write: %s\n", prog, n < 0 ? strerror(errno) : "short");
			close(fd);
			return 1;
		}
		for (;;) {
			r = wait_readable(fd, 3000);
			if (r <= 0) {
				fprintf(stderr, "%s: no reply %ld within 3 s\n", prog, i);
				close(fd);
				return 1;
			}
			n = read(fd, buf + got, sizeof(buf) - 1 - got);
			if (n <= 0) {
				fprintf(stderr, "%s: read: %s\n", prog, n < 0 ? strerror(errno) : "EOF");
				close(fd);
				return 1;
			}
			got += (size_t)n;
			if (got >= len && !memcmp(buf + got - len, msg, len))
				break;
			if (got >= sizeof(buf) - 1) {
				buf[got] = '\0';
				fprintf(stderr, "%s: reply %ld is not an echo: '%s'\n", prog, i, buf);
				close(fd);
				return 1;
			}
		}
		t1 = now_ns();
		sample("ttyecho", argv[2], t1 - t0);
	}
	close(fd);
	return 0;
}

static int cmd_echo(int argc, char **argv)
{
	char msg[MAX_PAYLOAD], metric[32];
	int64_t t0, t1;
	long size, count, i;
	ssize_t n;
	int fd;

	if (argc != 6)
		return usage();
	size = parse_count(argv[4], MAX_PAYLOAD);
	count = parse_count(argv[5], 1000000);
	if (size < 0 || count < 0)
		return usage();
	fd = open_ept(argv[3]);
	if (fd < 0)
		return 2;
	snprintf(metric, sizeof(metric), "echo%ld", size);
	for (i = 0; i < count; i++) {
		fill(msg, (size_t)size, i);
		t0 = now_ns();
		n = write(fd, msg, (size_t)size);
		if (n != size) {
			fprintf(stderr, "%s: write: %s\n", prog, n < 0 ? strerror(errno) : "short");
			close(fd);
			return 1;
		}
		if (read_reply(fd, msg, (size_t)size, i)) {
			close(fd);
			return 1;
		}
		t1 = now_ns();
		sample(metric, argv[2], t1 - t0);
	}
	close(fd);
	return 0;
}

static int cmd_tput(int argc, char **argv)
{
	char msg[MAX_PAYLOAD], metric[32];
	long size, window, batches, b, i;
	int64_t t0, t1;
	ssize_t n;
	int fd;

	if (argc != 7)
		return usage();
	size = parse_count(argv[4], MAX_PAYLOAD);
	window = parse_count(argv[5], 4096);
	batches = parse_count(argv[6], 1000000);
	if (size < 0 || window < 0 || batches < 0)
		return usage();
	fd = open_ept(argv[3]);
	if (fd < 0)
		return 2;
	/*
	 * Non-blocking writes, poll(POLLOUT) while the vring has no free tx
	 * buffer: a blocking write that finds none sleeps in
	 * virtio_rpmsg_bus's wait_event_interruptible_timeout() whose condition
	 * takes a mutex, which CONFIG_DEBUG_ATOMIC_SLEEP reports as a WARNING
	 * ("do not call blocking ops when !TASK_RUNNING"), whatever the
	 * remoteproc driver.
	 */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)) {
		fprintf(stderr, "%s: O_NONBLOCK: %s\n", prog, strerror(errno));
		close(fd);
		return 2;
	}
	snprintf(metric, sizeof(metric), "tput%ldx%ld", size, window);
	fill(msg, (size_t)size, 0);
	for (b = 0; b < batches; b++) {
		t0 = now_ns();
		for (i = 0; i < window;) {
			n = write(fd, msg, (size_t)size);
			if (n == size) {
				i++;
				continue;
			}
			if (n < 0 && errno == EAGAIN) {
				struct pollfd p = { .fd = fd, .events = POLLOUT };

				if (poll(&p, 1, 3000) > 0 || errno == EINTR)
					continue;
				fprintf(stderr, "%s: no free tx buffer within 3 s\n", prog);
			} else {
				fprintf(stderr, "%s: write: %s\n", prog,
					n < 0 ? strerror(errno) : "short");
			}
			close(fd);
			return 1;
		}
		for (i = 0; i < window; i++) {
			if (read_reply(fd, msg, (size_t)size, b * window + i)) {
				close(fd);
				return 1;
			}
		}
		t1 = now_ns();
		sample(metric, argv[2], t1 - t0);
	}
	close(fd);
	return 0;
}

/* Prints every number of a debugfs results file as a sample; count. */
static long print_results(const char *path, const char *metric)
{
	char *res = read_all(path), *p, *end;
	long n = 0;

	if (!res)
		return -1;
	for (p = res; *p; p = end) {
		long long v = strtoll(p, &end, 10);

		if (end == p)
			break;
		sample(metric, "floor", v);
		n++;
		while (*end == '\n' || *end == ' ')
			end++;
	}
	free(res);
	return n;
}

static int cmd_memcpy(int argc, char **argv)
{
	static const char *const how[] = { "memcpy", "toio" };
	char req[64], metric[64];
	long size, reps;
	unsigned int i;
	int r;

	if (argc != 5)
		return usage();
	size = parse_count(argv[3], 1L << 30);
	reps = parse_count(argv[4], 100);
	if (size < 0 || reps < 0)
		return usage();
	for (i = 0; i < sizeof(how) / sizeof(how[0]); i++) {
		snprintf(req, sizeof(req), "%ld %ld %s", size, reps, how[i]);
		r = write_str(SIM "/bench_memcpy", req);
		if (r) {
			fprintf(stderr, "%s: bench_memcpy %s: %s\n", prog, req, strerror(-r));
			return 1;
		}
		snprintf(metric, sizeof(metric), "%s_%s", i ? "memcpy_toio" : "memcpy", argv[2]);
		if (print_results(SIM "/bench_memcpy", metric) != reps)
			return 1;
	}
	return 0;
}

/* Reads fd from offset 0 into buf of len bytes; 0 if all of it came. */
static int read_whole(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = pread(fd, buf + got, len - got, (off_t)got);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static int cmd_readfile(int argc, char **argv)
{
	char metric[64], warm[64], req[PATH_MAX + 32];
	int64_t t0, t1, t2;
	int r;
	long reps, i;
	struct stat st;
	size_t len;
	char *buf;
	int fd;

	if (argc != 5)
		return usage();
	reps = parse_count(argv[4], 100);
	if (reps < 0)
		return usage();
	snprintf(metric, sizeof(metric), "readfile_%s", argv[2]);
	snprintf(warm, sizeof(warm), "readfile_warm_%s", argv[2]);
	for (i = 0; i < reps; i++) {
		t0 = now_ns();
		fd = open(argv[3], O_RDONLY);
		if (fd < 0 || fstat(fd, &st) || st.st_size <= 0) {
			fprintf(stderr, "%s: %s: %s\n", prog, argv[3], strerror(errno));
			return 2;
		}
		len = (size_t)st.st_size;
		buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf == MAP_FAILED) {
			fprintf(stderr, "%s: mmap: %s\n", prog, strerror(errno));
			return 2;
		}
		if (read_whole(fd, buf, len)) {
			fprintf(stderr, "%s: %s: short read\n", prog, argv[3]);
			return 1;
		}
		t1 = now_ns();
		if (read_whole(fd, buf, len)) {
			fprintf(stderr, "%s: %s: short read\n", prog, argv[3]);
			return 1;
		}
		t2 = now_ns();
		close(fd);
		munmap(buf, len);
		sample(metric, "floor", t1 - t0);
		sample(warm, "floor", t2 - t1);
	}
	/* The same in the kernel, as the firmware loader reads it. */
	snprintf(req, sizeof(req), "%s %ld", argv[3], reps);
	r = write_str(SIM "/bench_readfw", req);
	if (r) {
		fprintf(stderr, "%s: bench_readfw %s: %s\n", prog, req, strerror(-r));
		return 1;
	}
	snprintf(metric, sizeof(metric), "readfw_%s", argv[2]);
	return print_results(SIM "/bench_readfw", metric) == reps ? 0 : 1;
}

static int cmd_pingpong(int argc, char **argv)
{
	char req[32];
	long count;
	int r;

	if (argc != 3)
		return usage();
	count = parse_count(argv[2], 100000);
	if (count < 0)
		return usage();
	snprintf(req, sizeof(req), "%ld", count);
	r = write_str(SIM "/bench_mu_pingpong", req);
	if (r) {
		fprintf(stderr, "%s: bench_mu_pingpong: %s\n", prog, strerror(-r));
		return 1;
	}
	return print_results(SIM "/bench_mu_pingpong", "mu_hops") == count ? 0 : 1;
}

static int cmd_pipe(int argc, char **argv)
{
	char msg[MAX_PAYLOAD], metric[32];
	long size, count, i;
	int64_t t0, t1;
	int fds[2];

	if (argc != 4)
		return usage();
	size = parse_count(argv[2], MAX_PAYLOAD);
	count = parse_count(argv[3], 1000000);
	if (size < 0 || count < 0)
		return usage();
	if (pipe(fds)) {
		fprintf(stderr, "%s: pipe: %s\n", prog, strerror(errno));
		return 2;
	}
	snprintf(metric, sizeof(metric), "pipe%ld", size);
	for (i = 0; i < count; i++) {
		fill(msg, (size_t)size, i);
		t0 = now_ns();
		if (write(fds[1], msg, (size_t)size) != size ||
		    read_reply(fds[0], msg, (size_t)size, i)) {
			fprintf(stderr, "%s: pipe round trip failed\n", prog);
			return 1;
		}
		t1 = now_ns();
		sample(metric, "floor", t1 - t0);
	}
	close(fds[0]);
	close(fds[1]);
	return 0;
}

int main(int argc, char **argv)
{
	int r;

	if (argc < 2)
		return usage();
	/* Samples go to a file or a pipe: no flush per line while measuring. */
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (!strcmp(argv[1], "probe"))
		r = cmd_probe(argc, argv);
	else if (!strcmp(argv[1], "unload"))
		r = cmd_unload(argc, argv);
	else if (!strcmp(argv[1], "startstop"))
		r = cmd_startstop(argc, argv);
	else if (!strcmp(argv[1], "load"))
		r = cmd_load(argc, argv);
	else if (!strcmp(argv[1], "echo"))
		r = cmd_echo(argc, argv);
	else if (!strcmp(argv[1], "tput"))
		r = cmd_tput(argc, argv);
	else if (!strcmp(argv[1], "memcpy"))
		r = cmd_memcpy(argc, argv);
	else if (!strcmp(argv[1], "readfile"))
		r = cmd_readfile(argc, argv);
	else if (!strcmp(argv[1], "pingpong"))
		r = cmd_pingpong(argc, argv);
	else if (!strcmp(argv[1], "fwstart"))
		r = cmd_fwstart(argc, argv);
	else if (!strcmp(argv[1], "ttyecho"))
		r = cmd_ttyecho(argc, argv);
	else if (!strcmp(argv[1], "pipe"))
		r = cmd_pipe(argc, argv);
	else
		r = usage();
	fflush(stdout);
	return r;
}
