// SPDX-License-Identifier: GPL-2.0

//! Shared memory named by a device-tree phandle, mapped with `ioremap()`.
//!
//! C headers: [`include/linux/of.h`](srctree/include/linux/of.h),
//! [`include/linux/of_address.h`](srctree/include/linux/of_address.h),
//! [`include/linux/io.h`](srctree/include/linux/io.h)
//!
//! Used for the SCMI shared-memory transport areas (`arm,scmi-shmem` nodes), which both the
//! kernel's SCMI agent and the simulated platform map. All accesses are 32-bit MMIO accesses
//! (`readl()`/`writel()`) bounds-checked against the size of the area.

use kernel::{
    bindings, device,
    error::to_result,
    ffi::{c_int, c_void},
    prelude::*,
    str::CStr,
};

// `struct device_node` embeds structures that are empty in some configurations, which bindgen
// represents as field-less types; `kernel::bindings` allows the lint for the same reason.
#[cfg(CONFIG_OF_ADDRESS)]
#[allow(improper_ctypes)]
extern "C" {
    /// `of_address_to_resource()` of `include/linux/of_address.h` (not in `kernel::bindings`,
    /// whose helper header does not include `linux/of_address.h`).
    fn of_address_to_resource(
        node: *mut bindings::device_node,
        index: c_int,
        r: *mut bindings::resource,
    ) -> c_int;
}

/// Translates the first `reg` entry of `node` into a CPU physical address range.
///
/// # Safety
///
/// `node` must be a valid `struct device_node`.
#[cfg(CONFIG_OF_ADDRESS)]
pub(crate) unsafe fn node_resource(node: *mut bindings::device_node) -> Result<bindings::resource> {
    let mut res = bindings::resource::default();
    // SAFETY: `node` is valid (caller) and `res` is a writable `struct resource`.
    to_result(unsafe { of_address_to_resource(node, 0, &mut res) })?;
    Ok(res)
}

/// See above; without `CONFIG_OF_ADDRESS` there is no address translation.
///
/// # Safety
///
/// `node` must be a valid `struct device_node`.
#[cfg(not(CONFIG_OF_ADDRESS))]
pub(crate) unsafe fn node_resource(
    _node: *mut bindings::device_node,
) -> Result<bindings::resource> {
    Err(ENODEV)
}

/// Drops a reference to `node` taken by `__of_parse_phandle_with_args()`.
///
/// # Safety
///
/// `node` must be a valid `struct device_node` whose reference the caller owns.
#[cfg(CONFIG_OF_DYNAMIC)]
pub(crate) unsafe fn node_put(node: *mut bindings::device_node) {
    // SAFETY: The caller owns a reference to the valid `node`.
    unsafe { bindings::of_node_put(node) };
}

/// See above; without `CONFIG_OF_DYNAMIC` nodes are not reference counted.
///
/// # Safety
///
/// `node` must be a valid `struct device_node` whose reference the caller owns.
#[cfg(not(CONFIG_OF_DYNAMIC))]
pub(crate) unsafe fn node_put(_node: *mut bindings::device_node) {}

/// A mapped shared-memory area.
///
/// # Invariants
///
/// `base` is the address returned by a successful `ioremap()` of `size` bytes, which is
/// unmapped only when the `Shmem` is dropped.
pub(crate) struct Shmem {
    base: *mut c_void,
    size: usize,
    phys: u64,
}

// SAFETY: The mapping is not tied to a thread, and `iounmap()` may be called from any thread.
unsafe impl Send for Shmem {}

// SAFETY: All accesses through `&Shmem` are single 32-bit MMIO accesses (`readl()`/`writel()`),
// which may be made concurrently from any thread.
unsafe impl Sync for Shmem {}

impl Shmem {
    /// Maps the node that entry `index` of the phandle list property `prop` of `dev`'s device
    /// tree node refers to, which must be compatible with `compatible`.
    pub(crate) fn from_phandle(
        dev: &device::Device,
        prop: &CStr,
        index: u32,
        compatible: &CStr,
    ) -> Result<Self> {
        let raw_dev = core::ptr::from_ref(dev)
            .cast::<bindings::device>()
            .cast_mut();
        // SAFETY: `device::Device` is a transparent wrapper of the valid `struct device`.
        let np = unsafe { (*raw_dev).of_node };
        if np.is_null() {
            return Err(ENODEV);
        }

        let index = c_int::try_from(index).map_err(|_| EINVAL)?;
        let mut args = bindings::of_phandle_args::default();
        // SAFETY: `np` is the device's valid node, `prop` is NUL-terminated, a NULL cells name
        // with a count of 0 means "no arguments" (this is `of_parse_phandle()`), and `args` is
        // writable.
        to_result(unsafe {
            bindings::__of_parse_phandle_with_args(
                np,
                prop.as_char_ptr(),
                core::ptr::null(),
                0,
                index,
                &mut args,
            )
        })?;
        let node = args.np;

        let res = (|| {
            // SAFETY: `node` is the valid node that `__of_parse_phandle_with_args()` returned,
            // and `compatible` is NUL-terminated.
            if unsafe { bindings::of_device_is_compatible(node, compatible.as_char_ptr()) } <= 0 {
                return Err(ENODEV);
            }
            // SAFETY: `node` is valid, see above.
            unsafe { node_resource(node) }
        })();
        // SAFETY: `__of_parse_phandle_with_args()` returned `node` with a reference we own.
        unsafe { node_put(node) };
        let res = res?;

        if res.end < res.start {
            return Err(EINVAL);
        }
        let size = usize::try_from(res.end - res.start + 1).map_err(|_| EINVAL)?;
        // SAFETY: Mapping a physical range has no memory-safety preconditions; the range is the
        // `reg` of a shared-memory node (no-map RAM or device memory, never the linear map).
        let base = unsafe { bindings::ioremap(res.start, size) };
        if base.is_null() {
            return Err(ENOMEM);
        }

        // INVARIANT: `base` maps `size` bytes.
        Ok(Self {
            base,
            size,
            phys: res.start,
        })
    }

    /// Returns the size of the area in bytes.
    pub(crate) fn size(&self) -> usize {
        self.size
    }

    /// Returns the physical address of the area.
    pub(crate) fn phys(&self) -> u64 {
        self.phys
    }

    /// Returns the address of the 32-bit word at `offset`, if it is aligned and in bounds.
    fn word_addr(&self, offset: usize) -> Result<*mut c_void> {
        if offset % 4 != 0 || offset.checked_add(4).is_none_or(|end| end > self.size) {
            return Err(ERANGE);
        }
        Ok(self.base.wrapping_byte_add(offset))
    }

    /// Reads the little-endian 32-bit word at byte `offset`.
    pub(crate) fn read32(&self, offset: usize) -> Result<u32> {
        let addr = self.word_addr(offset)?;
        // SAFETY: `addr` is an aligned word inside the mapping (type invariant, `word_addr`).
        Ok(unsafe { bindings::readl(addr) })
    }

    /// Writes the little-endian 32-bit word at byte `offset`.
    pub(crate) fn write32(&self, offset: usize, value: u32) -> Result {
        let addr = self.word_addr(offset)?;
        // SAFETY: `addr` is an aligned word inside the mapping (type invariant, `word_addr`).
        unsafe { bindings::writel(value, addr) };
        Ok(())
    }
}

impl Drop for Shmem {
    fn drop(&mut self) {
        // SAFETY: `base` was returned by `ioremap()` and is unmapped only here (type invariant).
        unsafe { bindings::iounmap(self.base) };
    }
}
