//! POSIX shared memory: a file in the tmpfs at `/dev/shm`, opened by name and mapped with
//! `mmap(MAP_SHARED)`, so every process that maps it sees the same pages. It is not a
//! kernel IPC object: `shm_open` is `openat("/dev/shm/NAME")`. A mapping (or open
//! descriptor) keeps the memory alive after its name is unlinked, and `fork` children
//! inherit the mapping.
//!
//! Touching a page past the end of the file raises SIGBUS, and so does touching a page
//! tmpfs cannot supply when `/dev/shm` is full. Hence the two ways to a [`Mapping`]:
//!
//! - [`Mapping::create_unnamed`] (safe): a new object that no other process can shrink,
//!   because none can open it: `open("/dev/shm", O_TMPFILE | O_EXCL)` makes a file in the
//!   tmpfs that never has a name (no window between a create and an unlink, in which a
//!   process of the same user could open it: the owner of a file may `chmod` it whatever
//!   its mode), sized with `fallocate` (ENOSPC now rather than SIGBUS later).
//! - [`ShmObject::map`] (`unsafe`): any object, which others may reach by its name; the
//!   caller promises that no process shrinks it while the mapping lives. It still checks
//!   the size first, so a file already too short is EINVAL, not a fault.
//!
//! ```compile_fail,E0133
//! // Mapping an object others can reach is `unsafe`: safe code cannot write this.
//! # fn f(obj: &bareipc::ipc::shm::ShmObject) {
//! let mapping = obj.map(4096);
//! # }
//! ```
//!
//! ```compile_fail,E0277
//! // A safe mapping has no descriptor to `ftruncate` through.
//! # fn f(m: &bareipc::ipc::shm::Mapping) {
//! rustix::fs::ftruncate(m, 0);
//! # }
//! ```

use crate::errno::{CallError, Context, Errno};
use crate::ipc::name::{Name, ShmPath};
use crate::sys::abi;
use core::ffi::CStr;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicU8, AtomicU32, AtomicU64, Ordering};
use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
use rustix::fs::{Mode, OFlags};
use rustix::mm::{MapFlags, ProtFlags};

/// An open shared memory object, which other processes may reach by its name; closed on
/// drop. It does not own the name (see [`unlink`]).
#[derive(Debug)]
pub struct ShmObject(OwnedFd);

fd_handle!(ShmObject);

/// `shm_open` is `openat(AT_FDCWD, "/dev/shm/NAME", flags | O_NOFOLLOW | O_CLOEXEC)`, as in
/// glibc: a symlink planted at the name is refused (ELOOP) instead of followed. (rustix's
/// `shm::open` makes the same call without O_NOFOLLOW.)
fn shm_open(name: &Name, flags: OFlags, mode: u32) -> Result<ShmObject, Errno> {
    open_at(&ShmPath::new("", name)?, flags, mode)
}

/// `openat(AT_FDCWD, path, flags | O_RDWR | O_NOFOLLOW | O_CLOEXEC, mode)`: `shm_open`'s
/// call for any file under `/dev/shm`.
fn open_at(path: &ShmPath, flags: OFlags, mode: u32) -> Result<ShmObject, Errno> {
    open_as(path, flags | OFlags::RDWR, mode)
}

/// `openat(AT_FDCWD, path, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, mode)`, `flags`
/// with its access, then `fstat`: what another process planted at the name — a FIFO,
/// whose open would wait for a writer, a directory, a socket — is ENODEV (as mmap(2)
/// says of what it cannot map), never waited on. O_NONBLOCK changes nothing for a
/// regular file.
fn open_as(path: &ShmPath, flags: OFlags, mode: u32) -> Result<ShmObject, Errno> {
    let flags = flags | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let fd = rustix::fs::open(path.as_cstr(), flags, Mode::from_bits_truncate(mode))?;
    crate::io::opened(&fd);
    let st = rustix::fs::fstat(&fd)?;
    if !rustix::fs::FileType::from_raw_mode(st.st_mode).is_file() {
        return Err(Errno::ENODEV);
    }
    Ok(ShmObject(fd))
}

impl ShmObject {
    /// `shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, mode)`—creates a new,
    /// empty object; EEXIST if the name is taken.
    ///
    /// References: [shm_open(3)](https://man7.org/linux/man-pages/man3/shm_open.3.html),
    /// [shm_overview(7)](https://man7.org/linux/man-pages/man7/shm_overview.7.html)
    #[doc(alias = "shm_open")]
    pub fn create(name: &Name, mode: u32) -> Result<ShmObject, Errno> {
        shm_open(name, OFlags::CREATE | OFlags::EXCL, mode)
    }

    /// `shm_open(name, O_RDWR | O_NOFOLLOW, 0)`—opens an existing object. ENODEV if the
    /// name is no regular file (a FIFO or directory another process put there).
    #[doc(alias = "shm_open")]
    pub fn open(name: &Name) -> Result<ShmObject, Errno> {
        shm_open(name, OFlags::empty(), 0)
    }

    /// `shm_open(name, O_RDONLY | O_NOFOLLOW, 0)`—opens an existing object for reading
    /// only (an object whose mode lets the caller read it but not write it): for
    /// [`read_at`](Self::read_at), [`size`](Self::size). Mapping it fails (EACCES).
    /// ENODEV if the name is no regular file: a FIFO planted there is never waited on.
    #[doc(alias = "shm_open")]
    pub fn open_read_only(name: &Name) -> Result<ShmObject, Errno> {
        open_as(&ShmPath::new("", name)?, OFlags::RDONLY, 0)
    }

    /// `pread(fd, buf, len, offset)`—copies bytes of the object into `buf` without
    /// mapping it: never a fault, whatever another process does to the object meanwhile
    /// (a shorter read instead). Returns how many bytes were read (0 at or past the end).
    #[doc(alias = "pread")]
    pub fn read_at(&self, buf: &mut [u8], offset: u64) -> Result<usize, Errno> {
        crate::io::retry_on_intr(|| Ok(rustix::io::pread(&self.0, &mut *buf, offset)?))
    }

    /// `pwrite(fd, bytes, len, offset)`—copies `bytes` into the object without mapping
    /// it. Writing past the end makes the object bigger. Returns how many bytes were
    /// written.
    #[doc(alias = "pwrite")]
    pub fn write_at(&self, bytes: &[u8], offset: u64) -> Result<usize, Errno> {
        crate::io::retry_on_intr(|| Ok(rustix::io::pwrite(&self.0, bytes, offset)?))
    }

    /// `fallocate(fd, 0, 0, len)`—sizes the object to at least `len` bytes and reserves
    /// its pages now, so a full `/dev/shm` is ENOSPC here rather than SIGBUS on first
    /// touch. (`ftruncate` would only set the size.)
    ///
    /// References: [fallocate(2)](https://man7.org/linux/man-pages/man2/fallocate.2.html)
    #[doc(alias = "fallocate")]
    ///
    /// On a file system without `fallocate` (EOPNOTSUPP: ramfs, which some systems mount
    /// at `/dev/shm`) it sets the size with `ftruncate`, as glibc's shm users do
    /// everywhere: ramfs has no size limit, so touching its pages can never fail for lack
    /// of space (only the whole system's memory can run out, which no call here can
    /// reserve against).
    pub fn allocate(&self, len: u64) -> Result<(), Errno> {
        allocate(self.0.as_fd(), len)
    }

    /// `fstat(fd).st_size`—the object's size in bytes.
    #[doc(alias = "fstat")]
    pub fn size(&self) -> Result<u64, Errno> {
        Ok(rustix::fs::fstat(&self.0)?.st_size as u64)
    }

    /// `mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)` after checking that
    /// the object holds `len` bytes now (EINVAL if not, or if `len` is 0).
    ///
    /// # Safety
    /// No process — this one included, through this object's descriptor or any other —
    /// may shrink the object below `len` bytes (`ftruncate`, `fallocate` with
    /// `FALLOC_FL_PUNCH_HOLE` or `COLLAPSE_RANGE`) while the returned mapping lives:
    /// touching the lost pages would raise SIGBUS. The size check cannot promise this,
    /// since another process may shrink the object right after it.
    ///
    /// References: [mmap(2)](https://man7.org/linux/man-pages/man2/mmap.2.html)
    #[doc(alias = "mmap")]
    pub unsafe fn map(&self, len: usize) -> Result<Mapping, Errno> {
        // SAFETY: the caller promises the object keeps `len` bytes while the mapping lives.
        unsafe { map_sized(self.0.as_fd(), len) }
    }
}

/// [`ShmObject::allocate`] for any file: `fallocate(fd, 0, 0, len)` — or, where the file
/// system has none (EOPNOTSUPP), zeros written over the file's first `len` bytes with
/// `pwrite`, so that its blocks exist: a full file system is ENOSPC here, never SIGBUS at
/// a store into a hole (`ftruncate` would make the size, not the blocks). Only for a new,
/// empty file: the zeros go over what is there.
pub(crate) fn allocate(fd: BorrowedFd<'_>, len: u64) -> Result<(), Errno> {
    let mode = rustix::fs::FallocateFlags::empty();
    match crate::io::retry_on_intr(|| Ok(rustix::fs::fallocate(fd, mode, 0, len)?)) {
        Err(Errno::EOPNOTSUPP) => {
            let zeros = [0u8; 512];
            let mut at = 0;
            while at < len {
                let n = (len - at).min(zeros.len() as u64) as usize;
                at += crate::io::retry_on_intr(|| Ok(rustix::io::pwrite(fd, &zeros[..n], at)?))?
                    as u64;
            }
            Ok(())
        }
        done => done,
    }
}

/// A new file with no name in the directory `dir` — `openat(dir, O_TMPFILE | O_EXCL |
/// O_RDWR, 0600)`: no other process can open it, and O_EXCL keeps `linkat` from ever
/// giving it one — of `len` bytes ([`allocate`]d). Fails naming `open` (the directory, or
/// a file system without O_TMPFILE: EOPNOTSUPP) or `fallocate`.
pub(crate) fn create_unnamed_file(dir: &CStr, len: usize) -> Result<OwnedFd, CallError> {
    let flags = abi::O_RDWR | abi::O_TMPFILE | abi::O_EXCL | abi::O_CLOEXEC;
    let file = crate::sys::openat(rustix::fs::CWD, dir, flags, 0o600).call("open")?;
    crate::io::opened(&file);
    allocate(file.as_fd(), len as u64).call("fallocate")?;
    Ok(file)
}

/// [`map_fd`] after checking that the file holds `len` bytes now (`fstat`; EINVAL if
/// not, or if `len` is 0).
///
/// # Safety
/// As for [`map_fd`]: the file keeps `len` bytes while the mapping lives (the check
/// cannot promise it).
pub(crate) unsafe fn map_sized(fd: BorrowedFd<'_>, len: usize) -> Result<Mapping, Errno> {
    if (rustix::fs::fstat(fd)?.st_size as u64) < len as u64 {
        return Err(Errno::EINVAL);
    }
    // SAFETY: the caller's promise.
    unsafe { map_fd(fd, len) }
}

/// `mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)`, with no size check.
///
/// # Safety
/// The file behind `fd` holds `len` bytes and keeps them while the mapping lives.
pub(crate) unsafe fn map_fd(fd: BorrowedFd<'_>, len: usize) -> Result<Mapping, Errno> {
    if len == 0 {
        return Err(Errno::EINVAL);
    }
    let prot = ProtFlags::READ | ProtFlags::WRITE;
    // SAFETY: a fresh shared mapping chosen by the kernel (no address hint) aliases no
    // Rust object; Mapping owns it and unmaps it on drop.
    let ptr =
        unsafe { rustix::mm::mmap(core::ptr::null_mut(), len, prot, MapFlags::SHARED, fd, 0) }?;
    let ptr = NonNull::new(ptr.cast::<u8>()).ok_or(Errno::ENOMEM)?;
    Ok(Mapping { ptr, len })
}

/// [`create_unnamed_file`] in `/dev/shm`, then `mmap` and `close`: the steps of
/// [`Mapping::create_unnamed`], for shared memory and semaphores alike.
pub(crate) fn create_unnamed_mapping(len: usize) -> Result<Mapping, CallError> {
    let file = create_unnamed_file(c"/dev/shm", len)?;
    // SAFETY: the file has `len` bytes, no name, and no descriptor but `file`, closed when
    // this returns without shrinking it: no process can shrink it.
    unsafe { map_fd(file.as_fd(), len) }.call("mmap")
}

/// `shm_unlink(name)`—removes the name; mappings and descriptors stay valid.
///
/// References: [shm_unlink(3)](https://man7.org/linux/man-pages/man3/shm_unlink.3.html)
#[doc(alias = "shm_unlink")]
pub fn unlink(name: &Name) -> Result<(), Errno> {
    Ok(rustix::fs::unlink(ShmPath::new("", name)?.as_cstr())?)
}

/// A shared mapping of `len` bytes; unmapped on drop. Other processes write it
/// concurrently, so safe code sees it only as atomics: [`words`](Self::words) and
/// [`words32`](Self::words32), slices that end where the mapping ends.
///
/// `Send` and `Sync`: the memory is shared with other processes anyway, so sharing it with
/// other threads adds nothing — every access is atomic or through a raw pointer.
pub struct Mapping {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: see the type's docs: only atomics and raw pointers reach the memory, and
// munmap may be called from any thread.
unsafe impl Send for Mapping {}
// SAFETY: as above; `&Mapping` hands out only atomics.
unsafe impl Sync for Mapping {}

impl core::fmt::Debug for Mapping {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Mapping").field("ptr", &self.ptr).field("len", &self.len).finish()
    }
}

impl Mapping {
    /// A new shared memory object of `len` bytes that only this process (and the children
    /// it forks) can use: a file in the tmpfs at `/dev/shm`, as `shm_open` makes, but with
    /// no name — `open("/dev/shm", O_TMPFILE | O_EXCL | O_RDWR, 0600)`, `fallocate`,
    /// `mmap`, `close`. Fails naming the call that failed (`open` with ENOENT: no
    /// `/dev/shm`; EOPNOTSUPP: `/dev/shm` is not a tmpfs, or a kernel before 3.11).
    ///
    /// Safe because no other process can shrink it: no process can open a file that has no
    /// name (only one that can reach this one's descriptors, through `/proc/PID/fd` or
    /// `ptrace` — which [`forbid_inspection`](crate::process::forbid_inspection) keeps out
    /// for all but root), and its one descriptor is closed before this returns.
    #[doc(alias = "shm_open")]
    #[doc(alias = "O_TMPFILE")]
    pub fn create_unnamed(len: usize) -> Result<Mapping, CallError> {
        create_unnamed_mapping(len)
    }

    /// `mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)`—shared
    /// memory with no file and no name, which only children forked after this share.
    /// Safe: there is no file to shrink.
    #[doc(alias = "mmap")]
    pub fn anonymous(len: usize) -> Result<Mapping, Errno> {
        if len == 0 {
            return Err(Errno::EINVAL);
        }
        let prot = ProtFlags::READ | ProtFlags::WRITE;
        // SAFETY: a fresh anonymous mapping at an address the kernel picks aliases no
        // Rust object; Mapping owns it and unmaps it on drop.
        let ptr = unsafe {
            rustix::mm::mmap_anonymous(core::ptr::null_mut(), len, prot, MapFlags::SHARED)
        }?;
        let ptr = NonNull::new(ptr.cast::<u8>()).ok_or(Errno::ENOMEM)?;
        Ok(Mapping { ptr, len })
    }

    /// Takes over a shared mapping made elsewhere (a System V attachment); dropping the
    /// result unmaps it. ENOMEM for a null `ptr`.
    ///
    /// # Safety
    /// `ptr` starts a shared mapping of at least `len` bytes (`len` > 0) that no process
    /// can shrink, and nothing else owns or unmaps it.
    pub(crate) unsafe fn from_raw(ptr: *mut u8, len: usize) -> Result<Mapping, Errno> {
        Ok(Mapping { ptr: NonNull::new(ptr).ok_or(Errno::ENOMEM)?, len })
    }

    /// Bytes mapped.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the mapping is empty (never: a mapping has at least one byte).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The mapping as 64-bit atomic words (whole words only).
    pub fn words(&self) -> &[AtomicU64] {
        // SAFETY: mmap returns page-aligned memory, valid for `len` bytes while self
        // lives (its constructors' contracts keep the file from shrinking); atomics
        // tolerate concurrent access from other processes, and any bit pattern is a valid
        // u64.
        unsafe { core::slice::from_raw_parts(self.ptr.as_ptr().cast(), self.len / 8) }
    }

    /// The mapping as 32-bit atomic words (whole words only).
    pub fn words32(&self) -> &[AtomicU32] {
        // SAFETY: as for `words`, with 4-byte words.
        unsafe { core::slice::from_raw_parts(self.ptr.as_ptr().cast(), self.len / 4) }
    }

    /// The mapping as bytes, each an atomic: other processes may write any of them at any
    /// time, which a `&[u8]` could not allow.
    pub fn bytes(&self) -> &[AtomicU8] {
        // SAFETY: as for `words`, with 1-byte atomics (any alignment).
        unsafe { core::slice::from_raw_parts(self.ptr.as_ptr().cast(), self.len) }
    }

    /// Copies the mapping's bytes from `offset` into `buf`, as many as both have; returns
    /// how many (0 from `offset` at or past the end). Byte by byte, each a relaxed atomic
    /// load: safe while other processes write, but a copy that races a writer may mix old
    /// and new bytes — order the two by other means (a semaphore, a futex word, a message).
    pub fn read(&self, offset: usize, buf: &mut [u8]) -> usize {
        let from = self.bytes().get(offset..).unwrap_or(&[]);
        let n = from.len().min(buf.len());
        for (b, a) in buf[..n].iter_mut().zip(from) {
            *b = a.load(Ordering::Relaxed);
        }
        n
    }

    /// Copies `data` into the mapping from `offset`, as much as fits; returns how many
    /// bytes (0 from `offset` at or past the end). Relaxed atomic stores, byte by byte: as
    /// [`read`](Self::read), the order against other processes is the caller's to make.
    pub fn write(&self, offset: usize, data: &[u8]) -> usize {
        let to = self.bytes().get(offset..).unwrap_or(&[]);
        let n = to.len().min(data.len());
        for (a, &b) in to[..n].iter().zip(data) {
            a.store(b, Ordering::Relaxed);
        }
        n
    }

    /// The first byte of the mapping, for copying data in and out with raw pointers
    /// (`len()` bytes are valid while the mapping lives). Other processes see the same
    /// bytes: order the copies by other means, such as a semaphore or a futex word.
    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: ptr/len came from mmap; the slices handed out borrow self, so none
        // outlives the mapping.
        let _ = unsafe { rustix::mm::munmap(self.ptr.as_ptr().cast(), self.len) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::sync::atomic::Ordering;

    #[test]
    fn bytes_copy_in_and_out_within_the_mapping_only() {
        let map = Mapping::anonymous(4096).unwrap();
        assert_eq!(map.write(4090, b"0123456789"), 6, "cut at the end");
        assert_eq!(map.write(4096, b"x"), 0);
        assert_eq!(map.write(usize::MAX, b"x"), 0);
        let mut buf = [0u8; 10];
        assert_eq!(map.read(4090, &mut buf), 6);
        assert_eq!(&buf[..6], b"012345");
        assert_eq!(map.read(4096, &mut buf), 0);
        assert_eq!(map.bytes()[4095].load(Ordering::Relaxed), b'5');
        assert_eq!(
            map.words()[511].load(Ordering::Relaxed) >> 16,
            u64::from_le_bytes(*b"012345\0\0")
        );
    }

    #[test]
    fn two_mappings_of_one_object_share_memory() {
        let name = Name::unique("shmtest").unwrap();
        let obj = ShmObject::create(&name, 0o600).unwrap();
        let other = ShmObject::open(&name).unwrap();
        unlink(&name).unwrap();
        obj.allocate(4096).unwrap();
        assert_eq!(other.size().unwrap(), 4096);
        // SAFETY: the object is unlinked and only this test holds its descriptors.
        let (a, b) = unsafe { (obj.map(4096).unwrap(), other.map(4096).unwrap()) };
        assert_eq!(a.words().len(), 512);
        a.words()[511].store(0xdead_beef, Ordering::SeqCst);
        assert_eq!(b.words()[511].load(Ordering::SeqCst), 0xdead_beef);
        assert_eq!(b.words32()[1022].load(Ordering::SeqCst), 0xdead_beef);
    }

    #[test]
    fn reads_and_writes_without_a_mapping() {
        let name = Name::unique("shmtest").unwrap();
        let obj = ShmObject::create(&name, 0o400).unwrap();
        obj.allocate(8).unwrap();
        assert_eq!(obj.write_at(b"abc", 6), Ok(3), "past the end grows the file");
        let ro = ShmObject::open_read_only(&name).unwrap();
        unlink(&name).unwrap();
        assert_eq!(ro.size(), Ok(9));
        let mut buf = [0u8; 16];
        assert_eq!(ro.read_at(&mut buf, 5), Ok(4));
        assert_eq!(&buf[..4], b"\0abc");
        assert_eq!(ro.read_at(&mut buf, 100), Ok(0));
        assert_eq!(ro.write_at(b"x", 0).err(), Some(Errno::EBADF), "opened to read only");
    }

    #[test]
    fn mapping_past_the_end_is_refused() {
        let name = Name::unique("shmtest").unwrap();
        let obj = ShmObject::create(&name, 0o600).unwrap();
        unlink(&name).unwrap();
        // SAFETY: the object is unlinked and only this test holds its descriptor.
        unsafe {
            assert_eq!(obj.map(8).err(), Some(Errno::EINVAL));
            obj.allocate(8).unwrap();
            assert_eq!(obj.map(4096).err(), Some(Errno::EINVAL));
            assert_eq!(obj.map(0).err(), Some(Errno::EINVAL));
            assert_eq!(obj.map(8).unwrap().words().len(), 1);
        }
    }

    #[test]
    fn an_unnamed_object_leaves_no_name_and_no_descriptor() {
        let m = Mapping::create_unnamed(4096).unwrap();
        m.words()[0].store(7, Ordering::Relaxed);
        assert_eq!(m.words()[0].load(Ordering::Relaxed), 7);
        // The mapping is of a deleted file in /dev/shm: a tmpfs page, never a name.
        let at = m.words().as_ptr() as usize;
        let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
        let file = maps
            .lines()
            .find_map(|l| {
                let (range, rest) = l.split_once(' ')?;
                let (start, end) = range.split_once('-')?;
                let (start, end) =
                    (usize::from_str_radix(start, 16).ok()?, usize::from_str_radix(end, 16).ok()?);
                (start..end)
                    .contains(&at)
                    .then(|| rest.split_whitespace().skip(4).collect::<Vec<_>>().join(" "))
            })
            .expect("the mapping in /proc/self/maps");
        assert!(file.starts_with("/dev/shm/") && file.ends_with("(deleted)"), "{file}");
        // Its descriptor is closed: no descriptor of this process leads to that file.
        // (Compared by name, not by counting: other tests open and close descriptors
        // meanwhile on other threads.)
        for fd in std::fs::read_dir("/proc/self/fd").unwrap().flatten() {
            let to = std::fs::read_link(fd.path()).unwrap_or_default();
            assert_ne!(to.to_string_lossy(), file, "its descriptor is closed");
        }
        assert_eq!(Mapping::create_unnamed(0).unwrap_err().errno, Errno::EINVAL);
        assert_eq!(Mapping::anonymous(64).unwrap().words().len(), 8);
    }

    #[test]
    fn exclusive_create_and_symlinks_are_refused() {
        let name = Name::unique("shmtest").unwrap();
        let _obj = ShmObject::create(&name, 0o600).unwrap();
        assert_eq!(ShmObject::create(&name, 0o600).err(), Some(Errno::EEXIST));
        unlink(&name).unwrap();
        let link = Name::unique("shmtest").unwrap();
        let path = format!("/dev/shm/{}", std::str::from_utf8(&link.as_bytes()[1..]).unwrap());
        std::os::unix::fs::symlink("/dev/null", &path).unwrap();
        let opened = ShmObject::open(&link).err();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(opened, Some(Errno::ELOOP));
    }
}
