# SPDX-License-Identifier: GPL-2.0
"""The SSH target: the scenarios of tests/guest/scenarios.toml on a board
reached through OpenSSH's ssh (tests/host/test_ssh.py drives it).

A target is a board: a real one, ssh://[USER@]HOST[:PORT] (USER root by
default; the user's own ssh configuration, keys and known_hosts apply), or
"virtual": the virtual i.MX95 booted by scripts/run-qemu.sh --ssh PORT with
tests/guest/ssh_board.sh as its init (dropbear on the guest's port 22,
forwarded from 127.0.0.1:PORT on the host), one fresh board per boot of a
scenario, reached through exactly the same code (Ssh, Board) as a real
one. Its simulated MU and System Manager are the board's hardware: its init
loads them before the SSH server starts; the target never loads them.

What a boot of a scenario does on a board (Board.run):
  - the payload, once per board: /lib.sh, /sim.sh, /modules/imx_rproc_rs.ko,
    /bin/rpmsg_tool and /bin/failnth when built, and firmware into
    /lib/firmware/: the simulator's images (out/fw, the Zephyr fixtures)
    only on a board that has the simulator, FIRMWARE=... on any board;
    sent as one tar archive (Python's tarfile) into the board's tar -x;
  - the scenario as /test.sh, run by the board's sh with
    IMXRPROCRS_DRIVER=DRIVER in its environment (tests/guest/sim.sh),
    stdout and stderr captured; meanwhile the board's /dev/kmsg is read
    into a file (a scenario's dmesg -c does not clear /dev/kmsg's
    readers), and its records from the scenario's start on are turned
    into printk lines ("[  12.345678] ...") for the splat check;
  - the results counted by scripts/ktap_count.py as the QEMU runner
    counts them (plan, results, splats, expected splats, KUnit suites).

Which scenarios a board cannot run (unrunnable) is data: the scenario's
overlay (dtso; a board boots its own device tree), vm7 (it runs on the host
beside QEMU), knobs (the simulator's debugfs, on a board without it).
"""

import dataclasses
import io
import os
import pathlib
import re
import shlex
import socket
import subprocess
import tarfile
import threading
import time
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parents[2]
CACHE = pathlib.Path(os.environ.get("IMX_RPROC_RS_CACHE", pathlib.Path.home() / ".cache" / "imx_rproc_rs"))
RUNDIR = "/tmp/.imxrprocrs"  # the target's scratch files on the board
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class TargetError(Exception):
    pass


def parse_target(spec):
    """("virtual", None) or ("ssh", (user, host, port or None))."""
    if spec == "virtual":
        return "virtual", None
    u = urllib.parse.urlsplit(spec)
    if u.scheme != "ssh" or not u.hostname or u.path not in ("", "/") or u.query or u.fragment:
        raise TargetError(f"a target is 'virtual' or ssh://[USER@]HOST[:PORT], not {spec!r}")
    return "ssh", (u.username or "root", u.hostname, u.port)


@dataclasses.dataclass
class Ssh:
    """One board's ssh command line. OPTS: more ssh options (-o ...)."""

    user: str
    host: str
    port: int | None = None
    opts: tuple = ()

    def argv(self, command):
        a = ["ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "ServerAliveInterval=5"]
        a += ["-o", "ServerAliveCountMax=6", *self.opts]
        if self.port:
            a += ["-p", str(self.port)]
        return [*a, f"{self.user}@{self.host}", command]

    def run(self, command, data=None, timeout=60):
        """(exit status, stdout and stderr as text) of COMMAND on the board;
        255 is ssh's own failure (no connection), 124 a timeout."""
        try:
            p = subprocess.run(
                self.argv(command),
                input=data if data is not None else b"",
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as e:
            return 124, (e.stdout or b"").decode(errors="replace")
        return p.returncode, p.stdout.decode(errors="replace")


def tar_of(files):
    """A tar archive of {board path: host path}, owned by root, the host
    files' modes kept."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for dest, src in sorted(files.items()):
            info = t.gettarinfo(str(src), arcname=dest.lstrip("/"))
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            if info.isfile():
                with open(src, "rb") as f:
                    t.addfile(info, f)
            elif info.isdir():
                t.add(str(src), arcname=dest.lstrip("/"), filter=_root_owned)
    return buf.getvalue()


def _root_owned(info):
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


KMSG = re.compile(r"^(\d+),(\d+),(\d+),[^;]*;(.*)$")


def printk_lines(kmsg_text, since_us):
    """/dev/kmsg records (Documentation/ABI/testing/dev-kmsg in the kernel
    tree: "PRIO,SEQ,TIMESTAMP_US,FLAGS;MESSAGE", continuation lines start
    with a space) from SINCE_US on, as the console prints them with
    CONFIG_PRINTK_TIME: "[    S.UUUUUU] MESSAGE"."""
    out = []
    for line in kmsg_text.splitlines():
        m = KMSG.match(line)
        if not m or int(m.group(3)) < since_us:
            continue
        us = int(m.group(3))
        out.append(f"[{us // 1000000:5d}.{us % 1000000:06d}] {m.group(4)}")
    return out


def unrunnable(sc, has_sim):
    """Why a board reached by SSH cannot run scenario SC, or None."""
    if "vm7" in sc.needs:
        return "needs vm7, the executing virtual M7 that runs on the host beside QEMU (run-qemu.sh --vm7)"
    if sc.dtso:
        return f"needs the overlay {sc.dtso} booted; a board reached by SSH boots its own device tree"
    if sc.knobs and not has_sim:
        return f"needs the simulator's knobs, which this board has not (no /sys/module/imx95_sim): {sc.knobs}"
    return None


def payload(build, has_sim):
    """{board path: host path} of what a board gets once."""
    files = {
        "/lib.sh": ROOT / "tests/guest/lib.sh",
        "/sim.sh": ROOT / "tests/guest/sim.sh",
        "/modules/imx_rproc_rs.ko": ROOT / "imx_rproc_rs.ko",
    }
    for tool in ("rpmsg_tool", "failnth"):
        p = ROOT / "tests/guest/tools" / tool
        if p.is_file() and os.access(p, os.X_OK):
            files[f"/bin/{tool}"] = p
    args = list(build.files)
    for flag, spec in zip(args[::2], args[1::2], strict=True):
        if flag != "--file":
            continue
        host, _, dest = spec.rpartition(":")
        # The simulator's images (mkfw, and the fixtures it plays) only where
        # it is; the user's own image (FIRMWARE=, user.elf) everywhere.
        if has_sim or pathlib.Path(dest).name.startswith("user."):
            files[dest] = pathlib.Path(host)
    return files


def vermagic(ko):
    p = subprocess.run(["modinfo", "-F", "vermagic", str(ko)], capture_output=True, text=True)
    return p.stdout.split()[0] if p.returncode == 0 and p.stdout.split() else None


@dataclasses.dataclass
class Run:
    """What a scenario left: its output, the board's kernel log, status."""

    rc: int  # 0, 1 (the script failed), 124 (timeout), 125 (no status: board lost)
    output: list  # the script's stdout and stderr, lines
    kernel: list  # printk lines of the board from the scenario's start
    note: str  # what went wrong around the script, or ""


class Board:
    """A board reached through SSH: its facts, the payload, scenarios."""

    def __init__(self, ssh, build, name):
        self.ssh = ssh
        self.build = build
        self.name = name
        self.facts = None
        self.ready = False
        self.firmware = ""
        self.lock = threading.Lock()  # one scenario at a time on a board

    def probe(self):
        """{release, sim}: what the board is. Raises TargetError."""
        if self.facts is None:
            rc, out = self.ssh.run("uname -r; [ -d /sys/module/imx95_sim ] && echo sim || echo no-sim", timeout=30)
            lines = out.split()
            if rc != 0 or len(lines) < 2:
                raise TargetError(f"{self.name}: cannot ask the board what it is (ssh exit {rc}): {out.strip()}")
            self.facts = {"release": lines[-2], "sim": lines[-1] == "sim"}
        return self.facts

    def setup(self):
        """The payload onto the board, once; checks the module fits its kernel."""
        if self.ready:
            return
        facts = self.probe()
        ko = ROOT / "imx_rproc_rs.ko"
        magic = vermagic(ko)
        if magic != facts["release"]:
            raise TargetError(
                f"{self.name}: {ko.name} was built for {magic or '(unreadable vermagic)'}, the board runs "
                f"{facts['release']}: build it with KDIR= the board's kernel tree"
            )
        files = payload(self.build, facts["sim"])
        # FIRMWARE=...: the scenarios' firmware (board_rpmsg.sh).
        self.firmware = "user.elf" if "/lib/firmware/user.elf" in files else ""
        rc, out = self.ssh.run(f"mkdir -p {RUNDIR} && tar -x -f - -C /", data=tar_of(files), timeout=300)
        if rc != 0:
            raise TargetError(f"{self.name}: copying the payload failed (ssh exit {rc}): {out.strip()[-2000:]}")
        self.ready = True

    def run(self, script, driver, timeout):
        """Runs SCRIPT (a host path) as /test.sh with DRIVER; a Run."""
        with self.lock:
            return self._run(script, driver, timeout)

    def _run(self, script, driver, timeout):
        rc, out = self.ssh.run("tar -x -f - -C /", data=tar_of({"/test.sh": script}), timeout=60)
        if rc != 0:
            return Run(125, [], [], f"copying the script failed (ssh exit {rc}): {out.strip()}")
        env = f"PATH={PATH} HOME=/ IMXRPROCRS_DRIVER={shlex.quote(driver or '')}"
        if self.firmware:
            env += f" IMXRPROCRS_FIRMWARE={self.firmware}"
        # The kernel log from /dev/kmsg in the background (from the buffer's
        # start: the host keeps the records from T0 on); the script's pid
        # for a kill after a timeout; its status on the last line.
        remote = (
            f"cd / && export {env} && "
            f"read -r t0 _ </proc/uptime && echo IMXRPROCRS-T0 $t0 && "
            f"{{ cat /dev/kmsg >{RUNDIR}/kmsg 2>/dev/null & kp=$!; "
            f"echo $kp >{RUNDIR}/kpid; sh /test.sh 2>&1 & sp=$!; echo $sp >{RUNDIR}/pid; wait $sp; rc=$?; "
            f"sleep 0.5; kill $kp; echo IMXRPROCRS-EXIT $rc; }}"
        )
        rc, out = self.ssh.run(remote, timeout=timeout)
        lines = out.splitlines()
        t0 = next((ln.split()[1] for ln in lines if ln.startswith("IMXRPROCRS-T0 ")), None)
        status = next((ln.split()[1] for ln in reversed(lines) if ln.startswith("IMXRPROCRS-EXIT ")), None)
        output = [ln for ln in lines if not ln.startswith(("IMXRPROCRS-T0 ", "IMXRPROCRS-EXIT "))]
        note = ""
        if rc == 124:
            note = f"timeout: the scenario did not finish within {timeout} s on the board"
            self.ssh.run(f"kill $(cat {RUNDIR}/pid) $(cat {RUNDIR}/kpid) 2>/dev/null", timeout=20)
            code = 124
        elif status is None:
            note = f"the board gave no status (ssh exit {rc}: connection lost, board crashed or rebooted?)"
            code = 125
        else:
            code = 0 if status == "0" else 1
        krc, kmsg = self.ssh.run(f"cat {RUNDIR}/kmsg", timeout=60)
        since = int(float(t0) * 1e6) if t0 else 0
        kernel = printk_lines(kmsg, since) if krc == 0 else []
        if krc != 0:
            note = (note + "; " if note else "") + f"could not read the board's kernel log (ssh exit {krc})"
        return Run(code, output, kernel, note)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_key_lock = threading.Lock()


def client_key(out):
    """The SSH key of the virtual boards (made once in OUT/key/), its path."""
    d = pathlib.Path(out) / "key"
    d.mkdir(parents=True, exist_ok=True)
    key = d / "id_ed25519"
    with _key_lock:
        if key.is_file():
            return key
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "imx_rproc_rs virtual board", "-f", str(key)],
            check=True,
        )
    return key


class VirtualBoard:
    """A fresh virtual i.MX95 with an SSH server on 127.0.0.1:PORT, booted
    by scripts/run-qemu.sh (the console in LOG); .board is its Board."""

    def __init__(self, build, out, log, timeout):
        key = client_key(out)
        self.port = free_port()
        self.log = pathlib.Path(log)
        db = CACHE / "dropbear"
        if not (db / "usr/sbin/dropbear").is_file():
            raise TargetError(f"no dropbear in {db}: run scripts/bootstrap.sh")
        cmd = [str(ROOT / "scripts/run-qemu.sh"), "--module", str(ROOT / "tests/sim/imx95_sim.ko")]
        for dest in ("usr/sbin/dropbear", "usr/bin/dropbearkey", "lib/ld-linux-aarch64.so.1", "lib/aarch64-linux-gnu"):
            cmd += ["--file", f"{db / dest}:/{dest}"]
        cmd += ["--file", f"{key}.pub:/board/authorized_keys", "--script", str(ROOT / "tests/guest/ssh_board.sh")]
        cmd += ["--ssh", str(self.port), "--timeout", str(timeout), "--log", str(self.log)]
        env = dict(os.environ)
        if build.smp:
            env["QEMU_EXTRA_OPTS"] = (env.get("QEMU_EXTRA_OPTS", "") + f" -smp {build.smp}").strip()
        self.runner_log = open(f"{self.log}.runner", "w")
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, stdout=self.runner_log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
        )
        # A new host key at every boot, on a port of the moment: nothing
        # to remember about it.
        opts = ("-i", str(key), "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=no")
        opts += ("-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR")
        self.board = Board(Ssh("root", "127.0.0.1", self.port, opts), build, f"virtual board :{self.port}")

    def wait_up(self, timeout=180):
        """Until the board's SSH server answers. Raises TargetError."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise TargetError(f"the virtual board ended before its SSH server answered (see {self.log})")
            text = self.log.read_text(errors="replace") if self.log.exists() else ""
            if "IMXRPROCRS-BOARD-READY" in text:
                rc, _ = self.board.ssh.run("true", timeout=20)
                if rc == 0:
                    return
            time.sleep(0.5)
        raise TargetError(f"the virtual board's SSH server did not answer within {timeout} s (see {self.log})")

    def power_off(self):
        """The board's power switch (ssh_board.sh waits for it); then
        run-qemu.sh's status, None if it had to be killed."""
        if self.proc.poll() is None:
            self.board.ssh.run("touch /tmp/.board-off", timeout=20)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.runner_log.close()
                return None
        self.runner_log.close()
        return self.proc.returncode
