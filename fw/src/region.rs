// SPDX-License-Identifier: GPL-2.0

//! What a reserved-memory region of the M7 is for, by its name: the node
//! name before `@`, or its `memory-region-names` entry. The driver decides
//! with [`Role::of_name`] once, at probe, and it is the only place names are
//! looked at (`Documentation/design.rst` has the table, with what the C
//! driver `drivers/remoteproc/imx_rproc.c` does with each); the simulated
//! M7 (`tests/sim/m7mem.rs`) finds its memory with the same function.
//!
//! This file is compiled both as part of the host crate `imx_rproc_fw` and,
//! through `#[path]`, inside the kernel module: it must only use `core`.

/// The role of a `memory-region` entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// `vdev0buffer*`: vdev 0's DMA pool: neither mapped nor a carveout.
    VdevBuffer,
    /// `vdev*` with `vring` in it (`vdevNvringM`): a carveout, where a vring
    /// with a fixed device address must lie.
    Vring,
    /// Any other `vdev*` (the Verdin's `vdevbuffer`): a carveout, not mapped
    /// at probe, not M7 memory.
    Vdev,
    /// `rsc-table*`: mapped at probe, not a carveout: the live resource table.
    RscTable,
    /// Anything else: the M7's own memory, mapped at probe and a carveout.
    M7,
}

impl Role {
    /// The role of the region called `name`.
    pub fn of_name(name: &[u8]) -> Self {
        let is_vring = name.starts_with(b"vdev") && name.windows(5).any(|w| w == b"vring");
        if name.starts_with(b"vdev0buffer") {
            Role::VdevBuffer
        } else if is_vring {
            Role::Vring
        } else if name.starts_with(b"vdev") {
            Role::Vdev
        } else if name.starts_with(b"rsc-table") {
            Role::RscTable
        } else {
            Role::M7
        }
    }

    /// Mapped at probe (every name not starting `vdev`, as upstream).
    pub fn mapped(self) -> bool {
        matches!(self, Role::RscTable | Role::M7)
    }

    /// Registered as a carveout at every prepare.
    pub fn carveout(self) -> bool {
        matches!(self, Role::Vring | Role::Vdev | Role::M7)
    }
}

/// The vdev and vring indices `(N, M)` of a region named `vdevNvringM` (one
/// digit each, as the device trees of the i.MX boards name them), or `None`
/// for any other name.
pub fn vring_index(name: &[u8]) -> Option<(u8, u8)> {
    match name {
        [b'v', b'd', b'e', b'v', n, b'v', b'r', b'i', b'n', b'g', m]
            if n.is_ascii_digit() && m.is_ascii_digit() =>
        {
            Some((n.wrapping_sub(b'0'), m.wrapping_sub(b'0')))
        }
        _ => None,
    }
}
