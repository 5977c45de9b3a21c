//! Names of POSIX IPC objects (`/NAME`): unique per run, and converted to the forms the
//! kernel takes (message queues: without the slash; shared memory and semaphores: files
//! under `/dev/shm`).

use crate::errno::Errno;
use core::ffi::CStr;

/// A NUL-terminated POSIX object name, such as `/bareipc-mq-4242-0f3a9c61d2e4b758`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Name {
    buf: [u8; Name::CAPACITY + 1],
    len: usize,
}

impl Name {
    /// The longest name held, slash included: NAME_MAX (255) plus the slash — any entry
    /// of /dev/mqueue or /dev/shm has a name. A semaphore's must be 4 bytes shorter (glibc
    /// puts `sem.` before it in /dev/shm): longer ones are ENAMETOOLONG when used.
    pub const CAPACITY: usize = 256;

    /// `/bareipc-TAG-PID-RANDOM` for the calling process: see [`unique_for`](Self::unique_for).
    ///
    /// The names of bareipc's own programs, which `bareipc clean` removes once the pid in
    /// them has ended (with mode 0600 or 0). A program of yours that wants the cleanup
    /// its own way names its objects with [`random`](Self::random) instead.
    pub fn unique(tag: &str) -> Result<Name, Errno> {
        Name::unique_for(tag, rustix::process::getpid().as_raw_nonzero().get())
    }

    /// `/bareipc-TAG-PID-RANDOM`: the process id keeps concurrent runs apart and shows
    /// which run made an object; 64 random bits (`getrandom`) keep a reused pid or a
    /// hostile pre-created name from being guessed.
    pub fn unique_for(tag: &str, pid: i32) -> Result<Name, Errno> {
        let mut line = crate::fmt::Line::new();
        line.str("/bareipc-").str(tag).str("-");
        line.u64(pid as u32 as u64).str("-");
        push_random_hex(&mut line)?;
        Name::new(line.as_bytes())
    }

    /// `/PREFIX` followed by 16 random hex digits (64 bits from `getrandom`): a name of
    /// your own that no other creator picks and that no stale object can block. The prefix
    /// is yours (`"myapp-"`): nothing of bareipc's recognises or removes such names. EINVAL
    /// if the prefix holds a `/` or a NUL, ENAMETOOLONG past [`CAPACITY`](Self::CAPACITY).
    ///
    /// ```
    /// let name = bareipc::ipc::name::Name::random("myapp-queue-").unwrap();
    /// let text = name.to_str().unwrap();
    /// assert!(text.starts_with("/myapp-queue-") && text.len() == 13 + 16, "{text}");
    /// ```
    pub fn random(prefix: &str) -> Result<Name, Errno> {
        let mut line = crate::fmt::Line::new();
        line.str("/").str(prefix);
        if line.as_bytes().len() + 16 > Name::CAPACITY {
            return Err(Errno::ENAMETOOLONG);
        }
        push_random_hex(&mut line)?;
        Name::new(line.as_bytes())
    }

    /// A name from its bytes: a leading `/`, no other `/`, no NUL, at most
    /// [`CAPACITY`](Self::CAPACITY) bytes. Anything else is EINVAL (ENAMETOOLONG if long).
    pub fn new(text: &[u8]) -> Result<Name, Errno> {
        if text.len() > Name::CAPACITY {
            return Err(Errno::ENAMETOOLONG);
        }
        // A byte loop rather than `contains`, which pulls `memchr` into every binary.
        let mut clean = true;
        for &b in &text[1.min(text.len())..] {
            clean &= b != b'/' && b != 0;
        }
        let valid = clean
            && text.len() >= 2
            && text[0] == b'/'
            && &text[1..] != b"."
            && &text[1..] != b"..";
        if !valid {
            return Err(Errno::EINVAL);
        }
        let mut buf = [0u8; Name::CAPACITY + 1];
        buf[..text.len()].copy_from_slice(text);
        Ok(Name { buf, len: text.len() })
    }

    /// The POSIX form, with the leading slash: what `shm_open` and glibc take.
    pub fn posix(&self) -> &CStr {
        // SAFETY: `new` checked there is no NUL in the text, and buf[len] is 0.
        unsafe { CStr::from_bytes_with_nul_unchecked(&self.buf[..=self.len]) }
    }

    /// Without the leading slash: what the kernel's `mq_open` and `mq_unlink` take.
    pub fn bare(&self) -> &CStr {
        // SAFETY: as for `posix`; len >= 2, so the range is not empty.
        unsafe { CStr::from_bytes_with_nul_unchecked(&self.buf[1..=self.len]) }
    }

    /// The text, slash included.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// The text, slash included, if it is UTF-8 (a name may hold any bytes but NUL and
    /// `/`: [`Display`](core::fmt::Display) shows those lossily).
    pub fn to_str(&self) -> Result<&str, core::str::Utf8Error> {
        core::str::from_utf8(self.as_bytes())
    }
}

impl core::fmt::Display for Name {
    /// The name, slash included; bytes that are not UTF-8 as U+FFFD.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for chunk in self.as_bytes().utf8_chunks() {
            f.write_str(chunk.valid())?;
            if !chunk.invalid().is_empty() {
                f.write_str("\u{FFFD}")?;
            }
        }
        Ok(())
    }
}

impl core::fmt::Debug for Name {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("Name").field(&self.posix()).finish()
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Fills `bytes` (at most 256) from `getrandom`: a request of up to 256 bytes is never cut
/// short once the kernel's pool is ready, and before that it blocks — one call.
pub fn random(bytes: &mut [u8]) -> Result<(), Errno> {
    let flags = rustix::rand::GetRandomFlags::empty();
    let got = crate::io::retry_on_intr(|| Ok(rustix::rand::getrandom(&mut *bytes, flags)?))?;
    if got != bytes.len() {
        return Err(Errno::EAGAIN);
    }
    Ok(())
}

/// 64 bits of [`random`]ness.
pub(crate) fn random_u64() -> Result<u64, Errno> {
    let mut bytes = [0u8; 8];
    random(&mut bytes)?;
    Ok(u64::from_be_bytes(bytes))
}

/// Appends 16 hex digits of [`random_u64`].
fn push_random_hex(line: &mut crate::fmt::Line) -> Result<(), Errno> {
    let bits = random_u64()?;
    let mut hex = [0u8; 16];
    for (i, digit) in hex.iter_mut().enumerate() {
        *digit = HEX[(bits >> (60 - 4 * i) & 15) as usize];
    }
    line.bytes(&hex);
    Ok(())
}

/// A NUL-terminated path under `/dev/shm`, built from a [`Name`] or made up at random.
pub(crate) struct ShmPath {
    buf: [u8; ShmPath::CAPACITY + 1],
    len: usize,
}

impl ShmPath {
    /// The longest path held: `/dev/shm/`, a prefix, and a component of at most NAME_MAX.
    const CAPACITY: usize = 9 + 255;

    /// `/dev/shm/` + `prefix` + the name without its slash. glibc keeps named semaphores
    /// at `/dev/shm/sem.NAME`, shm_open objects at `/dev/shm/NAME`. ENAMETOOLONG if the
    /// file name would pass NAME_MAX (255): never cut short.
    pub fn new(prefix: &str, name: &Name) -> Result<ShmPath, Errno> {
        ShmPath::from_parts(&[prefix.as_bytes(), name.bare().to_bytes()])
    }

    /// `/dev/shm/` + `prefix` + 16 random hex digits: a temporary name that no other
    /// creator picks and that no stale file of a killed creator can block.
    pub fn random(prefix: &str) -> Result<ShmPath, Errno> {
        let mut line = crate::fmt::Line::new();
        line.str(prefix);
        push_random_hex(&mut line)?;
        ShmPath::from_parts(&[line.as_bytes()])
    }

    fn from_parts(parts: &[&[u8]]) -> Result<ShmPath, Errno> {
        let mut buf = [0u8; ShmPath::CAPACITY + 1];
        buf[..9].copy_from_slice(b"/dev/shm/");
        let mut len = 9;
        for part in parts {
            let end = len + part.len();
            if end > ShmPath::CAPACITY {
                return Err(Errno::ENAMETOOLONG);
            }
            buf[len..end].copy_from_slice(part);
            len = end;
        }
        Ok(ShmPath { buf, len })
    }

    /// The path.
    pub fn as_cstr(&self) -> &CStr {
        // SAFETY: the parts come from a Name (no NUL), NUL-free literals and hex digits;
        // buf[len] is 0.
        unsafe { CStr::from_bytes_with_nul_unchecked(&self.buf[..=self.len]) }
    }
}

impl core::fmt::Debug for ShmPath {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("ShmPath").field(&self.as_cstr()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_names_differ_and_have_both_forms() {
        let a = Name::unique("mq").unwrap();
        let b = Name::unique("mq").unwrap();
        assert_ne!(a.as_bytes(), b.as_bytes());
        let text = std::str::from_utf8(a.as_bytes()).unwrap();
        let prefix = format!("/bareipc-mq-{}-", std::process::id());
        assert!(text.starts_with(&prefix) && text.len() == prefix.len() + 16, "{text}");
        assert_eq!(a.posix().to_bytes(), a.as_bytes());
        assert_eq!(a.bare().to_bytes(), &a.as_bytes()[1..]);
    }

    #[test]
    fn paths_under_dev_shm() {
        let n = Name::new(b"/pi").unwrap();
        assert_eq!(ShmPath::new("sem.", &n).unwrap().as_cstr(), c"/dev/shm/sem.pi");
        let t = ShmPath::random(".sem.").unwrap();
        let t = t.as_cstr().to_str().unwrap();
        assert!(t.starts_with("/dev/shm/.sem.") && t.len() == 14 + 16, "{t}");
        assert_ne!(ShmPath::random(".sem.").unwrap().as_cstr().to_str().unwrap(), t);
        // The longest name fits with glibc's `sem.`; one more byte is refused, never cut.
        let longest = [&b"/"[..], &[b'x'; 251]].concat();
        let n = Name::new(&longest).unwrap();
        assert_eq!(ShmPath::new("sem.", &n).unwrap().as_cstr().to_bytes().len(), 9 + 255);
        assert_eq!(ShmPath::new("sem.x", &n).err(), Some(Errno::ENAMETOOLONG));
        // Any entry of /dev/shm (NAME_MAX) has a name; as a semaphore's it is too long.
        let n = Name::new(&[&b"/"[..], &[b'x'; 255]].concat()).unwrap();
        assert_eq!(ShmPath::new("", &n).unwrap().as_cstr().to_bytes().len(), 9 + 255);
        assert_eq!(ShmPath::new("sem.", &n).err(), Some(Errno::ENAMETOOLONG));
    }

    #[test]
    fn names_display_as_text() {
        let n = Name::new(b"/jobs").unwrap();
        assert_eq!((n.to_string(), n.to_str()), ("/jobs".to_string(), Ok("/jobs")));
        let odd = Name::new(b"/a\xffb").unwrap();
        assert_eq!(odd.to_string(), "/a\u{FFFD}b");
        assert!(odd.to_str().is_err());
    }

    #[test]
    fn invalid_names_are_refused() {
        for bad in [&b""[..], b"/", b"noslash", b"/a/b", b"/a\0b", b"/.", b"/.."] {
            assert_eq!(Name::new(bad).err(), Some(Errno::EINVAL), "{bad:?}");
        }
        assert_eq!(Name::new(&[b'x'; 257]).err(), Some(Errno::ENAMETOOLONG));
        assert!(Name::new(b"/ok").is_ok());
    }
}
