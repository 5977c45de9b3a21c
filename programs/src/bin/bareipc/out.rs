//! Standard output through one buffer (a listing is a few `write`s, not one per row), the
//! ways bytes are shown (escaped, JSON, hex), and the help texts.

use crate::args::{Cmd, Done, OrFail, VERSION};
use bareipc::ipc::msg::Message;
use core::sync::atomic::{AtomicBool, Ordering::Relaxed};

/// The most bytes a message may have here (the kernel's defaults: 8192 for both kinds of
/// queue; root may raise them).
pub const MAX_MESSAGE: usize = 65536;

/// The one buffer for a message or a chunk of a read: 64 KiB in .bss (nothing in the
/// file, no stack probes), handed out once.
pub fn buffer() -> &'static mut Message<MAX_MESSAGE> {
    static TAKEN: AtomicBool = AtomicBool::new(false);
    static mut BUFFER: Message<MAX_MESSAGE> = Message::new(0);
    assert!(!TAKEN.swap(true, Relaxed), "one buffer, taken once");
    // SAFETY: the assertion above makes this the only reference ever made to BUFFER.
    unsafe { &mut *core::ptr::addr_of_mut!(BUFFER) }
}

/// The help: one line per subcommand, then notes for all (every `--help` prints it
/// whole: 2 KB, and a group's lines are next to each other).
pub const HELP: &str = "\
bareipc [COMMAND] [ARG...] [OPTION...]
  help [COMMAND]          this, or one command's lines of it
  ls [--json]             every IPC object here (the default)
  clean [--dry-run]       remove what dead bareipc runs left
  mq create NAME [--max-messages N] [--message-size N]
  mq send NAME TEXT [--priority N] [--timeout SECONDS]
  mq recv NAME [--timeout SECONDS]
  mq stat|rm NAME
  msg create [KEY]
  msg send KEY|ID TYPE TEXT [--nowait]
  msg recv KEY|ID [--type N] [--nowait]
  msg stat|rm KEY|ID
  sem create NAME [--value N]
  sem wait NAME [--timeout SECONDS]
  sem post|value|rm NAME
  shm create NAME [--size BYTES]
  shm read NAME [--offset BYTES] [--length BYTES]
  shm write NAME TEXT [--offset BYTES]
  shm stat|rm NAME
  sysv-sem create [KEY] [--count N]
  sysv-sem op KEY|ID NUM DELTA [--nowait|--timeout SECONDS]
  sysv-sem value|rm KEY|ID
  sysv-shm create [KEY] [--size BYTES]
  sysv-shm read KEY|ID [--offset BYTES] [--length BYTES]
  sysv-shm write KEY|ID TEXT [--offset BYTES]
  sysv-shm stat|rm KEY|ID
  fifo create PATH
  fifo write PATH TEXT [--timeout SECONDS]
  fifo read PATH [--timeout SECONDS]
  unix listen ADDR [--seqpacket|--dgram] [--count N] [--timeout SECONDS]
  unix send ADDR TEXT [--seqpacket|--dgram] [--timeout SECONDS]
  tcp listen PORT [--count N] [--timeout SECONDS]
  tcp send PORT TEXT [--timeout SECONDS]
  udp listen PORT [--count N] [--timeout SECONDS]
  udp send PORT TEXT [--timeout SECONDS]
  fd serve ADDR TEXT [--eventfd] [--count N] [--timeout SECONDS]
  fd take ADDR [--timeout SECONDS]
  signal send PID SIGNO VALUE
  signal wait SIGNO [--timeout SECONDS]
";

/// What `--help` says after the lines.
const NOTES: &str = "
mq, sem, shm: POSIX (sem: glibc's format); NAME with or without its slash. msg,
sysv-*: System V; KEY 0xHEX, ID decimal. create takes --mode OCTAL (0600). recv:
PRIORITY or TYPE, a tab, the text (\\xNN: not printable); read: a hex dump; both
the bytes alone with --raw. Past the end is an error, never SIGBUS. fifo: by path;
read prints until the last writer closes it. unix ADDR: a path or @NAME; tcp, udp
PORT: of 127.0.0.1; listen prints a line per message or connection. fd: a memfd of
TEXT (an eventfd of it) passed over ADDR. signal: SIGNO 34-64; wait prints the PID
the sender gave, a tab, VALUE.
Exit status: 0 done, 1 a call failed, 2 bad usage.
";

/// `--help` (the group's) or `--version`.
pub fn help(cmd: &Cmd) -> Done {
    let mut o = Out::new();
    o.str("bareipc ").str(programs::app::VERSION);
    if cmd.flag(VERSION) {
        o.str("\n");
    } else {
        o.str(": see and use every IPC object, POSIX and System V\n\nUsage: ");
        // `help COMMAND`: the first line, then only that command's.
        let (topic, help) = (cmd.pos[0], HELP.as_bytes());
        let mut start = 0;
        for (end, &b) in help.iter().enumerate() {
            if b != b'\n' {
                continue;
            }
            let line = &help[start..=end];
            let words = line.get(2..2 + topic.len() + 1);
            let ours = words.is_some_and(|w| w[..topic.len()] == *topic && w[topic.len()] == b' ');
            if start == 0 || topic.is_empty() || ours {
                o.bytes(line);
            }
            start = end + 1;
        }
        o.str(NOTES);
    }
    o.flush()
}

/// Standard output, buffered: written when the buffer fills and at [`flush`](Out::flush).
pub struct Out {
    buf: [u8; 2048],
    len: usize,
    /// Bytes since the last newline: where [`pad`](Out::pad) counts from.
    col: usize,
    /// A write failed: the error, kept for `flush`.
    failed: Option<bareipc::errno::Errno>,
    /// Output is dropped (`stat`: the rows of other objects).
    pub mute: bool,
}

impl Out {
    pub const fn new() -> Out {
        Out { buf: [0; 2048], len: 0, col: 0, failed: None, mute: false }
    }

    pub fn bytes(&mut self, mut b: &[u8]) -> &mut Out {
        if self.mute {
            return self;
        }
        while !b.is_empty() {
            if self.len == self.buf.len() {
                self.drain();
            }
            let n = b.len().min(self.buf.len() - self.len);
            self.buf[self.len..self.len + n].copy_from_slice(&b[..n]);
            self.len += n;
            self.col = match b[..n].iter().rposition(|&c| c == b'\n') {
                Some(nl) => n - nl - 1,
                None => self.col + n,
            };
            b = &b[n..];
        }
        self
    }

    pub fn str(&mut self, s: &str) -> &mut Out {
        self.bytes(s.as_bytes())
    }

    pub fn i64(&mut self, v: i64) -> &mut Out {
        let mut l = bareipc::fmt::Line::new();
        l.i64(v);
        self.bytes(l.as_bytes())
    }

    /// `v` as `0x` and 8 hex digits (a System V key).
    pub fn key(&mut self, v: i32) -> &mut Out {
        let mut d = *b"0x00000000";
        for (i, c) in d[2..].iter_mut().enumerate() {
            *c = HEX[(v as u32 >> (28 - 4 * i) & 15) as usize];
        }
        self.bytes(&d)
    }

    /// `mode & 0o777` as 4 octal digits.
    pub fn mode(&mut self, mode: u32) -> &mut Out {
        let d = [
            b'0',
            b'0' + (mode >> 6 & 7) as u8,
            b'0' + (mode >> 3 & 7) as u8,
            b'0' + (mode & 7) as u8,
        ];
        self.bytes(&d)
    }

    /// Spaces up to column `col` (at least one).
    pub fn pad(&mut self, col: usize) -> &mut Out {
        self.str(" ");
        // Muted, nothing is written and the column stays: no padding to do.
        while self.col < col && !self.mute {
            self.str(" ");
        }
        self
    }

    /// `b` with printable ASCII as is and every other byte (and `\`) as `\xNN`.
    pub fn escaped(&mut self, b: &[u8]) -> &mut Out {
        for &c in b {
            if (b' '..=b'~').contains(&c) && c != b'\\' {
                self.bytes(&[c]);
            } else {
                self.bytes(&[b'\\', b'x', HEX[(c >> 4) as usize], HEX[(c & 15) as usize]]);
            }
        }
        self
    }

    /// `b` as a JSON string: `\"`, `\\`, and every byte outside printable ASCII as
    /// `\u00NN` — valid JSON whatever the bytes (a name is bytes, not always UTF-8): a
    /// script gets the bytes back by encoding the string as Latin-1.
    pub fn json(&mut self, b: &[u8]) -> &mut Out {
        self.str("\"");
        for &c in b {
            match c {
                b'"' | b'\\' => self.bytes(&[b'\\', c]),
                0x20..=0x7e => self.bytes(&[c]),
                _ => self.str("\\u00").bytes(&[HEX[(c >> 4) as usize], HEX[(c & 15) as usize]]),
            };
        }
        self.str("\"")
    }

    /// A hex dump of `b`, as `hexdump -C`: offset (from `base`), 16 bytes, the printable.
    #[inline(never)]
    pub fn dump(&mut self, b: &[u8], base: u64) -> &mut Out {
        for (i, row) in b.chunks(16).enumerate() {
            let mut line = [b' '; 79];
            let at = base + 16 * i as u64;
            for (k, c) in line[..8].iter_mut().enumerate() {
                *c = HEX[(at >> (28 - 4 * k) & 15) as usize];
            }
            line[60] = b'|';
            for (j, &c) in row.iter().enumerate() {
                let h = 10 + 3 * j + j / 8;
                line[h] = HEX[(c >> 4) as usize];
                line[h + 1] = HEX[(c & 15) as usize];
                line[61 + j] = if (b' '..=b'~').contains(&c) { c } else { b'.' };
            }
            let end = 61 + row.len();
            line[end] = b'|';
            line[end + 1] = b'\n';
            self.bytes(&line[..end + 2]);
        }
        self
    }

    fn drain(&mut self) {
        if self.failed.is_none() {
            self.failed = bareipc::io::print_bytes(&self.buf[..self.len]).err();
        }
        self.len = 0;
    }

    /// Writes what is buffered; fails as `write` if this or an earlier write failed.
    pub fn flush(&mut self) -> Done {
        self.drain();
        self.failed.map_or(Ok(()), Err).or_fail("write")
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";
