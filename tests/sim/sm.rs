// SPDX-License-Identifier: GPL-2.0

//! The simulated i.MX System Manager: the SCMI *platform* side.
//!
//! Serves the kernel's own SCMI agent (the `arm,scmi` mailbox transport, the SCMI core and the
//! i.MX vendor protocol drivers) through the SMT shared memory of
//! `drivers/firmware/arm_scmi/shmem.c`, with the behaviour the i.MX95 System Manager documents in
//! `drivers/firmware/arm_scmi/vendors/imx/imx95.rst`:
//!
//! - Base protocol 0x10 (v2.1, vendor "NXP", sub-vendor "IMX", protocols 0x80 and 0x82),
//! - Logical Machine Management protocol 0x80 (3 LMs: 0 "M33S", 1 "M7", 2 "AP"),
//! - CPU protocol 0x82 (9 CPUs; the Cortex-M7 is CPU 1 in LM 1).
//!
//! Every request's length is checked (a short request gets `PROTOCOL_ERROR`), every handled
//! message is logged, and any message can be made to fail (debugfs `fail`): with a chosen status,
//! by never answering (the agent times out) or by acting on it and losing the answer; from its
//! Nth occurrence on, once, a few times or for good.

use crate::{m7::M7, shmem::Shmem, vm7link};
use kernel::{
    fmt, new_mutex,
    prelude::*,
    sync::{Arc, Mutex, MutexGuard},
};

// SMT layout (`struct scmi_shared_mem`).
/// Channel status word.
const SMT_CHANNEL_STATUS: usize = 0x04;
/// Channel flags word.
const SMT_FLAGS: usize = 0x10;
/// Length of header and payload in bytes.
const SMT_LENGTH: usize = 0x14;
/// Message header.
const SMT_HEADER: usize = 0x18;
/// Payload.
const SMT_PAYLOAD: usize = 0x1c;
/// Channel status: the channel is free (owned by the agent).
const SMT_STATUS_FREE: u32 = 1 << 0;
/// Channel status: the platform found an error in the channel.
const SMT_STATUS_ERROR: u32 = 1 << 1;
/// Channel flags: the agent wants a completion interrupt.
const SMT_FLAG_INTR_ENABLED: u32 = 1 << 0;

/// Largest payload of a message (`SCMI_SHMEM_MAX_PAYLOAD_SIZE`).
const MAX_PAYLOAD: usize = 104;
/// Largest number of 32-bit words in a payload.
const MAX_WORDS: usize = MAX_PAYLOAD / 4;

// SCMI status codes.
/// Success.
pub(crate) const SUCCESS: i32 = 0;
/// The message is not supported.
pub(crate) const NOT_SUPPORTED: i32 = -1;
/// Invalid parameters.
pub(crate) const INVALID_PARAMETERS: i32 = -2;
/// The caller is not allowed to do this.
pub(crate) const DENIED: i32 = -3;
/// No such entity.
pub(crate) const NOT_FOUND: i32 = -4;
/// The request is malformed (too short).
pub(crate) const PROTOCOL_ERROR: i32 = -10;
/// Lowest SCMI status code.
pub(crate) const STATUS_MIN: i32 = PROTOCOL_ERROR;

// Protocols.
/// Base protocol.
const PROTO_BASE: u8 = 0x10;
/// i.MX Logical Machine Management protocol.
const PROTO_LMM: u8 = 0x80;
/// i.MX CPU protocol.
const PROTO_CPU: u8 = 0x82;
/// The protocols listed by BASE_DISCOVER_LIST_PROTOCOLS.
const PROTOCOLS: [u8; 2] = [PROTO_LMM, PROTO_CPU];

// Messages every protocol has.
/// PROTOCOL_VERSION.
const PROTOCOL_VERSION: u8 = 0x0;
/// PROTOCOL_ATTRIBUTES.
const PROTOCOL_ATTRIBUTES: u8 = 0x1;
/// PROTOCOL_MESSAGE_ATTRIBUTES.
const PROTOCOL_MESSAGE_ATTRIBUTES: u8 = 0x2;
/// NEGOTIATE_PROTOCOL_VERSION.
const NEGOTIATE_PROTOCOL_VERSION: u8 = 0x10;

// Base protocol messages.
/// BASE_DISCOVER_VENDOR.
const BASE_DISCOVER_VENDOR: u8 = 0x3;
/// BASE_DISCOVER_SUB_VENDOR.
const BASE_DISCOVER_SUB_VENDOR: u8 = 0x4;
/// BASE_DISCOVER_IMPLEMENT_VERSION.
const BASE_DISCOVER_IMPLEMENT_VERSION: u8 = 0x5;
/// BASE_DISCOVER_LIST_PROTOCOLS.
const BASE_DISCOVER_LIST_PROTOCOLS: u8 = 0x6;
/// BASE_DISCOVER_AGENT.
const BASE_DISCOVER_AGENT: u8 = 0x7;

// LMM protocol messages.
/// LMM_ATTRIBUTES.
const LMM_ATTRIBUTES: u8 = 0x3;
/// LMM_BOOT.
const LMM_BOOT: u8 = 0x4;
/// LMM_RESET.
const LMM_RESET: u8 = 0x5;
/// LMM_SHUTDOWN.
const LMM_SHUTDOWN: u8 = 0x6;
/// LMM_SHUTDOWN flags, bit 0: graceful (the LM is asked to shut itself down), else forceful.
const LMM_SHUTDOWN_GRACEFUL: u32 = 1 << 0;
/// LMM_RESET_REASON.
const LMM_RESET_REASON: u8 = 0xa;
/// LMM_POWER_ON.
const LMM_POWER_ON: u8 = 0xb;
/// LMM_RESET_VECTOR_SET.
const LMM_RESET_VECTOR_SET: u8 = 0xc;

// CPU protocol messages.
/// CPU_ATTRIBUTES.
const CPU_ATTRIBUTES: u8 = 0x3;
/// CPU_START.
const CPU_START: u8 = 0x4;
/// CPU_STOP.
const CPU_STOP: u8 = 0x5;
/// CPU_RESET_VECTOR_SET.
const CPU_RESET_VECTOR_SET: u8 = 0x6;
/// CPU_INFO_GET.
const CPU_INFO_GET: u8 = 0xc;

/// Base protocol version (v2.1, the kernel's `SCMI_PROTOCOL_SUPPORTED_VERSION`).
const BASE_VERSION: u32 = 0x20001;
/// Version of the i.MX vendor protocols.
const IMX_VERSION: u32 = 0x10000;
/// BASE_DISCOVER_IMPLEMENT_VERSION.
const IMPL_VERSION: u32 = 0x0001_0000;

/// SCMI agents: index 0 is the platform itself, 1..=NUM_AGENTS the agents.
const AGENTS: [&str; 5] = ["SM", "M33S", "M7", "AP-S", "AP-NS"];
/// Number of agents (excluding the platform).
const NUM_AGENTS: u32 = 4;
/// The agent id of Linux.
const LINUX_AGENT: u32 = 4;
/// "The calling agent" for BASE_DISCOVER_AGENT and LMM_ATTRIBUTES.
const SELF_ID: u32 = 0xffff_ffff;

/// Number of logical machines.
pub(crate) const NR_LMM: usize = 3;
/// Names of the logical machines.
const LM_NAMES: [&str; NR_LMM] = ["M33S", "M7", "AP"];
/// The logical machine of the Cortex-M7.
pub(crate) const M7_LM: u32 = 1;

/// How the SoC numbers the remote core in SCMI messages: its CPU id and its LM id. The
/// simulation is the i.MX95's (the M7 is CPU 1 in LM 1); for the i.MX94's cores
/// (drivers/remoteproc/imx_rproc.c, Linux 7.2: `imx_rproc_cfg_imx94_m70` CPU 1 in LM 2, `_m71`
/// CPU 7 in LM 3, `_m33s` CPU 8 in LM 1) the SoC's ids are swapped with the simulation's at the
/// SCMI boundary, in requests and in the LM id of a reply. Only the ids move: the simulated
/// System Manager is the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RemoteIds {
    /// The remote core's CPU id.
    pub(crate) cpu: u32,
    /// The remote core's logical machine id.
    pub(crate) lm: u32,
}

impl RemoteIds {
    /// The i.MX95's numbering: the simulation's own.
    pub(crate) const IMX95: Self = Self {
        cpu: M7_CPU as u32,
        lm: M7_LM,
    };

    /// `id` with `soc` and `sim` swapped (its own inverse).
    fn swap(id: u32, soc: u32, sim: u32) -> u32 {
        if id == soc {
            sim
        } else if id == sim {
            soc
        } else {
            id
        }
    }

    /// A CPU id from the SoC's numbering to the simulation's, or back.
    fn cpu(self, id: u32) -> u32 {
        Self::swap(id, self.cpu, M7_CPU as u32)
    }

    /// An LM id from the SoC's numbering to the simulation's, or back.
    fn lm(self, id: u32) -> u32 {
        Self::swap(id, self.lm, M7_LM)
    }

    /// The request with the ids it carries in the simulation's numbering.
    fn request(self, req: &Request) -> Request {
        let mut r = Request {
            proto: req.proto,
            msg: req.msg,
            args: req.args,
            nargs: req.nargs,
        };
        match (req.proto, req.msg) {
            // Every LMM message but the protocol's own starts with an LM id
            // (LMM_ATTRIBUTES' SELF_ID is no id); LMM_RESET_VECTOR_SET has the CPU next.
            (PROTO_LMM, msg) if msg >= LMM_ATTRIBUTES && msg != NEGOTIATE_PROTOCOL_VERSION => {
                if r.args[0] != SELF_ID {
                    r.args[0] = self.lm(r.args[0]);
                }
                if msg == LMM_RESET_VECTOR_SET {
                    r.args[1] = self.cpu(r.args[1]);
                }
            }
            (PROTO_CPU, msg) if msg >= CPU_ATTRIBUTES && msg != NEGOTIATE_PROTOCOL_VERSION => {
                r.args[0] = self.cpu(r.args[0])
            }
            _ => {}
        }
        r
    }
}

/// Number of CPUs.
pub(crate) const NR_CPU: usize = 9;
/// Names of the CPUs.
const CPU_NAMES: [&str; NR_CPU] = [
    "M33P", "M7P", "A55C0", "A55C1", "A55C2", "A55C3", "A55C4", "A55C5", "A55P",
];
/// The Cortex-M7.
pub(crate) const M7_CPU: usize = 1;

/// CPU run mode: running.
pub(crate) const RUNMODE_RUN: u32 = 0;
/// CPU run mode: powered, reset asserted.
pub(crate) const RUNMODE_HOLD: u32 = 1;
/// CPU run mode: stopped (its LM is off).
pub(crate) const RUNMODE_STOP: u32 = 2;

/// Most messages the log keeps; older ones are dropped.
const LOG_MAX: usize = 1024;
/// Most injected failures.
const FAIL_MAX: usize = 64;

/// State of a logical machine (`enum scmi_imx_lmm_state`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum LmState {
    /// Off.
    Off = 0,
    /// Running.
    On = 1,
    // 2 is "suspended", which the simulation has no use for.
    /// Powered, not booted.
    Powered = 3,
}

impl LmState {
    /// Returns a name for the state.
    fn name(self) -> &'static str {
        match self {
            LmState::Off => "off",
            LmState::On => "on",
            LmState::Powered => "powered",
        }
    }
}

/// State of a CPU.
#[derive(Clone, Copy, Debug)]
struct Cpu {
    runmode: u32,
    sleepmode: u32,
    vector: u64,
}

/// What an injected failure does to a request.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum FailAction {
    /// Answered with this SCMI status, not acted on.
    Status(i32),
    /// Not acted on and never answered: the platform frees the channel without a response and
    /// without the completion interrupt, so the agent times out (`-ETIMEDOUT`) and the channel
    /// stays usable.
    NoReply,
    /// Acted on, but the answer is lost as with [`FailAction::NoReply`]: the agent times out
    /// although the state changed.
    Lost,
}

/// A message made to fail.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fail {
    /// Protocol id.
    pub(crate) proto: u8,
    /// Message id.
    pub(crate) msg: u8,
    /// What happens to the failing requests.
    pub(crate) action: FailAction,
    /// Matching requests still let through before the first failure (0: the next one fails).
    pub(crate) skip: u32,
    /// Failures left (0: every matching request fails, for good).
    pub(crate) times: u32,
}

impl Fail {
    /// Counts a request this entry matches: returns the action if it fails, and whether the
    /// entry is used up.
    fn hit(&mut self) -> (Option<FailAction>, bool) {
        if self.skip > 0 {
            self.skip -= 1;
            return (None, false);
        }
        match self.times {
            0 => (Some(self.action), false),
            1 => (Some(self.action), true),
            _ => {
                self.times -= 1;
                (Some(self.action), false)
            }
        }
    }
}

/// A handled message.
#[derive(Clone, Copy)]
struct LogEntry {
    proto: u8,
    msg: u8,
    args: [u32; MAX_WORDS],
    nargs: usize,
    status: i32,
    /// How the answer went: `None` answered, else the injected failure that kept it back.
    unanswered: Option<FailAction>,
}

impl LogEntry {
    /// Writes the entry as one line (`proto=0x82 msg=0x6 args=0x1,0x40000000 status=0`; a
    /// request left unanswered ends in `status=noreply`, one acted on whose answer was lost in
    /// `status=0 lost`).
    fn write(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "proto={:#x} msg={:#x} args=", self.proto, self.msg)?;
        for (i, arg) in self.args[..self.nargs].iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{arg:#x}")?;
        }
        match self.unanswered {
            Some(FailAction::NoReply) => writeln!(f, " status=noreply"),
            Some(_) => writeln!(f, " status={} lost", self.status),
            None => writeln!(f, " status={}", self.status),
        }
    }
}

/// A decoded request.
struct Request {
    proto: u8,
    msg: u8,
    args: [u32; MAX_WORDS],
    nargs: usize,
}

impl Request {
    /// Checks that the request carries at least `n` words.
    fn need(&self, n: usize) -> core::result::Result<(), i32> {
        if self.nargs < n {
            Err(PROTOCOL_ERROR)
        } else {
            Ok(())
        }
    }

    /// Returns word `i` (0 if absent; call [`Request::need`] first).
    fn arg(&self, i: usize) -> u32 {
        self.args.get(i).copied().unwrap_or(0)
    }
}

/// The return values of a response (after the status).
struct Reply {
    words: [u32; MAX_WORDS - 1],
    len: usize,
}

impl Reply {
    /// Creates an empty reply.
    fn new() -> Self {
        Self {
            words: [0; MAX_WORDS - 1],
            len: 0,
        }
    }

    /// Appends a word (silently dropped if the reply is full, which no handler reaches).
    fn push(&mut self, w: u32) {
        if let Some(slot) = self.words.get_mut(self.len) {
            *slot = w;
            self.len += 1;
        }
    }

    /// Appends `s` as a NUL-terminated `char[16]`.
    fn push_name(&mut self, s: &str) {
        let mut buf = [0u8; 16];
        for (d, c) in buf.iter_mut().zip(s.bytes().take(15)) {
            *d = c;
        }
        for chunk in buf.chunks_exact(4) {
            self.push(u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]));
        }
    }

    /// Appends bytes, zero-padded to a multiple of four.
    fn push_bytes(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(4) {
            let mut w = [0u8; 4];
            w[..chunk.len()].copy_from_slice(chunk);
            self.push(u32::from_le_bytes(w));
        }
    }

    /// Returns the words.
    fn words(&self) -> &[u32] {
        &self.words[..self.len]
    }
}

/// Something to tell the M7 after the System Manager's state lock is released.
#[derive(Clone, Copy, Debug)]
enum M7Event {
    /// The M7 was started at the vector.
    Start(u64),
    /// The M7 was stopped.
    Stop,
}

/// Result of a handler: `Ok` for SUCCESS, else an SCMI status.
type Status = core::result::Result<(), i32>;

/// The state of the System Manager.
pub(crate) struct SmState {
    /// Logical machine of the Linux agent.
    linux_lm: u32,
    /// Whether Linux may manage LM 1.
    lmm_control: bool,
    /// Whether LM 1 ignores graceful shutdown requests (stays on until forced).
    ignore_graceful: bool,
    /// The SoC's numbering of the remote core.
    ids: RemoteIds,
    lms: [LmState; NR_LMM],
    cpus: [Cpu; NR_CPU],
    fails: KVec<Fail>,
    log: KVec<LogEntry>,
    log_dropped: u64,
    /// What to tell the M7, set by handlers.
    event: Option<M7Event>,
}

impl SmState {
    /// The state after power-on: Linux in LM 2 with control over LM 1, the M7 off.
    fn new() -> Self {
        let a55 = Cpu {
            runmode: RUNMODE_RUN,
            sleepmode: 0,
            vector: 0,
        };
        let mut cpus = [a55; NR_CPU];
        cpus[M7_CPU] = Cpu {
            runmode: RUNMODE_STOP,
            sleepmode: 0,
            vector: 0,
        };
        Self {
            linux_lm: 2,
            lmm_control: true,
            ignore_graceful: false,
            ids: RemoteIds::IMX95,
            lms: [LmState::On, LmState::Off, LmState::On],
            cpus,
            fails: KVec::new(),
            log: KVec::new(),
            log_dropped: 0,
            event: None,
        }
    }

    /// Returns the logical machine of CPU `cpu`: the M33P in LM 0, the M7 in LM 1, the A55 cores
    /// wherever Linux is.
    fn cpu_lm(&self, cpu: usize) -> u32 {
        match cpu {
            0 => 0,
            M7_CPU => M7_LM,
            _ => self.linux_lm,
        }
    }

    /// Returns whether the M7 is running.
    fn m7_running(&self) -> bool {
        self.cpus[M7_CPU].runmode == RUNMODE_RUN
    }

    /// Index of `lmid` if it is a logical machine.
    fn lm_index(lmid: u32) -> core::result::Result<usize, i32> {
        usize::try_from(lmid)
            .ok()
            .filter(|&i| i < NR_LMM)
            .ok_or(NOT_FOUND)
    }

    /// Index of `cpuid` if it is a CPU.
    fn cpu_index(cpuid: u32) -> core::result::Result<usize, i32> {
        usize::try_from(cpuid)
            .ok()
            .filter(|&i| i < NR_CPU)
            .ok_or(NOT_FOUND)
    }

    /// Checks that Linux may boot, reset, power on or shut down `lmid` (imx95.rst: NOT_FOUND,
    /// INVALID_PARAMETERS for the caller's own LM, DENIED without permission).
    fn check_manage(&self, lmid: u32) -> core::result::Result<usize, i32> {
        let lm = Self::lm_index(lmid)?;
        if lmid == self.linux_lm {
            return Err(INVALID_PARAMETERS);
        }
        if lmid != M7_LM || !self.lmm_control {
            return Err(DENIED);
        }
        Ok(lm)
    }

    /// Checks that Linux may control CPU `cpuid` (it must be in Linux's LM).
    fn check_cpu(&self, cpuid: u32) -> core::result::Result<usize, i32> {
        let cpu = Self::cpu_index(cpuid)?;
        if self.cpu_lm(cpu) != self.linux_lm {
            return Err(DENIED);
        }
        Ok(cpu)
    }

    /// Starts the CPUs of LM `lm`.
    fn lm_boot(&mut self, lm: usize) {
        self.lms[lm] = LmState::On;
        if lm == M7_LM as usize {
            self.cpus[M7_CPU].runmode = RUNMODE_RUN;
            self.event = Some(M7Event::Start(self.cpus[M7_CPU].vector));
        }
    }

    /// The M7 crashed: CPU 1 is stopped, and LM 1 off unless it is Linux's LM.
    fn m7_crashed(&mut self) {
        if !self.m7_running() {
            return;
        }
        self.cpus[M7_CPU].runmode = RUNMODE_STOP;
        if self.linux_lm != M7_LM {
            self.lms[M7_LM as usize] = LmState::Off;
        }
    }

    /// Powers LM `lm` off.
    fn lm_shutdown(&mut self, lm: usize) {
        self.lms[lm] = LmState::Off;
        if lm == M7_LM as usize {
            let was_running = self.m7_running();
            self.cpus[M7_CPU].runmode = RUNMODE_STOP;
            if was_running {
                self.event = Some(M7Event::Stop);
            }
        }
    }

    /// Counts `req` against the injected failures; returns what it must suffer, if anything.
    fn take_fail(&mut self, req: &Request) -> Option<FailAction> {
        let i = self
            .fails
            .iter()
            .position(|f| f.proto == req.proto && f.msg == req.msg)?;
        let (action, used_up) = self.fails.get_mut(i)?.hit();
        if used_up {
            let _ = self.fails.remove(i);
        }
        action
    }

    /// Serves a request with its injected failure, if any: returns the status, and whether the
    /// agent gets an answer. `reply` is filled on success.
    fn handle_injected(&mut self, req: &Request, reply: &mut Reply) -> (i32, Option<FailAction>) {
        match self.take_fail(req) {
            None => (self.handle(req, reply), None),
            Some(FailAction::Status(status)) => (status, None),
            Some(FailAction::NoReply) => (SUCCESS, Some(FailAction::NoReply)),
            Some(FailAction::Lost) => (self.handle(req, reply), Some(FailAction::Lost)),
        }
    }

    /// Handles a request; returns the status and fills `reply` on success.
    fn handle(&mut self, req: &Request, reply: &mut Reply) -> i32 {
        let req = &self.ids.request(req);
        let res = match req.proto {
            PROTO_BASE => self.base(req, reply),
            PROTO_LMM => self.lmm(req, reply),
            PROTO_CPU => self.cpu(req, reply),
            _ => Err(NOT_SUPPORTED),
        };
        // LMM_ATTRIBUTES answers with the LM's id first.
        if res.is_ok() && req.proto == PROTO_LMM && req.msg == LMM_ATTRIBUTES {
            if let Some(lmid) = reply.words.first_mut() {
                *lmid = self.ids.lm(*lmid);
            }
        }
        match res {
            Ok(()) => SUCCESS,
            Err(status) => status,
        }
    }

    /// Handles the messages every protocol has; `None` if `req` is not one of them.
    fn common(
        req: &Request,
        reply: &mut Reply,
        version: u32,
        attributes: u32,
        implemented: &[u8],
    ) -> Option<Status> {
        let res = match req.msg {
            PROTOCOL_VERSION => {
                reply.push(version);
                Ok(())
            }
            PROTOCOL_ATTRIBUTES => {
                reply.push(attributes);
                Ok(())
            }
            PROTOCOL_MESSAGE_ATTRIBUTES => req.need(1).and_then(|()| {
                let known = u8::try_from(req.arg(0)).is_ok_and(|id| {
                    implemented.contains(&id)
                        || matches!(
                            id,
                            PROTOCOL_VERSION
                                | PROTOCOL_ATTRIBUTES
                                | PROTOCOL_MESSAGE_ATTRIBUTES
                                | NEGOTIATE_PROTOCOL_VERSION
                        )
                });
                if known {
                    reply.push(0);
                    Ok(())
                } else {
                    Err(NOT_FOUND)
                }
            }),
            NEGOTIATE_PROTOCOL_VERSION => req.need(1).and_then(|()| {
                if req.arg(0) == version {
                    Ok(())
                } else {
                    Err(NOT_SUPPORTED)
                }
            }),
            _ => return None,
        };
        Some(res)
    }

    /// Base protocol.
    fn base(&mut self, req: &Request, reply: &mut Reply) -> Status {
        const IMPLEMENTED: [u8; 5] = [
            BASE_DISCOVER_VENDOR,
            BASE_DISCOVER_SUB_VENDOR,
            BASE_DISCOVER_IMPLEMENT_VERSION,
            BASE_DISCOVER_LIST_PROTOCOLS,
            BASE_DISCOVER_AGENT,
        ];
        let attributes = PROTOCOLS.len() as u32 | (NUM_AGENTS << 8);
        if let Some(res) = Self::common(req, reply, BASE_VERSION, attributes, &IMPLEMENTED) {
            return res;
        }
        match req.msg {
            BASE_DISCOVER_VENDOR => reply.push_name("NXP"),
            BASE_DISCOVER_SUB_VENDOR => reply.push_name("IMX"),
            BASE_DISCOVER_IMPLEMENT_VERSION => reply.push(IMPL_VERSION),
            BASE_DISCOVER_LIST_PROTOCOLS => {
                req.need(1)?;
                let skip = usize::try_from(req.arg(0)).map_err(|_| INVALID_PARAMETERS)?;
                let rest = PROTOCOLS.get(skip..).ok_or(INVALID_PARAMETERS)?;
                reply.push(rest.len() as u32);
                reply.push_bytes(rest);
            }
            BASE_DISCOVER_AGENT => {
                req.need(1)?;
                let id = match req.arg(0) {
                    SELF_ID => LINUX_AGENT,
                    id if id <= NUM_AGENTS => id,
                    _ => return Err(NOT_FOUND),
                };
                reply.push(id);
                reply.push_name(AGENTS[id as usize]);
            }
            // BASE_NOTIFY_ERRORS and the permission messages.
            _ => return Err(NOT_SUPPORTED),
        }
        Ok(())
    }

    /// i.MX LMM protocol.
    fn lmm(&mut self, req: &Request, reply: &mut Reply) -> Status {
        const IMPLEMENTED: [u8; 7] = [
            LMM_ATTRIBUTES,
            LMM_BOOT,
            LMM_RESET,
            LMM_SHUTDOWN,
            LMM_RESET_REASON,
            LMM_POWER_ON,
            LMM_RESET_VECTOR_SET,
        ];
        // LMs up to the remote core's id (the i.MX94's M71 is in LM 3).
        let nr_lm = (NR_LMM as u32).max(self.ids.lm + 1);
        if let Some(res) = Self::common(req, reply, IMX_VERSION, nr_lm, &IMPLEMENTED) {
            return res;
        }
        match req.msg {
            LMM_ATTRIBUTES => {
                req.need(1)?;
                let lmid = match req.arg(0) {
                    SELF_ID => self.linux_lm,
                    id => id,
                };
                let lm = Self::lm_index(lmid)?;
                reply.push(lmid);
                reply.push(0);
                reply.push(self.lms[lm] as u32);
                reply.push(0);
                reply.push_name(LM_NAMES[lm]);
            }
            LMM_BOOT => {
                req.need(1)?;
                let lm = self.check_manage(req.arg(0))?;
                self.lm_boot(lm);
            }
            LMM_RESET => {
                req.need(2)?;
                let lm = self.check_manage(req.arg(0))?;
                self.lm_shutdown(lm);
                self.lm_boot(lm);
            }
            LMM_SHUTDOWN => {
                req.need(2)?;
                let lm = self.check_manage(req.arg(0))?;
                // A graceful request only asks the LM: one that ignores it stays on (the
                // request itself succeeds, as on the real SM).
                let graceful = req.arg(1) & LMM_SHUTDOWN_GRACEFUL != 0;
                if !(graceful && self.ignore_graceful && lm == M7_LM as usize) {
                    self.lm_shutdown(lm);
                }
            }
            LMM_POWER_ON => {
                req.need(1)?;
                let lm = self.check_manage(req.arg(0))?;
                if self.lms[lm] == LmState::Off {
                    self.lms[lm] = LmState::Powered;
                    if lm == M7_LM as usize {
                        self.cpus[M7_CPU].runmode = RUNMODE_HOLD;
                    }
                }
            }
            LMM_RESET_REASON => {
                req.need(1)?;
                let lmid = req.arg(0);
                Self::lm_index(lmid)?;
                if lmid != self.linux_lm && (lmid != M7_LM || !self.lmm_control) {
                    return Err(DENIED);
                }
                // No reset recorded: boot and shutdown flags without their valid bit, no
                // extended information.
                for _ in 0..5 {
                    reply.push(0);
                }
            }
            LMM_RESET_VECTOR_SET => {
                req.need(5)?;
                let lmid = req.arg(0);
                Self::lm_index(lmid)?;
                let cpu = Self::cpu_index(req.arg(1))?;
                if self.cpu_lm(cpu) != lmid {
                    return Err(NOT_FOUND);
                }
                if lmid != self.linux_lm && (lmid != M7_LM || !self.lmm_control) {
                    return Err(DENIED);
                }
                self.cpus[cpu].vector = u64::from(req.arg(3)) | (u64::from(req.arg(4)) << 32);
            }
            // LMM_WAKE, LMM_SUSPEND, LMM_NOTIFY.
            _ => return Err(NOT_SUPPORTED),
        }
        Ok(())
    }

    /// i.MX CPU protocol.
    fn cpu(&mut self, req: &Request, reply: &mut Reply) -> Status {
        const IMPLEMENTED: [u8; 5] = [
            CPU_ATTRIBUTES,
            CPU_START,
            CPU_STOP,
            CPU_RESET_VECTOR_SET,
            CPU_INFO_GET,
        ];
        if let Some(res) = Self::common(req, reply, IMX_VERSION, NR_CPU as u32, &IMPLEMENTED) {
            return res;
        }
        match req.msg {
            CPU_ATTRIBUTES => {
                req.need(1)?;
                let cpu = Self::cpu_index(req.arg(0))?;
                reply.push(0);
                reply.push_name(CPU_NAMES[cpu]);
            }
            CPU_START => {
                req.need(1)?;
                let cpu = self.check_cpu(req.arg(0))?;
                let was_running = self.cpus[cpu].runmode == RUNMODE_RUN;
                self.cpus[cpu].runmode = RUNMODE_RUN;
                if cpu == M7_CPU && !was_running {
                    self.event = Some(M7Event::Start(self.cpus[cpu].vector));
                }
            }
            CPU_STOP => {
                req.need(1)?;
                let cpu = self.check_cpu(req.arg(0))?;
                let was_running = self.cpus[cpu].runmode == RUNMODE_RUN;
                self.cpus[cpu].runmode = RUNMODE_HOLD;
                if cpu == M7_CPU && was_running {
                    self.event = Some(M7Event::Stop);
                }
            }
            CPU_RESET_VECTOR_SET => {
                req.need(4)?;
                let cpu = self.check_cpu(req.arg(0))?;
                self.cpus[cpu].vector = u64::from(req.arg(2)) | (u64::from(req.arg(3)) << 32);
            }
            CPU_INFO_GET => {
                req.need(1)?;
                let c = self.cpus[Self::cpu_index(req.arg(0))?];
                reply.push(c.runmode);
                reply.push(c.sleepmode);
                reply.push(c.vector as u32);
                reply.push((c.vector >> 32) as u32);
            }
            // CPU_SLEEP_MODE_SET and others.
            _ => return Err(NOT_SUPPORTED),
        }
        Ok(())
    }

    /// Appends a handled message to the log.
    fn record(&mut self, req: &Request, status: i32, unanswered: Option<FailAction>) {
        if self.log.len() >= LOG_MAX {
            let _ = self.log.remove(0);
            self.log_dropped += 1;
        }
        let entry = LogEntry {
            proto: req.proto,
            msg: req.msg,
            args: req.args,
            nargs: req.nargs,
            status,
            unanswered,
        };
        if self.log.push(entry, GFP_KERNEL).is_err() {
            self.log_dropped += 1;
        }
    }
}

/// The System Manager.
#[pin_data]
pub(crate) struct Sm {
    #[pin]
    state: Mutex<SmState>,
    m7: Arc<M7>,
    /// vm7, when the board has it: then it is the M7 started and stopped, not `m7`.
    vm7: Arc<vm7link::Slot>,
}

impl Sm {
    /// Creates a System Manager in its power-on state, managing `m7`.
    pub(crate) fn new(m7: Arc<M7>, vm7: Arc<vm7link::Slot>) -> impl PinInit<Self> {
        pin_init!(Self {
            state <- new_mutex!(SmState::new()),
            m7,
            vm7,
        })
    }

    /// Locks the state, first catching up with a crash of the M7: a crashed M7 is reported
    /// stopped (CPU_INFO_GET run mode STOP, and its LM off when it is not Linux's), which is what
    /// crash detection polls.
    fn locked(&self) -> MutexGuard<'_, SmState> {
        let mut st = self.state.lock();
        let vm7_crash = self.vm7.get().is_some_and(|l| l.take_crash());
        if self.m7.take_crash() || vm7_crash {
            st.m7_crashed();
        }
        st
    }

    /// Returns the M7 the System Manager manages.
    pub(crate) fn m7(&self) -> &Arc<M7> {
        &self.m7
    }

    /// Starts the M7 at `vector` behind Linux's back, as U-Boot's `bootaux` does after loading
    /// an image: the reset vector is set and CPU 1 started (LM 1 booted). `EBUSY` if it runs.
    pub(crate) fn preboot_m7(&self, vector: u64) -> Result {
        let event = {
            let mut st = self.locked();
            if st.m7_running() {
                return Err(EBUSY);
            }
            st.cpus[M7_CPU].vector = vector;
            st.lm_boot(M7_LM as usize);
            st.event.take()
        };
        self.notify_m7(event);
        Ok(())
    }

    /// Tells the M7 about a state change (without the state lock held).
    fn notify_m7(&self, event: Option<M7Event>) {
        if let Some(link) = self.vm7.get() {
            // vm7 acknowledges before this returns, so before Linux gets its answer.
            match event {
                Some(M7Event::Start(vector)) => link.start(vector),
                Some(M7Event::Stop) => link.stop(),
                None => {}
            }
            return;
        }
        match event {
            Some(M7Event::Start(vector)) => M7::on_start(&self.m7, vector),
            Some(M7Event::Stop) => self.m7.on_stop(),
            None => {}
        }
    }

    /// Serves the request posted in the A2P channel `smt`.
    ///
    /// Returns whether the agent asked for a completion interrupt. The response is written and
    /// the channel marked free before this returns.
    fn serve(&self, smt: &Shmem) -> Result<bool> {
        let status = smt.read32(SMT_CHANNEL_STATUS)?;
        if status & SMT_STATUS_FREE != 0 {
            // Nothing posted: a spurious doorbell.
            return Ok(false);
        }
        let flags = smt.read32(SMT_FLAGS)?;
        let raise = flags & SMT_FLAG_INTR_ENABLED != 0;
        let length = usize::try_from(smt.read32(SMT_LENGTH)?).map_err(|_| EINVAL)?;
        let header = smt.read32(SMT_HEADER)?;

        let area = smt.size().saturating_sub(SMT_HEADER);
        if length < 4 || length > area {
            // Not even a header, or more than the area holds.
            smt.write32(SMT_CHANNEL_STATUS, SMT_STATUS_ERROR | SMT_STATUS_FREE)?;
            return Ok(raise);
        }

        let mut req = Request {
            msg: (header & 0xff) as u8,
            proto: ((header >> 10) & 0xff) as u8,
            args: [0; MAX_WORDS],
            nargs: ((length - 4) / 4).min(MAX_WORDS),
        };
        for i in 0..req.nargs {
            req.args[i] = smt.read32(SMT_PAYLOAD + 4 * i)?;
        }

        let mut reply = Reply::new();
        let (mut status, unanswered, event) = {
            let mut state = self.locked();
            let (status, unanswered) = state.handle_injected(&req, &mut reply);
            state.record(&req, status, unanswered);
            (status, unanswered, state.event.take())
        };
        if unanswered.is_some() {
            // The answer never comes: the channel is handed back untouched (the agent's next
            // request finds it free) and no completion interrupt is raised.
            smt.write32(SMT_CHANNEL_STATUS, SMT_STATUS_FREE)?;
            self.notify_m7(event);
            return Ok(false);
        }
        if status != SUCCESS {
            reply = Reply::new();
        }
        // Status, return values, within the area.
        if SMT_PAYLOAD + 4 * (1 + reply.words().len()) > smt.size() {
            status = PROTOCOL_ERROR;
            reply = Reply::new();
        }
        smt.write32(SMT_PAYLOAD, status as u32)?;
        for (i, w) in reply.words().iter().enumerate() {
            smt.write32(SMT_PAYLOAD + 4 * (1 + i), *w)?;
        }
        // Header and status, then the return values.
        smt.write32(SMT_LENGTH, (8 + 4 * reply.words().len()) as u32)?;
        smt.write32(SMT_HEADER, header)?;
        // The response is complete: hand the channel back to the agent.
        smt.write32(SMT_CHANNEL_STATUS, SMT_STATUS_FREE)?;

        self.notify_m7(event);
        Ok(raise)
    }

    /// Numbers the remote core as the SoC does (set once, before any agent talks).
    pub(crate) fn set_remote_ids(&self, ids: RemoteIds) {
        self.locked().ids = ids;
    }

    /// Returns the LM Linux is in.
    pub(crate) fn linux_lm(&self) -> u32 {
        self.locked().linux_lm
    }

    /// Moves Linux to logical machine `lm` (1: the M7 shares Linux's LM, the CPU protocol is
    /// used; 2: the M7 is in its own LM, the LMM protocol is used).
    pub(crate) fn set_linux_lm(&self, lm: u32) -> Result {
        if lm != 1 && lm != 2 {
            return Err(EINVAL);
        }
        let mut st = self.locked();
        let running = st.m7_running();
        st.linux_lm = lm;
        if lm == M7_LM {
            // Linux's LM is on, LM 2 is empty.
            st.lms[M7_LM as usize] = LmState::On;
            st.lms[2] = LmState::Off;
            if !running {
                st.cpus[M7_CPU].runmode = RUNMODE_HOLD;
            }
        } else {
            st.lms[2] = LmState::On;
            if !running {
                st.lms[M7_LM as usize] = LmState::Off;
                st.cpus[M7_CPU].runmode = RUNMODE_STOP;
            }
        }
        Ok(())
    }

    /// Returns whether Linux may manage LM 1.
    pub(crate) fn lmm_control(&self) -> bool {
        self.locked().lmm_control
    }

    /// Grants or revokes Linux's permission to manage LM 1.
    pub(crate) fn set_lmm_control(&self, allowed: bool) {
        self.locked().lmm_control = allowed;
    }

    /// Returns whether LM 1 ignores graceful shutdown requests.
    pub(crate) fn ignore_graceful(&self) -> bool {
        self.locked().ignore_graceful
    }

    /// Makes LM 1 ignore graceful shutdown requests (stay on) or honour them.
    pub(crate) fn set_ignore_graceful(&self, ignore: bool) {
        self.locked().ignore_graceful = ignore;
    }

    /// Returns whether the M7 is running.
    pub(crate) fn m7_running(&self) -> bool {
        self.locked().m7_running()
    }

    /// Starts or stops the M7 behind Linux's back (e.g. "booted by the bootloader").
    pub(crate) fn set_m7_running(&self, run: bool) {
        let event = {
            let mut st = self.locked();
            let own_lm = st.linux_lm == M7_LM;
            let m7_lm = M7_LM as usize;
            if run == st.m7_running() {
                None
            } else if run {
                st.lm_boot(m7_lm);
                st.event.take()
            } else if own_lm {
                st.cpus[M7_CPU].runmode = RUNMODE_HOLD;
                Some(M7Event::Stop)
            } else {
                st.lm_shutdown(m7_lm);
                st.event.take()
            }
        };
        self.notify_m7(event);
    }

    /// Returns the last reset vector set for the M7.
    pub(crate) fn m7_vector(&self) -> u64 {
        self.locked().cpus[M7_CPU].vector
    }

    /// Makes message `msg` of protocol `proto` fail (replacing an earlier entry for it).
    pub(crate) fn add_fail(&self, fail: Fail) -> Result {
        if let FailAction::Status(status) = fail.action {
            if !(STATUS_MIN..=SUCCESS).contains(&status) {
                return Err(EINVAL);
            }
        }
        let mut st = self.locked();
        if let Some(f) = st
            .fails
            .iter_mut()
            .find(|f| f.proto == fail.proto && f.msg == fail.msg)
        {
            *f = fail;
            return Ok(());
        }
        if st.fails.len() >= FAIL_MAX {
            return Err(ENOSPC);
        }
        st.fails.push(fail, GFP_KERNEL)?;
        Ok(())
    }

    /// Removes all injected failures.
    pub(crate) fn clear_fails(&self) {
        self.locked().fails.clear();
    }

    /// Writes the injected failures, one `PROTO MSGID ACTION` line each, followed by
    /// ` NTH TIMES` unless the entry fails every request from the next one on.
    pub(crate) fn show_fails(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.locked();
        for fail in st.fails.iter() {
            write!(f, "{:#x} {:#x} ", fail.proto, fail.msg)?;
            match fail.action {
                FailAction::Status(status) => write!(f, "{status}")?,
                FailAction::NoReply => f.write_str("noreply")?,
                FailAction::Lost => f.write_str("lost")?,
            }
            if fail.skip != 0 || fail.times != 0 {
                write!(f, " {} {}", fail.skip + 1, fail.times)?;
            }
            writeln!(f)?;
        }
        Ok(())
    }

    /// Writes the message log, one line per message.
    pub(crate) fn show_log(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.locked();
        for entry in st.log.iter() {
            entry.write(f)?;
        }
        Ok(())
    }

    /// Empties the message log.
    pub(crate) fn clear_log(&self) {
        let mut st = self.locked();
        st.log.clear();
        st.log_dropped = 0;
    }

    /// Writes a summary of the state.
    pub(crate) fn show_state(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.locked();
        writeln!(f, "linux_lm {}", st.linux_lm)?;
        writeln!(f, "lmm_control {}", u32::from(st.lmm_control))?;
        writeln!(f, "lm_ignore_graceful {}", u32::from(st.ignore_graceful))?;
        for (i, lm) in st.lms.iter().enumerate() {
            writeln!(f, "lm{} {} {}", i, LM_NAMES[i], lm.name())?;
        }
        for (i, cpu) in st.cpus.iter().enumerate() {
            writeln!(
                f,
                "cpu{} {} lm{} runmode {} vector {:#x}",
                i,
                CPU_NAMES[i],
                st.cpu_lm(i),
                cpu.runmode,
                cpu.vector
            )?;
        }
        writeln!(f, "log {} dropped {}", st.log.len(), st.log_dropped)
    }
}

/// The SCMI channel between the Linux agent and the System Manager: the A2P and P2A areas.
pub(crate) struct ScmiChannel {
    sm: Arc<Sm>,
    a2p: Shmem,
    p2a: Shmem,
}

impl ScmiChannel {
    /// Connects `sm` to the shared-memory areas and marks both channels free (the platform's
    /// initial state: the agent waits for a free A2P channel before its first request).
    pub(crate) fn new(sm: Arc<Sm>, a2p: Shmem, p2a: Shmem) -> Result<Self> {
        for area in [&a2p, &p2a] {
            if area.size() < SMT_PAYLOAD + 4 {
                return Err(EINVAL);
            }
            area.write32(SMT_CHANNEL_STATUS, SMT_STATUS_FREE)?;
        }
        Ok(Self { sm, a2p, p2a })
    }

    /// Returns the physical addresses of the A2P and P2A areas.
    pub(crate) fn phys(&self) -> (u64, u64) {
        (self.a2p.phys(), self.p2a.phys())
    }

    /// Serves the request in the A2P area (doorbell 0 rang). Returns whether to raise the
    /// completion interrupt.
    pub(crate) fn serve(&self) -> bool {
        match self.sm.serve(&self.a2p) {
            Ok(raise) => raise,
            Err(e) => {
                pr_err!("imx95_sim: SCMI A2P channel access failed: {:?}\n", e);
                false
            }
        }
    }
}

/// One request of [`selftest`] and the response it expects.
struct Case {
    /// What is checked.
    desc: &'static str,
    /// Protocol id.
    proto: u8,
    /// Message id.
    msg: u8,
    /// Request words.
    args: &'static [u32],
    /// Expected status.
    status: i32,
    /// Expected first return values.
    reply: &'static [u32],
}

/// Builds a `&[Case]` from lines `"what": PROTOCOL MSG [args] => STATUS [reply];`.
macro_rules! cases {
    ($($desc:literal: $proto:tt $msg:tt [$($arg:expr),*] => $status:ident [$($r:expr),*];)*) => {
        &[$(Case {
            desc: $desc,
            proto: $proto,
            msg: $msg,
            args: &[$($arg),*],
            status: $status,
            reply: &[$($r),*],
        }),*]
    };
}

/// `"NXP"` as the first word of a `char[16]`.
const NXP: u32 = u32::from_le_bytes(*b"NXP\0");
/// `"M7P"` as the first word of a `char[16]`.
const M7P: u32 = u32::from_le_bytes(*b"M7P\0");

/// Requests and expected responses of the power-on state (Linux in LM 2, control over LM 1).
const CASES_LMM: &[Case] = cases![
    "base version": PROTO_BASE 0x0 [] => SUCCESS [BASE_VERSION];
    "base attributes: 2 protocols, 4 agents": PROTO_BASE 0x1 [] => SUCCESS [0x402];
    "base message attributes without id": PROTO_BASE 0x2 [] => PROTOCOL_ERROR [];
    "base message attributes of LIST_PROTOCOLS": PROTO_BASE 0x2 [0x6] => SUCCESS [0];
    "base message attributes of NOTIFY_ERRORS": PROTO_BASE 0x2 [0x8] => NOT_FOUND [];
    "base vendor NXP": PROTO_BASE 0x3 [] => SUCCESS [NXP, 0, 0, 0];
    "base list protocols": PROTO_BASE 0x6 [0] => SUCCESS [2, 0x8280];
    "base list protocols, skip 1": PROTO_BASE 0x6 [1] => SUCCESS [1, 0x82];
    "base list protocols, skip 2": PROTO_BASE 0x6 [2] => SUCCESS [0];
    "base list protocols, skip 3": PROTO_BASE 0x6 [3] => INVALID_PARAMETERS [];
    "base list protocols without skip": PROTO_BASE 0x6 [] => PROTOCOL_ERROR [];
    "base discover own agent": PROTO_BASE 0x7 [SELF_ID] => SUCCESS [LINUX_AGENT];
    "base discover agent 5": PROTO_BASE 0x7 [5] => NOT_FOUND [];
    "base notify errors": PROTO_BASE 0x8 [1] => NOT_SUPPORTED [];
    "unknown protocol 0x11": 0x11 0x0 [] => NOT_SUPPORTED [];
    "lmm version": PROTO_LMM 0x0 [] => SUCCESS [IMX_VERSION];
    "lmm attributes: 3 LMs": PROTO_LMM 0x1 [] => SUCCESS [3];
    "lmm own LM": PROTO_LMM 0x3 [SELF_ID] => SUCCESS [2, 0, 1, 0];
    "lmm attributes without lmid": PROTO_LMM 0x3 [] => PROTOCOL_ERROR [];
    "lmm attributes of LM 3": PROTO_LMM 0x3 [3] => NOT_FOUND [];
    "lmm boot own LM": PROTO_LMM 0x4 [2] => INVALID_PARAMETERS [];
    "lmm boot LM 0": PROTO_LMM 0x4 [0] => DENIED [];
    "lmm boot LM 7": PROTO_LMM 0x4 [7] => NOT_FOUND [];
    "lmm shutdown without flags": PROTO_LMM 0x6 [1] => PROTOCOL_ERROR [];
    "lmm power on LM 1": PROTO_LMM 0xb [1] => SUCCESS [];
    "lmm LM 1 powered": PROTO_LMM 0x3 [1] => SUCCESS [1, 0, 3, 0];
    "lmm vector, 4 words": PROTO_LMM 0xc [1, 1, 0, 0x8000_0000] => PROTOCOL_ERROR [];
    "lmm vector of cpu 2 in LM 1": PROTO_LMM 0xc [1, 2, 0, 0, 0] => NOT_FOUND [];
    "lmm vector": PROTO_LMM 0xc [1, 1, 0, 0x8000_0000, 0] => SUCCESS [];
    "lmm boot LM 1": PROTO_LMM 0x4 [1] => SUCCESS [];
    "cpu M7 runs at vector": PROTO_CPU 0xc [1] => SUCCESS [0, 0, 0x8000_0000, 0];
    "lmm shutdown LM 1": PROTO_LMM 0x6 [1, 0] => SUCCESS [];
    "cpu M7 stopped": PROTO_CPU 0xc [1] => SUCCESS [RUNMODE_STOP];
];

/// More requests of the power-on state.
const CASES_CPU_DENIED: &[Case] = cases![
    "lmm wake": PROTO_LMM 0x7 [1] => NOT_SUPPORTED [];
    "cpu version": PROTO_CPU 0x0 [] => SUCCESS [IMX_VERSION];
    "cpu attributes: 9 cpus": PROTO_CPU 0x1 [] => SUCCESS [9];
    "cpu attributes of the M7": PROTO_CPU 0x3 [1] => SUCCESS [0, M7P];
    "cpu start of the M7 in another LM": PROTO_CPU 0x4 [1] => DENIED [];
    "cpu info of cpu 9": PROTO_CPU 0xc [9] => NOT_FOUND [];
    "cpu sleep mode set": PROTO_CPU 0x7 [1, 0, 0] => NOT_SUPPORTED [];
];

/// Requests and expected responses with Linux in LM 1, the M7's.
const CASES_CPU: &[Case] = cases![
    "cpu vector, 3 words": PROTO_CPU 0x6 [1, 0x4000_0000, 0] => PROTOCOL_ERROR [];
    "cpu vector": PROTO_CPU 0x6 [1, 0x4000_0000, 0x8000_0000, 0] => SUCCESS [];
    "cpu start of the M7": PROTO_CPU 0x4 [1] => SUCCESS [];
    "cpu M7 runs": PROTO_CPU 0xc [1] => SUCCESS [RUNMODE_RUN, 0, 0x8000_0000];
    "cpu stop of the M7": PROTO_CPU 0x5 [1] => SUCCESS [];
    "cpu M7 held": PROTO_CPU 0xc [1] => SUCCESS [RUNMODE_HOLD];
    "lmm boot of Linux's own LM 1": PROTO_LMM 0x4 [1] => INVALID_PARAMETERS [];
];

/// Requests and expected responses with Linux in LM 2 without control over LM 1.
const CASES_DENIED: &[Case] = cases![
    "lmm power on LM 1 denied": PROTO_LMM 0xb [1] => DENIED [];
    "lmm boot LM 1 denied": PROTO_LMM 0x4 [1] => DENIED [];
    "lmm vector LM 1 denied": PROTO_LMM 0xc [1, 1, 0, 0, 0] => DENIED [];
    "lmm attributes LM 1 allowed": PROTO_LMM 0x3 [1] => SUCCESS [1, 0, 0, 0];
];

/// Runs the protocol handlers against a fresh System Manager (not the live one) and writes KTAP
/// results: a check of the request validation and the state machine that does not depend on
/// what the kernel's SCMI drivers happen to send.
pub(crate) fn selftest(f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let groups: [(&[Case], u32, bool); 4] = [
        (CASES_LMM, 2, true),
        (CASES_CPU_DENIED, 2, true),
        (CASES_CPU, 1, true),
        (CASES_DENIED, 2, false),
    ];
    let total: usize = groups.iter().map(|(cases, _, _)| cases.len()).sum();
    writeln!(f, "KTAP version 1")?;
    writeln!(f, "1..{total}")?;
    let mut n = 0;
    let mut st = SmState::new();
    for (cases, linux_lm, control) in groups {
        st.linux_lm = linux_lm;
        st.lmm_control = control;
        for c in cases {
            n += 1;
            let mut req = Request {
                proto: c.proto,
                msg: c.msg,
                args: [0; MAX_WORDS],
                nargs: c.args.len().min(MAX_WORDS),
            };
            req.args[..req.nargs].copy_from_slice(&c.args[..req.nargs]);
            let mut reply = Reply::new();
            let status = st.handle(&req, &mut reply);
            st.event = None;
            let words = if status == SUCCESS {
                reply.words()
            } else {
                &[]
            };
            let ok = status == c.status && words.get(..c.reply.len()) == Some(c.reply);
            if ok {
                writeln!(f, "ok {} {}", n, c.desc)?;
            } else {
                writeln!(f, "not ok {} {}", n, c.desc)?;
                writeln!(
                    f,
                    "# status {} (expected {}), reply {:x?}",
                    status, c.status, words
                )?;
            }
        }
    }
    Ok(())
}
