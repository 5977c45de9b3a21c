//! A private directory for a run's one named file (a FIFO, a socket file), made where
//! temporary files go and removed with its entry.
//!
//! Objects met *by path* — a FIFO, an AF_UNIX socket bound to a file name — need a
//! directory others can reach. A world-writable one such as `/tmp` is shared with every
//! user: a name made there directly could be taken first, or be a symbolic link someone
//! planted. So the run makes a directory of its own with `mkdir(…, 0700)`, which fails
//! rather than follow or reuse anything already at the name, and creates its file inside,
//! where nobody else can create, rename or remove anything.
//!
//! **Where**: `$TMPDIR` when it is set and not empty, else `/tmp` — the rule of
//! `mkstemp(3)` users and of every Unix tool. A FROM scratch container has no `/tmp`, and a
//! `--read-only` one no writable directory but `/dev/shm`: bareipc's image sets
//! `TMPDIR=/dev/shm` (see docs/containers.md). The name holds the creator's pid and 64
//! random bits, so runs of different PID namespaces sharing the directory never collide,
//! and no dead run's leftover is ever in the way.
//!
//! **How**: the base directory is opened once (`O_PATH`), and everything after is relative
//! to that descriptor (`mkdirat`, `mknodat`, `openat`, `unlinkat`): a name of a few dozen
//! bytes, however long TMPDIR is, and the same directory for every process that inherits
//! the descriptor, whatever happens to the path meanwhile.
//!
//! References: [mkdir(2)](https://man7.org/linux/man-pages/man2/mkdir.2.html),
//! [unlink(2)](https://man7.org/linux/man-pages/man2/unlink.2.html),
//! [openat(2)](https://man7.org/linux/man-pages/man2/openat.2.html)

use crate::errno::{CallError, Context, Errno};
use crate::sys::{self, abi};
use core::ffi::CStr;
use rustix::fd::{AsFd, BorrowedFd, OwnedFd};

/// Bytes for the names `NAME\0NAME/entry\0`.
const NAMES: usize = 128;

/// A directory of mode 0700 made for one run, and the name of its one entry, both relative
/// to a descriptor of the directory they were made in; dropping it removes the entry (if
/// it was made) and the directory.
#[derive(Debug)]
pub struct PrivateDir {
    base: OwnedFd,
    names: Names,
}

/// `NAME\0NAME/entry\0`: the directory's name and its entry's path, as C strings.
#[derive(Clone, Copy, Debug)]
struct Names {
    buf: [u8; NAMES],
    /// Where `NAME/entry` starts: after the name's NUL; 0 when there is no directory.
    split: usize,
    /// After the entry's NUL.
    end: usize,
}

impl Names {
    fn name(&self) -> &CStr {
        // SAFETY: `create` wrote the name and its NUL before `split` (> 0 while the
        // directory exists), and no other NUL (the tag has none, the rest are digits).
        unsafe { CStr::from_bytes_with_nul_unchecked(&self.buf[..self.split]) }
    }

    fn entry(&self) -> &CStr {
        // SAFETY: `create` wrote `NAME/entry` (NUL-free parts) and its NUL from `split`
        // to `end`.
        unsafe { CStr::from_bytes_with_nul_unchecked(&self.buf[self.split..self.end]) }
    }
}

/// Where temporary files go: `tmpdir` (the value of `TMPDIR`) when it is set and not
/// empty, else `/tmp`.
pub fn temp_base(tmpdir: Option<&CStr>) -> &CStr {
    tmpdir.filter(|t| !t.is_empty()).unwrap_or(c"/tmp")
}

impl PrivateDir {
    /// [`create`](Self::create) in [`temp_base(tmpdir)`](temp_base).
    #[doc(alias = "mkdirat")]
    pub fn create_temp(
        tmpdir: Option<&CStr>,
        tag: &CStr,
        id: u64,
        entry: &CStr,
    ) -> Result<PrivateDir, CallError> {
        PrivateDir::create(temp_base(tmpdir), tag, id, entry)
    }

    /// Opens the directory `base` (`open(base, O_PATH | O_DIRECTORY)`) and makes
    /// `mkdirat(base, NAME, 0700)` in it, where NAME is `tag`, `id` in decimal, a dash and
    /// a random 64-bit number in decimal (`getrandom`): unique among the runs of every PID
    /// namespace that share the directory, and never a dead run's. The entry will be `NAME/entry`, which
    /// the caller creates (see [`entry`](Self::entry)). Fails naming `open`, `getrandom` or
    /// `mkdir`; ENAMETOOLONG if the names pass 128 bytes.
    #[doc(alias = "mkdirat")]
    pub fn create(base: &CStr, tag: &CStr, id: u64, entry: &CStr) -> Result<PrivateDir, CallError> {
        let flags = abi::O_PATH | abi::O_DIRECTORY | abi::O_CLOEXEC;
        let base = sys::openat(rustix::fs::CWD, base, flags, 0).call("open")?;
        crate::io::opened(&base);
        let random = crate::ipc::name::random_u64().call("getrandom")?;
        let mut l = crate::fmt::Line::new();
        l.bytes(tag.to_bytes()).u64(id).str("-").u64(random);
        let (name, entry) = (l.as_bytes(), entry.to_bytes_with_nul());
        let n = name.len();
        let end = 2 * n + 2 + entry.len();
        let mut dir = PrivateDir { base, names: Names { buf: [0; NAMES], split: 0, end } };
        let buf = &mut dir.names.buf;
        if end > buf.len() {
            return Err(Errno::ENAMETOOLONG).call("mkdir");
        }
        // NAME\0NAME/entry\0
        buf[..n].copy_from_slice(name);
        buf[n + 1..2 * n + 1].copy_from_slice(name);
        buf[2 * n + 1] = b'/';
        buf[2 * n + 2..end].copy_from_slice(entry);
        dir.names.split = n + 1;
        if let Err(e) = sys::mkdirat(dir.base.as_fd(), dir.name(), 0o700) {
            dir.names.split = 0;
            return Err(e).call("mkdir");
        }
        Ok(dir)
    }

    /// The directory the run's directory was made in (opened with `O_PATH`).
    pub fn base(&self) -> BorrowedFd<'_> {
        self.base.as_fd()
    }

    /// The run's directory: its name in [`base`](Self::base).
    pub fn name(&self) -> &CStr {
        self.names.name()
    }

    /// The entry: `NAME/entry`, relative to [`base`](Self::base).
    pub fn entry(&self) -> &CStr {
        self.names.entry()
    }

    /// Keeps the directory and the descriptor of its base for the rest of the process:
    /// no removal on drop, no `close`. For a caller that arranges the removal itself —
    /// a run's will ([`supervise::will`](crate::process::supervise::will)), which needs a
    /// descriptor that stays open.
    pub fn leak(self) -> DirNames {
        let this = core::mem::ManuallyDrop::new(self);
        // SAFETY: the descriptor is never closed: `this` is not dropped and `base` is
        // not read again.
        let fd = unsafe { BorrowedFd::borrow_raw(rustix::fd::AsRawFd::as_raw_fd(&this.base)) };
        DirNames { base: fd, names: this.names }
    }

    /// `unlinkat(base, entry)` (a missing entry is fine), then `unlinkat(base, name,
    /// AT_REMOVEDIR)`; fails naming the call.
    #[doc(alias = "unlinkat")]
    #[doc(alias = "rmdir")]
    pub fn remove(mut self) -> Result<(), CallError> {
        let done = remove(self.base(), &self.names);
        self.names.split = 0; // removed: nothing left for drop
        done
    }
}

impl Drop for PrivateDir {
    fn drop(&mut self) {
        if self.names.split != 0 {
            let _ = remove(self.base(), &self.names);
        }
    }
}

/// A [`PrivateDir`] kept for the rest of the process ([`PrivateDir::leak`]): its base
/// directory's descriptor, open for good, and its names.
#[derive(Clone, Copy, Debug)]
pub struct DirNames {
    base: BorrowedFd<'static>,
    names: Names,
}

impl DirNames {
    /// As [`PrivateDir::base`]; open until the process ends.
    pub fn base(&self) -> BorrowedFd<'static> {
        self.base
    }

    /// As [`PrivateDir::name`].
    pub fn name(&self) -> &CStr {
        self.names.name()
    }

    /// As [`PrivateDir::entry`].
    pub fn entry(&self) -> &CStr {
        self.names.entry()
    }

    /// As [`PrivateDir::remove`], but the descriptor stays open (it is `'static`); may
    /// run more than once, in several processes: what is already gone is not an error.
    pub fn remove(&self) -> Result<(), CallError> {
        remove(self.base, &self.names)
    }
}

/// `unlinkat(dir, entry, 0)` (a missing entry is fine), then `unlinkat(dir, name,
/// AT_REMOVEDIR)` (a missing directory too); fails naming `unlink` or `rmdir`.
fn remove(dir: BorrowedFd<'_>, names: &Names) -> Result<(), CallError> {
    let gone =
        |r: Result<(), Errno>| r.or_else(|e| if e == Errno::ENOENT { Ok(()) } else { Err(e) });
    gone(sys::unlinkat(dir, names.entry(), 0)).call("unlink")?;
    gone(sys::unlinkat(dir, names.name(), abi::AT_REMOVEDIR)).call("rmdir")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStrExt;

    /// An empty directory of the test's own.
    fn base(tag: &str) -> (std::path::PathBuf, std::ffi::CString) {
        let d = std::env::temp_dir().join(format!("bareipc-dir-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        let c = std::ffi::CString::new(d.as_os_str().as_bytes()).unwrap();
        (d, c)
    }

    #[test]
    fn a_private_directory_is_0700_unique_and_goes_with_its_entry() {
        use std::os::unix::fs::PermissionsExt;
        let (b, bc) = base("a");
        let d = PrivateDir::create(&bc, c"run-", 7, c"file").unwrap();
        let name = d.name().to_str().unwrap().to_owned();
        assert!(name.starts_with("run-7-") && name[6..].parse::<u64>().is_ok(), "{name}");
        assert_eq!(d.entry().to_str().unwrap(), format!("{name}/file"));
        let meta = std::fs::metadata(b.join(&name)).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o700);
        std::fs::write(b.join(&name).join("file"), b"x").unwrap();
        let e = PrivateDir::create(&bc, c"run-", 7, c"file").unwrap();
        assert_ne!(e.name(), d.name());
        drop(d);
        e.remove().unwrap();
        assert_eq!(std::fs::read_dir(&b).unwrap().count(), 0);
        std::fs::remove_dir(&b).unwrap();
    }

    #[test]
    fn temporary_files_go_to_tmpdir_unless_it_is_unset_or_empty() {
        assert_eq!(temp_base(Some(c"/run/x")), c"/run/x");
        assert_eq!(temp_base(Some(c"")), c"/tmp");
        assert_eq!(temp_base(None), c"/tmp");
    }

    #[test]
    fn tmpdir_is_taken_as_given_and_long_names_are_refused() {
        let e = PrivateDir::create_temp(Some(c"/nonexistent-bareipc"), c"x", 1, c"f").unwrap_err();
        assert_eq!((e.call, e.errno), ("open", Errno::ENOENT));
        let long = std::ffi::CString::new("x".repeat(100)).unwrap();
        let e = PrivateDir::create_temp(None, &long, 1, c"f").unwrap_err();
        assert_eq!((e.call, e.errno), ("mkdir", Errno::ENAMETOOLONG));
        // A TMPDIR of any length is fine: only the name is held.
        let (b, _) = base("c");
        let deep = b.join("d".repeat(200)).join("e".repeat(200)).join("f".repeat(200));
        std::fs::create_dir_all(&deep).unwrap();
        let dc = std::ffi::CString::new(deep.as_os_str().as_bytes()).unwrap();
        let d = PrivateDir::create_temp(Some(&dc), c"x", 1, c"f").unwrap();
        assert_eq!(std::fs::read_dir(&deep).unwrap().count(), 1);
        drop(d);
        assert_eq!(std::fs::read_dir(&deep).unwrap().count(), 0);
        std::fs::remove_dir_all(&b).unwrap();
    }
}
