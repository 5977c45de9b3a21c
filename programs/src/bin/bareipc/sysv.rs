//! `msg`, `sysv-sem`, `sysv-shm`: System V objects by key (`0xHEX`) or id (decimal).

use crate::args::{self, Cmd, Done, OrFail, Ref, said};
use crate::out::Out;
use crate::posix::{self, fits, message};
use bareipc::errno::Errno;
use bareipc::ipc::msg::{MsgFlags, SysvQueue};
use bareipc::ipc::semset::{self, SemaphoreSet};
use bareipc::ipc::shmseg::Segment;

/// `create`'s key: the argument (`0xHEX` or decimal), or IPC_PRIVATE (0) without one.
fn key(cmd: &Cmd) -> Done<i32> {
    match cmd.pos[0] {
        b"" => Ok(0),
        text => match args::sysv_ref(text, true)? {
            Ref::Key(k) | Ref::Id(k) => Ok(k),
        },
    }
}

/// The id of the object the command names: given, or looked up by its key.
pub fn target(cmd: &Cmd) -> Done<i32> {
    match cmd.group.name {
        "msg" => queue(cmd).map(|q| q.id()),
        "sysv-sem" => set(cmd).map(|s| s.id()),
        _ => segment(cmd).map(|s| s.id()),
    }
}

/// The object's id: given, or looked up by its key with `get` (named `call`).
#[inline(never)]
fn id(cmd: &Cmd, get: fn(i32) -> Result<i32, Errno>, call: &'static str) -> Done<i32> {
    match args::sysv_ref(cmd.pos[0], false)? {
        Ref::Id(id) => Ok(id),
        // Looking up IPC_PRIVATE would create a new object.
        Ref::Key(0) => {
            Err(args::bad("key 0 is IPC_PRIVATE (no object): give the id, not", cmd.pos[0]))
        }
        Ref::Key(k) => get(k).or_fail(call),
    }
}

/// The flags of `--nowait`.
fn nowait(cmd: &Cmd) -> MsgFlags {
    if cmd.flag(args::NOWAIT) { MsgFlags::NOWAIT } else { MsgFlags::EMPTY }
}

fn queue(cmd: &Cmd) -> Done<SysvQueue> {
    let open = |k| SysvQueue::open(k).map(SysvQueue::into_id);
    Ok(SysvQueue::from_id(id(cmd, open, "msgget")?))
}

pub fn msg_send(cmd: &Cmd) -> Done {
    let m = crate::out::buffer();
    m.mtype = args::signed("TYPE", cmd.pos[1], 1, i64::MAX)?;
    let q = queue(cmd)?;
    let text = cmd.pos[2];
    let Some(room) = m.text.get_mut(..text.len()) else {
        return Err(said("msgsnd", "TEXT passes 64 KiB"));
    };
    room.copy_from_slice(text);
    q.send(m, text.len(), nowait(cmd)).or_fail("msgsnd")
}

pub fn msg_recv(cmd: &Cmd) -> Done {
    let mtype = match cmd.vals[args::TYPE] {
        Some(t) => args::signed("type", t, -i64::MAX, i64::MAX)?,
        None => 0,
    };
    let q = queue(cmd)?;
    let m = crate::out::buffer();
    let n = q.receive(m, mtype, nowait(cmd)).or_fail("msgrcv")?;
    message(cmd, m.mtype, &m.text[..n])
}

fn set(cmd: &Cmd) -> Done<SemaphoreSet> {
    let open = |k| SemaphoreSet::open(k).map(SemaphoreSet::into_id);
    Ok(SemaphoreSet::from_id(id(cmd, open, "semget")?))
}

pub fn sem_op(cmd: &Cmd) -> Done {
    let num = args::signed("NUM", cmd.pos[1], 0, 31999)? as u16;
    let mut op = semset::op(num, args::signed("DELTA", cmd.pos[2], -32768, 32767)? as i16, false);
    let set = set(cmd)?;
    if cmd.flag(args::NOWAIT) {
        op.flg = semset::IPC_NOWAIT;
    }
    set.op(&[op], cmd.timeout()?.as_ref()).or_fail("semtimedop")
}

fn segment(cmd: &Cmd) -> Done<Segment> {
    let open = |k| Segment::open(k).map(Segment::into_id);
    Ok(Segment::from_id(id(cmd, open, "shmget")?))
}

/// Reads through an attachment: a segment never changes size, so a copy within it can
/// never fault; other processes may write it meanwhile (atomic byte copies).
pub fn shm_read(cmd: &Cmd) -> Done {
    let map = segment(cmd)?.attach().or_fail("shmat")?;
    posix::read(cmd, map.len() as u64, &mut |buf, at| Ok(map.read(at as usize, buf)))
}

pub fn shm_write(cmd: &Cmd) -> Done {
    let map = segment(cmd)?.attach().or_fail("shmat")?;
    let text = cmd.pos[1];
    let at = fits(cmd, text.len(), map.len() as u64)? as usize;
    map.write(at, text); // all of it: `fits` checked that at + len is within the mapping
    Ok(())
}

/// `msg rm`, `sysv-sem rm`, `sysv-shm rm`: `*ctl(IPC_RMID)`.
pub fn rm(cmd: &Cmd) -> Done {
    match cmd.group.name {
        "msg" => queue(cmd)?.remove().or_fail("msgctl"),
        "sysv-sem" => set(cmd)?.remove().or_fail("semctl"),
        _ => segment(cmd)?.remove().or_fail("shmctl"),
    }
}

/// `msg create`, `sysv-sem create`, `sysv-shm create`: prints the new object's id.
pub fn create(cmd: &Cmd) -> Done {
    let (key, mode) = (key(cmd)?, cmd.mode()?);
    let id = match cmd.group.name {
        "msg" => SysvQueue::create(key, mode).map(SysvQueue::into_id).or_fail("msgget")?,
        "sysv-sem" => {
            let count = cmd.number(args::COUNT, 1, 32000, 1)? as u16;
            SemaphoreSet::create(key, count, mode).map(SemaphoreSet::into_id).or_fail("semget")?
        }
        _ => {
            let size = cmd.number(args::SIZE, 1, i64::MAX as u64, 4096)? as usize;
            Segment::create(key, size, mode).map(Segment::into_id).or_fail("shmget")?
        }
    };
    Out::new().i64(id as i64).str("\n").flush()
}
