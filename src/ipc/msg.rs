//! System V message queues: kernel objects named by an integer identifier, not a path.
//! A message is a `long mtype` (at least 1) followed by its text; `msgrcv` can select by
//! type. A queue outlives every process that used it: only `msgctl(IPC_RMID)` (or the end
//! of its IPC namespace) removes it, so its creator must remove it.
//!
//! Limits: `kernel.msgmax` (8192, largest text), `kernel.msgmnb` (16384, bytes a queue
//! holds), `kernel.msgmni` (32000, queues in the system).

use crate::errno::Errno;
use crate::sys::{self, abi};

pub use super::sysv::{is_dead_runs, run_key};

pub use crate::sys::abi::MsqidDs;

/// A message: `mtype` then up to `N` bytes of text, laid out as C's `struct msgbuf`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Message<const N: usize> {
    /// The type: at least 1. Receivers can ask for one type, or the lowest type up to one.
    pub mtype: i64,
    /// The text; how much of it counts is passed beside it.
    pub text: [u8; N],
}

static_assertions::const_assert_eq!(core::mem::offset_of!(Message<16>, text), 8);
static_assertions::const_assert_eq!(core::mem::size_of::<Message<16>>(), 24);

impl<const N: usize> Message<N> {
    /// A message of type `mtype` with zeroed text.
    pub const fn new(mtype: i64) -> Self {
        Message { mtype, text: [0; N] }
    }

    fn bytes(&self, len: usize) -> &[u8] {
        // SAFETY: Message is repr(C): an i64 then N bytes, no padding (checked above for
        // N = 16; a u8 array after an i64 never needs padding before it), so the first
        // 8 + N bytes are initialised. `len` is clamped to N.
        unsafe { core::slice::from_raw_parts(self as *const Self as *const u8, 8 + len.min(N)) }
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: as for `bytes`; any bit pattern is a valid i64 and valid bytes.
        unsafe { core::slice::from_raw_parts_mut(self as *mut Self as *mut u8, 8 + N) }
    }
}

/// Flags for [`SysvQueue::send`] and [`SysvQueue::receive`]; combine with `|`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct MsgFlags(i32);

impl MsgFlags {
    /// No flag: block while the queue is full (send) or has no matching message (receive).
    pub const EMPTY: MsgFlags = MsgFlags(0);
    /// `IPC_NOWAIT`: fail at once instead of blocking (EAGAIN on send, ENOMSG on receive).
    pub const NOWAIT: MsgFlags = MsgFlags(abi::IPC_NOWAIT);
    /// `MSG_NOERROR`: a receive cuts a message that is too long instead of failing E2BIG.
    pub const NOERROR: MsgFlags = MsgFlags(abi::MSG_NOERROR);

    /// The raw `msgflg` bits.
    pub const fn bits(self) -> i32 {
        self.0
    }
}

impl core::ops::BitOr for MsgFlags {
    type Output = MsgFlags;
    fn bitor(self, other: MsgFlags) -> MsgFlags {
        MsgFlags(self.0 | other.0)
    }
}

/// A System V message queue identified by `id`. `Send` and `Sync`: it is an integer, and
/// the kernel serialises every call on the queue. When created with
/// [`create_private`](Self::create_private) it is owned: dropping it removes the queue
/// (`msgctl(IPC_RMID)`). A forked worker never drops its copy (it leaves through
/// `exit_group`), so only the creator removes the queue.
#[derive(Debug)]
pub struct SysvQueue {
    id: i32,
    owned: bool,
}

impl SysvQueue {
    /// `msgget(IPC_PRIVATE, IPC_CREAT | IPC_EXCL | mode)`—creates a new queue that no key
    /// can reach; only processes given its id (children, for instance) use it.
    ///
    /// References: [msgget(2)](https://man7.org/linux/man-pages/man2/msgget.2.html),
    /// [sysvipc(7)](https://man7.org/linux/man-pages/man7/sysvipc.7.html)
    #[doc(alias = "msgget")]
    pub fn create_private(mode: u32) -> Result<SysvQueue, Errno> {
        let flags = abi::IPC_CREAT | abi::IPC_EXCL | (mode & 0o777) as i32;
        Ok(SysvQueue { id: sys::msgget(abi::IPC_PRIVATE, flags)?, owned: true })
    }

    /// `msgget(run_key(pid), IPC_CREAT | IPC_EXCL | mode)`—creates the queue of the run
    /// whose parent is `pid`, under a key that says so: if the run dies without removing
    /// it (SIGKILL), a later run finds it with [`remove_abandoned`]. Where that key is
    /// taken (EEXIST: a queue left by an earlier process with the same pid, not yet
    /// reclaimed), falls back to [`create_private`](Self::create_private).
    pub fn create_for_run(pid: i32, mode: u32) -> Result<SysvQueue, Errno> {
        let flags = abi::IPC_CREAT | abi::IPC_EXCL | (mode & 0o777) as i32;
        match sys::msgget(run_key(pid), flags) {
            Err(Errno::EEXIST) => Self::create_private(mode),
            id => Ok(SysvQueue { id: id?, owned: true }),
        }
    }

    /// `msgget(key, IPC_CREAT | IPC_EXCL | mode)`—a new queue under `key` (EEXIST if the
    /// key is taken), owned; see [`into_id`](Self::into_id) to leave it in place.
    #[doc(alias = "msgget")]
    pub fn create(key: i32, mode: u32) -> Result<SysvQueue, Errno> {
        let flags = abi::IPC_CREAT | abi::IPC_EXCL | (mode & 0o777) as i32;
        Ok(SysvQueue { id: sys::msgget(key, flags)?, owned: true })
    }

    /// `msgget(key, 0)`—the existing queue under `key` (ENOENT if none), not owned.
    #[doc(alias = "msgget")]
    pub fn open(key: i32) -> Result<SysvQueue, Errno> {
        Ok(SysvQueue { id: sys::msgget(key, 0)?, owned: false })
    }

    /// The queue with identifier `id`, not owned: dropping it does not remove it.
    pub fn from_id(id: i32) -> SysvQueue {
        SysvQueue { id, owned: false }
    }

    /// Gives up ownership: the queue stays when this is dropped. Returns its identifier.
    pub fn into_id(mut self) -> i32 {
        self.owned = false;
        self.id
    }

    /// The identifier (as `ipcs -q` shows it).
    pub fn id(&self) -> i32 {
        self.id
    }

    /// `msgsnd(id, msg, len, flags)`—queues `msg` with `len` bytes of text. Blocks while
    /// the queue is full unless `flags` has `IPC_NOWAIT` (then EAGAIN). EINVAL if `len`
    /// exceeds `kernel.msgmax` or `mtype` is below 1.
    ///
    /// References: [msgop(2)](https://man7.org/linux/man-pages/man2/msgop.2.html)
    #[doc(alias = "msgsnd")]
    pub fn send<const N: usize>(
        &self,
        msg: &Message<N>,
        len: usize,
        flags: MsgFlags,
    ) -> Result<(), Errno> {
        if len > N {
            return Err(Errno::EINVAL);
        }
        sys::msgsnd(self.id, msg.bytes(len), flags.bits())
    }

    /// `msgrcv(id, msg, N, mtype, flags)`—takes the first message selected by `mtype`
    /// (0: any; positive: that type; negative: the lowest type up to |mtype|) into `msg`;
    /// returns its text length. Blocks while none matches unless `IPC_NOWAIT` (then
    /// ENOMSG). E2BIG if the text is longer than `N` (unless `MSG_NOERROR`); EIDRM if the
    /// queue is removed meanwhile. Never restarted after a signal handler: EINTR.
    #[doc(alias = "msgrcv")]
    pub fn receive<const N: usize>(
        &self,
        msg: &mut Message<N>,
        mtype: i64,
        flags: MsgFlags,
    ) -> Result<usize, Errno> {
        sys::msgrcv(self.id, msg.bytes_mut(), mtype, flags.bits())
    }

    /// `msgctl(id, IPC_STAT, &ds)`—the queue's state: `qnum` messages, `qbytes`
    /// capacity, owner and times.
    #[doc(alias = "msgctl")]
    pub fn status(&self) -> Result<MsqidDs, Errno> {
        let mut ds = MsqidDs::default();
        sys::msgctl(self.id, abi::IPC_STAT, Some(&mut ds))?;
        Ok(ds)
    }

    /// `msgctl(id, IPC_RMID, NULL)`—removes the queue now; blocked senders and receivers
    /// wake with EIDRM.
    #[doc(alias = "msgctl")]
    pub fn remove(mut self) -> Result<(), Errno> {
        self.owned = false;
        sys::msgctl(self.id, abi::IPC_RMID, None).map(drop)
    }
}

/// Calls `each(id, status)` for every queue of the IPC namespace, as `ipcs -q` and
/// `/proc/sysvipc/msg` list them (whatever their mode, on Linux 4.17 and later).
///
/// Cost when no queue exists at all: one `msgctl(MSG_INFO)`. Otherwise one
/// `msgctl(MSG_STAT_ANY)` per slot of the kernel's table up to the highest in use.
pub fn list(mut each: impl FnMut(i32, &MsqidDs)) -> Result<(), Errno> {
    let mut info = abi::MsgInfo::default();
    let highest = sys::msg_info(&mut info)?;
    let cmds = [abi::MSG_STAT_ANY, abi::MSG_STAT];
    super::sysv::walk(highest, info.msgpool as usize, cmds, &mut |index, cmd| {
        let mut ds = MsqidDs::default();
        // An empty slot fails.
        let found = sys::msgctl(index, cmd, Some(&mut ds));
        if let Ok(id) = found {
            each(id as i32, &ds);
        }
        found.is_ok()
    });
    Ok(())
}

/// Removes the queues that dead runs left behind (see [`is_dead_runs`]); returns how
/// many.
///
/// Cost when no queue exists at all: one `msgctl(MSG_INFO)`. Otherwise one
/// `msgctl(MSG_STAT)` per slot of the kernel's table up to the highest in use.
pub fn remove_abandoned() -> Result<usize, Errno> {
    let mut info = abi::MsgInfo::default();
    let highest = sys::msg_info(&mut info)?;
    if info.msgpool == 0 {
        return Ok(0);
    }
    let mut removed = 0;
    for index in 0..=highest {
        let mut ds = MsqidDs::default();
        // An empty slot, or a queue we may not read, fails.
        if let Ok(id) = sys::msgctl(index as i32, abi::MSG_STAT, Some(&mut ds))
            && is_dead_runs(ds.key, ds.cuid, ds.mode)
        {
            removed += sys::msgctl(id as i32, abi::IPC_RMID, None).is_ok() as usize;
        }
    }
    Ok(removed)
}

impl Drop for SysvQueue {
    fn drop(&mut self) {
        if self.owned {
            let _ = sys::msgctl(self.id, abi::IPC_RMID, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_selection_and_removal() {
        let q = SysvQueue::create_private(0o600).unwrap();
        for (t, text) in [(3, b"three"), (1, b"one!!"), (2, b"two!!")] {
            let mut m = Message::<8>::new(t);
            m.text[..5].copy_from_slice(text);
            q.send(&m, 5, MsgFlags::EMPTY).unwrap();
        }
        assert_eq!(q.status().unwrap().qnum, 3);
        let mut m = Message::<8>::new(0);
        assert_eq!(q.receive(&mut m, 2, MsgFlags::EMPTY), Ok(5));
        assert_eq!((m.mtype, &m.text[..5]), (2, &b"two!!"[..]));
        assert_eq!(q.receive(&mut m, -3, MsgFlags::EMPTY), Ok(5));
        assert_eq!(m.mtype, 1);
        assert_eq!(q.receive(&mut m, 0, MsgFlags::EMPTY), Ok(5));
        assert_eq!(m.mtype, 3);
        assert_eq!(q.receive(&mut m, 0, MsgFlags::NOWAIT), Err(Errno::ENOMSG));
        let mut tiny = Message::<2>::new(0);
        q.send(&Message::<8>::new(1), 8, MsgFlags::EMPTY).unwrap();
        assert_eq!(q.receive(&mut tiny, 0, MsgFlags::NOWAIT), Err(Errno::E2BIG));
        assert_eq!(q.receive(&mut tiny, 0, MsgFlags::NOWAIT | MsgFlags::NOERROR), Ok(2));
        assert_eq!(q.send(&Message::<8>::new(0), 1, MsgFlags::EMPTY), Err(Errno::EINVAL));
        let id = q.id();
        q.remove().unwrap();
        assert_eq!(SysvQueue::from_id(id).status().err(), Some(Errno::EINVAL));
    }

    #[test]
    fn keyed_queues_are_found_by_key_and_listed() {
        // A key no other test uses: the process id in the low bits, 0x5A above.
        let key = (0x5A << 24 | std::process::id() & 0xFF_FFFF) as i32;
        let q = SysvQueue::create(key, 0o640).unwrap();
        assert_eq!(SysvQueue::create(key, 0o640).err(), Some(Errno::EEXIST));
        assert_eq!(SysvQueue::open(key).unwrap().id(), q.id());
        let mut seen = Vec::new();
        list(|id, ds| seen.push((id, ds.key, ds.mode & 0o777))).unwrap();
        let id = q.into_id();
        let kept = SysvQueue::from_id(id).status();
        SysvQueue::from_id(id).remove().unwrap();
        assert!(seen.contains(&(id, key, 0o640)), "{seen:?}");
        assert!(kept.is_ok(), "into_id leaves the queue in place");
        assert_eq!(SysvQueue::open(key).err(), Some(Errno::ENOENT));
    }

    #[test]
    fn an_owned_queue_is_removed_on_drop() {
        let q = SysvQueue::create_private(0o600).unwrap();
        let id = q.id();
        assert_eq!(q.status().unwrap().mode & 0o777, 0o600);
        drop(q);
        assert_eq!(SysvQueue::from_id(id).status().err(), Some(Errno::EINVAL));
    }
}
