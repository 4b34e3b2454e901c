// SPDX-License-Identifier: GPL-2.0

//! Reserved-memory regions of a device (`memory-region`) and mappings of
//! physical memory ranges.
//!
//! C header: [`include/linux/of_reserved_mem.h`](srctree/include/linux/of_reserved_mem.h)

use super::bindings;
use core::ptr::NonNull;
use kernel::{
    device::{
        Bound,
        Device, //
    },
    prelude::*,
    str::CString, //
};

/// One entry of a device's `memory-region` property.
///
/// # Invariants
///
/// `start..start + size` is the range of a reserved-memory node that the
/// `memory-region` property of a bound device's own node names: only
/// [`region`] makes one, and the fields are private, so holding a
/// `ReservedRegion` is holding a range the device tree gave that device.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ReservedRegion {
    start: u64,
    size: u64,
    /// The region's name, NUL-terminated, truncated to 31 bytes: its entry in
    /// `memory-region-names` when the node has that property, else the
    /// region node's name with the unit address (`vdev0vring0@88000000`).
    name: [u8; 32],
    /// Whether `name` came from `memory-region-names`.
    named: bool,
}

impl ReservedRegion {
    /// Physical start address.
    pub(crate) fn start(&self) -> u64 {
        self.start
    }

    /// Size in bytes.
    pub(crate) fn size(&self) -> u64 {
        self.size
    }

    /// Whether the name came from `memory-region-names` (else from the node).
    pub(crate) fn named(&self) -> bool {
        self.named
    }

    /// The node name without the unit address (`vdev0vring0`), as bytes.
    pub(crate) fn base_name(&self) -> &[u8] {
        let len = self
            .name
            .iter()
            .position(|&c| c == 0)
            .unwrap_or(self.name.len());
        let full = self.name.get(..len).unwrap_or_default();
        match full.iter().position(|&c| c == b'@') {
            Some(at) => full.get(..at).unwrap_or_default(),
            None => full,
        }
    }

    /// [`ReservedRegion::base_name`] as a C string.
    pub(crate) fn base_cname(&self) -> Result<CString> {
        CString::try_from_fmt(fmt!("{}", kernel::str::BStr::from_bytes(self.base_name())))
    }
}

/// The name of `dev`'s device-tree node without unit address (`np->name`).
pub(crate) fn node_name(dev: &Device<Bound>) -> Result<CString> {
    let np = of_node(dev)?;
    // SAFETY: `np` is valid; `name` is a NUL-terminated string that lives as
    // long as the node, and it is copied before returning.
    let name = unsafe { CStr::from_char_ptr((*np).name) };
    Ok(CString::try_from(name)?)
}

fn of_node(dev: &Device<Bound>) -> Result<*mut bindings::device_node> {
    // SAFETY: `dev` is a valid bound device; `of_node` is set at creation.
    let np = unsafe { (*super::device_raw(dev)).of_node };
    if np.is_null() {
        return Err(ENODEV);
    }
    Ok(np)
}

/// Number of entries in the `memory-region` property of `dev`'s node.
pub(crate) fn count(dev: &Device<Bound>) -> Result<usize> {
    let np = of_node(dev)?;
    // SAFETY: `np` is the valid node of a bound device.
    let n = unsafe { bindings::of_reserved_mem_region_count(np) };
    usize::try_from(n).map_err(|_| Error::from_errno(n))
}

/// Entry `index` of the `memory-region` property of `dev`'s node.
pub(crate) fn region(dev: &Device<Bound>, index: usize) -> Result<ReservedRegion> {
    let np = of_node(dev)?;
    let idx = u32::try_from(index).map_err(|_| EINVAL)?;
    let mut res = bindings::resource::default();
    // SAFETY: `np` is valid; `res` is a valid, writable resource.
    kernel::error::to_result(unsafe {
        bindings::of_reserved_mem_region_to_resource(np, idx, &mut res)
    })?;
    // The entry's name in `memory-region-names`, else its node's name.
    let mut label: *const kernel::ffi::c_char = core::ptr::null();
    let idx_int = i32::try_from(index).map_err(|_| EINVAL)?;
    // SAFETY: `np` is valid, the property name is NUL-terminated and `label`
    // is a valid place for the result; on failure it is left untouched.
    let ret = unsafe {
        bindings::imx_rproc_rs_of_string_index(
            np,
            c"memory-region-names".as_char_ptr(),
            idx_int,
            &mut label,
        )
    };
    let from_names = ret == 0 && !label.is_null();
    if !from_names {
        label = res.name;
    }
    let mut name = [0u8; 32];
    if !label.is_null() {
        // SAFETY: `label` points to a NUL-terminated string of the device
        // tree (a property value or the node's name), which outlives the call.
        let src = unsafe { CStr::from_char_ptr(label) }.to_bytes();
        let n = src.len().min(name.len() - 1);
        if let (Some(dst), Some(src)) = (name.get_mut(..n), src.get(..n)) {
            dst.copy_from_slice(src);
        }
    }
    let size = res.end.wrapping_sub(res.start).wrapping_add(1);
    // INVARIANT: the range of entry `index` of `dev`'s own `memory-region`.
    Ok(ReservedRegion {
        start: res.start,
        size,
        name,
        named: from_names,
    })
}

/// How a physical range is mapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MapKind {
    /// Device memory (`ioremap`).
    Device,
    /// Write-combined (`ioremap_wc`), for memory shared with the remote.
    WriteCombine,
}

/// A mapping of a physical memory range into the kernel (`ioremap*`).
///
/// # Invariants
///
/// `va` is the start of a live mapping of `size` bytes of `pa`, made as
/// `kind` says, that this object owns and unmaps in `drop`.
pub(crate) struct IoMapping {
    va: NonNull<u8>,
    pa: u64,
    size: usize,
    kind: MapKind,
}

// SAFETY: A mapping may be used and unmapped from any thread.
unsafe impl Send for IoMapping {}
// SAFETY: `IoMapping` hands out addresses only; accesses are the caller's.
unsafe impl Sync for IoMapping {}

impl IoMapping {
    /// Maps `size` bytes at physical address `pa`. Private: the public
    /// constructors say where the range comes from.
    fn new(pa: u64, size: usize, kind: MapKind) -> Result<Self> {
        if size == 0 {
            return Err(EINVAL);
        }
        // SAFETY: `ioremap*` validates the range and returns NULL on failure.
        let va = unsafe {
            match kind {
                MapKind::Device => bindings::imx_rproc_rs_ioremap(pa, size),
                MapKind::WriteCombine => bindings::imx_rproc_rs_ioremap_wc(pa, size),
            }
        };
        let va = NonNull::new(va.cast::<u8>()).ok_or(ENOMEM)?;
        // INVARIANT: `va` is a fresh mapping of `size` bytes of `pa`, of `kind`.
        Ok(Self { va, pa, size, kind })
    }

    /// Maps the reserved-memory region `region` of the device's own node
    /// (write-combined, as the C driver maps them).
    pub(crate) fn of_region(region: &ReservedRegion) -> Result<Self> {
        let size = usize::try_from(region.size).map_err(|_| EINVAL)?;
        Self::new(region.start, size, MapKind::WriteCombine)
    }

    /// Maps `size` bytes of the SoC's memory at `pa` for `dev`: the M7's
    /// TCMs, which the device tree of the i.MX95 does not describe (the C
    /// driver maps them from its `imx_rproc_att` table the same way).
    ///
    /// The one constructor over a physical address the caller names, and so
    /// not sound by construction: the range must be memory of the remote
    /// that no other driver uses; `ioremap` refuses System RAM on arm64, but
    /// not another device's registers. `scripts/check_safety.py` lists it as
    /// its one exception. What would close it: the TCMs as `reg` of the
    /// `fsl,imx95-cm7` node, mapped through `kernel::io::mem::IoRequest`.
    pub(crate) fn soc_memory(
        _dev: &Device<Bound>,
        pa: u64,
        size: usize,
        kind: MapKind,
    ) -> Result<Self> {
        Self::new(pa, size, kind)
    }

    /// Physical start address.
    pub(crate) fn pa(&self) -> u64 {
        self.pa
    }

    /// Whether the range is device memory (`ioremap`), to be accessed with
    /// `memcpy_toio` and friends; write-combined mappings are not.
    pub(crate) fn is_iomem(&self) -> bool {
        self.kind == MapKind::Device
    }

    /// The kernel address of `offset..offset + len` inside the mapping, or
    /// `None` when that range is empty or not entirely inside.
    pub(super) fn va_at(&self, offset: usize, len: usize) -> Option<NonNull<u8>> {
        let end = offset.checked_add(len)?;
        if len == 0 || end > self.size {
            return None;
        }
        // `wrapping_add` stays inside the mapping: `offset < size`.
        NonNull::new(self.va.as_ptr().wrapping_add(offset))
    }
}

impl IoMapping {
    /// Size in bytes.
    pub(crate) fn size(&self) -> usize {
        self.size
    }

    /// Copies the `buf.len()` bytes at `offset` into `buf` (`memcpy_fromio`).
    pub(crate) fn read_into(&self, offset: usize, buf: &mut [u8]) -> Result {
        let src = self.va_at(offset, buf.len()).ok_or(EINVAL)?;
        // SAFETY: `va_at` checked that the range lies inside our live
        // mapping; `buf` is valid for writes of its length.
        unsafe {
            bindings::imx_rproc_rs_memcpy_fromio(
                buf.as_mut_ptr().cast(),
                src.as_ptr().cast(),
                buf.len(),
            )
        };
        Ok(())
    }
}

impl Drop for IoMapping {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `va` is our live mapping.
        unsafe { bindings::imx_rproc_rs_iounmap(self.va.as_ptr().cast()) };
    }
}

/// A non-empty range of a live [`IoMapping`]: what a remoteproc driver hands
/// the core for a device address, instead of a pointer.
///
/// Only the abstractions turn it into a kernel address
/// ([`MappedRange::va`]); safe code can build one only over a mapping it
/// borrows, with bounds checked.
///
/// # Invariants
///
/// `len > 0` and `offset + len <= map.size()`, so `offset..offset + len`
/// lies inside the mapping `map`, which stays mapped for at least `'a`. When
/// `map` is borrowed from a remoteproc driver's data (the `this` of an
/// `Operations` hook) it stays mapped until that data is dropped, which a
/// `Registration` does only after `rproc_del`.
#[derive(Clone, Copy)]
pub(crate) struct MappedRange<'a> {
    map: &'a IoMapping,
    offset: usize,
    len: usize,
}

impl<'a> MappedRange<'a> {
    /// The range `offset..offset + len` of `map`, or `None` when it is empty
    /// or not entirely inside.
    pub(crate) fn new(map: &'a IoMapping, offset: usize, len: usize) -> Option<Self> {
        let end = offset.checked_add(len)?;
        if len == 0 || end > map.size() {
            return None;
        }
        // INVARIANT: Just checked: non-empty and inside `map`, which the
        // borrow keeps alive for `'a`.
        Some(Self { map, offset, len })
    }

    /// Length in bytes.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether the range is device memory (see [`IoMapping::is_iomem`]).
    pub(crate) fn is_iomem(&self) -> bool {
        self.map.is_iomem()
    }

    /// The kernel address of the start of the range, valid for reads and
    /// writes of [`MappedRange::len`] bytes while the mapping lives. Private
    /// to the abstractions: drivers hand the range itself on.
    pub(super) fn va(&self) -> NonNull<u8> {
        // By the type invariant `offset + len <= size`: the mapping has the
        // range, so `va_at` cannot fail; the fallback is never taken.
        self.map.va_at(self.offset, self.len).unwrap_or(self.map.va)
    }
}
