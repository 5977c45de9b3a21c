//! A regular file mapped `MAP_SHARED`: the oldest shared memory of Unix. Every process
//! that maps the same file shares the same pages — the kernel's page cache — and
//! `read`/`pread` of the file read those same pages: a store through a mapping is in the
//! file at once, with no `msync` (which only schedules the write to disk).
//!
//! **A file with no name.** [`MappedFile::create_unnamed`] opens the directory with
//! `O_TMPFILE | O_EXCL`: a new regular file that has no name and, with O_EXCL, can never
//! be given one (`linkat` refuses it). A file system without O_TMPFILE (EOPNOTSUPP; EISDIR
//! from a kernel older than 3.11) is an error: a file created by name and unlinked at once
//! could be opened in between by any process of the same user (the owner may `chmod`
//! whatever the mode), then shrunk under the mapping — and a SIGKILL in between would
//! leave it. tmpfs, ext4, xfs and btrfs have O_TMPFILE. Which directory: the caller's —
//! the programs use `$TMPDIR`, else `/tmp` ([`dir::temp_base`](super::dir::temp_base)).
//!
//! **Why mapping it is safe.** A mapping of a file someone shrinks raises SIGBUS at the
//! lost pages, and on a disk file system a page whose blocks cannot be allocated raises it
//! too. The file is reachable by no name, so only descriptors of this process and the
//! children it forks reach it, and this type offers no way to change its size; its blocks
//! are reserved (`fallocate`) before it is mapped, so no store can meet ENOSPC. (Out of
//! scope, as everywhere in bareipc: processes reopening it through `/proc/PID/fd`, and
//! I/O errors of the disk under a disk-backed file, which SIGBUS any mapping.)
//!
//! References: [open(2)](https://man7.org/linux/man-pages/man2/open.2.html) (O_TMPFILE),
//! [mmap(2)](https://man7.org/linux/man-pages/man2/mmap.2.html),
//! [pread(2)](https://man7.org/linux/man-pages/man2/pread.2.html)

use super::shm::{self, Mapping};
use crate::errno::{CallError, Context, Errno};
use core::ffi::CStr;
use rustix::fd::{AsFd, OwnedFd};

/// A regular file with no name and its shared mapping; both go on drop (the file with its
/// last descriptor and mapping, in every process that has them).
#[derive(Debug)]
pub struct MappedFile {
    file: OwnedFd,
    mapping: Mapping,
}

impl MappedFile {
    /// A new file of `len` bytes (zeroes) in the directory `dir`, with no name (see the
    /// module's docs), its blocks reserved (`fallocate`, or zeros written where the file
    /// system has none), mapped read-write and shared. Fails naming `open` (the directory,
    /// or a file system without O_TMPFILE: EOPNOTSUPP), `fallocate` or `mmap`.
    #[doc(alias = "O_TMPFILE")]
    pub fn create_unnamed(dir: &CStr, len: usize) -> Result<MappedFile, CallError> {
        let file = shm::create_unnamed_file(dir, len)?;
        // SAFETY: the file has `len` bytes, and no process can shrink it (no name, no
        // descriptor but this process's and its children's, no size change offered).
        let mapping = unsafe { shm::map_fd(file.as_fd(), len) }.call("mmap")?;
        Ok(MappedFile { file, mapping })
    }

    /// The shared mapping: what a store through it writes, `read_at` reads.
    pub fn mapping(&self) -> &Mapping {
        &self.mapping
    }

    /// Closes the file's descriptor and keeps its mapping, which keeps the file (still
    /// with no name, still its size: nobody else can reach it).
    pub fn into_mapping(self) -> Mapping {
        self.mapping
    }

    /// `pread(fd, buf, offset)`—reads the file (the page cache, the very pages mapped)
    /// into `buf`; returns how many bytes (fewer only past the end of the file).
    #[doc(alias = "pread")]
    pub fn read_at(&self, buf: &mut [u8], offset: u64) -> Result<usize, Errno> {
        crate::io::retry_on_intr(|| Ok(rustix::io::pread(&self.file, &mut *buf, offset)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::sync::atomic::Ordering::Relaxed;

    #[test]
    fn a_store_through_the_mapping_is_what_pread_reads() {
        let f = MappedFile::create_unnamed(c"/tmp", 64).unwrap();
        f.mapping().words()[3].store(0x1122_3344_5566_7788, Relaxed);
        let mut buf = [0u8; 80];
        assert_eq!(f.read_at(&mut buf, 0), Ok(64), "the file holds 64 bytes");
        assert_eq!(buf[24..32], 0x1122_3344_5566_7788u64.to_le_bytes());
        let fd = f.file.as_fd();
        let link =
            std::fs::read_link(format!("/proc/self/fd/{}", rustix::fd::AsRawFd::as_raw_fd(&fd)));
        assert!(link.unwrap().to_string_lossy().ends_with("(deleted)"), "no name");
    }

    #[test]
    fn no_directory_and_no_size_are_errors() {
        assert_eq!(MappedFile::create_unnamed(c"/nonexistent", 8).unwrap_err().call, "open");
        let empty = MappedFile::create_unnamed(c"/tmp", 0).unwrap_err();
        assert_eq!((empty.call, empty.errno), ("fallocate", Errno::EINVAL));
    }
}
