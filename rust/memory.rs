// SPDX-License-Identifier: GPL-2.0

//! The memory the M7 uses: the `memory-region` list, what is mapped at
//! probe, and the roles of each range (M7 memory, vrings, the `rsc-table`
//! region).

use crate::{
    fw::{
        att::{
            self,
            AttEntry, //
        },
        rsc::Limits, //
    },
    kernel_ext::of_rmem::{
        self,
        IoMapping,
        MapKind,
        ReservedRegion, //
    },
    rproc::ImxRproc, //
};
use kernel::{
    device::{
        Bound,
        Device, //
    },
    prelude::*,
    sync::Arc, //
};

/// At most this many `memory-region` entries, as the C driver.
pub(crate) const MAX_REGIONS: usize = 32;

/// A physical range mapped at probe time, with the remote's view of it.
pub(crate) struct Mapped {
    /// Where the range starts in the system address space.
    pub(crate) sa: u64,
    /// Shared with the carveout registered over the same range, if any.
    pub(crate) map: Arc<IoMapping>,
}

impl ImxRproc {
    pub(crate) fn rsc_region(&self) -> Option<&IoMapping> {
        self.rsc_table
            .and_then(|i| self.mapped.get(i))
            .map(|m| &*m.map)
    }

    /// The probe-time mapping of exactly `pa..pa + len`, if there is one.
    pub(crate) fn mapping_of(&self, pa: u64, len: usize) -> Option<Arc<IoMapping>> {
        self.mapped
            .iter()
            .find(|m| m.map.pa() == pa && m.map.size() == len)
            .map(|m| m.map.clone())
    }

    /// Resource-table limits: at most the `rsc-table` region, if there is
    /// one; vrings with a fixed address inside the vring regions.
    pub(crate) fn rsc_limits(&self) -> Limits<'_> {
        let mut limits = Limits::DEFAULT;
        if let Some(region) = self.rsc_region() {
            limits.max_len = region.size();
        }
        limits.vring_da_ok = &self.vring_ranges;
        limits
    }

    /// Whether the device range `da..da + len` is M7 memory: it translates
    /// and lies inside one of `m7_ranges` (so not in a vring, the vdev
    /// buffer or the resource-table region, which the core and Linux own).
    pub(crate) fn in_m7_memory(&self, da: u64, len: u64) -> bool {
        let Ok((sys, _)) = att::da_to_sys(self.cfg.att, da, len) else {
            return false;
        };
        self.m7_ranges
            .iter()
            .any(|&range| sys_range_within(sys, len, range))
    }

    /// The offset of the device range `da..da + len` in the `rsc-table`
    /// region, if it translates and lies inside it.
    pub(crate) fn rsc_offset(&self, da: u64, len: u64) -> Option<u64> {
        let region = self.rsc_region()?;
        let (sys, _) = att::da_to_sys(self.cfg.att, da, len).ok()?;
        let size = u64::try_from(region.size()).ok()?;
        sys_range_within(sys, len, (region.pa(), size)).then(|| sys - region.pa())
    }

    /// Whether a program segment may load at `da..da + len`: M7 memory or,
    /// as upstream (`imx_rproc_addr_init()` maps every region whose name
    /// does not start with `vdev`), the `rsc-table` region. i.MX firmware
    /// commonly links `.resource_table` there, so that the table Linux
    /// attaches to sits where the device tree reserves it; the core then
    /// copies the table over the same bytes. Never a vring or the vdev
    /// buffer, which Linux owns (upstream loads there through the core's
    /// carveout fallback, and the vring setup overwrites the bytes).
    pub(crate) fn loadable(&self, da: u64, len: u64) -> bool {
        self.in_m7_memory(da, len) || self.rsc_offset(da, len).is_some()
    }
}

/// Reads the `memory-region` list of the node, each entry with its [`Role`].
pub(crate) fn parse_regions(dev: &Device<Bound>) -> Result<KVec<(ReservedRegion, Role)>> {
    let n = of_rmem::count(dev).unwrap_or(0);
    if n > MAX_REGIONS {
        dev_err!(
            dev,
            "{} memory regions, at most {} supported\n",
            n,
            MAX_REGIONS
        );
        return Err(EINVAL);
    }
    let mut regions = KVec::with_capacity(n, GFP_KERNEL)?;
    for i in 0..n {
        let region = of_rmem::region(dev, i).inspect_err(|e| {
            dev_err!(
                dev,
                "memory-region {}: unusable reserved memory: {:?}\n",
                i,
                e
            )
        })?;
        dev_dbg!(
            dev,
            "memory-region {}: {} at {:#x}+{:#x} (name from {})\n",
            i,
            kernel::str::BStr::from_bytes(region.base_name()),
            region.start(),
            region.size(),
            if region.named() {
                "memory-region-names"
            } else {
                "the node"
            }
        );
        let role = Role::of(&region);
        regions.push((region, role), GFP_KERNEL)?;
    }
    Ok(regions)
}

/// Maps what the C driver maps at probe: the translation entries the driver
/// owns (the TCMs) and every region that is not a vdev region.
pub(crate) fn map_memory(
    dev: &Device<Bound>,
    table: &[AttEntry],
    regions: &[(ReservedRegion, Role)],
) -> Result<(KVec<Mapped>, Option<usize>)> {
    let mut rsc_table = None;
    let mut mapped = KVec::new();
    for e in table.iter().filter(|e| e.flags & att::ATT_OWN != 0) {
        let kind = if e.flags & att::ATT_IOMEM != 0 {
            MapKind::Device
        } else {
            MapKind::WriteCombine
        };
        let map = IoMapping::soc_memory(dev, e.sa, usize::try_from(e.size)?, kind)
            .inspect_err(|_| dev_err!(dev, "failed to map TCM at {:#x}+{:#x}\n", e.sa, e.size))?;
        let map = Arc::new(map, GFP_KERNEL)?;
        mapped.push(Mapped { sa: e.sa, map }, GFP_KERNEL)?;
    }
    for (r, role) in regions.iter().filter(|(_, role)| role.mapped()) {
        let map = IoMapping::of_region(r).inspect_err(|_| {
            dev_err!(
                dev,
                "failed to map memory region at {:#x}+{:#x}\n",
                r.start(),
                r.size()
            )
        })?;
        if *role == Role::RscTable {
            rsc_table = Some(mapped.len());
        }
        let map = Arc::new(map, GFP_KERNEL)?;
        mapped.push(Mapped { sa: map.pa(), map }, GFP_KERNEL)?;
    }
    Ok((mapped, rsc_table))
}

/// What a `memory-region` entry is for, by its name: computed once, at
/// probe, by the firmware-format crate's rules (`fw/src/region.rs`), which
/// the simulated M7 uses too.
pub(crate) use crate::fw::region::Role;

impl Role {
    /// The role of `region`, by its name (the node name before `@`, or its
    /// `memory-region-names` entry).
    pub(crate) fn of(region: &ReservedRegion) -> Self {
        Self::of_name(region.base_name())
    }
}

/// Physical ranges `(start, len)`.
pub(crate) type Ranges = KVec<(u64, u64)>;

/// Whether the system range `sys..sys + len` lies inside `(start, size)`;
/// a range may end exactly at the end (upstream's `<` refuses that).
pub(crate) fn sys_range_within(sys: u64, len: u64, (start, size): (u64, u64)) -> bool {
    sys.checked_sub(start)
        .and_then(|off| off.checked_add(len))
        .is_some_and(|end| end <= size)
}

/// Sorts the memory by role: the vring regions (`vdevNvringM`), where a
/// fixed vring address must lie, and the M7's own memory (the TCMs and the
/// regions not used for IPC), where segments and trace buffers must lie.
pub(crate) fn memory_roles(
    table: &[AttEntry],
    regions: &[(ReservedRegion, Role)],
) -> Result<(Ranges, Ranges)> {
    let mut vrings = KVec::new();
    let mut m7 = KVec::new();
    for e in table.iter().filter(|e| e.flags & att::ATT_OWN != 0) {
        m7.push((e.sa, u64::from(e.size)), GFP_KERNEL)?;
    }
    for (r, role) in regions {
        match role {
            Role::Vring => vrings.push((r.start(), r.size()), GFP_KERNEL)?,
            Role::M7 => m7.push((r.start(), r.size()), GFP_KERNEL)?,
            Role::VdevBuffer | Role::Vdev | Role::RscTable => {}
        }
    }
    Ok((vrings, m7))
}
