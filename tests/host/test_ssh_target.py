# SPDX-License-Identifier: GPL-2.0
"""tests/host/ssh_target.py without a board: the target's address, the
kernel log records it turns into printk lines, what a board cannot run,
the payload and its archive. The transport itself runs for real on the
virtual board (tests/host/test_ssh.py --target virtual, in make check)."""

import io
import pathlib
import tarfile

import conftest
import pytest
import scenarios
import ssh_target


def test_targets():
    assert ssh_target.parse_target("virtual") == ("virtual", None)
    assert ssh_target.parse_target("ssh://verdin") == ("ssh", ("root", "verdin", None))
    assert ssh_target.parse_target("ssh://torizon@10.1.2.3:2222") == ("ssh", ("torizon", "10.1.2.3", 2222))
    for bad in ("verdin", "http://verdin", "ssh://", "ssh://verdin/path", "ssh://verdin?x=1"):
        with pytest.raises(ssh_target.TargetError):
            ssh_target.parse_target(bad)


def test_ssh_command_line():
    a = ssh_target.Ssh("root", "127.0.0.1", 2022, ("-i", "key")).argv("uname -r")
    assert a[0] == "ssh" and a[-2:] == ["root@127.0.0.1", "uname -r"]
    assert "BatchMode=yes" in a and a[a.index("-p") + 1] == "2022" and a[a.index("-i") + 1] == "key"
    assert "-p" not in ssh_target.Ssh("root", "verdin").argv("true")


def test_kmsg_records_become_printk_lines_from_the_start_on():
    # Documentation/ABI/testing/dev-kmsg of the kernel tree: PRIO,SEQ,
    # TIMESTAMP_US,FLAGS;MESSAGE, then continuation lines with a space.
    kmsg = "\n".join(
        [
            "6,100,4999999,-;before the scenario",
            "4,101,5000000,-;------------[ cut here ]------------",
            " SUBSYSTEM=platform",
            "4,102,12345678,-;WARNING: CPU: 0 PID: 1 at drivers/x.c:1 f+0x0/0x4",
            "garbage",
        ]
    )
    lines = ssh_target.printk_lines(kmsg, 5_000_000)
    assert lines == [
        "[    5.000000] ------------[ cut here ]------------",
        "[   12.345678] WARNING: CPU: 0 PID: 1 at drivers/x.c:1 f+0x0/0x4",
    ]
    # ...which the runner's parser sees as the splat it is.
    import ktap_count

    assert ktap_count.splats(lines) == ["[   12.345678] WARNING: CPU: 0 PID: 1 at drivers/x.c:1 f+0x0/0x4"]


def test_what_a_board_cannot_run():
    data = scenarios.load()
    # Knob-free scenarios run anywhere; knob scenarios only with the simulator.
    assert ssh_target.unrunnable(data["smoke"], has_sim=False) is None
    assert ssh_target.unrunnable(data["rpmsg"], has_sim=True) is None
    why = ssh_target.unrunnable(data["rpmsg"], has_sim=False)
    assert why and data["rpmsg"].knobs in why
    # An overlay or vm7: no board reached by SSH, simulator or not.
    for name in ("region_names", "vm7_firmware"):
        assert ssh_target.unrunnable(data[name], has_sim=True)
    # Every scenario either runs on a real board or says why not.
    for sc in data.values():
        why = ssh_target.unrunnable(sc, has_sim=False)
        assert (why is None) == (sc.knobs is None and not sc.dtso and "vm7" not in sc.needs)


def test_payload_keeps_the_simulators_images_off_a_real_board(tmp_path):
    sim_img, user = tmp_path / "zephyr.elf", tmp_path / "mine.elf"
    sim_img.write_bytes(b"sim")
    user.write_bytes(b"real")
    build = conftest.Build(
        [], ["--file", f"{sim_img}:/lib/firmware/zephyr.elf", "--file", f"{user}:/lib/firmware/user.elf"]
    )
    real = ssh_target.payload(build, has_sim=False)
    virtual = ssh_target.payload(build, has_sim=True)
    assert "/lib/firmware/zephyr.elf" not in real and real["/lib/firmware/user.elf"] == user
    assert virtual["/lib/firmware/zephyr.elf"] == sim_img
    for p in ("/lib.sh", "/sim.sh", "/modules/imx_rproc_rs.ko"):
        assert p in real
    assert "/modules/imx95_sim.ko" not in virtual  # the board's hardware is the board's


def test_archive_is_root_owned_at_the_board_paths(tmp_path):
    f = tmp_path / "t.sh"
    f.write_text("echo hi\n")
    f.chmod(0o755)
    t = tarfile.open(fileobj=io.BytesIO(ssh_target.tar_of({"/test.sh": f, "/a/b/c.sh": f})))
    names = {m.name: m for m in t.getmembers()}
    assert set(names) == {"test.sh", "a/b/c.sh"}
    assert all(m.uid == 0 and m.gid == 0 and m.mode & 0o777 == 0o755 for m in names.values())
    assert t.extractfile("test.sh").read() == b"echo hi\n"


def test_the_board_init_is_not_a_scenario():
    # tests/guest/ssh_board.sh is the virtual board's init, outside
    # scenarios/: it must not be collected as one.
    assert "ssh_board" not in scenarios.load()
    assert pathlib.Path(ssh_target.ROOT / "tests/guest/ssh_board.sh").is_file()
