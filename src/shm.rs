//! POSIX shared memory: a file in the tmpfs at `/dev/shm`, opened by name and mapped with
//! `mmap(MAP_SHARED)`, so every process that maps it sees the same pages. It is not a
//! kernel IPC object: `shm_open` is `openat("/dev/shm/NAME")`. A mapping (or open
//! descriptor) keeps the memory alive after its name is unlinked, and `fork` children
//! inherit the mapping.
//!
//! Touching a page past the end of the file raises SIGBUS, and so does touching a page
//! tmpfs cannot supply when `/dev/shm` is full. [`ShmObject::allocate`] reserves the pages
//! up front (ENOSPC then, not SIGBUS later) and [`ShmObject::map`] refuses to map past the
//! end of the file.

use crate::errno::Errno;
use crate::name::{Name, ShmPath};
use core::ptr::NonNull;
use core::sync::atomic::{AtomicU32, AtomicU64};
use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
use rustix::fs::{Mode, OFlags};
use rustix::mm::{MapFlags, ProtFlags};

/// An open shared memory object; closed on drop.
pub struct ShmObject(OwnedFd);

/// `shm_open` is `openat(AT_FDCWD, "/dev/shm/NAME", flags | O_NOFOLLOW | O_CLOEXEC)`, as in
/// glibc: a symlink planted at the name is refused (ELOOP) instead of followed. (rustix's
/// Advice for the errors of shared memory and named semaphores, which live in `/dev/shm`
/// (see [`error::HINTS`](crate::error::HINTS)).
pub const HINTS: &str = "\
* 2 /dev/shm is missing: mount a tmpfs there (docker run --tmpfs /dev/shm, or --shm-size)
* 17 an object of that name exists already
sem_open 22 the semaphore file is shorter than a sem_t (truncated?)
* 28 /dev/shm is full (docker run --shm-size)
* 30 /dev/shm is read-only
* 40 a symbolic link sits at the object's name; not followed
* 21 a directory sits at the object's name";

/// `shm::open` makes the same call without O_NOFOLLOW, and a second copy of the path
/// building that this module shares with `sem`.)
fn shm_open(name: &Name, flags: OFlags, mode: u32) -> Result<ShmObject, Errno> {
    let path = ShmPath::new("", name, "");
    let flags = flags | OFlags::RDWR | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let fd = rustix::fs::open(path.as_cstr(), flags, Mode::from_bits_truncate(mode))?;
    crate::io::opened(&fd);
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

    /// `shm_open(name, O_RDWR | O_NOFOLLOW, 0)`—opens an existing object.
    #[doc(alias = "shm_open")]
    pub fn open(name: &Name) -> Result<ShmObject, Errno> {
        shm_open(name, OFlags::empty(), 0)
    }

    /// Wraps a descriptor of a regular file to map.
    pub fn from_fd(fd: OwnedFd) -> ShmObject {
        ShmObject(fd)
    }

    /// `fallocate(fd, 0, 0, len)`—sizes the object to at least `len` bytes and reserves
    /// its pages now, so a full `/dev/shm` is ENOSPC here rather than SIGBUS on first
    /// touch. (`ftruncate` would only set the size.)
    ///
    /// References: [fallocate(2)](https://man7.org/linux/man-pages/man2/fallocate.2.html)
    #[doc(alias = "fallocate")]
    pub fn allocate(&self, len: u64) -> Result<(), Errno> {
        let mode = rustix::fs::FallocateFlags::empty();
        crate::io::retry_on_intr(|| Ok(rustix::fs::fallocate(&self.0, mode, 0, len)?))
    }

    /// `fstat(fd).st_size`—the object's size in bytes.
    #[doc(alias = "fstat")]
    pub fn size(&self) -> Result<u64, Errno> {
        Ok(rustix::fs::fstat(&self.0)?.st_size as u64)
    }

    /// `mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)` after checking that
    /// the object holds `len` bytes (EINVAL if not: mapping past the end would SIGBUS).
    ///
    /// References: [mmap(2)](https://man7.org/linux/man-pages/man2/mmap.2.html)
    #[doc(alias = "mmap")]
    pub fn map(&self, len: usize) -> Result<Mapping, Errno> {
        if self.size()? < len as u64 {
            return Err(Errno::EINVAL);
        }
        self.map_unchecked_size(len)
    }

    /// `mmap` as [`map`](Self::map), for a caller that has just sized the object itself.
    pub fn map_unchecked_size(&self, len: usize) -> Result<Mapping, Errno> {
        if len == 0 {
            return Err(Errno::EINVAL);
        }
        let prot = ProtFlags::READ | ProtFlags::WRITE;
        // SAFETY: a fresh shared mapping chosen by the kernel (no address hint) aliases no
        // Rust object; Mapping owns it and unmaps it on drop.
        let ptr = unsafe {
            rustix::mm::mmap(core::ptr::null_mut(), len, prot, MapFlags::SHARED, &self.0, 0)
        }?;
        let ptr = NonNull::new(ptr.cast::<u8>()).ok_or(Errno::ENOMEM)?;
        Ok(Mapping { ptr, len })
    }
}

impl AsFd for ShmObject {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

/// `shm_unlink(name)`—removes the name; mappings and descriptors stay valid.
///
/// References: [shm_unlink(3)](https://man7.org/linux/man-pages/man3/shm_unlink.3.html)
#[doc(alias = "shm_unlink")]
pub fn unlink(name: &Name) -> Result<(), Errno> {
    Ok(rustix::fs::unlink(ShmPath::new("", name, "").as_cstr())?)
}

/// A shared mapping of `len` bytes; unmapped on drop. Other processes write it
/// concurrently, so safe code sees it only as atomics: [`words`](Self::words) and
/// [`words32`](Self::words32), slices that end where the mapping ends.
pub struct Mapping {
    ptr: NonNull<u8>,
    len: usize,
}

impl Mapping {
    /// Bytes mapped.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the mapping is empty (never: `map` refuses length 0).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The mapping as 64-bit atomic words (whole words only).
    pub fn words(&self) -> &[AtomicU64] {
        // SAFETY: mmap returns page-aligned memory, valid for `len` bytes while self
        // lives; atomics tolerate concurrent access from other processes, and any bit
        // pattern is a valid u64.
        unsafe { core::slice::from_raw_parts(self.ptr.as_ptr().cast(), self.len / 8) }
    }

    /// The first byte of the mapping, for copying data in and out with raw pointers
    /// (`len()` bytes are valid while the mapping lives). Other processes see the same
    /// bytes: order the copies by other means, such as a semaphore or a futex word.
    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    /// The mapping as 32-bit atomic words (whole words only).
    pub fn words32(&self) -> &[AtomicU32] {
        // SAFETY: as for `words`, with 4-byte words.
        unsafe { core::slice::from_raw_parts(self.ptr.as_ptr().cast(), self.len / 4) }
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
    fn two_mappings_of_one_object_share_memory() {
        let name = Name::unique("shmtest").unwrap();
        let obj = ShmObject::create(&name, 0o600).unwrap();
        let other = ShmObject::open(&name).unwrap();
        unlink(&name).unwrap();
        obj.allocate(4096).unwrap();
        assert_eq!(other.size().unwrap(), 4096);
        let a = obj.map(4096).unwrap();
        let b = other.map(4096).unwrap();
        assert_eq!(a.words().len(), 512);
        a.words()[511].store(0xdead_beef, Ordering::SeqCst);
        assert_eq!(b.words()[511].load(Ordering::SeqCst), 0xdead_beef);
        assert_eq!(b.words32()[1022].load(Ordering::SeqCst), 0xdead_beef);
    }

    #[test]
    fn mapping_past_the_end_is_refused() {
        let name = Name::unique("shmtest").unwrap();
        let obj = ShmObject::create(&name, 0o600).unwrap();
        unlink(&name).unwrap();
        assert_eq!(obj.map(8).err(), Some(Errno::EINVAL));
        obj.allocate(8).unwrap();
        assert_eq!(obj.map(4096).err(), Some(Errno::EINVAL));
        assert_eq!(obj.map(8).unwrap().words().len(), 1);
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
