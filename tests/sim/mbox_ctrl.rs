// SPDX-License-Identifier: GPL-2.0

//! Mailbox controller (provider side) abstraction.
//!
//! C header: [`include/linux/mailbox_controller.h`](srctree/include/linux/mailbox_controller.h)
//!
//! A [`Controller`] owns a `struct mbox_controller` and its channels, and dispatches the mailbox
//! core's callbacks to an implementation of [`Ops`]. It is meant for hardware that is modelled in
//! software: the "interrupt" of the modelled hardware is a work item ([`Controller::schedule`]
//! queues [`Ops::work`] on a system workqueue), from which the implementation hands received
//! messages to the clients ([`Controller::received`]) and signals completed transmissions
//! ([`Controller::txdone`]).
//!
//! The controller uses `txdone_irq`: a channel's transmission completes when the implementation
//! calls [`Controller::txdone`], unless `of_xlate` marked the channel as acknowledged by its
//! client ([`Xlate::client_acks`], like the i.MX MU's TXDB_V2 channels).

use crate::bindings;
use kernel::{
    device,
    error::to_result,
    ffi::{c_int, c_void},
    impl_has_work, new_mutex, new_work,
    prelude::*,
    sync::{
        aref::ARef,
        atomic::{Atomic, Relaxed},
        Arc, ArcBorrow, Mutex,
    },
    types::Opaque,
    workqueue::{self, Work, WorkItem},
};

/// The highest number of channels a [`Controller`] supports.
pub(crate) const MAX_CHANS: usize = 64;

/// `MBOX_TXDONE_BY_ACK` of `include/linux/mailbox_controller.h` (`BIT(2)`; a function-like macro
/// that bindgen does not expand).
const MBOX_TXDONE_BY_ACK: u32 = 1 << 2;

/// How the `void *` message of a channel is to be read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Payload {
    /// A pointer to a `u32` (i.MX MU data channels: `imx_mu_generic_tx()` and
    /// `imx_mu_generic_rx()` pass `u32 *`).
    Word,
    /// No data: the message pointer is ignored on send and `NULL` on receive (doorbells).
    Signal,
}

/// A message on a channel, as sent by a client or handed to one.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Message {
    /// A 32-bit word (for [`Payload::Word`] channels).
    Word(u32),
    /// A doorbell without data (for [`Payload::Signal`] channels).
    Signal,
}

/// The channel that `of_xlate` selected for a mailbox specifier.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Xlate {
    /// Index of the channel.
    pub(crate) index: usize,
    /// Whether the client, not the controller, acknowledges transmissions on this channel
    /// (`MBOX_TXDONE_BY_ACK`, the client calls `mbox_client_txdone()`).
    pub(crate) client_acks: bool,
}

/// Operations of a mailbox controller.
pub(crate) trait Ops: Send + Sync + Sized + 'static {
    /// Returns how messages on channel `index` are represented.
    fn payload(&self, index: usize) -> Payload;

    /// Maps the arguments of a mailbox specifier (`mboxes = <&ctrl args...>`) to a channel.
    ///
    /// Called by the mailbox core with its client list mutex held; may sleep.
    fn xlate(&self, args: &[u32]) -> Result<Xlate>;

    /// Transmits `msg` on channel `index`.
    ///
    /// Called in atomic context with the channel's spinlock held: it must neither sleep nor
    /// call back into the mailbox core. Use [`Controller::schedule`] to do the work later.
    fn send_data(ctrl: ArcBorrow<'_, Controller<Self>>, index: usize, msg: Message) -> Result;

    /// A client bound channel `index`. May sleep.
    fn startup(&self, _index: usize) -> Result {
        Ok(())
    }

    /// The client of channel `index` released it. May sleep.
    fn shutdown(&self, _index: usize) {}

    /// The deferred work of the controller, queued by [`Controller::schedule`].
    ///
    /// Runs in process context.
    fn work(ctrl: &Controller<Self>);
}

/// A registered mailbox controller with data `T`.
///
/// Only ever allocated in an [`Arc`] by [`Registration::new`], which returns the [`Registration`]
/// that unregisters it.
///
/// # Invariants
///
/// - `raw` is a `struct mbox_controller` whose `chans` points to `chans`, whose first `num_chans`
///   entries are its channels, and whose `ops` are [`Controller::OPS`].
/// - While `registered` is true, `raw` is registered with the mailbox core, and an [`Arc`] to
///   `self` is held by the [`Registration`].
/// - Bit `i` of `active` is set if and only if channel `i` has a client (between its `startup`
///   and `shutdown` callbacks).
#[pin_data(PinnedDrop)]
pub(crate) struct Controller<T: Ops> {
    #[pin]
    raw: Opaque<bindings::mbox_controller>,
    #[pin]
    chans: Opaque<[bindings::mbox_chan; MAX_CHANS]>,
    num_chans: usize,
    #[pin]
    active: Mutex<u64>,
    registered: Atomic<bool>,
    #[pin]
    work: Work<Controller<T>>,
    dev: ARef<device::Device>,
    #[pin]
    data: T,
}

// SAFETY: The C structures are only accessed by the mailbox core under its own locking, and by
// `Controller` before registration, in the channel callbacks, and under `active`. `T` and the
// other fields are `Send`.
unsafe impl<T: Ops> Send for Controller<T> {}

// SAFETY: See `Send`; every method that takes `&self` is safe to call from any thread.
unsafe impl<T: Ops> Sync for Controller<T> {}

impl_has_work! {
    impl{T: Ops} HasWork<Controller<T>> for Controller<T> { self.work }
}

impl<T: Ops> WorkItem for Controller<T> {
    type Pointer = Arc<Controller<T>>;

    fn run(this: Arc<Controller<T>>) {
        T::work(&this);
    }
}

/// Owner of a registered [`Controller`]: dropping it unregisters the controller (freeing all of
/// its channels) and waits for its work item to finish.
///
/// Callers must make sure that nothing schedules the controller's work after this is dropped.
pub(crate) struct Registration<T: Ops>(Arc<Controller<T>>);

impl<T: Ops> Registration<T> {
    /// Creates a controller with `num_chans` channels for `dev` and registers it.
    pub(crate) fn new(
        dev: &device::Device,
        num_chans: usize,
        data: impl PinInit<T, Error>,
    ) -> Result<Self> {
        if num_chans == 0 || num_chans > MAX_CHANS {
            return Err(EINVAL);
        }

        let ctrl = Arc::pin_init(
            try_pin_init!(Controller {
                raw: Opaque::zeroed(),
                chans: Opaque::zeroed(),
                num_chans,
                active <- new_mutex!(0),
                registered: Atomic::new(false),
                work <- new_work!("mbox_ctrl::Controller::work"),
                dev: dev.into(),
                data <- data,
            }? Error),
            GFP_KERNEL,
        )?;

        let raw = ctrl.raw.get();
        let dev_ptr = core::ptr::from_ref::<device::Device>(&ctrl.dev)
            .cast::<bindings::device>()
            .cast_mut();
        // SAFETY: `raw` points to the zeroed `struct mbox_controller` of the controller, which no
        // one else accesses before it is registered below. `device::Device` is a transparent
        // wrapper of `struct device`, kept alive by `ctrl.dev` for as long as the controller.
        // `num_chans <= MAX_CHANS`, the size of `chans`, so the cast cannot truncate.
        unsafe {
            (*raw).dev = dev_ptr;
            (*raw).ops = &Controller::<T>::OPS;
            (*raw).chans = ctrl.chans.get().cast::<bindings::mbox_chan>();
            (*raw).num_chans = num_chans as c_int;
            (*raw).txdone_irq = true;
            (*raw).of_xlate = Some(Controller::<T>::of_xlate_callback);
        }

        // SAFETY: `raw` is fully set up (see above) and lives in an `Arc`, so its address is
        // stable; the `Registration` returned below keeps the `Arc` alive until it unregisters.
        to_result(unsafe { bindings::mbox_controller_register(raw) })?;
        // INVARIANT: Registered; the `Registration` holds an `Arc`.
        ctrl.registered.store(true, Relaxed);

        Ok(Self(ctrl))
    }

    /// Returns the controller.
    pub(crate) fn controller(&self) -> &Arc<Controller<T>> {
        &self.0
    }
}

impl<T: Ops> Drop for Registration<T> {
    fn drop(&mut self) {
        self.0.unregister();
        self.0.flush_work();
    }
}

impl<T: Ops> Controller<T> {
    /// The callbacks of every controller of type `T`.
    const OPS: bindings::mbox_chan_ops = bindings::mbox_chan_ops {
        send_data: Some(Self::send_data_callback),
        flush: None,
        startup: Some(Self::startup_callback),
        shutdown: Some(Self::shutdown_callback),
        last_tx_done: None,
        peek_data: None,
    };

    /// Returns the controller's data.
    pub(crate) fn data(&self) -> &T {
        &self.data
    }

    /// Returns the device of the controller.
    pub(crate) fn dev(&self) -> &device::Device {
        &self.dev
    }

    /// Queues [`Ops::work`] on the high-priority system workqueue (unless it is already
    /// queued): the work plays an interrupt handler. (`workqueue::system()`, `system_wq`, is
    /// deprecated in favour of `system_percpu_wq` and warns when used.)
    ///
    /// May be called from any context.
    pub(crate) fn schedule(this: ArcBorrow<'_, Self>) {
        let arc: Arc<Self> = this.into();
        // `Err` means that the work is already queued: it will see the new state too. The
        // returned `Arc` is dropped here, which never frees `self` since `this` borrows it.
        let _ = workqueue::system_highpri().enqueue(arc);
    }

    /// Hands `msg`, received from the remote end, to the client of channel `index`.
    ///
    /// Must be called in process context (the mailbox core calls the client's `rx_callback`
    /// synchronously), not from within [`Ops::send_data`]. Fails with `ENXIO` if the channel
    /// has no client, and with `EINVAL` if `index` is out of range.
    pub(crate) fn received(&self, index: usize, msg: Message) -> Result {
        let active = self.active.lock();
        let chan = self.bound_chan(*active, index)?;
        let mut word = match msg {
            Message::Word(w) => w,
            Message::Signal => 0,
        };
        let data: *mut c_void = match msg {
            Message::Word(_) => (&raw mut word).cast(),
            Message::Signal => core::ptr::null_mut(),
        };
        // SAFETY: By the type invariants, the controller is registered and `chan` has a client
        // (`chan->cl` is set), which cannot be released while `active` is locked because the
        // core calls our `shutdown` callback, which takes the lock, before clearing it. `data` is
        // NULL or points to a `u32` that outlives the call, as the client expects for the
        // channel's payload.
        unsafe { bindings::mbox_chan_received_data(chan, data) };
        drop(active);
        Ok(())
    }

    /// Reports the completion of the last transmission on channel `index` to the mailbox core
    /// (the controller's "TX done" interrupt).
    ///
    /// Only for channels whose transmissions the controller acknowledges (not
    /// [`Xlate::client_acks`]). Same context rules as [`Controller::received`].
    pub(crate) fn txdone(&self, index: usize, result: Result) -> Result {
        let active = self.active.lock();
        let chan = self.bound_chan(*active, index)?;
        let r = match result {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        };
        // SAFETY: As in `received`, `chan` is a channel of the registered controller with a
        // client that cannot go away while `active` is locked.
        unsafe { bindings::mbox_chan_txdone(chan, r) };
        drop(active);
        Ok(())
    }

    /// Returns channel `index` if bit `index` of `active` is set.
    fn bound_chan(&self, active: u64, index: usize) -> Result<*mut bindings::mbox_chan> {
        if index >= self.num_chans {
            return Err(EINVAL);
        }
        if active & (1u64 << index) == 0 {
            return Err(ENXIO);
        }
        Ok(self.chan_ptr(index))
    }

    /// Returns a pointer to channel `index`, which must be less than `num_chans`.
    fn chan_ptr(&self, index: usize) -> *mut bindings::mbox_chan {
        // The channels are an array in `chans`; `index < num_chans <= MAX_CHANS`.
        self.chans
            .get()
            .cast::<bindings::mbox_chan>()
            .wrapping_add(index)
    }

    /// Unregisters the controller, if it is registered. May sleep.
    fn unregister(&self) {
        if self.registered.xchg(false, Relaxed) {
            // SAFETY: By the type invariants, `raw` was registered and not unregistered since
            // (`registered` was true and is now false, so this runs once).
            unsafe { bindings::mbox_controller_unregister(self.raw.get()) };
        }
    }

    /// Waits until the last queued instance of the work item finished.
    fn flush_work(&self) {
        // SAFETY: `self.work` is a valid, initialised and pinned `Work`.
        let work = unsafe { Work::raw_get(&raw const self.work) };
        // SAFETY: `work` is an initialised `work_struct`; `flush_work` may sleep, which callers
        // (device unbind, module exit) allow.
        unsafe { bindings::flush_work(work) };
    }

    /// Returns the controller of channel `chan` and the channel's index.
    ///
    /// # Safety
    ///
    /// `chan` must be a channel of a registered `Controller<T>`, and the returned borrow must
    /// not outlive the mailbox core callback that passed `chan`.
    unsafe fn from_chan<'a>(chan: *mut bindings::mbox_chan) -> (ArcBorrow<'a, Self>, usize) {
        // SAFETY: The caller guarantees that `chan` is a channel of a registered controller, so
        // `chan->mbox` was set by `mbox_controller_register()` to its `raw` field.
        let mbox = unsafe { (*chan).mbox };
        // SAFETY: Same as for `from_raw`.
        let this = unsafe { Self::from_raw(mbox) };
        let base = this.chans.get().cast::<bindings::mbox_chan>();
        let index = (chan.addr() - base.addr()) / core::mem::size_of::<bindings::mbox_chan>();
        (this, index)
    }

    /// Returns the controller whose `raw` field `mbox` points to.
    ///
    /// # Safety
    ///
    /// `mbox` must be the `raw` field of a registered `Controller<T>`, and the returned borrow
    /// must not outlive the mailbox core callback that passed `mbox`.
    unsafe fn from_raw<'a>(mbox: *mut bindings::mbox_controller) -> ArcBorrow<'a, Self> {
        let field = Opaque::cast_from(mbox).cast_mut();
        // SAFETY: The caller guarantees that `mbox` is the `raw` field of a `Controller<T>`.
        let this = unsafe { kernel::container_of!(field, Self, raw) };
        // SAFETY: `Controller`s are only allocated in an `Arc` (see `Registration::new`), and while one is
        // registered, its `Registration` holds an `Arc` to it (type invariant), so the refcount
        // does not drop to zero during the callback. No `UniqueArc` to it ever exists.
        unsafe { ArcBorrow::from_raw(this) }
    }

    /// `send_data` of `struct mbox_chan_ops`.
    ///
    /// # Safety
    ///
    /// Called by the mailbox core with a channel of a registered controller and the client's
    /// message.
    unsafe extern "C" fn send_data_callback(
        chan: *mut bindings::mbox_chan,
        data: *mut c_void,
    ) -> c_int {
        // SAFETY: The mailbox core calls `send_data` with a channel of this controller, which is
        // registered; the borrow ends with this callback.
        let (this, index) = unsafe { Self::from_chan(chan) };
        let msg = match this.data.payload(index) {
            Payload::Signal => Message::Signal,
            Payload::Word => {
                if data.is_null() {
                    return EINVAL.to_errno();
                }
                // SAFETY: The implementation declared the channel to carry words: its clients
                // pass a pointer to a `u32` that is valid during `send_data` (the i.MX MU client
                // contract, see `imx_mu_generic_tx()`). No alignment is assumed.
                Message::Word(unsafe { data.cast::<u32>().read_unaligned() })
            }
        };
        match T::send_data(this, index, msg) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }

    /// `startup` of `struct mbox_chan_ops`.
    ///
    /// # Safety
    ///
    /// Called by the mailbox core with a channel of a registered controller.
    unsafe extern "C" fn startup_callback(chan: *mut bindings::mbox_chan) -> c_int {
        // SAFETY: See `send_data_callback`.
        let (this, index) = unsafe { Self::from_chan(chan) };
        let mut active = this.active.lock();
        match this.data.startup(index) {
            Ok(()) => {
                // INVARIANT: The core has set `chan->cl` before calling `startup`.
                *active |= 1u64 << index;
                0
            }
            Err(e) => e.to_errno(),
        }
    }

    /// `shutdown` of `struct mbox_chan_ops`.
    ///
    /// # Safety
    ///
    /// Called by the mailbox core with a channel of a registered controller.
    unsafe extern "C" fn shutdown_callback(chan: *mut bindings::mbox_chan) {
        // SAFETY: See `send_data_callback`.
        let (this, index) = unsafe { Self::from_chan(chan) };
        let mut active = this.active.lock();
        // INVARIANT: The core clears `chan->cl` after `shutdown` returns.
        *active &= !(1u64 << index);
        this.data.shutdown(index);
    }

    /// `of_xlate` of `struct mbox_controller`.
    ///
    /// # Safety
    ///
    /// Called by the mailbox core with a registered controller and a valid specifier.
    unsafe extern "C" fn of_xlate_callback(
        mbox: *mut bindings::mbox_controller,
        sp: *const bindings::of_phandle_args,
    ) -> *mut bindings::mbox_chan {
        // SAFETY: The mailbox core passes one of its registered controllers, which is this one
        // since it uses our `of_xlate`; the borrow ends with this callback.
        let this = unsafe { Self::from_raw(mbox) };
        // SAFETY: The mailbox core passes a valid `struct of_phandle_args`.
        let sp = unsafe { &*sp };
        let count = usize::try_from(sp.args_count)
            .unwrap_or(0)
            .min(sp.args.len());
        match this.data.xlate(&sp.args[..count]) {
            Ok(x) if x.index < this.num_chans => {
                let chan = this.chan_ptr(x.index);
                if x.client_acks {
                    // SAFETY: `chan` is a channel of the registered controller. The core calls
                    // `of_xlate` with its client mutex held, before it binds a client, as the
                    // i.MX MU driver relies on when it does the same in `imx_mu_xlate()`.
                    unsafe { (*chan).txdone_method = MBOX_TXDONE_BY_ACK };
                }
                chan
            }
            Ok(_) => EINVAL.to_ptr(),
            Err(e) => e.to_ptr(),
        }
    }
}

#[pinned_drop]
impl<T: Ops> PinnedDrop for Controller<T> {
    fn drop(self: Pin<&mut Self>) {
        // Normally done by `Registration`; a no-op then.
        self.unregister();
    }
}
