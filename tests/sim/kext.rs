// SPDX-License-Identifier: GPL-2.0

//! Small kernel services the simulated M7 needs and the kernel crate of 7.2 lacks.
//!
//! C headers: [`include/linux/kernel_read_file.h`](srctree/include/linux/kernel_read_file.h),
//! [`include/linux/workqueue.h`](srctree/include/linux/workqueue.h),
//! [`include/linux/timekeeping.h`](srctree/include/linux/timekeeping.h),
//! [`include/linux/crc32.h`](srctree/include/linux/crc32.h)

use crate::bindings as sim_bindings;
use kernel::{
    bindings,
    ffi::c_void,
    prelude::*,
    str::CStr,
    workqueue::{Queue, Work, WorkItem},
};

/// The contents of a file, read with `kernel_read_file_from_path()` (vmalloc'ed by it).
///
/// # Invariants
///
/// `buf` points to `len` initialised bytes allocated by `kernel_read_file_from_path()`, owned by
/// this value and freed when it is dropped.
pub(crate) struct FileData {
    buf: *mut c_void,
    len: usize,
}

impl FileData {
    /// Reads the whole file at the absolute path `path` (at most `max` bytes; larger files fail
    /// with `EFBIG`), as the firmware loader does.
    pub(crate) fn read(path: &CStr, max: usize) -> Result<Self> {
        let mut buf: *mut c_void = core::ptr::null_mut();
        let mut file_size: usize = 0;
        // SAFETY: `path` is NUL-terminated; `buf` is NULL, so the function allocates the buffer
        // and stores it there; `file_size` is writable.
        let ret = unsafe {
            bindings::kernel_read_file_from_path(
                path.as_char_ptr(),
                0,
                &mut buf,
                max,
                &mut file_size,
                bindings::kernel_read_file_id_READING_FIRMWARE,
            )
        };
        if ret < 0 {
            return Err(Error::from_errno(ret as i32));
        }
        if buf.is_null() {
            return Err(ENOMEM);
        }
        // INVARIANT: On success the function read `ret` bytes into the buffer it allocated.
        let data = Self {
            buf,
            len: ret as usize,
        };
        if file_size > data.len {
            return Err(EFBIG);
        }
        Ok(data)
    }

    /// Returns the bytes of the file.
    pub(crate) fn data(&self) -> &[u8] {
        // SAFETY: `buf` holds `len` initialised bytes owned by `self` (type invariant).
        unsafe { core::slice::from_raw_parts(self.buf.cast::<u8>(), self.len) }
    }
}

impl Drop for FileData {
    fn drop(&mut self) {
        // SAFETY: `buf` was vmalloc'ed by `kernel_read_file_from_path()` and is freed only here
        // (type invariant); `kvfree()` frees vmalloc memory.
        unsafe { bindings::kvfree(self.buf) };
    }
}

/// Waits until the last queued instance of `work` has finished. May sleep.
pub(crate) fn flush_work<T: WorkItem<ID>, const ID: u64>(work: &Work<T, ID>) {
    // SAFETY: `work` is a valid, initialised (it is only reachable once its owner was
    // initialised) and pinned `Work`.
    let raw = unsafe { Work::raw_get(work) };
    // SAFETY: `raw` is an initialised `work_struct`; `flush_work()` may sleep, which callers
    // allow.
    unsafe { bindings::flush_work(raw) };
}

/// Nanoseconds since boot on the monotonic clock (`ktime_get()`).
pub(crate) fn uptime_ns() -> i64 {
    // SAFETY: `ktime_get()` has no preconditions.
    unsafe { bindings::ktime_get() }
}

/// Returns the default unbound system work queue (`system_dfl_wq`), which replaces the
/// deprecated `system_unbound_wq` the kernel crate of 7.2 still returns.
pub(crate) fn system_dfl() -> &'static Queue {
    // SAFETY: `system_dfl_wq` is a C global, set up before modules load and never freed.
    unsafe { Queue::from_raw(bindings::system_dfl_wq) }
}

/// A running CRC-32 (CRC-32/ISO-HDLC: zlib's `crc32`, what `mkfw` writes into its manifests with
/// the `crc32fast` crate), computed by the kernel's `crc32_le()`: the register starts at `~0` and
/// the result is inverted, `~crc32_le(~0, p, len)`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Crc32(u32);

impl Crc32 {
    /// Starts a checksum.
    pub(crate) const fn new() -> Self {
        Self(!0)
    }

    /// Adds `bytes`.
    pub(crate) fn update(&mut self, bytes: &[u8]) {
        // SAFETY: `bytes` is a valid slice of `bytes.len()` readable bytes for the duration of
        // the call; `crc32_le()` only reads them.
        self.0 = unsafe { sim_bindings::crc32_le(self.0, bytes.as_ptr().cast(), bytes.len()) };
    }

    /// Returns the checksum of everything added.
    pub(crate) const fn finish(self) -> u32 {
        !self.0
    }
}
