//! System V IPC: message queues, semaphore sets, shared memory segments.

use super::{abi, nr, syscall2, syscall3, syscall4, syscall5};
use crate::errno::Errno;

/// `msgget(key, flags)`: returns the queue identifier.
pub(crate) fn msgget(key: i32, flags: i32) -> Result<i32, Errno> {
    // SAFETY: plain integer arguments.
    unsafe { syscall2(nr::MSGGET, key as usize, flags as usize) }.map(|id| id as i32)
}

/// `msgsnd(id, msgp, msgsz, flags)`: `msg` is the whole `struct msgbuf` (an 8-byte
/// `mtype`, then the text); `msgsz` is the text's length.
pub(crate) fn msgsnd(id: i32, msg: &[u8], flags: i32) -> Result<(), Errno> {
    let text = msg.len().checked_sub(8).ok_or(Errno::EINVAL)?;
    // SAFETY: msg is readable for 8 + text bytes, as msgsnd reads.
    unsafe { syscall4(nr::MSGSND, id as usize, msg.as_ptr() as usize, text, flags as usize) }
        .map(drop)
}

/// `msgrcv(id, msgp, msgsz, msgtyp, flags)` into `buf` (8 bytes of `mtype`, then room for
/// the text): returns the text's length.
pub(crate) fn msgrcv(id: i32, buf: &mut [u8], msgtyp: i64, flags: i32) -> Result<usize, Errno> {
    let room = buf.len().checked_sub(8).ok_or(Errno::EINVAL)?;
    // SAFETY: buf is writable for 8 + room bytes, the most msgrcv writes.
    unsafe {
        syscall5(
            nr::MSGRCV,
            id as usize,
            buf.as_mut_ptr() as usize,
            room,
            msgtyp as usize,
            flags as usize,
        )
    }
}

/// `msgctl(id, cmd, buf)` with `buf` a `struct msqid_ds` (IPC_STAT, MSG_STAT) or null
/// (IPC_RMID): returns the call's value (MSG_STAT: the queue's identifier).
pub(crate) fn msgctl(id: i32, cmd: i32, buf: Option<&mut abi::MsqidDs>) -> Result<usize, Errno> {
    let ptr = buf.map_or(0, |b| b as *mut abi::MsqidDs as usize);
    // SAFETY: buf is null or a writable msqid_ds (its layout is the kernel's msqid64_ds
    // on x86_64, which the libc crate mirrors).
    unsafe { syscall3(nr::MSGCTL, id as usize, cmd as usize, ptr) }
}

/// `semget(key, nsems, flags)`: returns the set's identifier.
pub(crate) fn semget(key: i32, nsems: i32, flags: i32) -> Result<i32, Errno> {
    // SAFETY: plain integer arguments.
    unsafe { syscall3(nr::SEMGET, key as usize, nsems as usize, flags as usize) }
        .map(|id| id as i32)
}

/// `semtimedop(id, ops, ops.len(), timeout)`: all of `ops` at once, or none; a null
/// `timeout` waits as long as it takes.
pub(crate) fn semtimedop(
    id: i32,
    ops: &[abi::Sembuf],
    timeout: Option<&abi::Timespec>,
) -> Result<(), Errno> {
    let t = timeout.map_or(0, |t| t as *const abi::Timespec as usize);
    // SAFETY: semtimedop reads ops.len() sembufs at `ops` and a timespec at `t` (or none).
    unsafe { syscall4(nr::SEMTIMEDOP, id as usize, ops.as_ptr() as usize, ops.len(), t) }.map(drop)
}

/// The `semctl` commands whose argument is an integer or unused: no other can be named,
/// so none that writes memory (GETALL writes one value per semaphore) reaches the kernel.
#[derive(Clone, Copy)]
#[repr(i32)]
pub(crate) enum SemCmd {
    Remove = abi::IPC_RMID,
    GetVal = abi::GETVAL,
    SetVal = abi::SETVAL,
    GetPid = abi::GETPID,
}

/// `semctl(id, num, cmd, value)`: returns the call's value.
pub(crate) fn semctl(id: i32, num: i32, cmd: SemCmd, value: i32) -> Result<usize, Errno> {
    let cmd = cmd as i32 as usize;
    // SAFETY: with these commands the kernel reads the fourth argument as an int and
    // writes no memory.
    unsafe { syscall4(nr::SEMCTL, id as usize, num as usize, cmd, value as usize) }
}

/// The `semctl` commands that fill one `semid64_ds`: of an identifier (`IPC_STAT`), or
/// of a table index (`SEM_STAT`, `SEM_STAT_ANY`: the result is then the set's identifier).
#[derive(Clone, Copy)]
#[repr(i32)]
pub(crate) enum SemStatCmd {
    Ipc = abi::IPC_STAT,
    Index = abi::SEM_STAT,
    IndexAny = abi::SEM_STAT_ANY,
}

/// `semctl(id, 0, cmd, &ds)`.
pub(crate) fn semctl_stat(id: i32, cmd: SemStatCmd, ds: &mut abi::SemidDs) -> Result<usize, Errno> {
    let (cmd, at) = (cmd as i32 as usize, ds as *mut abi::SemidDs as usize);
    // SAFETY: these commands write one semid64_ds, whose layout SemidDs is.
    unsafe { syscall4(nr::SEMCTL, id as usize, 0, cmd, at) }
}

/// `semctl(0, 0, SEM_INFO, &info)`: the system's limits and use; returns the index of the
/// highest set in use (0 when none is).
pub(crate) fn sem_info(info: &mut abi::SemInfo) -> Result<usize, Errno> {
    // SAFETY: SEM_INFO writes one struct seminfo.
    unsafe { syscall4(nr::SEMCTL, 0, 0, abi::SEM_INFO as usize, info as *mut _ as usize) }
}

/// `shmget(key, size, flags)`: returns the segment's identifier.
pub(crate) fn shmget(key: i32, size: usize, flags: i32) -> Result<i32, Errno> {
    // SAFETY: plain integer arguments.
    unsafe { syscall3(nr::SHMGET, key as usize, size, flags as usize) }.map(|id| id as i32)
}

/// `shmat(id, NULL, 0)`: maps the segment read-write where the kernel chooses; returns
/// the address.
///
/// # Safety
/// The new mapping is shared with every process attached to the segment: the caller
/// gives access to it only through atomics or raw pointers, and unmaps it once.
pub(crate) unsafe fn shmat(id: i32) -> Result<usize, Errno> {
    // SAFETY: with no address hint the kernel picks unused address space, so the mapping
    // aliases no Rust object; the caller owns it.
    unsafe { syscall3(nr::SHMAT, id as usize, 0, 0) }
}

/// `shmdt(addr)`: detaches the attachment at `addr`.
///
/// # Safety
/// Nothing refers to the memory of that attachment any more.
pub(crate) unsafe fn shmdt(addr: usize) -> Result<(), Errno> {
    // SAFETY: the caller's promise: the unmapped memory is no longer referred to.
    unsafe { syscall2(nr::SHMDT, addr, 0) }.map(drop)
}

/// `shmctl(id, cmd, buf)` with `buf` a `struct shmid_ds` (IPC_STAT, SHM_STAT,
/// SHM_STAT_ANY: then `id` is a table index, and the result the segment's identifier) or
/// null (IPC_RMID). Any command is sound: none writes more than a `shmid64_ds` (IPC_INFO
/// and SHM_INFO write smaller structs; IPC_SET, SHM_LOCK and IPC_RMID write none).
pub(crate) fn shmctl(id: i32, cmd: i32, buf: Option<&mut abi::ShmidDs>) -> Result<usize, Errno> {
    let ptr = buf.map_or(0, |b| b as *mut abi::ShmidDs as usize);
    // SAFETY: buf is null or a writable shmid64_ds (ShmidDs's layout), more than any
    // command writes.
    unsafe { syscall3(nr::SHMCTL, id as usize, cmd as usize, ptr) }
}

/// `shmctl(0, SHM_INFO, &info)`: the system's use of segments; returns the index of the
/// highest segment in use (0 when none is).
pub(crate) fn shm_info(info: &mut abi::ShmInfo) -> Result<usize, Errno> {
    // SAFETY: info is a writable struct shm_info, all SHM_INFO writes.
    unsafe { syscall3(nr::SHMCTL, 0, abi::SHM_INFO as usize, info as *mut _ as usize) }
}

/// `msgctl(0, MSG_INFO, &info)`: the system's queue limits and use; returns the index of
/// the highest queue in use (0 when none is).
pub(crate) fn msg_info(info: &mut abi::MsgInfo) -> Result<usize, Errno> {
    // SAFETY: info is a writable struct msginfo, all MSG_INFO writes.
    unsafe { syscall3(nr::MSGCTL, 0, abi::MSG_INFO as usize, info as *mut _ as usize) }
}
