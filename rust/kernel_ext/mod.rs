// SPDX-License-Identifier: GPL-2.0

//! Abstractions over the C APIs the kernel crate does not cover yet.

pub(crate) mod bindings;
