//! Error numbers that print their name and meaning.
//!
//! [`Errno`] is a newtype rather than an enum: the kernel may return codes this table does
//! not know, and those still print (as `errno 200`). The table holds the codes the calls of
//! bareipc can return; a full table would cost every binary about 4 KB.

/// A kernel error number, as returned in `-errno` form by a system call.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Errno(i32);

macro_rules! errnos {
    ($($name:ident = $value:literal, $meaning:literal;)*) => {
        impl Errno {
            $(#[doc = $meaning] pub const $name: Errno = Errno($value);)*
        }
        /// The known codes, in the order of `TEXT`'s entries. One byte each, and one
        /// string for all names and meanings: pointers to 40 separate strings would cost
        /// every binary 1.6 KB of relocated data.
        const CODES: &[u8] = &[$($value),*];
        /// `NAME\0meaning\0` for each code in `CODES`.
        const TEXT: &str = concat!($(stringify!($name), "\0", $meaning, "\0"),*);
    };
}

errnos! {
    EPERM = 1, "Operation not permitted";
    ENOENT = 2, "No such file or directory";
    ESRCH = 3, "No such process";
    EINTR = 4, "Interrupted system call";
    EIO = 5, "Input/output error";
    ENXIO = 6, "No such device or address";
    E2BIG = 7, "Argument list too long";
    EBADF = 9, "Bad file descriptor";
    ECHILD = 10, "No child processes";
    EAGAIN = 11, "Resource temporarily unavailable";
    ENOMEM = 12, "Cannot allocate memory";
    EACCES = 13, "Permission denied";
    EFAULT = 14, "Bad address";
    EBUSY = 16, "Device or resource busy";
    EEXIST = 17, "File exists";
    ENODEV = 19, "No such device";
    ENOTDIR = 20, "Not a directory";
    EISDIR = 21, "Is a directory";
    EINVAL = 22, "Invalid argument";
    ENFILE = 23, "Too many open files in system";
    EMFILE = 24, "Too many open files";
    EFBIG = 27, "File too large";
    ENOSPC = 28, "No space left on device";
    ESPIPE = 29, "Illegal seek";
    EROFS = 30, "Read-only file system";
    EMLINK = 31, "Too many links";
    EPIPE = 32, "Broken pipe";
    ERANGE = 34, "Numerical result out of range";
    EDEADLK = 35, "Resource deadlock avoided";
    ENAMETOOLONG = 36, "File name too long";
    ENOSYS = 38, "Function not implemented";
    ELOOP = 40, "Too many levels of symbolic links";
    ENOMSG = 42, "No message of desired type";
    EIDRM = 43, "Identifier removed";
    EOVERFLOW = 75, "Value too large for defined data type";
    ENOTSOCK = 88, "Socket operation on non-socket";
    EMSGSIZE = 90, "Message too long";
    EOPNOTSUPP = 95, "Operation not supported";
    EAFNOSUPPORT = 97, "Address family not supported by protocol";
    ECONNRESET = 104, "Connection reset by peer";
    ETIMEDOUT = 110, "Connection timed out";
    EDQUOT = 122, "Disk quota exceeded";
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

    /// Field `which` (0 name, 1 meaning) of this code's entry in `TEXT`.
    fn field(self, which: usize) -> Option<&'static str> {
        let entry = CODES.iter().position(|&c| c as i32 == self.0)?;
        crate::fmt::field(TEXT, 0, 2 * entry + which)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_meanings_match_the_kernel_values() {
        assert_eq!(Errno::from_raw(24).name(), Some("EMFILE"));
        assert_eq!(Errno::EMFILE.meaning(), Some("Too many open files"));
        assert_eq!(Errno::from(rustix::io::Errno::NOENT), Errno::ENOENT);
        assert_eq!(Errno::from_raw(9999).name(), None);
    }

    #[test]
    fn table_agrees_with_libc_and_glibc_strerror() {
        for &code in CODES {
            let (value, name, meaning) = (
                code as i32,
                Errno(code as i32).name().unwrap(),
                Errno(code as i32).meaning().unwrap(),
            );
            // SAFETY: strerror returns a pointer to a NUL-terminated static or
            // thread-local string; it is read before any other strerror call here.
            let text = unsafe { std::ffi::CStr::from_ptr(libc::strerror(value)) };
            assert_eq!(text.to_str().unwrap(), meaning, "{name}");
        }
        let by_libc = [
            (libc::EAGAIN, "EAGAIN"),
            (libc::ENOMSG, "ENOMSG"),
            (libc::EIDRM, "EIDRM"),
            (libc::EMSGSIZE, "EMSGSIZE"),
            (libc::ETIMEDOUT, "ETIMEDOUT"),
            (libc::EDQUOT, "EDQUOT"),
            (libc::EOVERFLOW, "EOVERFLOW"),
        ];
        for (value, name) in by_libc {
            assert_eq!(Errno::from_raw(value).name(), Some(name));
        }
    }

    #[test]
    fn table_has_no_duplicates_and_lines_up() {
        assert_eq!(TEXT.split('\0').count(), 2 * CODES.len() + 1);
        for (i, a) in CODES.iter().enumerate() {
            assert!(!CODES[i + 1..].contains(a), "{a}");
            assert!(Errno(*a as i32).name().unwrap().starts_with('E'));
        }
    }
}
