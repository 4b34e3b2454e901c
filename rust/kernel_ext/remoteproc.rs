// SPDX-License-Identifier: GPL-2.0

//! Remote processor framework.
//!
//! C header: [`include/linux/remoteproc.h`](srctree/include/linux/remoteproc.h)
//!
//! A driver implements [`Operations`] for its private data, allocates the
//! remote processor with [`Allocation::new`], adjusts what must be set before
//! registration (initial state, auto boot) and hands its data to
//! [`Allocation::register`]. The returned [`Registration`] unregisters (which
//! shuts a running remote down, as the C core does) and frees everything when
//! dropped, so its lifetime is tied to the bound device by keeping it in the
//! driver's device data.

use super::bindings;
use core::{marker::PhantomData, ptr::NonNull};
use kernel::{
    device::{Bound, Device},
    error::{from_result, to_result, VTABLE_DEFAULT_ERROR},
    ffi::{c_int, c_void},
    prelude::*,
    sync::aref::{ARef, AlwaysRefCounted},
    types::Opaque,
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

/// A translated device address: where the remote's memory is in the kernel's
/// address space.
#[derive(Clone, Copy, Debug)]
pub(crate) struct KernelVa {
    /// The kernel virtual address.
    pub(crate) va: NonNull<u8>,
    /// Whether `va` is I/O memory (to be accessed with `memcpy_toio` and friends).
    pub(crate) is_iomem: bool,
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
    fn prepare(_this: &Self, _rproc: &Rproc) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Undoes [`Operations::prepare`] after the remote was stopped or detached.
    fn unprepare(_this: &Self, _rproc: &Rproc) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Boots the loaded remote.
    fn start(_this: &Self, _rproc: &Rproc) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Stops the remote.
    fn stop(_this: &Self, _rproc: &Rproc) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Attaches to a remote that somebody else booted.
    fn attach(_this: &Self, _rproc: &Rproc) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Detaches from the remote, leaving it running.
    fn detach(_this: &Self, _rproc: &Rproc) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Notifies the remote that virtqueue `vqid` has new buffers.
    fn kick(_this: &Self, _rproc: &Rproc, _vqid: i32) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Translates the remote's device address range `da..da + len` into a
    /// kernel mapping; `None` lets the core look in its carveout list.
    fn da_to_va(_this: &Self, _rproc: &Rproc, _da: u64, _len: usize) -> Option<KernelVa> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
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
// SAFETY: See `Send`; shared references only allow those same calls.
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
        ret != bindings::irqreturn_IRQ_NONE
    }

    /// Calls [`Rproc::vq_interrupt`] for every notify id that exists.
    pub(crate) fn vq_interrupt_all(&self) {
        for id in 0..=self.max_notifyid() {
            self.vq_interrupt(id);
        }
    }

    /// Registers an I/O-memory carveout: `len` bytes at physical `pa`, seen
    /// by the remote at `da`, named `name` (the core looks vrings and vdev
    /// buffers up by name). It is mapped write-combined when the core
    /// allocates its carveouts and unmapped when it releases them.
    pub(crate) fn add_iomem_carveout(&self, name: &CStr, pa: u64, len: usize, da: u32) -> Result {
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

    /// The device that registered the remote processor.
    ///
    /// It is bound: an [`Allocation`] exists only during probe, and a
    /// [`Registration`] is dropped when the driver unbinds, after which the
    /// core calls no hook any more.
    pub(crate) fn parent(&self) -> &Device<Bound> {
        // SAFETY: `dev.parent` is the valid device `rproc_alloc` was given,
        // bound for as long as hooks run (see above).
        unsafe { Device::<kernel::device::Normal>::from_raw(self.dev_parent_raw()).as_bound() }
    }

    fn dev_parent_raw(&self) -> *mut bindings::device {
        // SAFETY: By the type invariant the rproc is valid; `dev.parent` is
        // set by `rproc_alloc` and never changes.
        unsafe { (*self.raw()).dev.parent }
    }
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
        parse_fw: None,
        handle_rsc: None,
        find_loaded_rsc_table: None,
        get_loaded_rsc_table: None,
        load: None,
        sanity_check: None,
        get_boot_addr: None,
        panic: None,
        coredump: None,
    };

    /// # Safety
    ///
    /// `rproc` must be a valid rproc registered by [`Allocation::register`]
    /// for `T`, so its `priv` points to a live `T`.
    unsafe fn args<'a>(rproc: *mut bindings::rproc) -> (&'a T, &'a Rproc) {
        // SAFETY: Per the function's contract `priv` points to the `T` the
        // registration owns, which outlives every callback.
        let this = unsafe { &*(*rproc).priv_.cast::<T>() };
        // SAFETY: The core passes a valid rproc for the duration of the callback.
        (this, unsafe { Rproc::from_raw(rproc) })
    }

    /// C trampoline of [`Operations::prepare`].
    ///
    /// # Safety
    ///
    /// Called by the core with an rproc registered for `T` (see [`Self::args`]).
    unsafe extern "C" fn prepare(rproc: *mut bindings::rproc) -> c_int {
        // SAFETY: The core calls the hooks of the rproc `register` set up.
        let (this, r) = unsafe { Self::args(rproc) };
        from_result(|| T::prepare(this, r).map(|()| 0))
    }

    /// C trampoline of [`Operations::unprepare`].
    ///
    /// # Safety
    ///
    /// Called by the core with an rproc registered for `T` (see [`Self::args`]).
    unsafe extern "C" fn unprepare(rproc: *mut bindings::rproc) -> c_int {
        // SAFETY: As in `prepare`.
        let (this, r) = unsafe { Self::args(rproc) };
        from_result(|| T::unprepare(this, r).map(|()| 0))
    }

    /// C trampoline of [`Operations::start`].
    ///
    /// # Safety
    ///
    /// Called by the core with an rproc registered for `T` (see [`Self::args`]).
    unsafe extern "C" fn start(rproc: *mut bindings::rproc) -> c_int {
        // SAFETY: As in `prepare`.
        let (this, r) = unsafe { Self::args(rproc) };
        from_result(|| T::start(this, r).map(|()| 0))
    }

    /// C trampoline of [`Operations::stop`].
    ///
    /// # Safety
    ///
    /// Called by the core with an rproc registered for `T` (see [`Self::args`]).
    unsafe extern "C" fn stop(rproc: *mut bindings::rproc) -> c_int {
        // SAFETY: As in `prepare`.
        let (this, r) = unsafe { Self::args(rproc) };
        from_result(|| T::stop(this, r).map(|()| 0))
    }

    /// C trampoline of [`Operations::attach`].
    ///
    /// # Safety
    ///
    /// Called by the core with an rproc registered for `T` (see [`Self::args`]).
    unsafe extern "C" fn attach(rproc: *mut bindings::rproc) -> c_int {
        // SAFETY: As in `prepare`.
        let (this, r) = unsafe { Self::args(rproc) };
        from_result(|| T::attach(this, r).map(|()| 0))
    }

    /// C trampoline of [`Operations::detach`].
    ///
    /// # Safety
    ///
    /// Called by the core with an rproc registered for `T` (see [`Self::args`]).
    unsafe extern "C" fn detach(rproc: *mut bindings::rproc) -> c_int {
        // SAFETY: As in `prepare`.
        let (this, r) = unsafe { Self::args(rproc) };
        from_result(|| T::detach(this, r).map(|()| 0))
    }

    /// C trampoline of [`Operations::kick`].
    ///
    /// # Safety
    ///
    /// Called by the core with an rproc registered for `T` (see [`Self::args`]).
    unsafe extern "C" fn kick(rproc: *mut bindings::rproc, vqid: c_int) {
        // SAFETY: As in `prepare`.
        let (this, r) = unsafe { Self::args(rproc) };
        T::kick(this, r, vqid)
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
        // SAFETY: As in `prepare`.
        let (this, r) = unsafe { Self::args(rproc) };
        match T::da_to_va(this, r, da, len) {
            Some(kva) => {
                if !is_iomem.is_null() {
                    // SAFETY: The core passes either NULL or a valid `bool`.
                    unsafe { *is_iomem = kva.is_iomem };
                }
                kva.va.as_ptr().cast()
            }
            None => core::ptr::null_mut(),
        }
    }
}

/// A remote processor allocated with `rproc_alloc` but not registered yet.
///
/// # Invariants
///
/// `rproc` is a valid rproc from `rproc_alloc` whose only reference this owns
/// and whose `priv` is NULL.
pub(crate) struct Allocation<T: Operations> {
    rproc: NonNull<bindings::rproc>,
    _p: PhantomData<T>,
}

impl<T: Operations> Allocation<T> {
    /// Allocates a remote processor named `name` for `dev`, with `firmware`
    /// as the default image (`rproc-<name>-fw` when `None`).
    pub(crate) fn new(dev: &Device<Bound>, name: &CStr, firmware: Option<&CStr>) -> Result<Self> {
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
        // INVARIANT: fresh from `rproc_alloc`, `priv` is NULL for a zero `len`.
        Ok(Self {
            rproc,
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

    /// Registers the remote processor with `data` as the driver data every
    /// [`Operations`] hook receives.
    pub(crate) fn register(self, data: Pin<KBox<T>>) -> Result<Registration<T>> {
        let priv_: *const T = &*data;
        // SAFETY: By the type invariant the rproc is valid and unregistered;
        // `priv_` points into the pinned box, whose contents do not move when
        // the box is moved into the registration below.
        unsafe { (*self.rproc.as_ptr()).priv_ = priv_.cast_mut().cast() };
        // SAFETY: The rproc is fully set up. On failure the core leaves it
        // allocated and unregistered, and dropping `self` frees it.
        to_result(unsafe { bindings::rproc_add(self.rproc.as_ptr()) })?;
        let rproc = self.rproc;
        core::mem::forget(self);
        // INVARIANT: registered just above, `priv` points to `*data`.
        Ok(Registration { rproc, data })
    }
}

impl<T: Operations> Drop for Allocation<T> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant we own the only reference.
        unsafe { bindings::rproc_free(self.rproc.as_ptr()) };
    }
}

/// A registered remote processor.
///
/// Dropping it unregisters the remote (`rproc_del`, which shuts a running
/// remote down), then drops the driver data and the allocation's reference.
///
/// # Invariants
///
/// `rproc` is registered and its `priv` points to `*data`.
pub(crate) struct Registration<T: Operations> {
    rproc: NonNull<bindings::rproc>,
    data: Pin<KBox<T>>,
}

// SAFETY: The registration only holds the rproc (thread-safe, see `Rproc`)
// and the driver data, which `Operations` requires to be `Send + Sync`.
unsafe impl<T: Operations> Send for Registration<T> {}
// SAFETY: See `Send`.
unsafe impl<T: Operations> Sync for Registration<T> {}

impl<T: Operations> Registration<T> {
    /// The remote processor.
    pub(crate) fn rproc(&self) -> &Rproc {
        // SAFETY: By the type invariant the rproc is valid while `self` lives.
        unsafe { Rproc::from_raw(self.rproc.as_ptr()) }
    }

    /// The driver data.
    #[allow(dead_code)]
    pub(crate) fn data(&self) -> &T {
        &self.data
    }
}

impl<T: Operations> Drop for Registration<T> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the rproc is registered. After
        // `rproc_del` the core calls no hook any more, so the data may go.
        unsafe { bindings::rproc_del(self.rproc.as_ptr()) };
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
