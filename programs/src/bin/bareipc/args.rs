//! The command line — `bareipc GROUP VERB ARG... [OPTION...]` — checked against the table
//! of groups and verbs (`commands::GROUPS`, handed to [`parse`]); and how a failure is reported.

use bareipc::errno::{CallError, Errno};
use bareipc::fmt::Line;
use bareipc::ipc::name::Name;
use bareipc::setting::Setting;
use programs::rt::Args;

/// A failure, already reported on stderr: the exit status (1 a call failed, 2 bad usage).
#[derive(Clone, Copy)]
pub struct Exit(pub i32);

/// The result of every step: a failure has been reported when it is returned.
pub type Done<T = ()> = Result<T, Exit>;

/// Reports a failed call (`bareipc: CALL: ENAME (meaning): hint`): exit status 1.
#[inline(never)]
pub fn call_failed(call: &'static str, errno: Errno) -> Exit {
    programs::app::error::report_call(&CallError { call, errno });
    Exit(1)
}

/// Names the call a result came from; reports it if it failed.
pub trait OrFail<T> {
    fn or_fail(self, call: &'static str) -> Done<T>;
}

impl<T> OrFail<T> for Result<T, Errno> {
    fn or_fail(self, call: &'static str) -> Done<T> {
        self.map_err(|e| call_failed(call, e))
    }
}

impl<T> OrFail<T> for Result<T, rustix::io::Errno> {
    fn or_fail(self, call: &'static str) -> Done<T> {
        self.map_err(|e| call_failed(call, e.into()))
    }
}

impl<T> OrFail<T> for Result<T, CallError> {
    /// A result that names its call already (`call` is unused).
    fn or_fail(self, _: &'static str) -> Done<T> {
        self.map_err(|e| call_failed(e.call, e.errno))
    }
}

/// The group whose `--help` a usage error points to.
static GROUP: Setting<&str> = Setting::new();

/// Reports a bad command line — `bareipc: what 'TEXT'`, `: not a number from MIN to MAX`
/// for a number out of `range`, and `(try 'bareipc GROUP --help')` — with the bytes of
/// TEXT outside printable ASCII as `\xNN`, at most 64 of them: exit status 2.
#[inline(never)]
pub fn complain(what: &str, text: &[u8], range: Option<(i64, i64)>) -> Exit {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut l = bareipc::io::report_line();
    l.str(what).str(" '");
    for &c in text.iter().take(64) {
        match c {
            b' '..=b'~' if c != b'\\' => l.bytes(&[c]),
            _ => l.bytes(&[b'\\', b'x', HEX[(c >> 4) as usize], HEX[(c & 15) as usize]]),
        };
    }
    l.str("'");
    if let Some((min, max)) = range {
        l.str(": not a number from ").i64(min).str(" to ").i64(max);
    }
    l.str(" (try 'bareipc ");
    if let Some(name) = GROUP.get().filter(|n| !n.is_empty()) {
        l.str(name).str(" ");
    }
    bareipc::io::eprint(l.str("--help')\n"));
    Exit(2)
}

/// Reports `what` with its command-line text: `bareipc: what 'TEXT' (try …)`: exit 2.
pub fn bad(what: &str, text: &[u8]) -> Exit {
    complain(what, text, None)
}

/// `text` as a number in base `radix` (saturating), or None if it has no digits or
/// anything else.
pub fn digits(text: &[u8], radix: u32) -> Option<u64> {
    let each = |v: u64, &d: &u8| {
        Some(v.saturating_mul(radix as u64).saturating_add((d as char).to_digit(radix)? as u64))
    };
    text.iter().try_fold(0, each).filter(|_| !text.is_empty())
}

/// Reports `line` (`bareipc: …`, then a newline): exit status 1.
#[inline(never)]
pub fn say(line: &mut Line) -> Exit {
    bareipc::io::eprint(line.str("\n"));
    Exit(1)
}

/// Reports `bareipc: CONTEXT: what`: exit status 1.
pub fn said(context: &str, what: &str) -> Exit {
    say(bareipc::io::report_line().str(context).str(": ").str(what))
}

/// Every option's long name; a verb allows a set of them (bits, in this order). `-h` and
/// `-V` are the only short ones.
const NAMES: &str = "help version json dry-run mode max-messages message-size priority \
    timeout type value size offset length raw count nowait seqpacket dgram eventfd";

/// The options that take a value.
const VALUED: u32 = 1 << MODE
    | 1 << MAX_MESSAGES
    | 1 << MESSAGE_SIZE
    | 1 << PRIORITY
    | 1 << TIMEOUT
    | 1 << TYPE
    | 1 << VALUE
    | 1 << SIZE
    | 1 << OFFSET
    | 1 << LENGTH
    | 1 << COUNT;

/// Option `opt`'s long name.
fn option(opt: usize) -> &'static str {
    bareipc::fmt::field(NAMES, b' ', opt).unwrap_or("")
}

pub const HELP: usize = 0;
pub const VERSION: usize = 1;
pub const JSON: usize = 2;
pub const DRY_RUN: usize = 3;
pub const MODE: usize = 4;
pub const MAX_MESSAGES: usize = 5;
pub const MESSAGE_SIZE: usize = 6;
pub const PRIORITY: usize = 7;
pub const TIMEOUT: usize = 8;
pub const TYPE: usize = 9;
pub const VALUE: usize = 10;
pub const SIZE: usize = 11;
pub const OFFSET: usize = 12;
pub const LENGTH: usize = 13;
pub const RAW: usize = 14;
pub const COUNT: usize = 15;
pub const NOWAIT: usize = 16;
pub const SEQPACKET: usize = 17;
pub const DGRAM: usize = 18;
pub const EVENTFD: usize = 19;
/// The last option's number.
const LAST: usize = EVENTFD;

/// A subcommand: its word, how many arguments it takes, which options, what runs it.
pub struct Verb {
    pub run: fn(&Cmd) -> Done,
    /// Bit `1 << OPTION` for each option allowed.
    pub opts: u32,
    pub min: u8,
    pub max: u8,
}

pub const fn verb(min: u8, max: u8, opts: &[usize], run: fn(&Cmd) -> Done) -> Verb {
    let mut bits = 1 << HELP;
    let mut i = 0;
    while i < opts.len() {
        bits |= 1 << opts[i];
        i += 1;
    }
    Verb { run, opts: bits, min, max }
}

/// A group of subcommands (`mq`, `msg`, …); `ls` and `clean` have one verb and no verb
/// word; the first group is the top level (`--help`, `--version`).
pub struct Group {
    pub name: &'static str,
    /// The verbs' words, in order, separated by spaces ("" for a group without).
    pub words: &'static str,
    pub verbs: &'static [Verb],
}

/// A parsed command line.
pub struct Cmd {
    pub group: &'static Group,
    pub verb: &'static Verb,
    /// The arguments after the verb that are not options ("" where not given).
    pub pos: [&'static [u8]; 3],
    /// Each option's value (`Some(b"")` for a flag given), by option number.
    pub vals: [Option<&'static [u8]>; LAST + 1],
    /// The value of `TMPDIR`, where the programs make their FIFOs and socket files.
    pub tmpdir: Option<&'static core::ffi::CStr>,
}

impl Cmd {
    /// Whether flag `opt` was given.
    pub fn flag(&self, opt: usize) -> bool {
        self.vals[opt].is_some()
    }

    /// Option `opt`'s value as a number in `min..=max`, or `default`.
    #[inline(never)]
    pub fn number(&self, opt: usize, min: u64, max: u64, default: u64) -> Done<u64> {
        match self.vals[opt] {
            Some(text) => signed(option(opt), text, min as i64, max as i64).map(|v| v as u64),
            None => Ok(default),
        }
    }

    /// `--mode OCTAL` (0 to 0777), or 0600.
    pub fn mode(&self) -> Done<u32> {
        let Some(text) = self.vals[MODE] else { return Ok(0o600) };
        match digits(text, 8) {
            Some(v) if v <= 0o777 => Ok(v as u32),
            _ => Err(bad("not a mode from 0 to 0777:", text)),
        }
    }

    /// `--timeout SECONDS` (decimal, to the nanosecond — further digits are ignored —
    /// at most a day), if given.
    pub fn timeout(&self) -> Done<Option<bareipc::ipc::mq::Timespec>> {
        let Some(text) = self.vals[TIMEOUT] else { return Ok(None) };
        let (mut sec, mut nsec, mut dot, mut scale) = (0i64, 0i64, false, 100_000_000);
        for &c in text {
            match c {
                b'.' if !dot => dot = true,
                b'0'..=b'9' if !dot => sec = (sec * 10 + (c - b'0') as i64).min(1 << 40),
                b'0'..=b'9' => {
                    nsec += (c - b'0') as i64 * scale;
                    scale /= 10;
                }
                _ => {
                    sec = i64::MAX;
                    break;
                }
            }
        }
        if sec > 86400 || text.len() == dot as usize {
            return Err(bad("not 0 to 86400 seconds:", text));
        }
        Ok(Some(bareipc::ipc::mq::Timespec { tv_sec: sec, tv_nsec: nsec }))
    }
}

/// A decimal number, maybe negative, in `min..=max` (`what` names it if it is not).
#[inline(never)]
pub fn signed(what: &str, text: &[u8], min: i64, max: i64) -> Done<i64> {
    let abs = text.strip_prefix(b"-").unwrap_or(text);
    let v = digits(abs, 10).map(|v| v.min(i64::MAX as u64) as i64);
    match v.map(|v| if abs.len() < text.len() { -v } else { v }) {
        Some(v) if (min..=max).contains(&v) => Ok(v),
        _ => Err(complain(what, text, Some((min, max)))),
    }
}

/// Whether `arg` is an option: `-x…` or `--…`, but not a negative number.
fn is_option(arg: &[u8]) -> bool {
    arg.len() >= 2 && arg[0] == b'-' && !arg[1].is_ascii_digit()
}

/// Parses the whole command line (no arguments at all: `ls`).
#[inline(never)]
pub fn parse(args: Args, groups: &'static [Group]) -> Done<Cmd> {
    // No command line is longer: group, verb, 3 arguments, options and their values.
    let mut all = [&b""[..]; 16];
    let mut n = 0;
    for arg in args {
        *all.get_mut(n).ok_or_else(|| bad("unexpected argument", arg))? = arg;
        n += 1;
    }
    let all = &all[..n];
    // `help [COMMAND]`: the usage, or that command's lines of it.
    if all.first() == Some(&&b"help"[..]) {
        let topic = all.get(1).copied().unwrap_or(b"");
        if let Some(&extra) = all.get(2) {
            return Err(bad("unexpected argument", extra));
        }
        if !topic.is_empty() && !groups[1..].iter().any(|g| g.name.as_bytes() == topic) {
            return Err(bad("unknown command", topic));
        }
        let mut cmd = Cmd {
            group: &groups[0],
            verb: &groups[0].verbs[0],
            pos: [topic, b"", b""],
            vals: [None; LAST + 1],
            tmpdir: None,
        };
        cmd.vals[HELP] = Some(b"");
        return Ok(cmd);
    }
    // The i-th argument if it is a word (not an option).
    let word = |i: usize| all.get(i).copied().filter(|a| !is_option(a));
    let mut i = 0;
    let group = match word(0) {
        // No arguments: ls; an option first: the top level's (--help, --version).
        None => &groups[(n == 0) as usize],
        Some(a) => {
            i = 1;
            groups[1..]
                .iter()
                .find(|g| g.name.as_bytes() == a)
                .ok_or_else(|| bad("unknown command", a))?
        }
    };
    GROUP.set(&group.name);
    let (verb, word) = match word(i) {
        _ if group.words.is_empty() => (&group.verbs[0], group.name.as_bytes()),
        // An option (--help) where the verb would be.
        None if i < n => (&group.verbs[0], &b""[..]),
        None => return Err(bad("missing argument after", group.name.as_bytes())),
        Some(a) => {
            i += 1;
            let found = (0..group.verbs.len()).find(|&v| {
                bareipc::fmt::field(group.words, b' ', v).is_some_and(|w| w.as_bytes() == a)
            });
            (&group.verbs[found.ok_or_else(|| bad("unknown subcommand", a))?], a)
        }
    };
    let mut cmd = Cmd { group, verb, pos: [b""; 3], vals: [None; LAST + 1], tmpdir: None };
    let mut npos = 0;
    let mut only_args = false;
    while let Some(&arg) = all.get(i) {
        i += 1;
        if only_args || !is_option(arg) {
            *cmd.pos
                .get_mut(npos)
                .filter(|_| npos < verb.max as usize)
                .ok_or_else(|| bad("unexpected argument", arg))? = arg;
            npos += 1;
            continue;
        }
        if arg == b"--" {
            only_args = true;
            continue;
        }
        // `--option VALUE`, not `--option=VALUE`: 192 bytes the 32 KiB could not spare.
        let name = arg.strip_prefix(b"--").unwrap_or(&arg[1..]);
        let found = match name {
            b"h" => Some(HELP),
            b"V" => Some(VERSION),
            _ if arg[1] == b'-' => (0..=LAST).find(|&o| option(o).as_bytes() == name),
            _ => None,
        };
        let Some(o) = found.filter(|&o| verb.opts & 1 << o != 0) else {
            return Err(bad("unknown option", arg));
        };
        let value = match VALUED & 1 << o != 0 {
            false => Some(&b""[..]),
            true => {
                i += 1;
                all.get(i - 1).copied()
            }
        };
        cmd.vals[o] = Some(value.ok_or_else(|| bad("missing value for", arg))?);
    }
    if cmd.flag(HELP) || cmd.flag(VERSION) {
        cmd.verb = &groups[0].verbs[0];
    } else if npos < verb.min as usize {
        return Err(bad("missing argument after", word));
    }
    Ok(cmd)
}

/// A POSIX object's name from the command line: `/NAME` or `NAME` (the slash added).
#[inline(never)]
pub fn name(text: &'static [u8]) -> Done<Name> {
    let mut buf = [b'/'; Name::CAPACITY];
    let made = match text {
        [b'/', ..] => Name::new(text),
        _ => match buf.get_mut(1..=text.len()) {
            Some(rest) => {
                rest.copy_from_slice(text);
                Name::new(&buf[..=text.len()])
            }
            None => Err(Errno::ENAMETOOLONG),
        },
    };
    made.map_err(|e| match e {
        Errno::ENAMETOOLONG => bad("name over 255 bytes:", text),
        _ => bad("not a POSIX name:", text),
    })
}

/// A System V object on the command line: `0xHEX` is a key, decimal an id — or a key
/// too, where only a key can be meant (`key_only`: create).
pub enum Ref {
    Key(i32),
    Id(i32),
}

pub fn sysv_ref(text: &'static [u8], key_only: bool) -> Done<Ref> {
    let v = match text.strip_prefix(b"0x") {
        Some(hex) => digits(hex, 16).filter(|_| hex.len() <= 8).map(|k| Ref::Key(k as u32 as i32)),
        None => digits(text, 10)
            .filter(|&v| v <= i32::MAX as u64)
            .map(|v| v as i32)
            .map(|v| if key_only { Ref::Key(v) } else { Ref::Id(v) }),
    };
    v.ok_or_else(|| bad("not a key (0xHEX) or an id (decimal):", text))
}
