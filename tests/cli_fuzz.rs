//! Command-line fuzzing: random argument lists — option names whole, glued and cut,
//! repeated flags, empty strings, arbitrary bytes, numbers from 0 to far beyond u64 —
//! must always end in exit status 0, 1 or 2 with at most one line on stderr, never in a
//! signal, a hang or a panic (status 70).

mod common;
use common::*;
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::process::Command;
use std::time::Duration;

/// xorshift64*: deterministic, so a failure reproduces from the printed seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A number as text: small, near the limits, or far too big for any integer type.
fn number(r: &mut Rng) -> Vec<u8> {
    match r.below(7) {
        0 => b"0".to_vec(),
        1 => r.below(20).to_string().into_bytes(),
        2 => r.below(600).to_string().into_bytes(),
        3 => (999_000 + r.below(2_000)).to_string().into_bytes(),
        // Just past the largest -n (a valid huge -n would run for days).
        4 => (1_000_000_000_000_001 + r.below(3)).to_string().into_bytes(),
        5 => format!("{}{}", u64::MAX, r.below(10)).into_bytes(),
        _ => format!("-{}", r.below(10)).into_bytes(),
    }
}

/// One argument.
fn argument(r: &mut Rng) -> Vec<u8> {
    const WORDS: &[&str] = &[
        "-w",
        "-n",
        "-d",
        "-m",
        "-h",
        "-V",
        "--workers",
        "--terms",
        "--decimals",
        "--message",
        "--help",
        "--version",
        "--",
        "-",
        "--workers=",
        "--terms=",
        "-x",
        "--nope",
        "-hV",
        "--wor",
        "-w-1",
        "",
    ];
    match r.below(10) {
        0..=3 => WORDS[r.below(WORDS.len() as u64) as usize].as_bytes().to_vec(),
        4..=6 => number(r),
        7 => {
            // An option glued to a number: -w12, --terms=999999.
            let mut a = [&b"-w"[..], b"-n", b"-d", b"--workers=", b"--terms=", b"--decimals="]
                [r.below(6) as usize]
                .to_vec();
            a.extend(number(r));
            a
        }
        8 => (0..r.below(12)).map(|_| r.below(255) as u8 + 1).collect(), // any bytes but NUL
        _ => vec![b'a' + r.below(26) as u8; r.below(300) as usize],
    }
}

#[test]
fn random_command_lines_end_in_0_1_or_2_and_never_in_a_signal() {
    let mut r = Rng(0x5EED_0B4D_1DEA_u64);
    let mut seen = [0usize; 3];
    for program in all_programs() {
        for case in 0..150 {
            let args: Vec<OsString> =
                (0..r.below(6)).map(|_| OsString::from_vec(argument(&mut r))).collect();
            let mut cmd = Command::new(bin(program));
            cmd.args(&args);
            let o = run_cmd(cmd, Duration::from_secs(30));
            let what = format!("{program} {args:?} (case {case})");
            assert_eq!(o.signal, None, "{what} died by a signal: {o:?}");
            let code = o.code.expect("exit status");
            assert!((0..=2).contains(&code), "{what} exited {code}: {o:?}");
            seen[code as usize] += 1;
            assert!(o.stderr.lines().count() <= 1, "{what}: more than one line: {o:?}");
            if code == 2 {
                assert!(o.stdout.is_empty(), "{what}: usage error with output: {o:?}");
                assert!(o.stderr.starts_with(&format!("{program}: ")), "{what}: {o:?}");
            }
        }
    }
    eprintln!("exit 0: {}, exit 1: {}, exit 2: {}", seen[0], seen[1], seen[2]);
    // The generator reaches both good and bad command lines.
    assert!(seen[0] > 20 && seen[2] > 200, "{seen:?}");
}
