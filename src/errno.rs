//! Error numbers that print their name and meaning.
//!
//! [`Errno`] is a newtype rather than an enum: the kernel may return codes this table does
//! not know, and those still print (as `errno 200`). The table holds the codes the calls of
//! bareipc can return; a full table would cost every binary about 4 KB.

/// A kernel error number, as returned in `-errno` form by a system call. Its `Debug` form
/// names it where the tables know it (`Errno(ENOENT)`, else `Errno(200)`): what a
/// `main` returning the error shows.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Errno(i32);

impl core::fmt::Debug for Errno {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.name() {
            Some(name) => write!(f, "Errno({name})"),
            None => write!(f, "Errno({})", self.0),
        }
    }
}

macro_rules! errnos {
    ($codes:ident, $text:ident: $($name:ident = $value:literal, $meaning:literal;)*) => {
        impl Errno {
            $(#[doc = $meaning] pub const $name: Errno = Errno($value);)*
        }
        errnos! { @table $codes, $text: $($name = $value, $meaning;)* }
    };
    // A table of codes whose constants another table defines.
    (@table $codes:ident, $text:ident: $($name:ident = $value:literal, $meaning:literal;)*) => {
        /// The codes of this table, in the order of its text's entries. One byte each, and
        /// one string for all names and meanings: pointers to 40 separate strings would
        /// cost every binary 1.6 KB of relocated data.
        const $codes: &[u8] = &[$($value),*];
        /// `NAME\0meaning\0` for each code.
        const $text: &str = concat!($(stringify!($name), "\0", $meaning, "\0"),*);
    };
    // Two tables, the second a superset of the first: the first's entries, then its own.
    ($codes:ident, $text:ident: $($name:ident = $value:literal, $meaning:literal;)*
     + $codes2:ident, $text2:ident: $($name2:ident = $value2:literal, $meaning2:literal;)*) => {
        errnos! { $codes, $text: $($name = $value, $meaning;)* }
        impl Errno {
            $(#[doc = $meaning2] pub const $name2: Errno = Errno($value2);)*
        }
        /// The first table's codes, then this one's.
        const $codes2: &[u8] = &[$($value,)* $($value2),*];
        /// `NAME\0meaning\0` for each code.
        const $text2: &str = concat!(
            $(stringify!($name), "\0", $meaning, "\0",)*
            $(stringify!($name2), "\0", $meaning2, "\0"),*
        );
    };
}

errnos! { CODES, TEXT:
    EPERM = 1, "Operation not permitted";
    ENOENT = 2, "No such file or directory";
    EINTR = 4, "Interrupted system call";
    EIO = 5, "Input/output error";
    EBADF = 9, "Bad file descriptor";
    ECHILD = 10, "No child processes";
    EAGAIN = 11, "Resource temporarily unavailable";
    ENOMEM = 12, "Cannot allocate memory";
    EACCES = 13, "Permission denied";
    EEXIST = 17, "File exists";
    ENOTDIR = 20, "Not a directory";
    EISDIR = 21, "Is a directory";
    EINVAL = 22, "Invalid argument";
    ENFILE = 23, "Too many open files in system";
    EMFILE = 24, "Too many open files";
    EFBIG = 27, "File too large";
    ENOSPC = 28, "No space left on device";
    EROFS = 30, "Read-only file system";
    EPIPE = 32, "Broken pipe";
    ENAMETOOLONG = 36, "File name too long";
    ENOSYS = 38, "Function not implemented";
    ELOOP = 40, "Too many levels of symbolic links";
    EOVERFLOW = 75, "Value too large for defined data type";
    EDQUOT = 122, "Disk quota exceeded";
}

// Codes only some programs can meet: their binaries register these tables
// (`program!(…, errnos: …)`), the others do not carry them. ESRCH and EFAULT: a process
// gone, an address not mapped (pi-process-vm reading a worker; the search for dead runs'
// System V queues).
errnos! { PROCESS_CODES, PROCESS_TEXT:
    ESRCH = 3, "No such process";
    EFAULT = 14, "Bad address";
+ QUEUE_CODES, QUEUE_TEXT:
    E2BIG = 7, "Argument list too long";
    ENOMSG = 42, "No message of desired type";
    EIDRM = 43, "Identifier removed";
    EMSGSIZE = 90, "Message too long";
    ETIMEDOUT = 110, "Connection timed out";
}
errnos! { UNIX_SOCKET_CODES, UNIX_SOCKET_TEXT:
    EAFNOSUPPORT = 97, "Address family not supported by protocol";
    EADDRINUSE = 98, "Address already in use";
    ECONNABORTED = 103, "Software caused connection abort";
    ECONNRESET = 104, "Connection reset by peer";
    ECONNREFUSED = 111, "Connection refused";
+ SOCKET_CODES, SOCKET_TEXT:
    ENOTSOCK = 88, "Socket operation on non-socket";
    EADDRNOTAVAIL = 99, "Cannot assign requested address";
    ENETUNREACH = 101, "Network is unreachable";
}

errnos! { FD_PASSING_CODES, FD_PASSING_TEXT:
    ETOOMANYREFS = 109, "Too many references: cannot splice";
}

errnos! { FILE_CODES, FILE_TEXT:
    ENXIO = 6, "No such device or address";
    EOPNOTSUPP = 95, "Operation not supported";
}

impl Errno {
    /// No such device: what only the tool meets (in its table below), something at a
    /// name of /dev/shm that is no shared memory object (a FIFO, a directory).
    pub const ENODEV: Errno = Errno(19);
}

// The tool's one table: it meets queues, processes and files (one table, not a chain:
// a lookup through several would cost every program's lookup code).
errnos! { @table UDP_CODES, UDP_TEXT:
    EAFNOSUPPORT = 97, "Address family not supported by protocol";
    EADDRINUSE = 98, "Address already in use";
    ECONNABORTED = 103, "Software caused connection abort";
    ECONNRESET = 104, "Connection reset by peer";
    ECONNREFUSED = 111, "Connection refused";
    ENOTSOCK = 88, "Socket operation on non-socket";
    EADDRNOTAVAIL = 99, "Cannot assign requested address";
    ENETUNREACH = 101, "Network is unreachable";
    ETIMEDOUT = 110, "Connection timed out";
}
errnos! { @table TOOL_CODES, TOOL_TEXT:
    ENOTSOCK = 88, "Socket operation on non-socket";
    EPROTOTYPE = 91, "Protocol wrong type for socket";
    EAFNOSUPPORT = 97, "Address family not supported by protocol";
    EADDRINUSE = 98, "Address already in use";
    ECONNRESET = 104, "Connection reset by peer";
    ECONNREFUSED = 111, "Connection refused";
    EINPROGRESS = 115, "Operation now in progress";
    ESRCH = 3, "No such process";
    EFAULT = 14, "Bad address";
    E2BIG = 7, "Argument list too long";
    ENOMSG = 42, "No message of desired type";
    EIDRM = 43, "Identifier removed";
    EMSGSIZE = 90, "Message too long";
    ETIMEDOUT = 110, "Connection timed out";
    ENXIO = 6, "No such device or address";
    ENODEV = 19, "No such device";
    EOPNOTSUPP = 95, "Operation not supported";
}

/// A table of error names and meanings beyond the common one.
#[derive(Debug)]
pub struct Extra {
    codes: &'static [u8],
    text: &'static str,
}

/// No extra names.
pub const NONE: Extra = Extra { codes: &[], text: "" };
/// The codes of message queue calls (ESRCH, EFAULT, then `msgrcv`'s E2BIG and ENOMSG, EIDRM, EMSGSIZE,
/// ETIMEDOUT).
pub const QUEUES: Extra = Extra { codes: QUEUE_CODES, text: QUEUE_TEXT };
/// The codes of socket calls.
pub const SOCKETS: Extra = Extra { codes: SOCKET_CODES, text: SOCKET_TEXT };
/// The codes a Unix socket bound to a path can meet: a kernel without AF_UNIX, a file in
/// the way, nobody listening (the rest of [`SOCKETS`] concerns networks and streams).
pub const UNIX_SOCKETS: Extra = Extra { codes: UNIX_SOCKET_CODES, text: UNIX_SOCKET_TEXT };
/// The codes of UDP: those of [`SOCKETS`], and ETIMEDOUT (a receive timeout that passed).
pub const UDP: Extra = Extra { codes: UDP_CODES, text: UDP_TEXT };
/// The codes of reading another process's memory (ESRCH, EFAULT).
pub const PROCESSES: Extra = Extra { codes: PROCESS_CODES, text: PROCESS_TEXT };
/// The codes of passing descriptors over a socket (ETOOMANYREFS: too many in flight).
pub const FD_PASSING: Extra = Extra { codes: FD_PASSING_CODES, text: FD_PASSING_TEXT };
/// The codes of files met by path: a FIFO (ENXIO: no reader), a file system without a
/// feature (EOPNOTSUPP: no O_TMPFILE).
pub const FILES: Extra = Extra { codes: FILE_CODES, text: FILE_TEXT };
/// The tool's: those of [`QUEUES`] and [`FILES`], ENODEV (not a shared memory object), and
/// the socket calls' that its `unix`, `tcp` and `udp` commands meet.
pub const TOOL: Extra = Extra { codes: TOOL_CODES, text: TOOL_TEXT };

impl Extra {
    /// Whether `errno` has a name in the common table or this one.
    pub fn names(&self, errno: Errno) -> bool {
        errno.name().is_some() || field_in(self.codes, self.text, errno.0, 0).is_some()
    }
}

static EXTRA: crate::setting::Setting<Extra> = crate::setting::Setting::new();

/// Records the program's extra table: the error names its calls meet beyond the common ones.
pub fn set_extra(table: &'static Extra) {
    EXTRA.set(table);
}

/// Field `which` (0 name, 1 meaning) of `code`'s entry in one table.
fn field_in(codes: &[u8], text: &'static str, code: i32, which: usize) -> Option<&'static str> {
    let entry = codes.iter().position(|&c| c as i32 == code)?;
    crate::fmt::field(text, 0, 2 * entry + which)
}

impl Errno {
    /// The error number `raw` (a positive `errno` value).
    pub const fn from_raw(raw: i32) -> Errno {
        Errno(raw)
    }

    /// The positive `errno` value.
    pub const fn raw(self) -> i32 {
        self.0
    }

    /// Field `which` (0 name, 1 meaning) of this code's entry in the common table or the
    /// program's extra one.
    fn field(self, which: usize) -> Option<&'static str> {
        field_in(CODES, TEXT, self.0, which).or_else(|| {
            let extra = EXTRA.get()?;
            field_in(extra.codes, extra.text, self.0, which)
        })
    }

    /// The symbolic name, such as `"EMFILE"`, if the table knows it.
    pub fn name(self) -> Option<&'static str> {
        self.field(0)
    }

    /// The meaning glibc's `strerror` gives, such as `"Too many open files"`, if known.
    pub fn meaning(self) -> Option<&'static str> {
        self.field(1)
    }
}

impl From<rustix::io::Errno> for Errno {
    fn from(e: rustix::io::Errno) -> Errno {
        Errno(e.raw_os_error())
    }
}

impl From<Errno> for rustix::io::Errno {
    fn from(e: Errno) -> rustix::io::Errno {
        rustix::io::Errno::from_raw_os_error(e.0)
    }
}

impl core::fmt::Display for Errno {
    /// `ENAME (meaning)`, or `errno N` for a code the tables do not hold.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match (self.name(), self.meaning()) {
            (Some(name), Some(meaning)) => write!(f, "{name} ({meaning})"),
            _ => write!(f, "errno {}", self.0),
        }
    }
}

impl core::error::Error for Errno {}

#[cfg(feature = "std")]
impl From<Errno> for std::io::Error {
    fn from(e: Errno) -> std::io::Error {
        std::io::Error::from_raw_os_error(e.0)
    }
}

#[cfg(feature = "std")]
impl From<CallError> for std::io::Error {
    /// The error's kind, with the call as its message (`mq_open: ENOENT (No such file or
    /// directory)`). An `io::Error` holds either a message or an OS error number, not
    /// both, so [`io::Error::raw_os_error`](std::io::Error::raw_os_error) is `None` here:
    /// [`os_error`] gives the number of either kind.
    fn from(e: CallError) -> std::io::Error {
        let kind = std::io::Error::from_raw_os_error(e.errno.0).kind();
        std::io::Error::new(kind, e)
    }
}

/// The error number behind an `io::Error`: its OS error, or that of the [`CallError`] or
/// [`Errno`] it carries (what `?` made of one); `None` for any other error.
///
/// ```
/// use bareipc::errno::{CallError, Errno, os_error};
/// let e: std::io::Error = CallError { call: "mq_open", errno: Errno::EEXIST }.into();
/// assert_eq!(e.raw_os_error(), None);
/// assert_eq!(os_error(&e), Some(Errno::EEXIST));
/// assert_eq!(os_error(&std::io::Error::from_raw_os_error(2)), Some(Errno::ENOENT));
/// ```
#[cfg(feature = "std")]
pub fn os_error(e: &std::io::Error) -> Option<Errno> {
    if let Some(code) = e.raw_os_error() {
        return Some(Errno(code));
    }
    let inner = e.get_ref()?;
    inner
        .downcast_ref::<CallError>()
        .map(|c| c.errno)
        .or_else(|| inner.downcast_ref::<Errno>().copied())
}

/// A std program's workers may fail with an `io::Error` (what `?` makes of any call).
#[cfg(feature = "std")]
impl crate::fmt::Describe for std::io::Error {
    fn describe(&self, l: &mut crate::fmt::Line) {
        use core::fmt::Write;
        let _ = write!(l, "{self}");
    }
}

/// A std program's workers may fail with any error.
#[cfg(feature = "std")]
impl crate::fmt::Describe for Box<dyn std::error::Error + Send + Sync> {
    fn describe(&self, l: &mut crate::fmt::Line) {
        use core::fmt::Write;
        let _ = write!(l, "{self}");
    }
}

/// A std program's workers may fail with any error.
#[cfg(feature = "std")]
impl crate::fmt::Describe for Box<dyn std::error::Error> {
    fn describe(&self, l: &mut crate::fmt::Line) {
        use core::fmt::Write;
        let _ = write!(l, "{self}");
    }
}

/// A system call that failed: its name (as strace shows it) and its error number.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct CallError {
    /// The call, such as `"mq_open"`.
    pub call: &'static str,
    /// What it failed with.
    pub errno: Errno,
}

impl core::fmt::Display for CallError {
    /// `call: ENAME (meaning)`.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}: {}", self.call, self.errno)
    }
}

impl core::error::Error for CallError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        Some(&self.errno)
    }
}

impl crate::fmt::Describe for CallError {
    fn describe(&self, l: &mut crate::fmt::Line) {
        l.str(self.call).str(": ");
        self.errno.describe(l);
    }
}

impl crate::fmt::Describe for Errno {
    /// `ENAME (meaning)`, or `errno N`, without `core::fmt` (which would cost a program
    /// kilobytes).
    fn describe(&self, l: &mut crate::fmt::Line) {
        match (self.name(), self.meaning()) {
            (Some(name), Some(meaning)) => l.str(name).str(" (").str(meaning).str(")"),
            _ => l.fill("errno #", &[self.0 as u32 as u64]),
        };
    }
}

/// Names the call that produced an error: `mq_open(…).call("mq_open")?`.
pub trait Context<T> {
    /// Turns the error into a [`CallError`] naming `call`.
    fn call(self, call: &'static str) -> Result<T, CallError>;
}

impl<T> Context<T> for Result<T, Errno> {
    fn call(self, call: &'static str) -> Result<T, CallError> {
        self.map_err(|errno| CallError { call, errno })
    }
}

impl<T> Context<T> for Result<T, rustix::io::Errno> {
    fn call(self, call: &'static str) -> Result<T, CallError> {
        self.map_err(|e| CallError { call, errno: e.into() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_display_and_convert() {
        use crate::errno::Context;
        assert_eq!(Errno::EMFILE.to_string(), "EMFILE (Too many open files)");
        assert_eq!(Errno::from_raw(250).to_string(), "errno 250");
        let e = Err::<(), _>(Errno::ENOENT).call("mq_open").unwrap_err();
        assert_eq!(e.to_string(), "mq_open: ENOENT (No such file or directory)");
        assert_eq!(rustix::io::Errno::from(Errno::EAGAIN), rustix::io::Errno::AGAIN);
        let source = core::error::Error::source(&e).map(|s| s.to_string());
        assert_eq!(source.as_deref(), Some("ENOENT (No such file or directory)"));
    }

    #[cfg(feature = "std")]
    #[test]
    fn a_std_program_can_use_question_mark() {
        use crate::errno::Context;
        fn open() -> std::io::Result<()> {
            Err::<(), _>(Errno::ENOENT).call("mq_open")?;
            Ok(())
        }
        let e = open().unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
        assert_eq!(e.to_string(), "mq_open: ENOENT (No such file or directory)");
        let plain: std::io::Error = Errno::EACCES.into();
        assert_eq!(plain.raw_os_error(), Some(13));
    }

    #[test]
    fn debug_names_the_error() {
        assert_eq!(format!("{:?}", Errno::ENOENT), "Errno(ENOENT)");
        assert_eq!(format!("{:?}", Errno::from_raw(9999)), "Errno(9999)");
    }

    #[test]
    fn names_and_meanings_match_the_kernel_values() {
        assert_eq!(Errno::from_raw(24).name(), Some("EMFILE"));
        assert_eq!(Errno::EMFILE.meaning(), Some("Too many open files"));
        assert_eq!(Errno::from(rustix::io::Errno::NOENT), Errno::ENOENT);
        assert_eq!(Errno::from_raw(9999).name(), None);
    }

    const TABLES: [(&[u8], &str); 5] = [
        (CODES, TEXT),
        (QUEUE_CODES, QUEUE_TEXT),
        (SOCKET_CODES, SOCKET_TEXT),
        (FILE_CODES, FILE_TEXT),
        (TOOL_CODES, TOOL_TEXT),
    ];

    #[test]
    fn table_agrees_with_libc_and_glibc_strerror() {
        for (codes, text) in TABLES {
            for &code in codes {
                let value = code as i32;
                let (name, meaning) = (
                    field_in(codes, text, value, 0).unwrap(),
                    field_in(codes, text, value, 1).unwrap(),
                );
                // SAFETY: strerror returns a pointer to a NUL-terminated static or
                // thread-local string; it is read before any other strerror call here.
                let glibc = unsafe { std::ffi::CStr::from_ptr(libc::strerror(value)) };
                assert_eq!(glibc.to_str().unwrap(), meaning, "{name}");
            }
        }
        let by_libc = [
            (libc::EAGAIN, "EAGAIN", 0),
            (libc::ENOMSG, "ENOMSG", 1),
            (libc::EIDRM, "EIDRM", 1),
            (libc::EMSGSIZE, "EMSGSIZE", 1),
            (libc::ETIMEDOUT, "ETIMEDOUT", 1),
            (libc::ECONNRESET, "ECONNRESET", 2),
            (libc::EDQUOT, "EDQUOT", 0),
            (libc::EOVERFLOW, "EOVERFLOW", 0),
            (libc::ENXIO, "ENXIO", 3),
            (libc::ENODEV, "ENODEV", 4),
        ];
        // The tool's table holds every code of the tables it stands for.
        for (codes, text) in [TABLES[1], TABLES[3]] {
            for &code in codes {
                let name = field_in(codes, text, code as i32, 0);
                assert_eq!(field_in(TOOL_CODES, TOOL_TEXT, code as i32, 0), name);
            }
        }
        for (value, name, table) in by_libc {
            let (codes, text) = TABLES[table];
            assert_eq!(field_in(codes, text, value, 0), Some(name));
        }
    }

    #[test]
    fn tables_have_no_duplicates_and_line_up() {
        // (The tool's table repeats others' codes: it is not among those counted.)
        let all: Vec<u8> = TABLES[..4].iter().flat_map(|(c, _)| c.iter().copied()).collect();
        for (codes, text) in TABLES {
            assert_eq!(text.split('\0').count(), 2 * codes.len() + 1);
            for &a in codes {
                let once = all.iter().filter(|&&b| b == a).count() == 1;
                assert!(once || codes == TOOL_CODES, "{a}");
                assert!(field_in(codes, text, a as i32, 0).unwrap().starts_with('E'));
            }
        }
        // Only a program that registers a table gets its names.
        assert_eq!(Errno::EMFILE.name(), Some("EMFILE"));
    }
}
