//! The mechanisms: one module each, with handle types that own their kernel object and
//! release it on drop, and calls named after the C functions they stand for.
//!
//! This layer knows nothing of processes, workers or the pi programs (it never imports
//! `process`): a std or no_std program can use any module here on its own.
//!
//! Which "POSIX IPC" is a kernel object and which is a file decides what strace shows and
//! what a container must provide:
//!
//! | module | what it is | what strace shows | needs |
//! |---|---|---|---|
//! | [`pipe`] | kernel buffer, two descriptors | `pipe2`, `read`, `write` | nothing |
//! | [`socket`] | `AF_UNIX` stream pair | `socketpair`, `read`, `write` | nothing |
//! | [`mq`] | kernel object in the mqueue file system | `mq_open`, `mq_timedsend`, … | an IPC namespace |
//! | [`msg`] | System V kernel object, integer id | `msgget`, `msgsnd`, `msgrcv`, `msgctl` | an IPC namespace |
//! | [`shmseg`] | System V segment, integer id, attached; destroyed after the last detach once removed | `shmget`, `shmat`, `shmctl` | an IPC namespace |
//! | [`semset`] | System V semaphore set, integer id; SEM_UNDO releases a dead holder's lock | `semget`, `semtimedop`, `semctl` | an IPC namespace |
//! | [`shm`] | a file in the tmpfs at `/dev/shm`, mapped | `openat`, `fallocate`, `mmap` | a writable `/dev/shm` |
//! | [`sem`] | a 32-byte file `/dev/shm/sem.NAME`, mapped; futex | `openat`, `fallocate`, `mmap`, `futex` | a writable `/dev/shm` |
//! | [`futex`] | a 32-bit word in shared memory | `futex` | nothing |
//! | [`mapped_file`] | a regular file with no name (O_TMPFILE), mapped shared: the page cache | `openat`, `fallocate`, `mmap`, `pread` | a writable directory |
//! | [`memfd`] | an anonymous file in memory, sealed, passed as a descriptor | `memfd_create`, `ftruncate`, `fcntl`, `mmap`, `sendmsg`/`recvmsg` (SCM_RIGHTS) | nothing |
//! | [`eventfd`] | a 64-bit kernel counter, one descriptor | `eventfd2`, `write`, `read` | nothing |
//! | [`tcp`] | TCP over 127.0.0.1, an ephemeral port | `socket`, `bind`, `listen`, `getsockname`, `accept4`, `connect` | a network namespace with `lo` up |
//! | [`udp`] | UDP over 127.0.0.1, an ephemeral port: datagrams, no flow control | `socket`, `bind`, `getsockname`, `connect`, `sendto`, `recvfrom`, `setsockopt` | a network namespace with `lo` up |
//! | [`fifo`] | a named pipe: a file system entry that leads to a pipe buffer | `mknodat`, `openat`, `read`, `write` | a writable directory |
//! | [`seqpacket`] | `AF_UNIX` connections that keep message boundaries, listening at a path | `socket`, `bind`, `listen`, `accept4`, `connect`, `sendto`, `recvfrom` | a writable directory |
//! | [`rtsig`] | real-time signals queued with a 64-bit value | `rt_sigprocmask`, `rt_sigqueueinfo`, `rt_sigtimedwait` | nothing (permission to signal the receiver) |
//! | [`process_vm`] | another process's memory, read directly | `process_vm_readv` | ptrace permission over the target (Yama, seccomp, capabilities) |
//! | [`dgram`] | `AF_UNIX` datagrams to an abstract name (no file) | `socket`, `bind`, `sendto`, `recvfrom` | a network namespace (any) |
//! | [`endpoint`] | any of the socket kinds above, by kind and address: another program's endpoint | `socket`, `bind`, `listen`, `accept4`, `connect`, `setsockopt`, `sendto`, `recvfrom` | as its kind |
//!
//! [`name`] builds the names of POSIX objects and their kernel forms; [`dir`] makes the
//! private directory where a FIFO or a socket file is named; [`sysv`] holds what the
//! three System V kinds share (run keys, and which objects dead runs left).
//!
//! ## Shared memory and soundness
//! A mapping of a file that another process can shrink faults (SIGBUS) when touched past
//! the new end. Safe functions here therefore map only objects no other process can
//! shrink, and say why in their docs; the general ones that map what others can reach are
//! `unsafe`, with the promise the caller makes written in their `# Safety` section. Out of
//! scope, as for std: processes that act on this one through `/proc/PID` (`mem`, re-opening
//! its descriptors) or `ptrace`.

/// Makes `$t`, a newtype over an `OwnedFd`, a descriptor handle like rustix's: `AsFd`,
/// and conversions from and to `OwnedFd` (a descriptor of the wrong kind only makes the
/// calls fail, with EBADF or EINVAL: never undefined behaviour).
macro_rules! fd_handle {
    ($($t:ident),*) => {$(
        impl rustix::fd::AsFd for $t {
            fn as_fd(&self) -> rustix::fd::BorrowedFd<'_> {
                rustix::fd::AsFd::as_fd(&self.0)
            }
        }

        impl From<$t> for rustix::fd::OwnedFd {
            fn from(handle: $t) -> rustix::fd::OwnedFd {
                handle.0
            }
        }

        impl From<rustix::fd::OwnedFd> for $t {
            fn from(fd: rustix::fd::OwnedFd) -> $t {
                $t(fd)
            }
        }
    )*};
}

/// An absolute CLOCK_REALTIME deadline `timeout` from now, for the calls that take one
/// (`mq_timedsend`, `mq_timedreceive`, `sem_timedwait`). EINVAL for a timeout with
/// `tv_nsec` outside `0..10^9` or negative seconds.
pub fn deadline_after(
    timeout: &crate::sys::abi::Timespec,
) -> Result<crate::sys::abi::Timespec, crate::errno::Errno> {
    if timeout.tv_sec < 0 || !(0..1_000_000_000).contains(&timeout.tv_nsec) {
        return Err(crate::errno::Errno::EINVAL);
    }
    let now = crate::sys::realtime_now()?;
    let nsec = now.tv_nsec + timeout.tv_nsec;
    let carry = nsec >= 1_000_000_000;
    Ok(crate::sys::abi::Timespec {
        tv_sec: now.tv_sec.saturating_add(timeout.tv_sec).saturating_add(carry as i64),
        tv_nsec: nsec - carry as i64 * 1_000_000_000,
    })
}

#[cfg(test)]
#[test]
fn deadlines_are_now_plus_the_timeout() {
    use crate::sys::abi::Timespec;
    let before = crate::sys::realtime_now().unwrap();
    let d = deadline_after(&Timespec { tv_sec: 2, tv_nsec: 999_999_999 }).unwrap();
    assert!((0..1_000_000_000).contains(&d.tv_nsec), "{d:?}");
    let ns = |t: &Timespec| t.tv_sec as i128 * 1_000_000_000 + t.tv_nsec as i128;
    let ahead = ns(&d) - ns(&before);
    assert!((2_999_999_999..4_000_000_000).contains(&ahead), "{ahead}");
    for bad in [Timespec { tv_sec: -1, tv_nsec: 0 }, Timespec { tv_sec: 0, tv_nsec: 1_000_000_000 }]
    {
        assert_eq!(deadline_after(&bad), Err(crate::errno::Errno::EINVAL));
    }
}

pub mod dgram;
pub mod dir;
pub mod endpoint;
pub mod eventfd;
pub mod fifo;
pub mod futex;
pub mod mapped_file;
pub mod memfd;
pub mod mq;
pub mod msg;
pub mod name;
pub mod pipe;
pub mod process_vm;
pub mod rtsig;
pub mod sem;
pub mod semset;
pub mod seqpacket;
pub mod shm;
pub mod shmseg;
pub mod socket;
pub mod sysv;
pub mod tcp;
pub mod udp;
