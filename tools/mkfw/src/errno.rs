// SPDX-License-Identifier: GPL-2.0

//! The Linux errno numbers of the host tools: what the driver returns for
//! each [`Kind`] of firmware defect (its module glue, `rust/image.rs`, makes
//! the same choice with the kernel's codes), and their names. The numbers
//! come from the `libc` crate (Linux's `include/uapi/asm-generic/errno-base.h`).

use imx_rproc_fw::error::{Error, Kind};

/// `EINVAL`.
pub const EINVAL: i32 = libc::EINVAL;
/// `EFBIG`.
pub const EFBIG: i32 = libc::EFBIG;

/// The negative errno the driver returns for a defect of class `kind`.
pub fn of_kind(kind: Kind) -> i32 {
    -match kind {
        Kind::Invalid => libc::EINVAL,
        Kind::NotMapped => libc::ENOENT,
        Kind::TooManyEntries => libc::E2BIG,
        Kind::TooLarge => libc::EFBIG,
        Kind::OutOfRange => libc::ERANGE,
    }
}

/// The negative errno the driver returns for `e`.
pub fn of(e: &Error) -> i32 {
    of_kind(e.kind())
}

/// The name of a negative errno value, e.g. `-22` -> `EINVAL`.
pub fn name(errno: i32) -> &'static str {
    match -errno {
        libc::ENOENT => "ENOENT",
        libc::E2BIG => "E2BIG",
        libc::ENOMEM => "ENOMEM",
        libc::EINVAL => "EINVAL",
        libc::EFBIG => "EFBIG",
        libc::ERANGE => "ERANGE",
        _ => "E?",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The numbers the corpus expects, as `include/uapi/asm-generic/errno-base.h`
    /// of the kernel defines them (the C driver and the Rust driver return
    /// the same: `scripts/corpus.sh` compares them in the guest).
    #[test]
    fn numbers_and_names() {
        for (kind, errno, name_) in [
            (Kind::Invalid, -22, "EINVAL"),
            (Kind::NotMapped, -2, "ENOENT"),
            (Kind::TooManyEntries, -7, "E2BIG"),
            (Kind::TooLarge, -27, "EFBIG"),
            (Kind::OutOfRange, -34, "ERANGE"),
        ] {
            assert_eq!(of_kind(kind), errno, "{kind:?}");
            assert_eq!(name(errno), name_);
        }
        assert_eq!(name(-12), "ENOMEM");
        assert_eq!(name(-1), "E?");
    }
}
