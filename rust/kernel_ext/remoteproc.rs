// SPDX-License-Identifier: GPL-2.0

//! Remote processor framework.
//!
//! C header: [`include/linux/remoteproc.h`](srctree/include/linux/remoteproc.h)
//!
//! A driver implements [`Operations`] for its private data, allocates the
//! remote processor with [`Allocation::new`], adjusts what must be set before
//! registration (initial state, auto boot) and hands its data to
//! [`Allocation::register`]. The registration belongs to the parent device's
//! devres: it unregisters (which shuts a running remote down, as the C core
//! does) and frees everything when the parent unbinds. Every hook receives
//! the parent as `&Device<Bound>`, as `PwmOps` do.

use super::{
    bindings,
    of_rmem::{
        IoMapping,
        MappedRange,
        ReservedRegion, //
    }, //
};
use core::{
    marker::PhantomData,
    ptr::NonNull, //
};
use kernel::{
    device::{
        Bound,
        Device, //
    },
    error::{
        from_result,
        to_result,
        VTABLE_DEFAULT_ERROR, //
    },
    ffi::{
        c_int,
        c_void, //
    },
    prelude::*,
    sync::{
        aref::{
            ARef,
            AlwaysRefCounted, //
        },
        Arc, //
    },
    types::Opaque, //
};

/// Remote processor states, `enum rproc_state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum State {
    /// Powered off (`RPROC_OFFLINE`).
    Offline,
    /// Suspended (`RPROC_SUSPENDED`).
    Suspended,
    /// Booted by Linux and running (`RPROC_RUNNING`).
    Running,
    /// Crashed, recovery pending (`RPROC_CRASHED`).
    Crashed,
    /// Booted by someone else, Linux attached to it (`RPROC_ATTACHED`).
    Attached,
    /// Running, booted by someone else, Linux not attached (`RPROC_DETACHED`).
    Detached,
    /// A value this abstraction does not know.
    Unknown(u32),
}

impl State {
    fn from_raw(raw: u32) -> Self {
        match raw {
            bindings::rproc_state_RPROC_OFFLINE => Self::Offline,
            bindings::rproc_state_RPROC_SUSPENDED => Self::Suspended,
            bindings::rproc_state_RPROC_RUNNING => Self::Running,
            bindings::rproc_state_RPROC_CRASHED => Self::Crashed,
            bindings::rproc_state_RPROC_ATTACHED => Self::Attached,
            bindings::rproc_state_RPROC_DETACHED => Self::Detached,
            other => Self::Unknown(other),
        }
    }
}

/// Why a remote crashed, `enum rproc_crash_type`.
// The whole C enum, whether or not this driver reports each kind.
#[allow(dead_code)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CrashType {
    /// An MMU fault.
    MmuFault,
    /// A watchdog expired (or the remote stopped behind Linux's back).
    Watchdog,
    /// Any other fatal error.
    Fatal,
}

/// Where [`Operations::find_loaded_rsc_table`] puts the resource table.
#[derive(Clone, Copy)]
pub(crate) enum LoadedTable<'a> {
    /// In a mapping of the driver's.
    Mapped(MappedRange<'a>),
    /// At this device address, translated by the core (`rproc_da_to_va`:
    /// the driver's [`Operations::da_to_va`], then the core's carveouts).
    DeviceAddress(u64),
}

/// A device address range translated by the core (`rproc_da_to_va`).
///
/// # Invariants
///
/// `va` is valid for reads and writes of the `len` bytes asked for, for as
/// long as the carveouts of the current boot are registered: it is either
/// a [`MappedRange`] of the driver's [`Operations::da_to_va`] or inside a
/// carveout the core's bounds check (`offset + len <= mem->len`) accepted.
struct CoreVa {
    va: NonNull<u8>,
    is_iomem: bool,
}

/// The hooks a remote processor driver implements (`struct rproc_ops`).
///
/// Hooks left unimplemented are left `NULL` in the C table; the core then
/// applies its defaults (for `load`, `parse_fw`, `find_loaded_rsc_table`,
/// `sanity_check` and `get_boot_addr` that is the C ELF loader).
///
/// All hooks run in process context with the core's `rproc->lock` held,
/// except [`Operations::kick`], which may be called from any context the
/// virtio layer notifies from.
#[vtable]
pub(crate) trait Operations: Send + Sync + Sized + 'static {
    /// Prepares the device for loading (`prepare`), before anything else of a boot or attach.
    ///
    /// On error, whatever it registered (carveouts, coredump segments) is
    /// released again: the core of Linux 7.2 does not (`rproc_fw_boot` and
    /// `rproc_attach` go straight to their iommu cleanup), so the carveouts
    /// a failed prepare registered would be registered a second time by the
    /// next one, or leaked. The trampoline calls `rproc_resource_cleanup`,
    /// which on a failed prepare releases exactly those: nothing else of the
    /// boot exists yet. It is the only place that can do it on this kernel;
    /// the fix this needs upstream is `rproc_fw_boot`/`rproc_attach` calling
    /// `rproc_resource_cleanup` when `rproc_prepare_device` fails.
    fn prepare(_this: &Self, _rproc: &Rproc, _parent: &Device<Bound>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Undoes [`Operations::prepare`] after the remote was stopped or detached.
    fn unprepare(_this: &Self, _rproc: &Rproc, _parent: &Device<Bound>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Boots the loaded remote.
    fn start(_this: &Self, _rproc: &Rproc, _parent: &Device<Bound>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Stops the remote.
    fn stop(_this: &Self, _rproc: &Rproc, _parent: &Device<Bound>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Attaches to a remote that somebody else booted.
    fn attach(_this: &Self, _rproc: &Rproc, _parent: &Device<Bound>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Detaches from the remote, leaving it running.
    fn detach(_this: &Self, _rproc: &Rproc, _parent: &Device<Bound>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Notifies the remote that virtqueue `vqid` has new buffers.
    fn kick(_this: &Self, _rproc: &Rproc, _parent: &Device<Bound>, _vqid: i32) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Translates the remote's device address range `da..da + len` into a
    /// range of one of the driver's mappings; `None` lets the core look in
    /// its carveout list.
    ///
    /// The core may keep the address for as long as the remote runs (as
    /// `table_ptr`, when the resource table is found through it): the
    /// mapping is borrowed from `this`, which lives until after the remote
    /// is unregistered.
    fn da_to_va<'a>(
        _this: &'a Self,
        _rproc: &Rproc,
        _parent: &Device<Bound>,
        _da: u64,
        _len: usize,
    ) -> Option<MappedRange<'a>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Checks that the firmware image `fw` is one this remote can run,
    /// before anything is prepared.
    fn sanity_check(_this: &Self, _rproc: &Rproc, _parent: &Device<Bound>, _fw: &[u8]) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Finds the resource table in `fw` and hands a copy to the core with
    /// [`Rproc::set_cached_table`]; an image without one is acceptable.
    fn parse_fw(_this: &Self, _rproc: &Rproc, _parent: &Device<Bound>, _fw: &[u8]) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Loads `fw` into the remote's memory (see [`Rproc::write_memory`]).
    fn load(_this: &Self, _rproc: &Rproc, _parent: &Device<Bound>, _fw: &[u8]) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Where in device memory the core copies the resource table before
    /// `start`: at least [`Rproc::table_sz`] bytes (a shorter range or an
    /// untranslatable address is treated as `None`). `None` keeps it in
    /// kernel memory.
    fn find_loaded_rsc_table<'a>(
        _this: &'a Self,
        _rproc: &Rproc,
        _parent: &Device<Bound>,
        _fw: &[u8],
    ) -> Option<LoadedTable<'a>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// The resource table of a remote somebody else booted (attach): the
    /// range it occupies; `Ok(None)` when it has none.
    fn get_loaded_rsc_table<'a>(
        _this: &'a Self,
        _rproc: &Rproc,
        _parent: &Device<Bound>,
    ) -> Result<Option<MappedRange<'a>>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// The address the remote boots from, for `fw`.
    fn get_boot_addr(_this: &Self, _rproc: &Rproc, _parent: &Device<Bound>, _fw: &[u8]) -> u64 {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// The contents of a `struct firmware`.
///
/// # Safety
///
/// `fw` must be NULL or point to a valid `struct firmware` whose data stays
/// valid and unchanged for `'a`.
unsafe fn fw_data<'a>(fw: *const bindings::firmware) -> &'a [u8] {
    if fw.is_null() {
        return &[];
    }
    // SAFETY: Per the function's contract `fw` is valid for `'a`.
    let fw = unsafe { &*fw };
    if fw.data.is_null() || fw.size == 0 {
        return &[];
    }
    // SAFETY: The firmware loader guarantees `data` points to `size`
    // readable bytes for the lifetime of the firmware object.
    unsafe { core::slice::from_raw_parts(fw.data, fw.size) }
}

/// A remote processor, `struct rproc`.
///
/// # Invariants
///
/// The wrapped `struct rproc` was allocated by `rproc_alloc` and is kept alive
/// by a reference to its embedded `struct device` for as long as this
/// reference exists.
#[repr(transparent)]
pub(crate) struct Rproc(Opaque<bindings::rproc>);

// SAFETY: `struct rproc` is refcounted through its embedded `struct device`,
// whose reference can be taken and dropped from any thread.
unsafe impl AlwaysRefCounted for Rproc {
    fn inc_ref(&self) {
        // SAFETY: By the type invariant `self.raw()` is a valid rproc, so its
        // embedded device is initialised.
        unsafe { bindings::get_device(&raw mut (*self.raw()).dev) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller owns a reference on this device (see
        // `AlwaysRefCounted::dec_ref`); `Rproc` is transparent over `struct rproc`.
        unsafe { bindings::put_device(&raw mut (*obj.as_ptr().cast::<bindings::rproc>()).dev) };
    }
}

// SAFETY: The methods of `Rproc` only call C functions that are safe to call
// from any thread, and read fields the core owns under its own locking.
unsafe impl Send for Rproc {}
// SAFETY: Shared references only allow the calls `Send` lists, which are
// safe from any thread, and racy reads of fields the core owns.
unsafe impl Sync for Rproc {}

impl Rproc {
    /// Creates a reference from a raw pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct rproc` that stays valid for `'a`.
    unsafe fn from_raw<'a>(ptr: *mut bindings::rproc) -> &'a Self {
        // SAFETY: `Rproc` is transparent over `struct rproc`; the caller
        // guarantees validity for `'a`.
        unsafe { &*ptr.cast::<Self>() }
    }

    fn raw(&self) -> *mut bindings::rproc {
        self.0.get()
    }

    /// The remote's current state.
    pub(crate) fn state(&self) -> State {
        // SAFETY: By the type invariant the rproc is valid; `state` is a
        // plain integer the core updates under its lock, a racy read of it
        // only yields a stale but valid value.
        State::from_raw(unsafe { (*self.raw()).state })
    }

    /// The remoteproc class device (`remoteprocN`).
    pub(crate) fn dev(&self) -> &Device {
        // SAFETY: By the type invariant the rproc, and so its embedded device,
        // is valid for the lifetime of `&self`.
        unsafe { Device::from_raw(&raw mut (*self.raw()).dev) }
    }

    /// The highest notify id the core allocated (or -1 when none).
    pub(crate) fn max_notifyid(&self) -> i32 {
        // SAFETY: By the type invariant the rproc is valid; a plain integer.
        unsafe { (*self.raw()).max_notifyid }
    }

    /// Reports that virtqueue `notifyid` has used buffers; returns whether a
    /// virtqueue with that id exists.
    ///
    /// Must be called from process context: the rpmsg receive path takes
    /// mutexes.
    pub(crate) fn vq_interrupt(&self, notifyid: i32) -> bool {
        // SAFETY: By the type invariant the rproc is valid; the core looks
        // the id up in its idr and ignores unknown ids.
        let ret = unsafe { bindings::rproc_vq_interrupt(self.raw(), notifyid) };
        ret != super::compat::IRQ_NONE
    }

    /// Calls [`Rproc::vq_interrupt`] for every notify id that exists.
    pub(crate) fn vq_interrupt_all(&self) {
        for id in 0..=self.max_notifyid() {
            self.vq_interrupt(id);
        }
    }

    /// Returns the sum of the used indices of the virtqueues: it changes
    /// whenever the remote hands a buffer back, so two equal values around
    /// a notification mean the notification brought nothing.
    ///
    /// Same context as [`Rproc::vq_interrupt`].
    pub(crate) fn vq_used_sum(&self) -> u32 {
        // SAFETY: By the type invariant the rproc is valid; the helper looks
        // the virtqueues up in the rproc's idr as `rproc_vq_interrupt` does
        // and only reads their used index.
        unsafe { bindings::imx_rproc_rs_vq_used_sum(self.raw()) }
    }

    /// Registers the reserved-memory region `region` of the parent's node as
    /// an I/O-memory carveout seen by the remote at `da`, named `name` (the
    /// core looks vrings and vdev buffers up by name). It is mapped
    /// write-combined when the core allocates its carveouts and unmapped when
    /// it releases them. Only a [`ReservedRegion`] (which only
    /// [`of_rmem::region`](super::of_rmem::region) makes) gives the physical
    /// range: no safe caller can name another one.
    pub(crate) fn add_iomem_carveout(
        &self,
        name: &CStr,
        region: &ReservedRegion,
        da: u32,
    ) -> Result {
        let (pa, len) = (region.start(), usize::try_from(region.size())?);
        let dev = self.dev_parent_raw();
        // SAFETY: `dev` is the rproc's valid parent device; the callbacks
        // match the C prototypes; the format is a literal "%s" consuming the
        // NUL-terminated `name`, which outlives the call (the core copies it).
        let mem = unsafe {
            bindings::rproc_mem_entry_init(
                dev,
                core::ptr::null_mut(),
                pa,
                len,
                da,
                Some(carveout_alloc),
                Some(carveout_release),
                c"%s".as_char_ptr(),
                name.as_char_ptr(),
            )
        };
        if mem.is_null() {
            return Err(ENOMEM);
        }
        // SAFETY: `mem` is a fresh entry; the core takes ownership and frees
        // it in `rproc_resource_cleanup`.
        unsafe { bindings::rproc_add_carveout(self.raw(), mem) };
        Ok(())
    }

    /// Registers a carveout named `name` over memory the driver has mapped
    /// already: the whole of `map`, seen by the remote at `da`. The carveout
    /// holds a reference on the mapping until the core releases it, so the
    /// same physical range is never mapped twice.
    pub(crate) fn add_mapped_carveout(&self, name: &CStr, map: Arc<IoMapping>, da: u32) -> Result {
        let dev = self.dev_parent_raw();
        let va = map.va_at(0, map.size()).ok_or(EINVAL)?;
        let (pa, len) = (map.pa(), map.size());
        // SAFETY: `dev` is the rproc's valid parent device; no `alloc` (the
        // memory is mapped), `release` drops the reference taken below; the
        // format is a literal "%s" consuming the NUL-terminated `name`.
        let mem = unsafe {
            bindings::rproc_mem_entry_init(
                dev,
                va.as_ptr().cast(),
                pa,
                len,
                da,
                None,
                Some(mapped_carveout_release),
                c"%s".as_char_ptr(),
                name.as_char_ptr(),
            )
        };
        if mem.is_null() {
            return Err(ENOMEM);
        }
        // SAFETY: `mem` is the fresh, valid entry; the reference moves into
        // it and is given back in `mapped_carveout_release`.
        unsafe {
            (*mem).is_iomem = true;
            (*mem).priv_ = Arc::into_raw(map).cast_mut().cast();
            bindings::rproc_add_carveout(self.raw(), mem);
        }
        Ok(())
    }

    /// Detaches from a remote Linux attached to (`rproc_detach`): the core
    /// stops the rpmsg devices, puts back the resource table the remote
    /// published and calls [`Operations::detach`]; the remote keeps running
    /// and can be attached to again.
    pub(crate) fn detach(&self) -> Result {
        // SAFETY: By the type invariant the rproc is valid; `rproc_detach`
        // takes the core's lock itself and checks the state.
        to_result(unsafe { bindings::rproc_detach(self.raw()) })
    }

    /// Reports a crash of the remote (`rproc_report_crash`): the core
    /// records it and, with recovery enabled, restarts the remote. Callable
    /// from any context.
    pub(crate) fn report_crash(&self, kind: CrashType) {
        let raw = match kind {
            CrashType::MmuFault => bindings::rproc_crash_type_RPROC_MMUFAULT,
            CrashType::Watchdog => bindings::rproc_crash_type_RPROC_WATCHDOG,
            CrashType::Fatal => bindings::rproc_crash_type_RPROC_FATAL_ERROR,
        };
        // SAFETY: By the type invariant the rproc is valid.
        unsafe { bindings::rproc_report_crash(self.raw(), raw) };
    }

    /// Adds a coredump segment of `size` bytes at device address `da`.
    pub(crate) fn coredump_add_segment(&self, da: u64, size: usize) -> Result {
        // SAFETY: By the type invariant the rproc is valid.
        to_result(unsafe { bindings::rproc_coredump_add_segment(self.raw(), da, size) })
    }

    /// The boot address the core took from the firmware (`rproc->bootaddr`).
    pub(crate) fn bootaddr(&self) -> u64 {
        // SAFETY: By the type invariant the rproc is valid; the core writes
        // `bootaddr` before it calls `start`, under its lock.
        unsafe { (*self.raw()).bootaddr }
    }

    /// Whether the core has a resource table for the current boot.
    pub(crate) fn has_table(&self) -> bool {
        // SAFETY: By the type invariant the rproc is valid; the core sets
        // `table_ptr` under its lock, around the hooks that call this.
        !unsafe { (*self.raw()).table_ptr }.is_null()
    }

    /// Size in bytes of the current resource table.
    pub(crate) fn table_sz(&self) -> usize {
        // SAFETY: By the type invariant the rproc is valid; a plain integer.
        unsafe { (*self.raw()).table_sz }
    }

    /// Gives the core a copy of `table` as the resource table of the image
    /// being booted (what `rproc_elf_load_rsc_table` does). Meant for
    /// [`Operations::parse_fw`]; the core frees the copy at shutdown.
    ///
    /// Linux 7.2 exports no setter for `cached_table`, `table_ptr` and
    /// `table_sz`: its own ELF loader (`rproc_elf_load_rsc_table`) writes the
    /// three fields, and it finds the table by its own, weaker, rules, which
    /// this driver replaces. So this writes them as that loader does, under
    /// the core's lock that `parse_fw` runs with. The fix this needs
    /// upstream: an exported `rproc_set_cached_table(rproc, table, len)`.
    pub(crate) fn set_cached_table(&self, table: &[u8]) -> Result {
        if table.is_empty() {
            return Err(EINVAL);
        }
        // SAFETY: `table` is valid for reads of its length.
        let copy = unsafe { bindings::imx_rproc_rs_kmemdup(table.as_ptr().cast(), table.len()) };
        if copy.is_null() {
            return Err(ENOMEM);
        }
        let raw = self.raw();
        // SAFETY: By the type invariant the rproc is valid; `parse_fw` runs
        // under the core's lock with no table installed for this boot yet,
        // and the core `kfree`s `cached_table` when the boot ends.
        unsafe {
            (*raw).cached_table = copy.cast();
            (*raw).table_ptr = copy.cast();
            (*raw).table_sz = table.len();
        }
        Ok(())
    }

    /// Translates `da..da + len` through the driver's `da_to_va` and the
    /// core's carveouts (`rproc_da_to_va`).
    fn da_to_va(&self, da: u64, len: usize) -> Option<CoreVa> {
        if len == 0 {
            return None;
        }
        let mut is_iomem = false;
        // SAFETY: By the type invariant the rproc is valid; `is_iomem` is a
        // valid `bool`.
        let va = unsafe { bindings::rproc_da_to_va(self.raw(), da, len, &mut is_iomem) };
        // INVARIANT: `rproc_da_to_va` returns either what the driver's
        // `da_to_va` trampoline made of a `MappedRange` of `len` bytes, or an
        // address inside a carveout whose bounds it checked against `len`.
        NonNull::new(va.cast::<u8>()).map(|va| CoreVa { va, is_iomem })
    }

    /// Writes `data` followed by `zero_tail` zero bytes to the remote's
    /// memory at device address `da`. The whole range must translate
    /// (`EINVAL` otherwise, nothing written).
    pub(crate) fn write_memory(&self, da: u64, data: &[u8], zero_tail: usize) -> Result {
        let len = data.len().checked_add(zero_tail).ok_or(EOVERFLOW)?;
        if len == 0 {
            return Ok(());
        }
        let kva = self.da_to_va(da, len).ok_or(EINVAL)?;
        let dst = kva.va.as_ptr();
        // `data.len() <= len`, so the tail starts inside the translated range.
        let tail = dst.wrapping_add(data.len());
        // SAFETY: By the invariant of `CoreVa`, `dst` is valid for writes of
        // `len` bytes while this boot's carveouts are registered, which they
        // stay during this call (hooks run under the core's lock, and the
        // driver's mappings outlive the registration); `data` is valid for
        // reads, and the source and the remote's memory cannot overlap.
        unsafe {
            if kva.is_iomem {
                bindings::imx_rproc_rs_memcpy_toio(dst.cast(), data.as_ptr().cast(), data.len());
                bindings::imx_rproc_rs_memset_io(tail.cast(), 0, zero_tail);
            } else {
                core::ptr::copy_nonoverlapping(data.as_ptr(), dst, data.len());
                core::ptr::write_bytes(tail, 0, zero_tail);
            }
        }
        Ok(())
    }

    /// The device that registered the remote processor, as bound.
    ///
    /// Private: drivers get the bound parent as an argument of each
    /// [`Operations`] hook, as `rust/kernel/pwm.rs` passes it to `PwmOps`.
    ///
    /// # Safety
    ///
    /// The parent must be bound for the returned lifetime: the caller is a
    /// hook the core calls between `rproc_add` and the end of `rproc_del`.
    unsafe fn bound_parent(&self) -> &Device<Bound> {
        // SAFETY: `dev.parent` is the valid device `rproc_alloc` was given,
        // which the rproc holds a reference on; per the function's contract
        // it is bound for the lifetime of `&self`.
        unsafe { Device::<kernel::device::Normal>::from_raw(self.dev_parent_raw()).as_bound() }
    }

    fn dev_parent_raw(&self) -> *mut bindings::device {
        // SAFETY: By the type invariant the rproc is valid; `dev.parent` is
        // set by `rproc_alloc` and never changes.
        unsafe { (*self.raw()).dev.parent }
    }
}

/// `release` callback of the carveouts [`Rproc::add_mapped_carveout`] registers.
///
/// # Safety
///
/// `mem` must be a valid entry created by [`Rproc::add_mapped_carveout`],
/// released once.
unsafe extern "C" fn mapped_carveout_release(
    _rproc: *mut bindings::rproc,
    mem: *mut bindings::rproc_mem_entry,
) -> c_int {
    // SAFETY: The core passes the valid entry `add_mapped_carveout` made.
    let mem = unsafe { &mut *mem };
    if !mem.priv_.is_null() {
        // SAFETY: `priv` holds the reference `Arc::into_raw` gave up in
        // `add_mapped_carveout`; it is taken back exactly once.
        drop(unsafe { Arc::from_raw(mem.priv_.cast::<IoMapping>().cast_const()) });
        mem.priv_ = core::ptr::null_mut();
    }
    mem.va = core::ptr::null_mut();
    0
}

/// `alloc` callback of the carveouts [`Rproc::add_iomem_carveout`] registers.
///
/// # Safety
///
/// `mem` must be a valid entry created by [`Rproc::add_iomem_carveout`].
unsafe extern "C" fn carveout_alloc(
    _rproc: *mut bindings::rproc,
    mem: *mut bindings::rproc_mem_entry,
) -> c_int {
    // SAFETY: The core passes a valid entry created by `add_iomem_carveout`.
    let mem = unsafe { &mut *mem };
    // SAFETY: Maps a physical range the device tree reserved for the remote;
    // `ioremap_wc` validates the range itself.
    let va = unsafe { bindings::imx_rproc_rs_ioremap_wc(mem.dma, mem.len) };
    if va.is_null() {
        return ENOMEM.to_errno();
    }
    mem.va = va;
    mem.is_iomem = true;
    0
}

/// `release` callback of the carveouts [`Rproc::add_iomem_carveout`] registers.
///
/// # Safety
///
/// `mem` must be a valid entry whose `va` is NULL or was mapped by [`carveout_alloc`].
unsafe extern "C" fn carveout_release(
    _rproc: *mut bindings::rproc,
    mem: *mut bindings::rproc_mem_entry,
) -> c_int {
    // SAFETY: The core passes a valid entry whose `va` `carveout_alloc` mapped.
    let mem = unsafe { &mut *mem };
    if !mem.va.is_null() {
        // SAFETY: `va` came from `ioremap_wc` and is unmapped exactly once.
        unsafe { bindings::imx_rproc_rs_iounmap(mem.va) };
        mem.va = core::ptr::null_mut();
    }
    0
}

struct OpsTable<T: Operations>(PhantomData<T>);

impl<T: Operations> OpsTable<T> {
    const OPS: bindings::rproc_ops = bindings::rproc_ops {
        prepare: if T::HAS_PREPARE {
            Some(Self::prepare)
        } else {
            None
        },
        unprepare: if T::HAS_UNPREPARE {
            Some(Self::unprepare)
        } else {
            None
        },
        start: if T::HAS_START {
            Some(Self::start)
        } else {
            None
        },
        stop: if T::HAS_STOP { Some(Self::stop) } else { None },
        attach: if T::HAS_ATTACH {
            Some(Self::attach)
        } else {
            None
        },
        detach: if T::HAS_DETACH {
            Some(Self::detach)
        } else {
            None
        },
        kick: if T::HAS_KICK { Some(Self::kick) } else { None },
        da_to_va: if T::HAS_DA_TO_VA {
            Some(Self::da_to_va)
        } else {
            None
        },
        parse_fw: if T::HAS_PARSE_FW {
            Some(Self::parse_fw)
        } else {
            None
        },
        handle_rsc: None,
        find_loaded_rsc_table: if T::HAS_FIND_LOADED_RSC_TABLE {
            Some(Self::find_loaded_rsc_table)
        } else {
            None
        },
        get_loaded_rsc_table: if T::HAS_GET_LOADED_RSC_TABLE {
            Some(Self::get_loaded_rsc_table)
        } else {
            None
        },
        load: if T::HAS_LOAD { Some(Self::load) } else { None },
        sanity_check: if T::HAS_SANITY_CHECK {
            Some(Self::sanity_check)
        } else {
            None
        },
        get_boot_addr: if T::HAS_GET_BOOT_ADDR {
            Some(Self::get_boot_addr)
        } else {
            None
        },
        panic: None,
        coredump: None,
    };

    /// The arguments every hook receives: the driver data, the rproc and its
    /// bound parent device.
    ///
    /// # Safety
    ///
    /// `rproc` must be a valid rproc registered by [`Allocation::register`]
    /// for `T`, so its `priv` points to a live `T`, and the call must come
    /// from the core between `rproc_add` and the end of `rproc_del` (every
    /// `rproc_ops` hook does), so the parent is bound for `'a`.
    unsafe fn args<'a>(rproc: *mut bindings::rproc) -> (&'a T, &'a Rproc, &'a Device<Bound>) {
        // SAFETY: Per the function's contract `priv` points to the `T` the
        // registration owns, which it drops only after `rproc_del`.
        let this = unsafe { &*(*rproc).priv_.cast::<T>() };
        // SAFETY: The core passes a valid rproc for the duration of the callback.
        let r = unsafe { Rproc::from_raw(rproc) };
        // SAFETY: Per the function's contract the hook runs before
        // `rproc_del` returned, and a `Registration` calls `rproc_del` while
        // the parent is still bound (see `Registration`'s `# Invariants`).
        let parent = unsafe { r.bound_parent() };
        (this, r, parent)
    }

    /// C trampoline of [`Operations::prepare`].
    ///
    /// # Safety
    ///
    /// Called by the core with an rproc registered for `T` (see [`Self::args`]).
    unsafe extern "C" fn prepare(rproc: *mut bindings::rproc) -> c_int {
        // SAFETY: The core calls this hook only on the rproc `register`
        // set up for `T`, between `rproc_add` and `rproc_del`.
        let (this, r, parent) = unsafe { Self::args(rproc) };
        from_result(|| {
            T::prepare(this, r, parent).inspect_err(|_| {
                // The core does not clean up after a failed prepare: the
                // carveouts and coredump segments registered so far would
                // stay (registered again by the next prepare, leaked if the
                // remote goes away first). Nothing else is registered before
                // prepare, so releasing every resource releases just those.
                // SAFETY: `rproc` is valid and its lock is held by the core,
                // which has no resource of this boot or attach in use yet.
                unsafe { bindings::rproc_resource_cleanup(rproc) };
            })?;
            Ok(0)
        })
    }

    /// C trampoline of [`Operations::unprepare`].
    ///
    /// # Safety
    ///
    /// Called by the core with an rproc registered for `T` (see [`Self::args`]).
    unsafe extern "C" fn unprepare(rproc: *mut bindings::rproc) -> c_int {
        // SAFETY: The core calls this hook only on the rproc `register`
        // set up for `T`, between `rproc_add` and `rproc_del`.
        let (this, r, parent) = unsafe { Self::args(rproc) };
        from_result(|| T::unprepare(this, r, parent).map(|()| 0))
    }

    /// C trampoline of [`Operations::start`].
    ///
    /// # Safety
    ///
    /// Called by the core with an rproc registered for `T` (see [`Self::args`]).
    unsafe extern "C" fn start(rproc: *mut bindings::rproc) -> c_int {
        // SAFETY: The core calls this hook only on the rproc `register`
        // set up for `T`, between `rproc_add` and `rproc_del`.
        let (this, r, parent) = unsafe { Self::args(rproc) };
        from_result(|| T::start(this, r, parent).map(|()| 0))
    }

    /// C trampoline of [`Operations::stop`].
    ///
    /// # Safety
    ///
    /// Called by the core with an rproc registered for `T` (see [`Self::args`]).
    unsafe extern "C" fn stop(rproc: *mut bindings::rproc) -> c_int {
        // SAFETY: The core calls this hook only on the rproc `register`
        // set up for `T`, between `rproc_add` and `rproc_del`.
        let (this, r, parent) = unsafe { Self::args(rproc) };
        from_result(|| T::stop(this, r, parent).map(|()| 0))
    }

    /// C trampoline of [`Operations::attach`].
    ///
    /// # Safety
    ///
    /// Called by the core with an rproc registered for `T` (see [`Self::args`]).
    unsafe extern "C" fn attach(rproc: *mut bindings::rproc) -> c_int {
        // SAFETY: The core calls this hook only on the rproc `register`
        // set up for `T`, between `rproc_add` and `rproc_del`.
        let (this, r, parent) = unsafe { Self::args(rproc) };
        from_result(|| T::attach(this, r, parent).map(|()| 0))
    }

    /// C trampoline of [`Operations::detach`].
    ///
    /// # Safety
    ///
    /// Called by the core with an rproc registered for `T` (see [`Self::args`]).
    unsafe extern "C" fn detach(rproc: *mut bindings::rproc) -> c_int {
        // SAFETY: The core calls this hook only on the rproc `register`
        // set up for `T`, between `rproc_add` and `rproc_del`.
        let (this, r, parent) = unsafe { Self::args(rproc) };
        from_result(|| T::detach(this, r, parent).map(|()| 0))
    }

    /// C trampoline of [`Operations::kick`].
    ///
    /// # Safety
    ///
    /// Called by the core with an rproc registered for `T` (see [`Self::args`]).
    unsafe extern "C" fn kick(rproc: *mut bindings::rproc, vqid: c_int) {
        // SAFETY: The core calls this hook only on the rproc `register`
        // set up for `T`, between `rproc_add` and `rproc_del`.
        let (this, r, parent) = unsafe { Self::args(rproc) };
        T::kick(this, r, parent, vqid)
    }

    /// C trampoline of [`Operations::sanity_check`].
    ///
    /// # Safety
    ///
    /// Called by the core with an rproc registered for `T` (see [`Self::args`])
    /// and a valid firmware.
    unsafe extern "C" fn sanity_check(
        rproc: *mut bindings::rproc,
        fw: *const bindings::firmware,
    ) -> c_int {
        // SAFETY: The core calls this hook only on the rproc `register`
        // set up for `T`, between `rproc_add` and `rproc_del`.
        let (this, r, parent) = unsafe { Self::args(rproc) };
        // SAFETY: The core holds the firmware for the duration of the call.
        let fw = unsafe { fw_data(fw) };
        from_result(|| T::sanity_check(this, r, parent, fw).map(|()| 0))
    }

    /// C trampoline of [`Operations::parse_fw`].
    ///
    /// # Safety
    ///
    /// As for [`Self::sanity_check`].
    unsafe extern "C" fn parse_fw(
        rproc: *mut bindings::rproc,
        fw: *const bindings::firmware,
    ) -> c_int {
        // SAFETY: The core calls this hook only on the rproc `register`
        // set up for `T`, between `rproc_add` and `rproc_del`.
        let (this, r, parent) = unsafe { Self::args(rproc) };
        // SAFETY: The core holds the firmware for the duration of the call.
        let fw = unsafe { fw_data(fw) };
        from_result(|| T::parse_fw(this, r, parent, fw).map(|()| 0))
    }

    /// C trampoline of [`Operations::load`].
    ///
    /// # Safety
    ///
    /// As for [`Self::sanity_check`].
    unsafe extern "C" fn load(rproc: *mut bindings::rproc, fw: *const bindings::firmware) -> c_int {
        // SAFETY: The core calls this hook only on the rproc `register`
        // set up for `T`, between `rproc_add` and `rproc_del`.
        let (this, r, parent) = unsafe { Self::args(rproc) };
        // SAFETY: The core holds the firmware for the duration of the call.
        let fw = unsafe { fw_data(fw) };
        from_result(|| T::load(this, r, parent, fw).map(|()| 0))
    }

    /// C trampoline of [`Operations::find_loaded_rsc_table`].
    ///
    /// # Safety
    ///
    /// As for [`Self::sanity_check`].
    unsafe extern "C" fn find_loaded_rsc_table(
        rproc: *mut bindings::rproc,
        fw: *const bindings::firmware,
    ) -> *mut bindings::resource_table {
        // SAFETY: The core calls this hook only on the rproc `register`
        // set up for `T`, between `rproc_add` and `rproc_del`.
        let (this, r, parent) = unsafe { Self::args(rproc) };
        // SAFETY: The core holds the firmware for the duration of the call.
        let fw = unsafe { fw_data(fw) };
        let len = r.table_sz();
        let va = match T::find_loaded_rsc_table(this, r, parent, fw) {
            Some(LoadedTable::Mapped(range)) if range.len() >= len => Some(range.va()),
            Some(LoadedTable::DeviceAddress(da)) => r.da_to_va(da, len).map(|kva| kva.va),
            _ => None,
        };
        // The core copies `table_sz` bytes there before `start` and keeps the
        // address as `table_ptr` while the remote runs. That is sound: a
        // `MappedRange` of at least that length borrowed from `this` stays
        // mapped until the driver data is dropped, after `rproc_del` (see its
        // `# Invariants`); a `CoreVa` is a carveout of this boot, which the
        // core releases only when it drops the table again (or the driver's
        // mapping, as above).
        va.map_or(core::ptr::null_mut(), |p| p.as_ptr().cast())
    }

    /// C trampoline of [`Operations::get_loaded_rsc_table`].
    ///
    /// # Safety
    ///
    /// Called by the core with an rproc registered for `T` and a valid `size`.
    unsafe extern "C" fn get_loaded_rsc_table(
        rproc: *mut bindings::rproc,
        size: *mut usize,
    ) -> *mut bindings::resource_table {
        // SAFETY: The core calls this hook only on the rproc `register`
        // set up for `T`, between `rproc_add` and `rproc_del`.
        let (this, r, parent) = unsafe { Self::args(rproc) };
        match T::get_loaded_rsc_table(this, r, parent) {
            Ok(Some(range)) => {
                // SAFETY: The core passes a valid `size_t` to fill in.
                unsafe { *size = range.len() };
                // The core walks and keeps (`table_ptr`) the table while it
                // is attached: the range is inside a mapping borrowed from
                // `this`, which stays mapped until the driver data is
                // dropped after `rproc_del` (`MappedRange`'s `# Invariants`).
                range.va().as_ptr().cast()
            }
            Ok(None) => core::ptr::null_mut(),
            // The core tells ERR_PTR values apart with IS_ERR.
            // SAFETY: `ERR_PTR` only encodes the errno in a pointer value.
            Err(e) => unsafe { bindings::ERR_PTR(e.to_errno() as isize) }.cast(),
        }
    }

    /// C trampoline of [`Operations::get_boot_addr`].
    ///
    /// # Safety
    ///
    /// As for [`Self::sanity_check`].
    unsafe extern "C" fn get_boot_addr(
        rproc: *mut bindings::rproc,
        fw: *const bindings::firmware,
    ) -> u64 {
        // SAFETY: The core calls this hook only on the rproc `register`
        // set up for `T`, between `rproc_add` and `rproc_del`.
        let (this, r, parent) = unsafe { Self::args(rproc) };
        // SAFETY: The core holds the firmware for the duration of the call.
        let fw = unsafe { fw_data(fw) };
        T::get_boot_addr(this, r, parent, fw)
    }

    /// C trampoline of [`Operations::da_to_va`].
    ///
    /// # Safety
    ///
    /// Called by the core with an rproc registered for `T` (see [`Self::args`])
    /// and `is_iomem` either NULL or valid for writes.
    unsafe extern "C" fn da_to_va(
        rproc: *mut bindings::rproc,
        da: u64,
        len: usize,
        is_iomem: *mut bool,
    ) -> *mut c_void {
        // SAFETY: The core calls this hook only on the rproc `register`
        // set up for `T`, between `rproc_add` and `rproc_del`.
        let (this, r, parent) = unsafe { Self::args(rproc) };
        match T::da_to_va(this, r, parent, da, len) {
            // The core reads and writes `len` bytes there (trace reads,
            // coredumps, loading), and may keep the address while the remote
            // runs (`table_ptr`, when it looks the table up this way): by the
            // `# Invariants` of `MappedRange` the range lies inside a mapping
            // borrowed from `this`, mapped until the driver data is dropped
            // after `rproc_del`. A shorter range than asked is refused.
            Some(range) if range.len() >= len => {
                if !is_iomem.is_null() {
                    // SAFETY: The core passes either NULL or a valid `bool`.
                    unsafe { *is_iomem = range.is_iomem() };
                }
                range.va().as_ptr().cast()
            }
            _ => core::ptr::null_mut(),
        }
    }
}

/// A remote processor allocated with `rproc_alloc` but not registered yet.
///
/// # Invariants
///
/// `rproc` is a valid rproc from `rproc_alloc` for `parent`, whose only
/// reference this owns and whose `priv` is NULL.
pub(crate) struct Allocation<'a, T: Operations> {
    rproc: NonNull<bindings::rproc>,
    parent: &'a Device<Bound>,
    _p: PhantomData<T>,
}

impl<'a, T: Operations> Allocation<'a, T> {
    /// Allocates a remote processor named `name` for `dev`, with `firmware`
    /// as the default image (`rproc-<name>-fw` when `None`).
    pub(crate) fn new(
        dev: &'a Device<Bound>,
        name: &CStr,
        firmware: Option<&CStr>,
    ) -> Result<Self> {
        let ops: *const bindings::rproc_ops = &OpsTable::<T>::OPS;
        // SAFETY: `dev` is a bound device; `rproc_alloc` copies `name`,
        // `firmware` and the ops table, none of which must outlive the call.
        let rproc = unsafe {
            bindings::rproc_alloc(
                super::device_raw(dev),
                name.as_char_ptr(),
                ops,
                firmware.map_or(core::ptr::null(), |f| f.as_char_ptr()),
                0,
            )
        };
        let rproc = NonNull::new(rproc).ok_or(ENOMEM)?;
        // INVARIANT: fresh from `rproc_alloc` for `dev`, `priv` is NULL for a
        // zero `len`.
        Ok(Self {
            rproc,
            parent: dev,
            _p: PhantomData,
        })
    }

    /// The remote processor.
    pub(crate) fn rproc(&self) -> &Rproc {
        // SAFETY: By the type invariant the rproc is valid while `self` lives.
        unsafe { Rproc::from_raw(self.rproc.as_ptr()) }
    }

    /// Marks the remote as already running (`RPROC_DETACHED`): registration
    /// then attaches to it instead of booting it.
    pub(crate) fn set_detached(&mut self) {
        // SAFETY: Not registered yet, nobody else accesses the rproc.
        unsafe { (*self.rproc.as_ptr()).state = bindings::rproc_state_RPROC_DETACHED };
    }

    /// Sets whether registration boots (or attaches to) the remote at once.
    pub(crate) fn set_auto_boot(&mut self, auto_boot: bool) {
        // SAFETY: Not registered yet, nobody else accesses the rproc.
        unsafe { (*self.rproc.as_ptr()).auto_boot = auto_boot };
    }

    /// Sets the ELF class (`ELFCLASS32`/`ELFCLASS64`) and machine (`EM_*`) of
    /// the coredumps the core writes; without it the core writes none.
    pub(crate) fn set_coredump_elf_info(&mut self, class: u8, machine: u16) -> Result {
        // SAFETY: By the type invariant the rproc is valid and not registered.
        to_result(unsafe {
            bindings::rproc_coredump_set_elf_info(self.rproc.as_ptr(), class, machine)
        })
    }

    /// Registers the remote processor with `data` as the driver data every
    /// [`Operations`] hook receives, and binds the registration to the
    /// parent device with devres (as `pwm::UnregisteredChip::register`
    /// does): when the parent unbinds, the remote is unregistered
    /// (`rproc_del`, which shuts a running remote down), then `data` is
    /// dropped and the allocation's reference given back, whatever the
    /// driver keeps. Returns a reference to the registered remote.
    ///
    /// `rproc_add` gives up the allocation's reference itself when its
    /// `device_add` fails (and then still touches the rproc); when it fails
    /// before (`rproc_validate`, `rproc_char_device_add`) or after
    /// (`rproc_trigger_auto_boot`), the reference is left to the caller
    /// (Linux 7.2, `drivers/remoteproc/remoteproc_core.c`). The return value
    /// does not tell these apart, and neither does any other state the core
    /// exposes. So a reference of our own, held across the call, keeps the
    /// rproc alive in every case, and the device's reference count, read
    /// before and after (`kref_read` through `imx_rproc_rs_device_refs`),
    /// says which it was. That is exact, not a guess: before `rproc_add`
    /// returns no other reference to the rproc can come or go (it is in no
    /// list yet; `request_firmware_nowait` of the auto boot takes and, on
    /// failure, gives back its own). Not putting the reference in every
    /// failure case instead would leak the rproc on the early and late
    /// failures (the faults scenario's kmemleak check finds that). The fix
    /// this needs upstream: `rproc_add` leaving the reference to its caller on
    /// every error path (no `put_device` after a failed `device_add`).
    pub(crate) fn register(self, data: Pin<KBox<T>>) -> Result<ARef<Rproc>> {
        let priv_: *const T = &*data;
        // SAFETY: By the type invariant the rproc is valid and unregistered;
        // `priv_` points into the pinned box, whose contents do not move when
        // the box is moved into the registration below.
        unsafe { (*self.rproc.as_ptr()).priv_ = priv_.cast_mut().cast() };
        // SAFETY: By the type invariant the rproc is valid.
        let dev = unsafe { core::ptr::addr_of_mut!((*self.rproc.as_ptr()).dev) };
        let held = self.rproc().get();
        // SAFETY: `dev` is valid, `held` is a reference on it.
        let before = unsafe { bindings::imx_rproc_rs_device_refs(dev) };
        // SAFETY: The rproc is fully set up; `held` keeps it allocated
        // whatever `rproc_add` does with the allocation's reference.
        let ret = to_result(unsafe { bindings::rproc_add(self.rproc.as_ptr()) });
        if let Err(e) = ret {
            // One reference fewer: the core gave up the allocation's.
            // SAFETY: `dev` is valid, `held` is a reference on it.
            if unsafe { bindings::imx_rproc_rs_device_refs(dev) } < before {
                // `rproc_free` must not put it a second time.
                core::mem::forget(self);
            }
            // Otherwise `self` is dropped: `rproc_free` gives it back.
            return Err(e);
        }
        let parent = self.parent;
        let rproc = self.rproc;
        // The allocation's reference now belongs to the registration.
        core::mem::forget(self);
        // INVARIANT: registered just above for `parent`, `priv` points to
        // `*data`.
        let reg = Registration {
            rproc,
            data: Some(data),
        };
        // On failure `devres::register` drops `reg`: unregistered at once.
        kernel::devres::register(parent, reg, GFP_KERNEL)?;
        Ok(held)
    }
}

impl<T: Operations> Drop for Allocation<'_, T> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant we own the only reference.
        unsafe { bindings::rproc_free(self.rproc.as_ptr()) };
    }
}

/// A registered remote processor, owned by the parent's devres.
///
/// Dropping it unregisters the remote (`rproc_del`, which shuts a running
/// remote down), then drops the driver data and the allocation's reference.
/// [`Allocation::register`] moves it into the parent device's devres, so it
/// is dropped when the parent unbinds, never later: that is what makes the
/// parent of every hook bound (see [`OpsTable::args`]). After `rproc_del`
/// the core calls no hook any more: the state is no longer one a hook
/// needs, `rproc_report_crash` sees `deleting` and queues nothing, and the
/// crash handler was cancelled; an `ARef<Rproc>` kept past that point can
/// still take and drop references, but reaches no hook.
///
/// # Invariants
///
/// `rproc` is registered for a parent whose devres owns this object, and
/// its `priv` points to the `T` in `data`, which is `Some` until `drop`.
struct Registration<T: Operations> {
    rproc: NonNull<bindings::rproc>,
    /// `None` only inside `drop`.
    data: Option<Pin<KBox<T>>>,
}

// SAFETY: The registration only holds the rproc (thread-safe, see `Rproc`)
// and the driver data, which `Operations` requires to be `Send + Sync`.
unsafe impl<T: Operations> Send for Registration<T> {}
// SAFETY: `Registration` has no method taking `&self`: sharing it allows
// nothing.
unsafe impl<T: Operations> Sync for Registration<T> {}

impl<T: Operations> Drop for Registration<T> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the rproc is registered. After
        // `rproc_del` the core calls no hook any more, so the data may go.
        unsafe { bindings::rproc_del(self.rproc.as_ptr()) };
        // The data goes next, while the parent is still bound: its `Drop`
        // cancels what the driver queued (work items holding an
        // `ARef<Rproc>`), so nothing of the driver runs after unbind.
        drop(self.data.take());
        // SAFETY: Drops the reference `rproc_alloc` gave us; others (e.g.
        // `ARef<Rproc>` holders) keep the memory alive on their own.
        unsafe { bindings::rproc_free(self.rproc.as_ptr()) };
    }
}

impl Rproc {
    /// Takes a reference on the remote processor.
    pub(crate) fn get(&self) -> ARef<Rproc> {
        ARef::from(self)
    }
}
