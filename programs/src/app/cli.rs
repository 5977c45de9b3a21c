//! A small option parser (`-w 4`, `-w4`, `--workers 4`, `--workers=4`) whose errors read
//! as one line.

use bareipc::fmt::Line;

/// One option a program accepts.
#[derive(Debug)]
pub struct Opt {
    /// The short name: `b'w'` for `-w`.
    pub short: u8,
    /// The long name without dashes: `"workers"` for `--workers`.
    pub long: &'static str,
    /// The value's name in the help (`Some("N")`), or `None` for a flag.
    pub value: Option<&'static str>,
}

/// A rejected command line.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Usage<'a> {
    /// `what 'arg'`: an unknown option, a missing value, a stray argument.
    Arg(&'static str, &'a [u8]),
    /// A value that is not a whole number (`range` is `None`) or not in `range`.
    Value {
        /// The option's long name.
        option: &'static str,
        /// What the command line gave.
        text: &'a [u8],
        /// The range accepted, if the text was a number.
        range: Option<(u64, u64)>,
    },
    /// More workers than terms to share among them.
    MoreWorkersThanTerms {
        /// Workers asked for.
        workers: u64,
        /// Terms asked for.
        terms: u64,
    },
}

impl bareipc::fmt::Describe for Usage<'_> {
    /// The one-line description, without the program name.
    fn describe(&self, l: &mut Line) {
        match *self {
            Usage::Arg(what, arg) => {
                l.str(what).str(" '");
                quote(l, arg);
                l.str("'");
            }
            Usage::Value { option, text, range } => {
                l.str("invalid value '");
                quote(l, text);
                l.str("' for --").str(option).str(": ");
                match range {
                    None => l.str("not a whole number"),
                    Some((min, max)) => l.fill("must be from # to #", &[min, max]),
                };
            }
            Usage::MoreWorkersThanTerms { workers, terms } => {
                l.fill("more workers (#) than terms (#)", &[workers, terms]);
            }
        }
    }
}

/// Appends `arg`, printable ASCII as is and every other byte as `\xNN`, at most 64 bytes.
fn quote(l: &mut Line, arg: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &b in arg.iter().take(64) {
        if (b' '..=b'~').contains(&b) && b != b'\\' {
            l.bytes(&[b]);
        } else {
            l.bytes(&[b'\\', b'x', HEX[(b >> 4) as usize], HEX[(b & 15) as usize]]);
        }
    }
    if arg.len() > 64 {
        l.str("...");
    }
}

/// Walks `args`, calling `on(option_number, value)` for each option in `opts` (its value
/// is `Some` exactly when the option takes one). Stops at the first problem.
pub fn parse<'a>(
    args: impl IntoIterator<Item = &'a [u8]>,
    opts: &[Opt],
    mut on: impl FnMut(usize, Option<&'a [u8]>) -> Result<(), Usage<'a>>,
) -> Result<(), Usage<'a>> {
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (found, inline) = if let Some(long) = arg.strip_prefix(b"--") {
            let (name, inline) = match long.iter().position(|&b| b == b'=') {
                Some(eq) => (&long[..eq], Some(&long[eq + 1..])),
                None => (long, None),
            };
            (opts.iter().position(|o| o.long.as_bytes() == name && !name.is_empty()), inline)
        } else if arg.len() >= 2 && arg[0] == b'-' {
            let found = opts.iter().position(|o| o.short == arg[1]);
            let rest = &arg[2..];
            match found {
                Some(i) if opts[i].value.is_some() && !rest.is_empty() => (found, Some(rest)),
                Some(_) if !rest.is_empty() => return Err(Usage::Arg("unknown option", arg)),
                _ => (found, None),
            }
        } else {
            return Err(Usage::Arg("unexpected argument", arg));
        };
        let Some(i) = found else {
            return Err(Usage::Arg("unknown option", arg));
        };
        let value = match (opts[i].value, inline) {
            (None, Some(_)) => return Err(Usage::Arg("option takes no value:", arg)),
            (None, None) => None,
            (Some(_), Some(v)) => Some(v),
            (Some(_), None) => match args.next() {
                Some(v) => Some(v),
                None => return Err(Usage::Arg("missing value for", arg)),
            },
        };
        on(i, value)?;
    }
    Ok(())
}

/// Parses a decimal number in `min..=max` for option `--option`. (Not inlined: a program
/// parses several numbers, and one copy of the loop is smaller than one per option.)
#[inline(never)]
pub fn number<'a>(
    option: &'static str,
    text: &'a [u8],
    min: u64,
    max: u64,
) -> Result<u64, Usage<'a>> {
    if text.is_empty() || !text.iter().all(u8::is_ascii_digit) {
        return Err(Usage::Value { option, text, range: None });
    }
    let mut v: u64 = 0;
    for &d in text {
        v = v.checked_mul(10).and_then(|v| v.checked_add((d - b'0') as u64)).unwrap_or(u64::MAX);
    }
    if v < min || v > max {
        return Err(Usage::Value { option, text, range: Some((min, max)) });
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bareipc::fmt::Describe;

    const OPTS: &[Opt] = &[
        Opt { short: b'w', long: "workers", value: Some("N") },
        Opt { short: b'h', long: "help", value: None },
    ];

    /// Each option seen: its number in `OPTS` and its value.
    type Seen = Vec<(usize, Option<Vec<u8>>)>;

    fn run(args: &[&[u8]]) -> Result<Seen, String> {
        let mut seen = Vec::new();
        parse(args.iter().copied(), OPTS, |i, v| {
            seen.push((i, v.map(<[u8]>::to_vec)));
            Ok(())
        })
        .map(|()| seen)
        .map_err(text)
    }

    fn text(u: Usage) -> String {
        let mut l = Line::new();
        u.describe(&mut l);
        String::from_utf8(l.as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn every_spelling_of_an_option_is_accepted() {
        let four = Some(b"4".to_vec());
        for args in [&[&b"-w"[..], b"4"][..], &[b"-w4"], &[b"--workers", b"4"], &[b"--workers=4"]] {
            assert_eq!(run(args), Ok(vec![(0, four.clone())]), "{args:?}");
        }
        assert_eq!(run(&[b"-h", b"--help"]), Ok(vec![(1, None), (1, None)]));
        assert_eq!(run(&[b"--workers="]), Ok(vec![(0, Some(vec![]))]));
        assert_eq!(run(&[]), Ok(vec![]));
    }

    #[test]
    fn bad_command_lines_are_named() {
        assert_eq!(run(&[b"-x"]).unwrap_err(), "unknown option '-x'");
        assert_eq!(run(&[b"--work"]).unwrap_err(), "unknown option '--work'");
        assert_eq!(run(&[b"--"]).unwrap_err(), "unknown option '--'");
        assert_eq!(run(&[b"-hx"]).unwrap_err(), "unknown option '-hx'");
        assert_eq!(run(&[b"-"]).unwrap_err(), "unexpected argument '-'");
        assert_eq!(run(&[b"7"]).unwrap_err(), "unexpected argument '7'");
        assert_eq!(run(&[b"-w"]).unwrap_err(), "missing value for '-w'");
        assert_eq!(run(&[b"--help=1"]).unwrap_err(), "option takes no value: '--help=1'");
        assert_eq!(run(&[b"\xff\n"]).unwrap_err(), "unexpected argument '\\xff\\x0a'");
    }

    #[test]
    fn numbers_are_checked_for_form_and_range() {
        let n = |t: &[u8]| number("terms", t, 1, 1000).map_err(text);
        assert_eq!(n(b"1000"), Ok(1000));
        assert_eq!(n(b"007"), Ok(7));
        assert_eq!(n(b"0").unwrap_err(), "invalid value '0' for --terms: must be from 1 to 1000");
        assert_eq!(
            n(b"1001").unwrap_err(),
            "invalid value '1001' for --terms: must be from 1 to 1000"
        );
        assert_eq!(
            n(b"99999999999999999999999").unwrap_err(),
            "invalid value '99999999999999999999999' for --terms: must be from 1 to 1000"
        );
        for bad in [&b""[..], b"-1", b"+1", b"1e3", b" 1", b"0x10", b"1_000"] {
            assert!(n(bad).unwrap_err().ends_with("not a whole number"), "{bad:?}");
        }
    }

    #[test]
    fn other_problems_read_well() {
        let u = Usage::MoreWorkersThanTerms { workers: 64, terms: 7 };
        assert_eq!(text(u), "more workers (64) than terms (7)");
        let u = Usage::Arg("message longer than 256 bytes:", b"xyz");
        assert_eq!(text(u), "message longer than 256 bytes: 'xyz'");
    }
}
