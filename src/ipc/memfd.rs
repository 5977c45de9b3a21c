//! memfd: an anonymous file in memory (`memfd_create`) — no name in any file system, no
//! `/dev/shm`, nothing to unlink: it exists while a descriptor or a mapping refers to it.
//! Other processes get it the way descriptors travel: inherited across `fork`, or passed
//! over a Unix socket (`SCM_RIGHTS`, see
//! [`SeqpacketStream::send_fd`](super::seqpacket::SeqpacketStream::send_fd)).
//!
//! A file that someone can shrink is a mapping that can SIGBUS: touching a page past the
//! new end kills the process. A memfd made with `MFD_ALLOW_SEALING` can be **sealed**
//! (`fcntl(F_ADD_SEALS)`): `F_SEAL_SHRINK` and `F_SEAL_GROW` fix its size, for every
//! process and every descriptor, and `F_SEAL_SEAL` forbids removing them (no seal is ever
//! removed; the last one forbids adding more). [`Memfd::map`] maps only a file sealed
//! against shrinking, so a mapping of it is safe whoever else holds the file.
//!
//! References: [memfd_create(2)](https://man7.org/linux/man-pages/man2/memfd_create.2.html),
//! [fcntl(2)](https://man7.org/linux/man-pages/man2/fcntl.2.html) (File Sealing)

use super::shm::{Mapping, map_sized};
use crate::errno::Errno;
use core::ffi::CStr;
use rustix::fd::{AsFd, OwnedFd};
use rustix::fs::{MemfdFlags, SealFlags};

/// A memory file, closed on drop (the memory goes with the last descriptor and mapping).
/// One made from a descriptor received from elsewhere (`Memfd::from(fd)`) is taken to be
/// a memory file: nothing is checked then, and [`map`](Self::map) refuses what is not a
/// sealed one.
#[derive(Debug)]
pub struct Memfd(OwnedFd);

fd_handle!(Memfd);

impl Memfd {
    /// `memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING)`: an empty memory file.
    /// `name` is only a label (`/memfd:name` in `/proc/PID/fd`), never a path: two files
    /// of the same name are two files.
    #[doc(alias = "memfd_create")]
    pub fn create(name: &CStr) -> Result<Memfd, Errno> {
        let fd = rustix::fs::memfd_create(name, MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING)?;
        crate::io::opened(&fd);
        Ok(Memfd(fd))
    }

    /// `ftruncate(fd, len)`: sets the size; new bytes read as zero. EPERM once sealed.
    #[doc(alias = "ftruncate")]
    pub fn set_len(&self, len: u64) -> Result<(), Errno> {
        Ok(rustix::fs::ftruncate(&self.0, len)?)
    }

    /// `fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)`: the size is
    /// fixed for good, for every process (EPERM for a file made without
    /// `MFD_ALLOW_SEALING`, or already sealed with F_SEAL_SEAL).
    #[doc(alias = "F_ADD_SEALS")]
    pub fn seal_size(&self) -> Result<(), Errno> {
        let seals = SealFlags::SHRINK | SealFlags::GROW | SealFlags::SEAL;
        Ok(rustix::fs::fcntl_add_seals(&self.0, seals)?)
    }

    /// `fcntl(fd, F_GET_SEALS)`, `fstat`, then `mmap(NULL, len, PROT_READ | PROT_WRITE,
    /// MAP_SHARED, fd, 0)`: the first `len` bytes, shared with every process that maps
    /// the file. Only for a file sealed against shrinking (EPERM if it is not; EINVAL,
    /// from the kernel, for a descriptor that is no memory file) that holds `len` bytes
    /// (EINVAL if not, or if `len` is 0): then no process can ever make the mapping
    /// SIGBUS, so this is safe.
    #[doc(alias = "mmap")]
    pub fn map(&self, len: usize) -> Result<Mapping, Errno> {
        if !rustix::fs::fcntl_get_seals(&self.0)?.contains(SealFlags::SHRINK) {
            return Err(Errno::EPERM);
        }
        // SAFETY: F_SEAL_SHRINK is set, and a seal is never removed: the file keeps the
        // `len` bytes map_sized checks for as long as it exists, which the mapping ensures.
        unsafe { map_sized(self.0.as_fd(), len) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_memfd_maps_and_can_no_longer_shrink() {
        let m = Memfd::create(c"bareipc-test").unwrap();
        m.set_len(8192).unwrap();
        assert_eq!(m.map(8).err(), Some(Errno::EPERM), "not sealed yet");
        m.seal_size().unwrap();
        assert_eq!(m.set_len(0), Err(Errno::EPERM));
        assert_eq!(m.set_len(16384), Err(Errno::EPERM));
        assert_eq!(m.map(8193).err(), Some(Errno::EINVAL));
        let a = m.map(8192).unwrap();
        let b = m.map(16).unwrap();
        a.words()[1].store(42, core::sync::atomic::Ordering::Relaxed);
        assert_eq!(b.words()[1].load(core::sync::atomic::Ordering::Relaxed), 42);
        // A descriptor of something else is refused before any mapping.
        let (r, _w) = rustix::pipe::pipe().unwrap();
        assert_eq!(Memfd::from(r).map(8).err(), Some(Errno::EINVAL));
    }
}
