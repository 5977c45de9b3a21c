//! System V semaphore sets: an array of counters in the kernel, named by an integer
//! identifier. `semop` applies several operations to a set *atomically* — all of them or
//! none, waiting until all can be done — and an operation flagged `SEM_UNDO` is recorded
//! in the process's adjustment; when the process exits, however it exits, the kernel
//! applies the adjustments in reverse. So a lock taken with SEM_UNDO is released by the
//! kernel if its holder dies holding it, which no POSIX semaphore can do: a dead holder of
//! a `sem_t` keeps it taken forever.
//!
//! Like every System V object a set outlives its processes: only `semctl(IPC_RMID)` (or
//! the end of its IPC namespace) removes it. Limits: `kernel.sem` = "SEMMSL SEMMNS SEMOPM
//! SEMMNI" (semaphores per set, in the system, operations per call, sets in the system);
//! a set beyond them is ENOSPC (or EINVAL for SEMMSL).
//!
//! References: [semget(2)](https://man7.org/linux/man-pages/man2/semget.2.html),
//! [semop(2)](https://man7.org/linux/man-pages/man2/semop.2.html),
//! [semctl(2)](https://man7.org/linux/man-pages/man2/semctl.2.html)

use crate::errno::Errno;
use crate::sys::{self, SemCmd, SemStatCmd, abi};

pub use super::sysv::{is_dead_runs, run_key};
pub use crate::sys::abi::{Sembuf, SemidDs, Timespec};

/// [`Sembuf`] flag: fail with EAGAIN at once instead of waiting.
pub const IPC_NOWAIT: i16 = abi::IPC_NOWAIT as i16;

/// One operation on a set: add `op` to semaphore `num`; see [`SemaphoreSet::op`].
pub const fn op(num: u16, op: i16, undo: bool) -> Sembuf {
    Sembuf { num, op, flg: if undo { abi::SEM_UNDO } else { 0 } }
}

/// A System V semaphore set identified by `id`. `Send` and `Sync`: it is an integer, and
/// the kernel serialises every operation. Created by this process it is owned: dropping
/// it removes the set (`semctl(IPC_RMID)`). A forked worker never drops its copy (it
/// leaves through `exit_group`), so only the creator removes it.
#[derive(Debug)]
pub struct SemaphoreSet {
    id: i32,
    owned: bool,
}

impl SemaphoreSet {
    /// `semget(IPC_PRIVATE, nsems, IPC_CREAT | IPC_EXCL | mode)`—a new set of `nsems`
    /// semaphores, all 0 (Linux initialises them; POSIX leaves it open), that no key can
    /// reach.
    #[doc(alias = "semget")]
    pub fn create_private(nsems: u16, mode: u32) -> Result<SemaphoreSet, Errno> {
        Self::create(abi::IPC_PRIVATE, nsems, mode)
    }

    /// `semget(run_key(pid), nsems, IPC_CREAT | IPC_EXCL | mode)`—the set of the run
    /// whose parent is `pid`, under a key a later run recognises ([`remove_abandoned`]);
    /// where that key is taken (EEXIST), a private set instead.
    pub fn create_for_run(pid: i32, nsems: u16, mode: u32) -> Result<SemaphoreSet, Errno> {
        match Self::create(run_key(pid), nsems, mode) {
            Err(Errno::EEXIST) => Self::create_private(nsems, mode),
            set => set,
        }
    }

    /// `semget(key, nsems, IPC_CREAT | IPC_EXCL | mode)`—a new set under `key` (EEXIST if
    /// the key is taken), owned; see [`into_id`](Self::into_id) to leave it in place.
    #[doc(alias = "semget")]
    pub fn create(key: i32, nsems: u16, mode: u32) -> Result<SemaphoreSet, Errno> {
        let flags = abi::IPC_CREAT | abi::IPC_EXCL | (mode & 0o777) as i32;
        Ok(SemaphoreSet { id: sys::semget(key, nsems as i32, flags)?, owned: true })
    }

    /// `semget(key, 0, 0)`—the existing set under `key` (ENOENT if none), not owned.
    #[doc(alias = "semget")]
    pub fn open(key: i32) -> Result<SemaphoreSet, Errno> {
        Ok(SemaphoreSet { id: sys::semget(key, 0, 0)?, owned: false })
    }

    /// The set with identifier `id`, not owned: dropping it does not remove it.
    pub fn from_id(id: i32) -> SemaphoreSet {
        SemaphoreSet { id, owned: false }
    }

    /// Gives up ownership: the set stays when this is dropped. Returns its identifier.
    pub fn into_id(mut self) -> i32 {
        self.owned = false;
        self.id
    }

    /// The identifier (as `ipcs -s` shows it).
    pub fn id(&self) -> i32 {
        self.id
    }

    /// `semtimedop(id, ops, timeout)`—all of `ops` at once, waiting (up to the relative
    /// `timeout`, if any) until every one can be done: EAGAIN once the timeout passes
    /// (or at once, for an operation with IPC_NOWAIT), EINTR on a signal (never
    /// restarted), EIDRM if the set is removed meanwhile, EFBIG for a semaphore index
    /// beyond the set, E2BIG beyond SEMOPM operations.
    #[doc(alias = "semop")]
    #[doc(alias = "semtimedop")]
    pub fn op(&self, ops: &[Sembuf], timeout: Option<&Timespec>) -> Result<(), Errno> {
        sys::semtimedop(self.id, ops, timeout)
    }

    /// Takes semaphore `num` as a lock that the kernel releases if its holder dies: waits
    /// for the value 0 and makes it 1, in one operation, with SEM_UNDO (a set starts at 0,
    /// so a new set's locks are free with no initialisation call). Errors as for
    /// [`op`](Self::op).
    pub fn lock(&self, num: u16, timeout: Option<&Timespec>) -> Result<(), Errno> {
        self.op(&[op(num, 0, false), op(num, 1, true)], timeout)
    }

    /// Releases what [`lock`](Self::lock) took: 1 → 0, with SEM_UNDO (which cancels the
    /// lock's adjustment). Never waits while the lock is held by this process; called
    /// without holding it, it waits for someone's lock instead — don't.
    pub fn unlock(&self, num: u16) -> Result<(), Errno> {
        self.op(&[op(num, -1, true)], None)
    }

    /// `semctl(id, num, GETVAL)`—semaphore `num`'s value.
    #[doc(alias = "semctl")]
    pub fn value(&self, num: u16) -> Result<i32, Errno> {
        sys::semctl(self.id, num as i32, SemCmd::GetVal, 0).map(|v| v as i32)
    }

    /// `semctl(id, num, GETPID)`—the pid of the last process that changed semaphore
    /// `num` (0 if none has).
    #[doc(alias = "semctl")]
    pub fn last_pid(&self, num: u16) -> Result<i32, Errno> {
        sys::semctl(self.id, num as i32, SemCmd::GetPid, 0).map(|v| v as i32)
    }

    /// `semctl(id, num, SETVAL, value)`—sets semaphore `num` (and clears every process's
    /// adjustment for it).
    #[doc(alias = "semctl")]
    pub fn set_value(&self, num: u16, value: i32) -> Result<(), Errno> {
        sys::semctl(self.id, num as i32, SemCmd::SetVal, value).map(drop)
    }

    /// `semctl(id, 0, IPC_STAT, &ds)`—owner, mode, times and the number of semaphores.
    #[doc(alias = "semctl")]
    pub fn status(&self) -> Result<SemidDs, Errno> {
        let mut ds = SemidDs::default();
        sys::semctl_stat(self.id, SemStatCmd::Ipc, &mut ds)?;
        Ok(ds)
    }

    /// `semctl(id, 0, IPC_RMID)`—removes the set now; waiters wake with EIDRM.
    #[doc(alias = "semctl")]
    pub fn remove(mut self) -> Result<(), Errno> {
        self.owned = false;
        sys::semctl(self.id, 0, SemCmd::Remove, 0).map(drop)
    }
}

impl Drop for SemaphoreSet {
    fn drop(&mut self) {
        if self.owned {
            let _ = sys::semctl(self.id, 0, SemCmd::Remove, 0);
        }
    }
}

/// Calls `each(id, status)` for every semaphore set of the IPC namespace, as `ipcs -s`
/// and `/proc/sysvipc/sem` list them (whatever their mode, on Linux 4.17 and later).
/// Cost when no set exists: one `semctl(SEM_INFO)`; otherwise one `semctl(SEM_STAT_ANY)`
/// per slot of the kernel's table up to the highest in use.
pub fn list(mut each: impl FnMut(i32, &SemidDs)) -> Result<(), Errno> {
    let mut info = abi::SemInfo::default();
    let highest = sys::sem_info(&mut info)?;
    let cmds = [abi::SEM_STAT_ANY, abi::SEM_STAT];
    super::sysv::walk(highest, info.semusz as usize, cmds, &mut |index, cmd| {
        let mut ds = SemidDs::default();
        // An empty slot fails.
        let cmd = if cmd == abi::SEM_STAT_ANY { SemStatCmd::IndexAny } else { SemStatCmd::Index };
        let found = sys::semctl_stat(index, cmd, &mut ds);
        if let Ok(id) = found {
            each(id as i32, &ds);
        }
        found.is_ok()
    });
    Ok(())
}

/// Removes the semaphore sets that dead runs left behind (see [`is_dead_runs`]); returns
/// how many. Cost when no set exists: one `semctl(SEM_INFO)`; otherwise one
/// `semctl(SEM_STAT)` per slot of the kernel's table up to the highest in use.
pub fn remove_abandoned() -> Result<usize, Errno> {
    let mut info = abi::SemInfo::default();
    let highest = sys::sem_info(&mut info)?;
    let mut removed = 0;
    for index in 0..=highest {
        if info.semusz == 0 {
            break;
        }
        let mut ds = SemidDs::default();
        // An empty slot, or a set we may not read, fails.
        if let Ok(id) = sys::semctl_stat(index as i32, SemStatCmd::Index, &mut ds)
            && is_dead_runs(ds.perm.key, ds.perm.cuid, ds.perm.mode)
        {
            removed += sys::semctl(id as i32, 0, SemCmd::Remove, 0).is_ok() as usize;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_atomic_and_removal_is_final() {
        let set = SemaphoreSet::create_private(2, 0o600).unwrap();
        assert_eq!((set.value(0), set.value(1)), (Ok(0), Ok(0)), "Linux starts at 0");
        assert_eq!(set.status().unwrap().nsems, 2);
        set.set_value(1, 1).unwrap();
        // Taking 1 from both cannot happen (semaphore 0 is 0): nothing is taken.
        let nowait = abi::IPC_NOWAIT as i16;
        let both = [Sembuf { flg: nowait, ..op(0, -1, false) }, op(1, -1, false)];
        assert_eq!(set.op(&both, None), Err(Errno::EAGAIN));
        assert_eq!(set.value(1), Ok(1), "all or nothing");
        let zero = Timespec { tv_sec: 0, tv_nsec: 1_000_000 };
        assert_eq!(set.op(&[op(1, -2, false)], Some(&zero)), Err(Errno::EAGAIN), "timed out");
        assert_eq!(set.op(&[op(2, 1, false)], None), Err(Errno::EFBIG));
        set.lock(0, None).unwrap();
        assert_eq!(set.value(0), Ok(1));
        assert_eq!(set.lock(0, Some(&zero)), Err(Errno::EAGAIN), "held");
        set.unlock(0).unwrap();
        assert_eq!(set.value(0), Ok(0));
        let id = set.id();
        set.remove().unwrap();
        assert_eq!(SemaphoreSet::from_id(id).value(0), Err(Errno::EINVAL));
    }

    #[test]
    fn keyed_sets_are_found_by_key_and_listed_with_their_last_pid() {
        let key = (0x5B << 24 | std::process::id() & 0xFF_FFFF) as i32;
        let set = SemaphoreSet::create(key, 2, 0o600).unwrap();
        assert_eq!(SemaphoreSet::open(key).unwrap().id(), set.id());
        assert_eq!(set.last_pid(1), Ok(0), "no operation yet");
        set.op(&[op(1, 3, false)], None).unwrap();
        assert_eq!(set.last_pid(1), Ok(std::process::id() as i32));
        let mut seen = Vec::new();
        list(|id, ds| seen.push((id, ds.perm.key, ds.nsems))).unwrap();
        assert!(seen.contains(&(set.id(), key, 2)), "{seen:?}");
        drop(set);
        assert_eq!(SemaphoreSet::open(key).err(), Some(Errno::ENOENT));
    }

    #[test]
    fn an_owned_set_is_removed_on_drop() {
        let set = SemaphoreSet::create_private(1, 0o600).unwrap();
        let id = set.id();
        assert_eq!(set.status().unwrap().perm.mode & 0o777, 0o600);
        drop(set);
        assert_eq!(SemaphoreSet::from_id(id).status().err(), Some(Errno::EINVAL));
    }
}
