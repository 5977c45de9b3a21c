//! System V shared memory segments: memory in the kernel, named by an integer identifier,
//! mapped into a process with `shmat`. A segment's size is fixed when it is created, so
//! unlike a file in /dev/shm no process can shrink it under another's mapping: attaching
//! is safe, with no SIGBUS to fear.
//!
//! Its life: `shmctl(IPC_RMID)` only *marks* a segment that is still attached
//! (`SHM_DEST`, its key becomes IPC_PRIVATE); the kernel destroys it at the last detach —
//! `shmdt`, `munmap`, or the exit of the last process that has it mapped, however that
//! process ends. So a segment created, attached and marked at once
//! ([`create_attached`]) can never be left behind by its users' deaths. (Linux also lets
//! a process with permission attach a marked segment by identifier until then.) Limits:
//! `kernel.shmmax` (largest segment, bytes), `kernel.shmall` (all segments, pages),
//! `kernel.shmmni` (segments in the system).
//!
//! References: [shmget(2)](https://man7.org/linux/man-pages/man2/shmget.2.html),
//! [shmop(2)](https://man7.org/linux/man-pages/man2/shmop.2.html),
//! [shmctl(2)](https://man7.org/linux/man-pages/man2/shmctl.2.html)

use super::shm::Mapping;
use crate::errno::{CallError, Context, Errno};
use crate::sys::{self, abi};

pub use super::sysv::{is_dead_runs, run_key};
pub use crate::sys::abi::{SHM_DEST, SHM_LOCKED, ShmidDs};

/// A System V shared memory segment identified by `id`. Created by this process it is
/// owned: dropping it removes (marks) it with `shmctl(IPC_RMID)`.
#[derive(Debug)]
pub struct Segment {
    id: i32,
    owned: bool,
}

impl Segment {
    /// `shmget(IPC_PRIVATE, len, IPC_CREAT | IPC_EXCL | mode)`—a new zeroed segment of
    /// `len` bytes that no key can reach.
    #[doc(alias = "shmget")]
    pub fn create_private(len: usize, mode: u32) -> Result<Segment, Errno> {
        Self::create(abi::IPC_PRIVATE, len, mode)
    }

    /// `shmget(key, len, IPC_CREAT | IPC_EXCL | mode)`—a new zeroed segment under `key`
    /// (EEXIST if the key is taken), owned; see [`into_id`](Self::into_id) to leave it.
    #[doc(alias = "shmget")]
    pub fn create(key: i32, len: usize, mode: u32) -> Result<Segment, Errno> {
        let flags = abi::IPC_CREAT | abi::IPC_EXCL | (mode & 0o777) as i32;
        Ok(Segment { id: sys::shmget(key, len, flags)?, owned: true })
    }

    /// `shmget(key, 0, 0)`—the existing segment under `key` (ENOENT if none), not owned.
    #[doc(alias = "shmget")]
    pub fn open(key: i32) -> Result<Segment, Errno> {
        Ok(Segment { id: sys::shmget(key, 0, 0)?, owned: false })
    }

    /// The segment with identifier `id`, not owned: dropping it does not remove it.
    pub fn from_id(id: i32) -> Segment {
        Segment { id, owned: false }
    }

    /// Gives up ownership: the segment stays when this is dropped. Returns its identifier.
    pub fn into_id(mut self) -> i32 {
        self.owned = false;
        self.id
    }

    /// The identifier (as `ipcs -m` shows it).
    pub fn id(&self) -> i32 {
        self.id
    }

    /// `shmat(id, NULL, 0)`, then `shmctl(IPC_STAT)` for its size: the whole segment,
    /// read-write, as a [`Mapping`] (dropping it unmaps it, which detaches the segment as
    /// `shmdt` does). Safe because a segment's size never changes: no process can make
    /// the mapping fault. The size is read once attached, when the identifier can no
    /// longer be reused for another segment.
    #[doc(alias = "shmat")]
    pub fn attach(&self) -> Result<Mapping, Errno> {
        // SAFETY: the mapping is handed to `attached` below, or detached on failure.
        let addr = unsafe { sys::shmat(self.id) }?;
        match self.status() {
            // SAFETY: the kernel mapped this segment of `segsz` bytes at addr (rounded up
            // to pages), and no process can shrink a segment.
            Ok(ds) => unsafe { attached(addr, ds.segsz as usize) },
            Err(errno) => {
                // SAFETY: addr is the attachment made above, which nothing else uses.
                let _ = unsafe { sys::shmdt(addr) };
                Err(errno)
            }
        }
    }

    /// `shmctl(id, IPC_STAT, &ds)`—owner, mode, size, attachments, creator's and last
    /// attacher's pids.
    #[doc(alias = "shmctl")]
    pub fn status(&self) -> Result<ShmidDs, Errno> {
        let mut ds = ShmidDs::default();
        sys::shmctl(self.id, abi::IPC_STAT, Some(&mut ds))?;
        Ok(ds)
    }

    /// `shmctl(id, IPC_RMID)`—removes the segment: at once if nobody has it attached,
    /// else at the last detach.
    #[doc(alias = "shmctl")]
    pub fn remove(mut self) -> Result<(), Errno> {
        self.owned = false;
        sys::shmctl(self.id, abi::IPC_RMID, None).map(drop)
    }
}

impl Drop for Segment {
    fn drop(&mut self) {
        if self.owned {
            let _ = sys::shmctl(self.id, abi::IPC_RMID, None);
        }
    }
}

/// Calls `each(id, status)` for every segment of the IPC namespace, as `ipcs -m` and
/// `/proc/sysvipc/shm` list them (whatever their mode, on Linux 4.17 and later). Cost
/// when none exists: one `shmctl(SHM_INFO)`; otherwise one `shmctl(SHM_STAT_ANY)` per
/// slot of the kernel's table up to the highest in use.
pub fn list(mut each: impl FnMut(i32, &ShmidDs)) -> Result<(), Errno> {
    let mut info = abi::ShmInfo::default();
    let highest = sys::shm_info(&mut info)?;
    let cmds = [abi::SHM_STAT_ANY, abi::SHM_STAT];
    super::sysv::walk(highest, info.used_ids as usize, cmds, &mut |index, cmd| {
        let mut ds = ShmidDs::default();
        // An empty slot fails.
        let found = sys::shmctl(index, cmd, Some(&mut ds));
        if let Ok(id) = found {
            each(id as i32, &ds);
        }
        found.is_ok()
    });
    Ok(())
}

/// The mapping of an attached segment of `len` bytes at `addr`.
///
/// # Safety
/// `addr` is the address `shmat` returned for a segment of at least `len` bytes, and
/// nothing else owns that mapping.
unsafe fn attached(addr: usize, len: usize) -> Result<Mapping, Errno> {
    // SAFETY: the caller's promise.
    unsafe { Mapping::from_raw(addr as *mut u8, len) }
}

/// `shmget(key, len, IPC_CREAT | IPC_EXCL | mode)` (or, the key taken, IPC_PRIVATE),
/// `shmat`, `shmctl(IPC_RMID)`: shared memory of `len` bytes that this process (and the
/// children it forks from now on, which inherit the attachment) can use, and that the
/// kernel destroys when the last of them has unmapped it or exited — nothing to remove,
/// nothing a death can leave. Fails naming the call that failed; a segment made but not
/// attached is removed. Between `shmget` and `shmctl` (two system calls) a SIGKILL leaves
/// it under `key`: a run key ([`run_key`]) lets the next run
/// ([`remove_abandoned`]) or `bareipc clean` know it for a dead run's.
pub fn create_attached(key: i32, len: usize, mode: u32) -> Result<Mapping, CallError> {
    let segment = match Segment::create(key, len, mode) {
        Err(Errno::EEXIST) => Segment::create_private(len, mode),
        segment => segment,
    }
    .call("shmget")?;
    // SAFETY: handed to `attached` below, which owns it.
    let addr = unsafe { sys::shmat(segment.id) }.call("shmat")?;
    // SAFETY: the segment is `len` bytes (this process created it so, a moment ago, and
    // a segment never changes size).
    let mapping = unsafe { attached(addr, len) }.call("shmat")?;
    segment.remove().call("shmctl")?;
    Ok(mapping)
}

/// Removes the segments that runs killed by SIGKILL between `shmget` and `shmctl` left:
/// those whose key, creator and mode say so ([`is_dead_runs`]).
/// Returns how many were removed. Cost: one `shmctl(SHM_INFO)` when no segment exists.
pub fn remove_abandoned() -> Result<usize, Errno> {
    let mut info = abi::ShmInfo::default();
    let highest = sys::shm_info(&mut info)?;
    let mut removed = 0;
    for index in 0..=highest {
        if info.used_ids == 0 {
            break;
        }
        let mut ds = ShmidDs::default();
        // An empty slot, or a segment we may not read, fails.
        if let Ok(id) = sys::shmctl(index as i32, abi::SHM_STAT, Some(&mut ds))
            && is_dead_runs(ds.perm.key, ds.perm.cuid, ds.perm.mode)
        {
            removed += sys::shmctl(id as i32, abi::IPC_RMID, None).is_ok() as usize;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::sync::atomic::Ordering::Relaxed;

    #[test]
    fn a_segment_is_shared_by_its_attachments_and_dies_with_the_last() {
        let _serial = crate::serial_forks();
        let segment = Segment::create_private(100, 0o600).unwrap();
        let (a, b) = (segment.attach().unwrap(), segment.attach().unwrap());
        assert_eq!((a.len(), a.words().len()), (100, 12));
        a.words()[11].store(0xfeed, Relaxed);
        assert_eq!(b.words()[11].load(Relaxed), 0xfeed);
        let ds = segment.status().unwrap();
        assert_eq!((ds.segsz, ds.nattch, ds.perm.mode & 0o777), (100, 2, 0o600));
        let id = segment.id();
        segment.remove().unwrap();
        let marked = Segment::from_id(id).status().unwrap();
        assert_eq!((marked.perm.key, marked.perm.mode & SHM_DEST), (0, SHM_DEST));
        drop(a);
        assert_eq!(Segment::from_id(id).status().unwrap().nattch, 1);
        drop(b);
        assert_eq!(Segment::from_id(id).status().err(), Some(Errno::EINVAL), "destroyed");
    }

    #[test]
    fn keyed_segments_are_found_by_key_and_listed() {
        let key = (0x5C << 24 | std::process::id() & 0xFF_FFFF) as i32;
        let segment = Segment::create(key, 10, 0o600).unwrap();
        assert_eq!(Segment::open(key).unwrap().id(), segment.id());
        let mut seen = Vec::new();
        list(|id, ds| seen.push((id, ds.perm.key, ds.segsz))).unwrap();
        assert!(seen.contains(&(segment.id(), key, 10)), "{seen:?}");
        let id = segment.into_id();
        assert!(Segment::from_id(id).status().is_ok(), "into_id leaves it in place");
        Segment::from_id(id).remove().unwrap();
        assert_eq!(Segment::open(key).err(), Some(Errno::ENOENT));
    }

    #[test]
    fn create_attached_leaves_nothing_to_remove_even_with_its_key_taken() {
        let key = (0x5D << 24 | std::process::id() & 0xFF_FFFF) as i32;
        let m = create_attached(key, 64, 0o600).unwrap();
        m.words()[7].store(7, Relaxed);
        assert_eq!(m.words()[7].load(Relaxed), 7);
        assert_eq!(Segment::open(key).err(), Some(Errno::ENOENT), "removed: the key is free");
        let taker = Segment::create(key, 8, 0o600).unwrap();
        let n = create_attached(key, 64, 0o600).unwrap();
        n.words()[0].store(1, Relaxed);
        assert_eq!(taker.attach().unwrap().words()[0].load(Relaxed), 0, "another segment");
        taker.remove().unwrap();
        assert_eq!(
            create_attached(abi::IPC_PRIVATE, 0, 0o600).unwrap_err(),
            CallError { call: "shmget", errno: Errno::EINVAL }
        );
        assert_eq!(Segment::from_id(-1).attach().err(), Some(Errno::EINVAL));
    }
}
