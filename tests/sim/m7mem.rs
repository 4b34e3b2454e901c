// SPDX-License-Identifier: GPL-2.0

//! The memory the simulated Cortex-M7 sees: the reserved-memory regions of the device tree that
//! the cm7 node (`fsl,imx95-cm7`) names in its `memory-region` property, mapped write-combined.
//!
//! C headers: [`include/linux/of.h`](srctree/include/linux/of.h),
//! [`include/linux/io.h`](srctree/include/linux/io.h) (`memremap()`)
//!
//! On the Verdin (and the virtual board) these are `m7_reserved` (the M7's DDR, where images are
//! loaded), `vdev0vring0/1`, `vdev1vring0/1`, `vdevbuffer` (the rpmsg buffers) and `rsc-table`
//! (the live resource table). A region's role comes from its name: its entry in the cm7 node's
//! `memory-region-names` when the node has that property (a firmware linked for the board knows
//! which address is its table, whatever Linux calls the node), else its node name before `@`, by
//! the driver's own rules (`fw/src/region.rs`): `vdevNvringM`, the other `vdev*` regions
//! (`vdevbuffer`, `vdev0buffer`), `rsc-table*`, and every other region is memory of the M7. Regions are found, not hard-coded, so the simulation follows the
//! overlay.
//!
//! The M7 addresses DDR one to one (the i.MX95 address translation table maps device address
//! `0x80000000` to physical `0x80000000`), so its addresses are physical addresses here.
//!
//! Linux maps the same memory (`ioremap_wc()` in the remoteproc drivers, `memremap()` of the DMA
//! pool); both sides change it concurrently, as a remote core and Linux do. Every access is
//! therefore a volatile access through a raw pointer (no reference to the memory is ever formed),
//! bounds-checked against the region, and naturally aligned for the multi-byte ones. Ordering
//! between accesses is the caller's business ([`kernel::sync::barrier`]).

use crate::fw::region::{self, Role};
use kernel::{
    bindings,
    ffi::{c_char, c_int},
    prelude::*,
    str::CStr,
};

/// The longest region name kept (node name before `@`).
const NAME_MAX: usize = 32;

/// Most `memory-region` entries looked at.
const MAX_REGIONS: usize = 32;

/// The role of a region.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    /// Memory of the M7 (code and data of its images).
    Ram,
    /// Vring `idx` of vdev `vdev` (`vdevNvringM`).
    Vring {
        /// Index of the vdev.
        vdev: u8,
        /// Index of the vring in the vdev.
        idx: u8,
    },
    /// The rpmsg buffers (`vdevbuffer`, a `shared-dma-pool`).
    Buffer,
    /// The live resource table (`rsc-table`).
    RscTable,
}

impl Kind {
    /// Classifies a node name (without its unit address) by the driver's rules
    /// (`fw/src/region.rs`): what the driver registers as a carveout of vring memory is a vring
    /// here (`vdevNvringM`; one of another name is kept as buffer memory), its other `vdev*`
    /// regions the rpmsg buffers, its M7 memory the RAM images are loaded to.
    fn of_name(name: &[u8]) -> Kind {
        match Role::of_name(name) {
            Role::RscTable => Kind::RscTable,
            Role::Vring => match region::vring_index(name) {
                Some((vdev, idx)) => Kind::Vring { vdev, idx },
                None => Kind::Buffer,
            },
            Role::VdevBuffer | Role::Vdev => Kind::Buffer,
            Role::M7 => Kind::Ram,
        }
    }
}

/// One mapped region.
///
/// # Invariants
///
/// `base` is the address returned by a successful `memremap()` of `size` bytes at `phys`, which is
/// unmapped only when the region is dropped.
pub(crate) struct Region {
    name: [u8; NAME_MAX],
    name_len: usize,
    kind: Kind,
    phys: u64,
    size: usize,
    base: *mut u8,
}

// SAFETY: The mapping is not tied to a thread and `memunmap()` may be called from any thread.
unsafe impl Send for Region {}

// SAFETY: Every access through `&Region` is a volatile access to the mapping, which other CPUs and
// Linux access concurrently by design (it is shared memory); no reference to it is ever created.
unsafe impl Sync for Region {}

impl Region {
    /// Returns the node name without the unit address.
    pub(crate) fn name(&self) -> &str {
        core::str::from_utf8(&self.name[..self.name_len]).unwrap_or("?")
    }

    /// Returns the role of the region.
    pub(crate) fn kind(&self) -> Kind {
        self.kind
    }

    /// Returns the physical (and M7) address of the region.
    pub(crate) fn phys(&self) -> u64 {
        self.phys
    }

    /// Returns the size of the region in bytes.
    pub(crate) fn size(&self) -> usize {
        self.size
    }

    /// Returns whether `[pa, pa + len)` lies inside the region.
    pub(crate) fn contains(&self, pa: u64, len: u64) -> bool {
        let Some(end) = pa.checked_add(len) else {
            return false;
        };
        pa >= self.phys && end <= self.phys + self.size as u64
    }

    /// Returns the address of `[off, off + len)`, if inside the mapping and aligned to `align`.
    fn ptr(&self, off: usize, len: usize, align: usize) -> Result<*mut u8> {
        if off % align != 0 {
            return Err(EINVAL);
        }
        if off.checked_add(len).is_none_or(|end| end > self.size) {
            return Err(ERANGE);
        }
        Ok(self.base.wrapping_add(off))
    }

    /// Reads the byte at `off`.
    pub(crate) fn read8(&self, off: usize) -> Result<u8> {
        let p = self.ptr(off, 1, 1)?;
        // SAFETY: `p` is inside the mapping (type invariant, `ptr`).
        Ok(unsafe { p.read_volatile() })
    }

    /// Reads the little-endian `u16` at `off` (2-byte aligned).
    pub(crate) fn read16(&self, off: usize) -> Result<u16> {
        let p = self.ptr(off, 2, 2)?.cast::<u16>();
        // SAFETY: `p` is an aligned `u16` inside the mapping (type invariant, `ptr`).
        Ok(u16::from_le(unsafe { p.read_volatile() }))
    }

    /// Reads the little-endian `u32` at `off` (4-byte aligned).
    pub(crate) fn read32(&self, off: usize) -> Result<u32> {
        let p = self.ptr(off, 4, 4)?.cast::<u32>();
        // SAFETY: `p` is an aligned `u32` inside the mapping (type invariant, `ptr`).
        Ok(u32::from_le(unsafe { p.read_volatile() }))
    }

    /// Reads the little-endian `u64` at `off` (8-byte aligned).
    pub(crate) fn read64(&self, off: usize) -> Result<u64> {
        let p = self.ptr(off, 8, 8)?.cast::<u64>();
        // SAFETY: `p` is an aligned `u64` inside the mapping (type invariant, `ptr`).
        Ok(u64::from_le(unsafe { p.read_volatile() }))
    }

    /// Writes the byte at `off`.
    pub(crate) fn write8(&self, off: usize, v: u8) -> Result {
        let p = self.ptr(off, 1, 1)?;
        // SAFETY: `p` is inside the mapping (type invariant, `ptr`).
        unsafe { p.write_volatile(v) };
        Ok(())
    }

    /// Writes the little-endian `u16` at `off` (2-byte aligned).
    pub(crate) fn write16(&self, off: usize, v: u16) -> Result {
        let p = self.ptr(off, 2, 2)?.cast::<u16>();
        // SAFETY: `p` is an aligned `u16` inside the mapping (type invariant, `ptr`).
        unsafe { p.write_volatile(v.to_le()) };
        Ok(())
    }

    /// Writes the little-endian `u32` at `off` (4-byte aligned).
    pub(crate) fn write32(&self, off: usize, v: u32) -> Result {
        let p = self.ptr(off, 4, 4)?.cast::<u32>();
        // SAFETY: `p` is an aligned `u32` inside the mapping (type invariant, `ptr`).
        unsafe { p.write_volatile(v.to_le()) };
        Ok(())
    }

    /// Writes the little-endian `u64` at `off` (8-byte aligned).
    pub(crate) fn write64(&self, off: usize, v: u64) -> Result {
        let p = self.ptr(off, 8, 8)?.cast::<u64>();
        // SAFETY: `p` is an aligned `u64` inside the mapping (type invariant, `ptr`).
        unsafe { p.write_volatile(v.to_le()) };
        Ok(())
    }

    /// Copies `buf.len()` bytes at `off` into `buf` (8-byte accesses where aligned).
    pub(crate) fn read(&self, off: usize, buf: &mut [u8]) -> Result {
        self.ptr(off, buf.len(), 1)?;
        let mut i = 0;
        while i < buf.len() {
            let o = off + i;
            if o % 8 == 0 && buf.len() - i >= 8 {
                buf[i..i + 8].copy_from_slice(&self.read64(o)?.to_le_bytes());
                i += 8;
            } else {
                buf[i] = self.read8(o)?;
                i += 1;
            }
        }
        Ok(())
    }

    /// Copies `buf` to `off` (8-byte accesses where aligned).
    pub(crate) fn write(&self, off: usize, buf: &[u8]) -> Result {
        self.ptr(off, buf.len(), 1)?;
        let mut i = 0;
        while i < buf.len() {
            let o = off + i;
            if o % 8 == 0 && buf.len() - i >= 8 {
                let mut w = [0u8; 8];
                w.copy_from_slice(&buf[i..i + 8]);
                self.write64(o, u64::from_le_bytes(w))?;
                i += 8;
            } else {
                self.write8(o, buf[i])?;
                i += 1;
            }
        }
        Ok(())
    }

    /// Sets `len` bytes at `off` to zero.
    pub(crate) fn zero(&self, off: usize, len: usize) -> Result {
        self.fill(off, len, 0)
    }

    /// Sets `len` bytes at `off` to `byte`.
    pub(crate) fn fill(&self, off: usize, len: usize, byte: u8) -> Result {
        self.ptr(off, len, 1)?;
        let word = u64::from_ne_bytes([byte; 8]);
        let mut i = 0;
        while i < len {
            let o = off + i;
            if o % 8 == 0 && len - i >= 8 {
                self.write64(o, word)?;
                i += 8;
            } else {
                self.write8(o, byte)?;
                i += 1;
            }
        }
        Ok(())
    }
}

impl Drop for Region {
    fn drop(&mut self) {
        // SAFETY: `base` was returned by `memremap()` and is unmapped only here (type invariant).
        unsafe { bindings::memunmap(self.base.cast()) };
    }
}

/// The memory of the M7: every region of the cm7 node, mapped.
pub(crate) struct M7Mem {
    regions: KVec<Region>,
}

impl M7Mem {
    /// No memory at all (no cm7 node): every boot of the M7 faults.
    pub(crate) fn empty() -> Self {
        Self {
            regions: KVec::new(),
        }
    }

    /// Finds the node compatible with `compatible` and maps the regions its `memory-region`
    /// property names.
    pub(crate) fn from_dt(compatible: &CStr) -> Result<Self> {
        // SAFETY: A NULL `from` searches the whole tree, a NULL type matches any type and
        // `compatible` is NUL-terminated.
        let np = unsafe {
            bindings::of_find_compatible_node(
                core::ptr::null_mut(),
                core::ptr::null(),
                compatible.as_char_ptr(),
            )
        };
        if np.is_null() {
            return Err(ENODEV);
        }
        let res = Self::map_regions(np);
        // SAFETY: `of_find_compatible_node()` returned `np` with a reference we own.
        unsafe { crate::shmem::node_put(np) };
        res
    }

    /// Maps the `memory-region` entries of the valid node `np`.
    fn map_regions(np: *mut bindings::device_node) -> Result<Self> {
        let mut regions = KVec::new();
        for index in 0..MAX_REGIONS {
            let mut args = bindings::of_phandle_args::default();
            // SAFETY: `np` is a valid node (caller), the property name is NUL-terminated, a NULL
            // cells name with a count of 0 means "no arguments", and `args` is writable.
            let ret = unsafe {
                bindings::__of_parse_phandle_with_args(
                    np,
                    c"memory-region".as_char_ptr(),
                    core::ptr::null(),
                    0,
                    index as c_int,
                    &mut args,
                )
            };
            if ret != 0 {
                break;
            }
            let node = args.np;
            let region = Self::map_node(node).map(|mut r| {
                if let Some(kind) = Self::kind_from_names(np, index) {
                    r.kind = kind;
                }
                r
            });
            // SAFETY: `__of_parse_phandle_with_args()` returned `node` with a reference we own.
            unsafe { crate::shmem::node_put(node) };
            regions.push(region?, GFP_KERNEL)?;
        }
        Ok(Self { regions })
    }

    /// The role entry `index` of `memory-region-names` of the valid node `np` gives, if the node
    /// has that property.
    fn kind_from_names(np: *mut bindings::device_node, index: usize) -> Option<Kind> {
        let mut out: *const c_char = core::ptr::null();
        // SAFETY: `np` is a valid node (caller), the property name is NUL-terminated and `out` is
        // a writable place for one string pointer (`sz` 1, `skip` `index`).
        let ret = unsafe {
            bindings::of_property_read_string_helper(
                np,
                c"memory-region-names".as_char_ptr(),
                &mut out,
                1,
                index as c_int,
            )
        };
        if ret != 1 || out.is_null() {
            return None;
        }
        // SAFETY: On success `out` points to a NUL-terminated string of the property's value,
        // which lives as long as the node.
        let name = unsafe { CStr::from_char_ptr(out) }.to_bytes();
        Some(Kind::of_name(name))
    }

    /// Maps the reserved-memory node `node` (valid, referenced by the caller).
    fn map_node(node: *mut bindings::device_node) -> Result<Region> {
        let mut name = [0u8; NAME_MAX];
        // SAFETY: `node` is valid; `full_name` is NULL or a NUL-terminated string owned by the
        // node, which the caller's reference keeps alive during this call.
        let full = unsafe { (*node).full_name };
        let mut name_len = 0;
        if !full.is_null() {
            // SAFETY: See above.
            let full = unsafe { CStr::from_char_ptr(full.cast::<c_char>()) };
            for &c in full.to_bytes().iter().take_while(|&&c| c != b'@') {
                if name_len < NAME_MAX {
                    name[name_len] = c;
                    name_len += 1;
                }
            }
        }
        // SAFETY: `node` is a valid node.
        let res = unsafe { crate::shmem::node_resource(node) }?;
        if res.end < res.start {
            return Err(EINVAL);
        }
        let size = usize::try_from(res.end - res.start + 1).map_err(|_| EINVAL)?;
        // SAFETY: Mapping a physical range has no memory-safety preconditions; it is a `no-map`
        // reserved-memory region (never in the linear map), so `memremap()` maps it like
        // `ioremap_wc()`, as Linux's remoteproc drivers do.
        let base = unsafe { bindings::memremap(res.start, size, bindings::MEMREMAP_WC as usize) };
        if base.is_null() {
            return Err(ENOMEM);
        }
        // INVARIANT: `base` maps `size` bytes at `res.start`.
        Ok(Region {
            name,
            name_len,
            kind: Kind::of_name(&name[..name_len]),
            phys: res.start,
            size,
            base: base.cast(),
        })
    }

    /// Returns all regions.
    pub(crate) fn regions(&self) -> &[Region] {
        &self.regions
    }

    /// Returns the first region of kind `kind`.
    pub(crate) fn find(&self, kind: Kind) -> Option<&Region> {
        self.regions.iter().find(|r| r.kind == kind)
    }

    /// Returns the region holding `[pa, pa + len)` and the offset of `pa` in it.
    pub(crate) fn at(&self, pa: u64, len: u64) -> Option<(&Region, usize)> {
        let r = self.regions.iter().find(|r| r.contains(pa, len))?;
        Some((r, (pa - r.phys) as usize))
    }

    /// Returns the region where an image's code or data can be that holds `[pa, pa + len)`: the
    /// M7's memory, or the `rsc-table` region where firmware commonly links its resource table.
    pub(crate) fn image_at(&self, pa: u64, len: u64) -> Option<(&Region, usize)> {
        self.at(pa, len)
            .filter(|(r, _)| matches!(r.kind, Kind::Ram | Kind::RscTable))
    }

    /// Returns the M7 memory (kind [`Kind::Ram`]) holding `[pa, pa + len)` and the offset of `pa`.
    pub(crate) fn ram_at(&self, pa: u64, len: u64) -> Option<(&Region, usize)> {
        self.at(pa, len).filter(|(r, _)| r.kind == Kind::Ram)
    }
}
