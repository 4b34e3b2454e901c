// SPDX-License-Identifier: GPL-2.0

//! The exception model on tiny hand-encoded Thumb sequences (encodings from the
//! ARMv7-M Architecture Reference Manual, DDI 0403E, A7.7: MOVS imm8 T1 0x2000|Rd<<8|imm8,
//! LSLS imm T1 imm5<<6|Rm<<3|Rd, LDR imm T1 0x6800|imm5<<6|Rn<<3|Rt, SVC T1 0xDF00|imm8,
//! BX T1 0x4700|Rm<<3, WFI T1 0xBF30).

use unicorn_engine::RegisterARM as R;
use vm7::{Console, Machine, Outcome};

fn machine(code: &[(u32, &[u16])], vectors: &[(usize, u32)]) -> Machine<'static> {
    let mut m = Machine::new(Console {
        prefix: String::new(),
        quiet: true,
        file: None,
    })
    .unwrap();
    let mut vt = vec![0u8; 64 * 4];
    vt[0..4].copy_from_slice(&0x2000_1000u32.to_le_bytes());
    for (n, a) in vectors {
        vt[n * 4..n * 4 + 4].copy_from_slice(&(a | 1).to_le_bytes());
    }
    m.uc.mem_write(0, &vt).unwrap();
    for (addr, hws) in code {
        let b: Vec<u8> = hws.iter().flat_map(|h| h.to_le_bytes()).collect();
        m.uc.mem_write(u64::from(*addr), &b).unwrap();
    }
    m.reset(0).unwrap();
    m
}

#[test]
fn svc_entry_and_return_restore_the_thread() {
    // Reset: svc 0; movs r0,#42; wfi.  SVC handler: movs r4,#7 (r4 is not stacked); bx lr.
    let mut m = machine(
        &[
            (0x100, &[0xdf00, 0x202a, 0xbf30]),
            (0x200, &[0x2407, 0x4770]),
        ],
        &[(1, 0x100), (11, 0x200)],
    );
    let out = m.run(1000);
    assert!(matches!(out, Outcome::Idle { .. }), "{out:?}");
    assert_eq!(
        m.uc.reg_read(R::R0).unwrap(),
        42,
        "thread resumed after svc"
    );
    assert_eq!(m.uc.reg_read(R::R4).unwrap(), 7, "handler ran");
    assert_eq!(m.uc.reg_read(R::SP).unwrap(), 0x2000_1000, "frame popped");
    assert_eq!(
        m.uc.reg_read(R::XPSR).unwrap() & 0x1ff,
        0,
        "back in thread mode"
    );
    assert_eq!(m.state().exceptions_taken, 1);
}

#[test]
fn unmapped_load_is_a_fault_outcome() {
    // movs r1,#0x70; lsls r1,r1,#24; ldr r0,[r1]: a load from 0x70000000 (nothing there).
    let mut m = machine(&[(0x100, &[0x2170, 0x0609, 0x6808, 0xbf30])], &[(1, 0x100)]);
    let out = m.run(1000);
    assert!(matches!(out, Outcome::Fault(_)), "{out:?}");
}

#[test]
fn wfi_with_nothing_to_wake_is_idle_not_a_hang() {
    let mut m = machine(&[(0x100, &[0xbf30, 0xbf30])], &[(1, 0x100)]);
    assert_eq!(m.run(1000), Outcome::Idle { pc: 0x102 });
}

#[test]
fn pendsv_pended_under_basepri_is_taken_right_at_the_unmask() {
    // Zephyr's arch_swap (arch/arm/core/cortex_m/swap.c): PENDSVSET under BASEPRI,
    // then unlock; the PendSV must run between the unlock and the next instruction.
    // movs r0,#0x20; msr basepri,r0 (T1 0xF380|Rn, 0x8800|SYSm, BASEPRI = 17);
    // ldr r1,=0xE000ED04; movs r2,#1; lsls r2,#28; str r2,[r1] (STR T1 0x6000|Rn<<3|Rt);
    // movs r3,#1; movs r0,#0; msr basepri,r0; movs r3,#5; wfi.
    // PendSV: mov r5,r3 (MOV T1 0x4600|Rm<<3|Rd); movs r4,#9; bx lr.
    let thread: &[u16] = &[
        0x2020, 0xf380, 0x8811, 0x4906, 0x2201, 0x0712, 0x600a, 0x2301, 0x2000, 0xf380, 0x8811,
        0x2305, 0xbf30, 0xbf30, 0, 0, 0xed04, 0xe000,
    ];
    let mut m = machine(
        &[(0x100, thread), (0x200, &[0x461d, 0x2409, 0x4770])],
        &[(1, 0x100), (14, 0x200)],
    );
    m.uc.get_data_mut().prio[14] = 0xf0; // Zephyr runs PendSV at the lowest priority
    let out = m.run(1000);
    assert!(matches!(out, Outcome::Idle { .. }), "{out:?}");
    assert_eq!(m.uc.reg_read(R::R4).unwrap(), 9, "PendSV ran");
    assert_eq!(
        m.uc.reg_read(R::R5).unwrap(),
        1,
        "taken after the unmask, before the next instruction"
    );
    assert_eq!(m.uc.reg_read(R::R3).unwrap(), 5);
}

#[test]
fn a_fault_entering_an_exception_reports_the_stacked_frame() {
    // movs r0,#42; svc 0, with the SVC vector (11) pointing where nothing is mapped: the
    // core stacks the frame on MSP (thread mode, CONTROL.SPSEL 0: EXC_RETURN 0xFFFFFFF9)
    // and faults fetching the handler. The frame (B1.5.6): r0-r3, r12, lr, the return
    // address (0x104, past the svc), xPSR with T (bit 24).
    let mut m = machine(
        &[(0x100, &[0x202a, 0xdf00, 0xbf30])],
        &[(1, 0x100), (11, 0x1000_0000)],
    );
    let out = m.run(1000);
    assert!(matches!(out, Outcome::Fault(_)), "{out:?}");
    let (name, sp, words) = m.stack_top();
    assert_eq!((name, sp), ("msp", 0x2000_1000 - 32));
    let w = words.expect("the frame is readable");
    assert_eq!(w[0], 42, "stacked r0");
    assert_eq!(w[6], 0x104, "stacked return address");
    assert_ne!(w[7] & (1 << 24), 0, "stacked xPSR has T");
}

#[test]
fn a_fault_entering_an_exception_from_a_psp_thread_reports_the_process_stack() {
    // As a Zephyr thread: PSP = 0x20000800 (movs r0,#0x20; lsls r0,#24; movs r1,#8;
    // lsls r1,#8; adds r0,r0,r1 (ADDS reg T1 0x1800|Rm<<6|Rn<<3|Rd); msr psp,r0 (SYSm 9)),
    // CONTROL.SPSEL = 1 (movs r0,#2; msr control,r0 (SYSm 20)), then movs r0,#42; svc 0
    // with the SVC vector unmapped. The frame is on the process stack (EXC_RETURN
    // 0xFFFFFFFD), while the handler's SP is MSP: the report names PSP.
    let mut m = machine(
        &[(
            0x100,
            &[
                0x2020, 0x0600, 0x2108, 0x0209, 0x1840, 0xf380, 0x8809, 0x2002, 0xf380, 0x8814,
                0x202a, 0xdf00, 0xbf30,
            ],
        )],
        &[(1, 0x100), (11, 0x1000_0000)],
    );
    let out = m.run(1000);
    assert!(matches!(out, Outcome::Fault(_)), "{out:?}");
    let (name, sp, words) = m.stack_top();
    assert_eq!((name, sp), ("psp", 0x2000_0800 - 32));
    let w = words.expect("the frame is readable");
    assert_eq!(w[0], 42, "stacked r0");
    assert_eq!(w[6], 0x118, "stacked return address");
    assert_ne!(w[7] & (1 << 24), 0, "stacked xPSR has T");
}
