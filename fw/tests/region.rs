// SPDX-License-Identifier: GPL-2.0

//! The roles of the M7's memory regions by name (`Documentation/design.rst`,
//! "Memory regions"). The names are those of the Verdin i.MX95 device tree
//! the virtual board copies (`dts/imx95-virtual.dtso`: `m7_reserved`,
//! `vdev0vring0` .. `vdev1vring1`, `vdevbuffer`, `rsc-table`) and the
//! `vdev0buffer` of NXP's i.MX device trees
//! (`arch/arm64/boot/dts/freescale/imx8mp-evk.dts`).

use imx_rproc_fw::region::{vring_index, Role};

#[test]
fn roles_of_the_board_names() {
    for (name, role) in [
        (&b"memory"[..], Role::M7),
        (b"m7_reserved", Role::M7),
        (b"vdev0vring0", Role::Vring),
        (b"vdev1vring1", Role::Vring),
        (b"vdevbuffer", Role::Vdev),
        (b"vdev0buffer", Role::VdevBuffer),
        (b"rsc-table", Role::RscTable),
        (b"rsc-table0", Role::RscTable),
        (b"vdev", Role::Vdev),
        (b"vringvdev", Role::M7),
        (b"", Role::M7),
    ] {
        assert_eq!(
            Role::of_name(name),
            role,
            "{}",
            String::from_utf8_lossy(name)
        );
    }
}

#[test]
fn what_each_role_gets() {
    let all = [
        Role::VdevBuffer,
        Role::Vring,
        Role::Vdev,
        Role::RscTable,
        Role::M7,
    ];
    let mapped: Vec<_> = all.iter().map(|r| r.mapped()).collect();
    let carveout: Vec<_> = all.iter().map(|r| r.carveout()).collect();
    assert_eq!(mapped, [false, false, false, true, true]);
    assert_eq!(carveout, [false, true, true, false, true]);
}

#[test]
fn vring_numbers() {
    assert_eq!(vring_index(b"vdev0vring0"), Some((0, 0)));
    assert_eq!(vring_index(b"vdev1vring1"), Some((1, 1)));
    assert_eq!(vring_index(b"vdev10vring1"), None);
    assert_eq!(vring_index(b"vdevXvring1"), None);
    assert_eq!(vring_index(b"vdev0vring"), None);
    assert_eq!(vring_index(b"vdevbuffer"), None);
}
