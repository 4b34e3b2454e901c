// SPDX-License-Identifier: GPL-2.0

//! Mailbox client.
//!
//! C header: [`include/linux/mailbox_client.h`](srctree/include/linux/mailbox_client.h)
//!
//! A [`Channel`] is requested by name from the device tree (`mboxes` +
//! `mbox-names`) and freed when dropped. Received messages are passed to a
//! [`RxHandler`], which may be called in atomic context.

use super::bindings;
use core::{
    ptr::NonNull,
    sync::atomic::AtomicU32, //
};
use kernel::{
    device::{
        Bound,
        Device, //
    },
    error::from_err_ptr,
    ffi::c_void,
    prelude::*,
    sync::Arc,
    types::Opaque, //
};

/// Receives the messages of a channel.
pub(crate) trait RxHandler: Send + Sync + 'static {
    /// A message arrived. Called by the mailbox controller, possibly in
    /// atomic (interrupt) context: must not sleep.
    fn received(this: &Arc<Self>);
}

/// How a channel is used (the fields of `struct mbox_client`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Config {
    /// Whether [`Channel::post_u32`] waits until the controller has sent the message.
    pub(crate) tx_block: bool,
    /// How long a blocking send waits, in milliseconds.
    pub(crate) tx_tout_ms: u32,
    /// Whether the client tells the framework itself when a message was sent.
    pub(crate) knows_txdone: bool,
}

/// The `struct mbox_client` of a channel with the handler it dispatches to.
#[pin_data]
struct Client<H: RxHandler> {
    #[pin]
    cl: Opaque<bindings::mbox_client>,
    handler: Option<Arc<H>>,
}

/// A requested mailbox channel.
///
/// # Invariants
///
/// `chan` was returned by `mbox_request_channel_byname` for `client.cl`, is
/// owned by this object and freed in `drop`; `client` is pinned and outlives
/// the channel.
pub(crate) struct Channel<H: RxHandler> {
    client: Pin<KBox<Client<H>>>,
    chan: NonNull<bindings::mbox_chan>,
}

// SAFETY: A channel may be used and freed from any thread; the handler is
// `Send + Sync`.
unsafe impl<H: RxHandler> Send for Channel<H> {}
// SAFETY: `post_u32` may be called concurrently: the mailbox framework
// serialises submissions under the channel's lock.
unsafe impl<H: RxHandler> Sync for Channel<H> {}

impl<H: RxHandler> Channel<H> {
    /// Requests the channel called `name` in the `mbox-names` of `dev`.
    ///
    /// Returns `EPROBE_DEFER` while the controller has not probed yet.
    pub(crate) fn request(
        dev: &Device<Bound>,
        name: &CStr,
        config: Config,
        handler: Option<Arc<H>>,
    ) -> Result<Self> {
        let rx: Option<unsafe extern "C" fn(*mut bindings::mbox_client, *mut c_void)> =
            if handler.is_some() {
                Some(rx_callback::<H>)
            } else {
                None
            };
        let cl = bindings::mbox_client {
            dev: super::device_raw(dev),
            tx_block: config.tx_block,
            tx_tout: config.tx_tout_ms as usize,
            knows_txdone: config.knows_txdone,
            rx_callback: rx,
            tx_prepare: None,
            tx_done: None,
        };
        let client = KBox::pin_init(
            pin_init!(Client {
                cl: Opaque::new(cl),
                handler,
            }),
            GFP_KERNEL,
        )?;
        // SAFETY: `client.cl` is pinned and initialised, and outlives the
        // channel (see the type invariant); `name` is NUL-terminated.
        let chan = from_err_ptr(unsafe {
            bindings::mbox_request_channel_byname(client.cl.get(), name.as_char_ptr())
        })?;
        let chan = NonNull::new(chan).ok_or(ENODEV)?;
        // INVARIANT: `chan` was just requested for `client.cl`.
        Ok(Self { client, chan })
    }

    /// Queues the 32-bit word in `word` for sending and returns at once,
    /// without waiting for the controller to take it (a channel requested
    /// with `tx_block: false`; on a blocking channel the framework waits
    /// until the controller took it, at most `tx_tout_ms`).
    ///
    /// The framework keeps a pointer to the message until the controller
    /// sent it, possibly after this returns: hence a word that lives as long
    /// as the module (freeing the channel drops what is still queued).
    /// Returns `ENOBUFS` when the framework's queue is full.
    pub(crate) fn post_u32(&self, word: &'static AtomicU32) -> Result {
        // SAFETY: By the type invariant `chan` is a valid requested channel.
        // `word` is static, so it outlives every use the framework and the
        // controller make of the pointer, queued or not; it is an atomic,
        // so a controller writing through the pointer would be sound too.
        let ret = unsafe { bindings::mbox_send_message(self.chan.as_ptr(), word.as_ptr().cast()) };
        if ret < 0 {
            return Err(Error::from_errno(ret));
        }
        Ok(())
    }
}

impl<H: RxHandler> Drop for Channel<H> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant we own the channel. After this call
        // the controller no longer calls back into `self.client`.
        unsafe { bindings::mbox_free_channel(self.chan.as_ptr()) };
        let _ = &self.client;
    }
}

/// `rx_callback` of every [`Channel`] with a handler.
///
/// # Safety
///
/// `cl` must be the `cl` field of a live `Client<H>`.
unsafe extern "C" fn rx_callback<H: RxHandler>(cl: *mut bindings::mbox_client, _msg: *mut c_void) {
    // SAFETY: The framework passes the client this channel was requested
    // with, which is the `cl` field of a live, pinned `Client<H>` (type
    // invariant of `Channel`); `Opaque` is transparent over the C struct.
    let client = unsafe {
        &*kernel::container_of!(cl.cast::<Opaque<bindings::mbox_client>>(), Client<H>, cl)
    };
    if let Some(handler) = &client.handler {
        H::received(handler);
    }
}
