// SPDX-License-Identifier: GPL-2.0

//! The simulated M7's own log (its "console", debugfs `m7_log`) and the checker's record of what
//! Linux did wrong in shared memory (debugfs `m7_violations`).

use crate::{kext, m7mem::M7Mem};
use core::fmt::{self, Write};
use kernel::{prelude::*, sync::Mutex};

/// Most bytes the log keeps; the oldest lines are dropped first.
const LOG_MAX: usize = 64 * 1024;

/// The M7's log: timestamped lines, oldest dropped first.
pub(crate) struct Log {
    buf: KVec<u8>,
    dropped: u64,
}

/// Appends formatted text to a [`KVec`], ignoring allocation failures (a log line may be cut).
struct VecWriter<'a>(&'a mut KVec<u8>);

impl Write for VecWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let _ = self.0.extend_from_slice(s.as_bytes(), GFP_KERNEL);
        Ok(())
    }
}

impl Log {
    /// An empty log.
    pub(crate) fn new() -> Self {
        Self {
            buf: KVec::new(),
            dropped: 0,
        }
    }

    /// Appends one line, `[seconds.micros] text`, with the kernel log's time base.
    pub(crate) fn line(&mut self, args: fmt::Arguments<'_>) {
        let ns = kext::uptime_ns().max(0);
        let mut w = VecWriter(&mut self.buf);
        let _ = writeln!(
            w,
            "[{:5}.{:06}] {}",
            ns / 1_000_000_000,
            (ns % 1_000_000_000) / 1000,
            args
        );
        if self.buf.len() > LOG_MAX {
            // Drop whole lines from the front until at most 3/4 of the limit is left.
            let excess = self.buf.len() - LOG_MAX * 3 / 4;
            let cut = self.buf[excess..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(self.buf.len(), |p| excess + p + 1);
            let lines = self.buf[..cut].iter().filter(|&&c| c == b'\n').count();
            self.dropped += lines as u64;
            let len = self.buf.len();
            self.buf.copy_within(cut..len, 0);
            self.buf.truncate(len - cut);
        }
    }

    /// Writes the log.
    pub(crate) fn show(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.dropped > 0 {
            writeln!(f, "[{} older lines dropped]", self.dropped)?;
        }
        f.write_str(utf8_prefix(&self.buf))
    }

    /// Empties the log.
    pub(crate) fn clear(&mut self) {
        self.buf.clear();
        self.dropped = 0;
    }
}

/// Returns the valid UTF-8 prefix of `b` (the log only holds UTF-8 unless a line was cut).
fn utf8_prefix(b: &[u8]) -> &str {
    match core::str::from_utf8(b) {
        Ok(s) => s,
        Err(e) => core::str::from_utf8(&b[..e.valid_up_to()]).unwrap_or(""),
    }
}

/// What Linux did wrong in the memory it shares with the M7 (or in its protocol use).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Violation {
    /// Linux changed a resource-table field that belongs to the firmware.
    TableModified,
    /// The vdev `status` is not a sane virtio status once DRIVER_OK is set.
    Status,
    /// `gfeatures` holds features the firmware did not offer in `dfeatures`.
    Features,
    /// A vring's `da` was not assigned (still `FW_RSC_ADDR_ANY`) or is misaligned.
    VringDa,
    /// A vring is not inside its `vdevNvringM` region.
    VringPlacement,
    /// Both vrings got the same notify id.
    NotifyId,
    /// The available index moved by more than the ring size.
    AvailJump,
    /// The available ring's flags have bits other than `VRING_AVAIL_F_NO_INTERRUPT`.
    AvailFlags,
    /// An available ring entry names a descriptor beyond the ring.
    RingEntry,
    /// A descriptor's buffer is not inside the vdev buffer region.
    DescAddr,
    /// A descriptor's length is out of the rpmsg range.
    DescLen,
    /// A descriptor's flags are wrong for its ring (chained, indirect, wrong direction).
    DescFlags,
    /// A descriptor was made available again while the M7 still owned it.
    DescReuse,
    /// Linux wrote the used ring, which belongs to the device.
    UsedWritten,
    /// An rpmsg header is inconsistent (length, flags, reserved word).
    RpmsgHeader,
    /// A malformed name-service message.
    NsMessage,
}

impl Violation {
    /// Number of kinds.
    pub(crate) const COUNT: usize = 16;

    /// All kinds, in index order.
    const ALL: [Violation; Self::COUNT] = [
        Violation::TableModified,
        Violation::Status,
        Violation::Features,
        Violation::VringDa,
        Violation::VringPlacement,
        Violation::NotifyId,
        Violation::AvailJump,
        Violation::AvailFlags,
        Violation::RingEntry,
        Violation::DescAddr,
        Violation::DescLen,
        Violation::DescFlags,
        Violation::DescReuse,
        Violation::UsedWritten,
        Violation::RpmsgHeader,
        Violation::NsMessage,
    ];

    /// Returns a short name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Violation::TableModified => "table-modified",
            Violation::Status => "status",
            Violation::Features => "features",
            Violation::VringDa => "vring-da",
            Violation::VringPlacement => "vring-placement",
            Violation::NotifyId => "notifyid",
            Violation::AvailJump => "avail-jump",
            Violation::AvailFlags => "avail-flags",
            Violation::RingEntry => "ring-entry",
            Violation::DescAddr => "desc-addr",
            Violation::DescLen => "desc-len",
            Violation::DescFlags => "desc-flags",
            Violation::DescReuse => "desc-reuse",
            Violation::UsedWritten => "used-written",
            Violation::RpmsgHeader => "rpmsg-header",
            Violation::NsMessage => "ns-message",
        }
    }
}

/// Counts of violations, per kind.
#[derive(Clone, Copy, Default)]
pub(crate) struct Checker {
    counts: [u64; Violation::COUNT],
    /// Bit `i`: kind `i` was reported with `pr_err` already.
    reported: u32,
}

impl Checker {
    /// Returns the total number of violations.
    pub(crate) fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Returns the number of violations of kind `kind`.
    pub(crate) fn count(&self, kind: Violation) -> u64 {
        self.counts[kind as usize]
    }

    /// Writes `kind count` for every kind that occurred.
    pub(crate) fn show(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (kind, n) in Violation::ALL.iter().zip(self.counts.iter()) {
            if *n > 0 {
                writeln!(f, "violation_{} {}", kind.name(), n)?;
            }
        }
        Ok(())
    }
}

/// What the M7's code needs to look at memory and report: the memory, the log and the checker.
pub(crate) struct Ctx<'a> {
    /// The M7's memory.
    pub(crate) mem: &'a M7Mem,
    /// The log; `None` for the self-test, which only counts.
    log: Option<&'a Mutex<Log>>,
    chk: &'a mut Checker,
}

impl<'a> Ctx<'a> {
    /// Bundles the memory, the log and the checker.
    pub(crate) fn new(mem: &'a M7Mem, log: &'a Mutex<Log>, chk: &'a mut Checker) -> Self {
        Self {
            mem,
            log: Some(log),
            chk,
        }
    }

    /// Like [`Ctx::new`], but nothing is logged: violations are only counted (self-test).
    pub(crate) fn quiet(mem: &'a M7Mem, chk: &'a mut Checker) -> Self {
        Self {
            mem,
            log: None,
            chk,
        }
    }

    /// Returns the counts so far.
    pub(crate) fn checker(&self) -> &Checker {
        self.chk
    }

    /// Appends a line to the log, if there is one.
    fn line(&self, args: fmt::Arguments<'_>) {
        if let Some(log) = self.log {
            log.lock().line(args);
        }
    }

    /// Records a violation: counted, logged in the M7's log, and reported with `pr_err` the first
    /// time its kind occurs.
    pub(crate) fn violation(&mut self, kind: Violation, args: fmt::Arguments<'_>) {
        let i = kind as usize;
        self.chk.counts[i] += 1;
        if self.log.is_none() {
            return;
        }
        self.line(format_args!("VIOLATION {}: {}", kind.name(), args));
        if self.chk.reported & (1 << i) == 0 {
            self.chk.reported |= 1 << i;
            pr_err!(
                "m7: Linux violated the shared-memory protocol ({}): {}\n",
                kind.name(),
                args
            );
        }
    }

    /// Logs a line in the M7's log only (its console).
    pub(crate) fn note(&mut self, args: fmt::Arguments<'_>) {
        self.line(args);
    }

    /// Logs a line in the M7's log and in the kernel log.
    pub(crate) fn info(&mut self, args: fmt::Arguments<'_>) {
        if self.log.is_some() {
            self.line(args);
            pr_info!("m7: {}\n", args);
        }
    }

    /// Logs a line in the M7's log and, as a warning, in the kernel log.
    pub(crate) fn warn(&mut self, args: fmt::Arguments<'_>) {
        if self.log.is_some() {
            self.line(args);
            pr_warn!("m7: {}\n", args);
        }
    }
}
