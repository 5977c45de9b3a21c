//! The file calls of a run's named file: `openat`, `mknodat`, `unlinkat`.

use super::{new_fd, nr, syscall3, syscall4};
use crate::errno::Errno;
use core::ffi::CStr;
use rustix::fd::{AsRawFd, BorrowedFd, OwnedFd};

/// `openat(dir, path, flags, mode)`: the opened file's descriptor. (The file calls the
/// private directories need are here, as the socket calls, for size.)
pub(crate) fn openat(
    dir: BorrowedFd<'_>,
    path: &CStr,
    flags: i32,
    mode: u32,
) -> Result<OwnedFd, Errno> {
    let (dir, path) = (dir.as_raw_fd() as usize, path.as_ptr() as usize);
    // SAFETY: openat reads the NUL-terminated string at `path`.
    let fd = unsafe { syscall4(nr::OPENAT, dir, path, flags as usize, mode as usize) }?;
    // SAFETY: the descriptor openat created, known to nothing else.
    Ok(unsafe { new_fd(fd) })
}

/// `mknodat(dir, path, mode, 0)`: `mode` holds the file type (S_IFIFO) and permissions.
pub(crate) fn mknodat(dir: BorrowedFd<'_>, path: &CStr, mode: u32) -> Result<(), Errno> {
    let (dir, path) = (dir.as_raw_fd() as usize, path.as_ptr() as usize);
    // SAFETY: mknodat reads the NUL-terminated string at `path`.
    unsafe { syscall4(nr::MKNODAT, dir, path, mode as usize, 0) }.map(drop)
}

/// `unlinkat(dir, path, flags)`: a file, or with AT_REMOVEDIR an empty directory.
pub(crate) fn unlinkat(dir: BorrowedFd<'_>, path: &CStr, flags: i32) -> Result<(), Errno> {
    let (dir, path) = (dir.as_raw_fd() as usize, path.as_ptr() as usize);
    // SAFETY: unlinkat reads the NUL-terminated string at `path`.
    unsafe { syscall3(nr::UNLINKAT, dir, path, flags as usize) }.map(drop)
}
