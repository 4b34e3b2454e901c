// SPDX-License-Identifier: GPL-2.0

//! Floors for `make bench` (`scripts/bench.sh`, `tests/guest/bench.sh`): what the simulated
//! hardware costs by itself, without any remoteproc driver, so that the drivers' numbers can be
//! read against it. Two debugfs files in `/sys/kernel/debug/imx95_sim/`:
//!
//! - `bench_memcpy`: writing `SIZE [REPS [HOW]]` (bytes, optional `K`/`M` suffix; 1 to 100
//!   repetitions, default 1) copies `SIZE` bytes from a vmalloc'ed buffer (where the firmware
//!   loader puts an image) into the start of `m7_reserved`, mapped write-combined as the drivers
//!   map it (`memremap(MEMREMAP_WC)` is `ioremap_wc()` on `no-map` memory), and times each copy
//!   alone with `ktime_get()`; reading gives the nanoseconds of each copy of the last write, one
//!   per line. HOW is `memcpy` (the default: what both drivers' loaders do for the i.MX95 DDR,
//!   whose address-translation entry is not `ATT_IOMEM`) or `toio` (`memcpy_toio()`, what they do
//!   for the TCMs). The floor of loading an image: the bytes have to get there at least this
//!   fast. `EBUSY` while the M7 runs (its memory is then its own).
//!
//! - `bench_mu_pingpong`: writing `N` (1 to 100000) does N round trips through the same kernel
//!   mechanisms the simulation uses between a kick and the M7's notification, and reading gives
//!   the nanoseconds of each, one per line. A round trip starts in the writer's task (standing for
//!   the driver's `kick`), queues a work item on `system_highpri_wq` (the MU's "interrupt",
//!   [`crate::mbox_ctrl::Controller::schedule`]), which sets a flag under a mutex and signals a
//!   condition variable ([`crate::m7::M7::on_kick`]); a long-running work item on `system_dfl_wq`
//!   waiting on it (the M7's thread) wakes, drops its lock and signals back a condition variable
//!   the writer sleeps on (standing for the notification reaching Linux). It leaves out what a real round
//!   trip adds on top: the system calls, rpmsg and virtio, the vrings, the mailbox core, the
//!   driver's own deferral of the notification, and the M7's work on the rings. The M7 only
//!   answers on the MU channel that the remoteproc driver owns, so a raw mailbox ping-pong with
//!   the real M7 is not possible next to a driver; this is the hops-only floor.
//!
//! - `bench_readfw`: writing `PATH [REPS]` (an absolute path; 1 to 100 repetitions, default 1)
//!   reads the file whole REPS times with `kernel_read_file_from_path()` into a fresh vmalloc'ed
//!   buffer, as `request_firmware()` does for each file it finds, and reading gives the
//!   nanoseconds of each read (allocation and copy; not the freeing), one per line. What a
//!   driver's load waits for before it sees the image, without the firmware loader's own
//!   book-keeping and path search.

use crate::{
    kext::{self, FileData},
    m7::M7,
    m7mem::Kind,
};
use kernel::{
    bindings,
    debugfs::{Dir, File},
    fmt, impl_has_work, new_condvar, new_mutex, new_work,
    prelude::*,
    str::CStr,
    sync::{Arc, CondVar, CondVarTimeoutResult, Mutex},
    time::msecs_to_jiffies,
    uaccess::UserSliceReader,
    workqueue::{self, Work, WorkItem},
};

/// Most repetitions of one `bench_memcpy` write.
const MAX_REPS: usize = 100;
/// Largest file `bench_readfw` reads.
const MAX_FILE: usize = 64 << 20;
/// Longest path `bench_readfw` takes, with its NUL.
const MAX_PATH: usize = 256;
/// Most round trips of one `bench_mu_pingpong` write.
const MAX_TRIPS: usize = 100_000;
/// How long a round trip may take before the run gives up, in milliseconds.
const TRIP_TIMEOUT_MS: u32 = 1000;
/// Longest sleep of the stand-in M7 thread with nothing to do, in milliseconds.
const IDLE_MS: u32 = 1000;

/// Samples of the last run, in nanoseconds.
type Samples = KVec<i64>;

/// The data of `bench_readfw`: the samples of its last run.
pub(crate) type ReadFw = Arc<Mutex<Samples>>;

/// Writes the samples, one per line.
fn show(samples: &Samples, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    for ns in samples.iter() {
        writeln!(f, "{ns}")?;
    }
    Ok(())
}

/// Reads a short write as trimmed UTF-8 into `buf`.
fn read_str<'a>(r: &mut UserSliceReader, buf: &'a mut [u8]) -> Result<&'a str> {
    let n = r.len();
    let buf = buf.get_mut(..n).ok_or(EINVAL)?;
    r.read_slice(buf)?;
    Ok(core::str::from_utf8(buf).map_err(|_| EINVAL)?.trim())
}

/// Parses a decimal number with an optional `K` or `M` suffix (KiB, MiB).
fn parse_size(s: &str) -> Result<usize> {
    let (digits, mul) = match s.as_bytes().last() {
        Some(b'K' | b'k') => (&s[..s.len() - 1], 1024),
        Some(b'M' | b'm') => (&s[..s.len() - 1], 1024 * 1024),
        _ => (s, 1),
    };
    let v = digits.parse::<usize>().map_err(|_| EINVAL)?;
    v.checked_mul(mul).ok_or(EINVAL)
}

/// The data of `bench_memcpy`.
#[pin_data]
pub(crate) struct Memcpy {
    m7: Arc<M7>,
    #[pin]
    last: Mutex<Samples>,
}

impl Memcpy {
    /// Copies `size` bytes `reps` times into `m7_reserved` (with `memcpy_toio()` if `toio`),
    /// keeping the time of each copy.
    fn run(&self, size: usize, reps: usize, toio: bool) -> Result {
        if size == 0 || reps == 0 || reps > MAX_REPS {
            return Err(EINVAL);
        }
        let mem = self.m7.mem();
        let region = mem
            .regions()
            .iter()
            .find(|r| r.kind() == Kind::Ram && r.name() == "m7_reserved")
            .or_else(|| mem.find(Kind::Ram))
            .ok_or(ENODEV)?;
        if size > region.size() {
            return Err(EFBIG);
        }
        let mut samples = Samples::with_capacity(reps, GFP_KERNEL)?;
        let src = VVec::from_elem(0x5au8, size, GFP_KERNEL)?;
        // Checked only now: nothing above touches the M7's memory.
        if self.m7.snapshot().running {
            return Err(EBUSY);
        }
        // SAFETY: Mapping a physical range has no memory-safety preconditions; `m7_reserved` is a
        // `no-map` reserved-memory region, which `memremap()` maps with `ioremap_wc()`.
        let dst =
            unsafe { bindings::memremap(region.phys(), size, bindings::MEMREMAP_WC as usize) };
        if dst.is_null() {
            return Err(ENOMEM);
        }
        let mut res = Ok(());
        for _ in 0..reps {
            let t0 = kext::uptime_ns();
            if toio {
                // SAFETY: `dst` maps `size` bytes (above) and `src` holds `size` initialised
                // bytes.
                unsafe { bindings::memcpy_toio(dst, src.as_ptr().cast(), size) };
            } else {
                // SAFETY: As above; the mapping is normal (write-combined) memory, which the
                // loaders write with `memcpy()` too, and it cannot overlap `src`.
                unsafe { bindings::memcpy(dst, src.as_ptr().cast(), size) };
            }
            let t1 = kext::uptime_ns();
            // Within the capacity reserved above: does not allocate.
            res = samples.push(t1 - t0, GFP_KERNEL).map_err(Error::from);
            if res.is_err() {
                break;
            }
        }
        // SAFETY: `dst` was returned by `memremap()` above and is not used after this.
        unsafe { bindings::memunmap(dst) };
        *self.last.lock() = samples;
        res
    }
}

/// Handles a write to `bench_memcpy`: `SIZE [REPS [memcpy|toio]]`.
fn write_memcpy(b: &Arc<Memcpy>, r: &mut UserSliceReader) -> Result {
    let mut buf = [0u8; 64];
    let s = read_str(r, &mut buf)?;
    let mut words = s.split_whitespace();
    let size = parse_size(words.next().ok_or(EINVAL)?)?;
    let reps = match words.next() {
        Some(w) => parse_size(w)?,
        None => 1,
    };
    let toio = match words.next() {
        None | Some("memcpy") => false,
        Some("toio") => true,
        Some(_) => return Err(EINVAL),
    };
    if words.next().is_some() {
        return Err(EINVAL);
    }
    b.run(size, reps, toio)
}

/// Creates `bench_memcpy`.
pub(crate) fn memcpy_file<'a>(
    dir: &'a Dir,
    name: &'a CStr,
    m7: &Arc<M7>,
) -> impl PinInit<File<Arc<Memcpy>>, Error> + 'a {
    let data = Arc::pin_init(
        try_pin_init!(Memcpy {
            m7: m7.clone(),
            last <- new_mutex!(Samples::new()),
        }? Error),
        GFP_KERNEL,
    );
    dir.read_write_callback_file(
        name,
        data,
        &|b: &Arc<Memcpy>, f: &mut fmt::Formatter<'_>| show(&b.last.lock(), f),
        &write_memcpy,
    )
}

/// What the stand-in M7's lock protects.
struct PpState {
    /// The "kick" reached the stand-in M7 thread.
    kick: bool,
    /// The stand-in M7 thread must return.
    exit: bool,
}

/// The data of `bench_mu_pingpong`: the two work items and their state.
#[pin_data]
pub(crate) struct PingPong {
    #[pin]
    st: Mutex<PpState>,
    /// Wakes the stand-in M7 thread.
    #[pin]
    to_m7: CondVar,
    /// The stand-in M7 thread answered (Linux's side of the notification).
    #[pin]
    pong: Mutex<bool>,
    /// Wakes the writer.
    #[pin]
    to_linux: CondVar,
    /// One run at a time.
    #[pin]
    run: Mutex<()>,
    #[pin]
    last: Mutex<Samples>,
    /// The MU's "interrupt".
    #[pin]
    irq: Work<PingPong, 0>,
    /// The M7's "CPU".
    #[pin]
    cpu: Work<PingPong, 1>,
}

impl_has_work! {
    impl HasWork<Self, 0> for PingPong { self.irq }
    impl HasWork<Self, 1> for PingPong { self.cpu }
}

impl WorkItem<0> for PingPong {
    type Pointer = Arc<PingPong>;

    /// The MU hands the word to the M7, as `M7::on_kick`.
    fn run(this: Arc<PingPong>) {
        let mut st = this.st.lock();
        st.kick = true;
        this.to_m7.notify_all();
    }
}

impl WorkItem<1> for PingPong {
    type Pointer = Arc<PingPong>;

    /// The M7's thread: sleeps until kicked, then notifies Linux without its own lock held, as
    /// `M7::thread_main`.
    fn run(this: Arc<PingPong>) {
        let mut st = this.st.lock();
        loop {
            if st.exit {
                break;
            }
            if st.kick {
                st.kick = false;
                drop(st);
                *this.pong.lock() = true;
                this.to_linux.notify_all();
                st = this.st.lock();
                continue;
            }
            let _ = this
                .to_m7
                .wait_interruptible_timeout(&mut st, msecs_to_jiffies(IDLE_MS));
        }
    }
}

impl PingPong {
    /// Does `n` round trips, keeping the time of each.
    fn run(this: &Arc<Self>, n: usize) -> Result {
        if n == 0 || n > MAX_TRIPS {
            return Err(EINVAL);
        }
        let _one = this.run.lock();
        let mut samples = Samples::with_capacity(n, GFP_KERNEL)?;
        {
            let mut st = this.st.lock();
            st.kick = false;
            st.exit = false;
        }
        *this.pong.lock() = false;
        let _ = kext::system_dfl().enqueue::<_, 1>(this.clone());
        let mut res = Ok(());
        for _ in 0..n {
            let t0 = kext::uptime_ns();
            let _ = workqueue::system_highpri().enqueue::<_, 0>(this.clone());
            let mut pong = this.pong.lock();
            while !*pong {
                match this
                    .to_linux
                    .wait_interruptible_timeout(&mut pong, msecs_to_jiffies(TRIP_TIMEOUT_MS))
                {
                    CondVarTimeoutResult::Woken { .. } => {}
                    CondVarTimeoutResult::Timeout => {
                        res = Err(ETIMEDOUT);
                        break;
                    }
                    CondVarTimeoutResult::Signal { .. } => {
                        res = Err(EINTR);
                        break;
                    }
                }
            }
            *pong = false;
            drop(pong);
            let t1 = kext::uptime_ns();
            if res.is_ok() {
                // Within the capacity reserved above: does not allocate.
                res = samples.push(t1 - t0, GFP_KERNEL).map_err(Error::from);
            }
            if res.is_err() {
                break;
            }
        }
        {
            let mut st = this.st.lock();
            st.exit = true;
            this.to_m7.notify_all();
        }
        // Neither work item may run once this returns (the module may go away).
        kext::flush_work(&this.cpu);
        kext::flush_work(&this.irq);
        *this.last.lock() = samples;
        res
    }
}

/// Handles a write to `bench_mu_pingpong`: `N`.
fn write_pingpong(p: &Arc<PingPong>, r: &mut UserSliceReader) -> Result {
    let mut buf = [0u8; 32];
    let n = parse_size(read_str(r, &mut buf)?)?;
    PingPong::run(p, n)
}

/// Creates `bench_mu_pingpong`.
pub(crate) fn pingpong_file<'a>(
    dir: &'a Dir,
    name: &'a CStr,
) -> impl PinInit<File<Arc<PingPong>>, Error> + 'a {
    let data = Arc::pin_init(
        try_pin_init!(PingPong {
            st <- new_mutex!(PpState {
                kick: false,
                exit: true,
            }),
            to_m7 <- new_condvar!(),
            pong <- new_mutex!(false),
            to_linux <- new_condvar!(),
            run <- new_mutex!(()),
            last <- new_mutex!(Samples::new()),
            irq <- new_work!("bench::irq"),
            cpu <- new_work!("bench::cpu"),
        }? Error),
        GFP_KERNEL,
    );
    dir.read_write_callback_file(
        name,
        data,
        &|p: &Arc<PingPong>, f: &mut fmt::Formatter<'_>| show(&p.last.lock(), f),
        &write_pingpong,
    )
}

/// Handles a write to `bench_readfw`: `PATH [REPS]`.
fn write_readfw(last: &ReadFw, r: &mut UserSliceReader) -> Result {
    let mut buf = [0u8; MAX_PATH];
    let s = read_str(r, &mut buf)?;
    let mut words = s.split_whitespace();
    let path = words.next().ok_or(EINVAL)?;
    let reps = match words.next() {
        Some(w) => parse_size(w)?,
        None => 1,
    };
    if words.next().is_some() || reps == 0 || reps > MAX_REPS || path.len() >= MAX_PATH {
        return Err(EINVAL);
    }
    let mut cpath = [0u8; MAX_PATH];
    cpath[..path.len()].copy_from_slice(path.as_bytes());
    let cpath = CStr::from_bytes_with_nul(&cpath[..=path.len()]).map_err(|_| EINVAL)?;
    let mut samples = Samples::with_capacity(reps, GFP_KERNEL)?;
    for _ in 0..reps {
        let t0 = kext::uptime_ns();
        let file = FileData::read(cpath, MAX_FILE)?;
        let t1 = kext::uptime_ns();
        drop(file);
        // Within the capacity reserved above: does not allocate.
        samples.push(t1 - t0, GFP_KERNEL)?;
    }
    *last.lock() = samples;
    Ok(())
}

/// Creates `bench_readfw`.
pub(crate) fn readfw_file<'a>(
    dir: &'a Dir,
    name: &'a CStr,
) -> impl PinInit<File<ReadFw>, Error> + 'a {
    let data = Arc::pin_init(new_mutex!(Samples::new()), GFP_KERNEL);
    dir.read_write_callback_file(
        name,
        data,
        &|last: &ReadFw, f: &mut fmt::Formatter<'_>| show(&last.lock(), f),
        &write_readfw,
    )
}
