// SPDX-License-Identifier: GPL-2.0

//! Runs the `mkfw` binary: write, describe, and the error path.

use std::path::PathBuf;
use std::process::{Command, Output};

fn mkfw(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mkfw"))
        .args(args)
        .output()
        .expect("run mkfw")
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mkfw-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn write_then_describe() {
    let out = tmp("one-mib.elf");
    let o = mkfw(&[
        "--out",
        out.to_str().unwrap(),
        "--code-size",
        "1M",
        "--trace",
        "--behaviour",
        "idle",
    ]);
    assert!(o.status.success(), "{o:?}");
    assert!(stdout(&o).contains("entry 0x80000401, reset vector 0x80000000"));
    let bytes = std::fs::read(&out).unwrap();
    let fw = mkfw::firmware::build(&mkfw::firmware::Params {
        code_size: 1 << 20,
        trace_len: Some(4096),
        behaviour: 1,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(bytes, fw.to_bytes().unwrap());

    let o = mkfw(&["--describe", out.to_str().unwrap()]);
    assert!(o.status.success(), "{o:?}");
    let d = stdout(&o);
    assert!(d.contains("segments: valid"), "{d}");
    assert!(d.contains("trace da 0x80101090 len 0x1000"), "{d}");
    assert!(d.contains("behaviour 1 (idle)"), "{d}");
    assert!(!d.contains("MISMATCH"), "{d}");
    std::fs::remove_file(&out).unwrap();
}

#[test]
fn sixteen_mib() {
    let out = tmp("16m.elf");
    let o = mkfw(&["-o", out.to_str().unwrap(), "--code-size", "16M"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.starts_with("mkfw: error: image does not fit"), "{err}");
    assert!(!out.exists());

    let o = mkfw(&["-o", out.to_str().unwrap(), "--image-size", "16M"]);
    assert!(o.status.success(), "{o:?}");
    assert!(stdout(&o).contains("footprint 0x1000000 (16 MiB) of 16 MiB"));
    std::fs::remove_file(&out).unwrap();
}

#[test]
fn usage_and_bad_arguments() {
    let o = mkfw(&["--help"]);
    assert!(o.status.success());
    let help = stdout(&o);
    for want in ["--describe <FILE>", "corpus", "layouts", "--image-size <N>"] {
        assert!(help.contains(want), "{want}: {help}");
    }
    // A usage error is clap's: exit status 2, the argument named.
    let o = mkfw(&["--frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unexpected argument '--frobnicate'"));
    let o = mkfw(&["--describe", "x", "--trace"]);
    assert_eq!(o.status.code(), Some(2));
}
