// SPDX-License-Identifier: GPL-2.0

//! Cancelling work items queued through `kernel::workqueue`.
//!
//! C header: [`include/linux/workqueue.h`](srctree/include/linux/workqueue.h)
//!
//! The kernel crate of 7.2 can queue an `Arc<T>` work item but not cancel
//! it. A module must, before its code goes away: a pending item on a system
//! workqueue would otherwise run after `rmmod`.

use super::bindings;
use kernel::{
    sync::Arc,
    workqueue::{
        HasDelayedWork,
        HasWork,
        Work,
        WorkItem, //
    }, //
};

/// The `work_struct` of the item `this` points to.
fn raw_work<T>(this: &Arc<T>) -> *mut bindings::work_struct
where
    T: HasWork<T>,
{
    let ptr = Arc::as_ptr(this).cast_mut();
    // SAFETY: `ptr` points to a live `T` (we hold an `Arc`); `raw_get_work`
    // only computes a field address.
    let work = unsafe { T::raw_get_work(ptr) };
    // SAFETY: `work` points to the initialised `Work` field of a live `T`.
    unsafe { Work::raw_get(work) }
}

/// Gives back the reference a pending item's queue held: `enqueue` turned an
/// `Arc` into a raw pointer that only the item's `run` turns back.
///
/// # Safety
///
/// The item must just have been taken off its queue before running (a
/// `cancel_*` that returned true).
unsafe fn release_queued<T>(this: &Arc<T>) {
    // SAFETY: Per the function's contract, the queue owned one reference
    // obtained with `Arc::into_raw` on this same allocation and it will never
    // run to give it back; this does.
    drop(unsafe { Arc::from_raw(Arc::as_ptr(this)) });
}

/// Cancels the work item `this` and waits until a running instance of it has
/// finished (`cancel_work_sync`).
pub(crate) fn cancel_work_sync<T>(this: &Arc<T>)
where
    T: HasWork<T> + WorkItem<Pointer = Arc<T>>,
{
    // SAFETY: `raw_work` is the initialised `work_struct` of a live item.
    if unsafe { bindings::cancel_work_sync(raw_work(this)) } {
        // SAFETY: It was pending and will not run.
        unsafe { release_queued(this) };
    }
}

/// Cancels the delayed work item `this` (timer included) and waits until a
/// running instance of it has finished (`cancel_delayed_work_sync`).
pub(crate) fn cancel_delayed_work_sync<T>(this: &Arc<T>)
where
    T: HasDelayedWork<T> + WorkItem<Pointer = Arc<T>>,
{
    // `struct delayed_work` starts with its `work_struct`, and `DelayedWork`
    // is transparent over it (that is what `HasDelayedWork` guarantees).
    let dwork = raw_work(this).cast::<bindings::delayed_work>();
    // SAFETY: `dwork` is the initialised `delayed_work` of a live item.
    if unsafe { bindings::cancel_delayed_work_sync(dwork) } {
        // SAFETY: It was pending and will not run.
        unsafe { release_queued(this) };
    }
}
