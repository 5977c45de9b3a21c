//! What System V's three kinds of object — message queues ([`msg`](super::msg)),
//! semaphore sets ([`semset`](super::semset)) and shared memory segments
//! ([`shmseg`](super::shmseg)) — share: integer keys and identifiers instead of names,
//! an owner and mode in a `struct ipc_perm`, and a life that outlasts every process
//! unless someone removes them (`*ctl(IPC_RMID)`). bareipc's programs key what they must
//! be able to find again by the run's parent pid ([`run_key`]), so that a later run can
//! remove what a run killed by SIGKILL left ([`is_dead_runs`]).
//!
//! Each kind has its own key space: a queue, a set and a segment may have the same key.

use crate::errno::Errno;
use crate::sys;

/// How every System V object is owned (the `perm` of a set's or a segment's status).
pub use crate::sys::abi::IpcPerm;

/// The key of an object that no key can reach (0): only its identifier leads to it.
pub const IPC_PRIVATE: i32 = crate::sys::abi::IPC_PRIVATE;

/// Walks a kind's table of objects: calls `stat(index, cmd)` for every index up to
/// `highest` (what the kind's `*_INFO` call returned), with `cmd` its `*_STAT_ANY`
/// command — every object, as `/proc/sysvipc` shows them, whatever its mode. `stat`
/// returns whether the slot held an object. Kernels before 4.17 have no `*_STAT_ANY`
/// (EINVAL for every slot): where `count` objects exist and none was found, the table
/// is walked again with `*_STAT` (the objects the caller may read).
#[inline(never)]
pub(crate) fn walk(
    highest: usize,
    count: usize,
    [any, plain]: [i32; 2],
    stat: &mut dyn FnMut(i32, i32) -> bool,
) {
    if count == 0 {
        return;
    }
    for cmd in [any, plain] {
        let mut found = false;
        for index in 0..=highest {
            found |= stat(index as i32, cmd);
        }
        if found {
            return;
        }
    }
}

/// The first byte of every run key: not printable, so no `ftok(path, 'c')` key of another
/// program (whose first byte is its `proj_id`) can be taken for a bareipc run's.
const RUN_KEY_TAG: u32 = 0xB1;

/// The key of the object of a run whose parent is `pid`: 0xB1 (not printable) in the top
/// byte, the pid (below 2^22 on Linux) in the low three.
pub fn run_key(pid: i32) -> i32 {
    (RUN_KEY_TAG << 24 | (pid as u32 & 0xFF_FFFF)) as i32
}

/// Whether an object with this key, creator and mode is a dead run's: its key is a
/// [`run_key`], the calling user created it, its mode is exactly 0600, and no process
/// with the pid in its key exists (`kill(pid, 0)` fails with ESRCH). A live run is never
/// taken for a dead one within one PID namespace; runs that share an IPC namespace but
/// not a PID namespace cannot see each other's processes and must not both reclaim.
pub fn is_dead_runs(key: i32, cuid: u32, mode: u32) -> bool {
    let pid = key as u32 & 0xFF_FFFF;
    key as u32 >> 24 == RUN_KEY_TAG
        && cuid == rustix::process::geteuid().as_raw()
        && mode & 0o777 == 0o600
        && pid > 0
        && sys::kill(pid as i32, 0) == Err(Errno::ESRCH)
}
