//! `mq`, `sem`, `shm`: POSIX objects by name.
//!
//! A named semaphore is a file any process allowed to open it may truncate; touching its
//! mapping then raises SIGBUS. The tool maps only semaphores (to post and wait: atomics
//! and a futex need the memory), after checking their size, and `main` has made SIGBUS
//! end the process with one line (`process::exit_on_sigbus`): a truncation during a wait
//! ends the tool cleanly — the promise the `unsafe` calls below ask for, kept by the
//! handler. Shared memory objects are never mapped: `pread`/`pwrite` cannot fault.

use crate::args::{self, Cmd, Done, OrFail, said};
use crate::out::Out;
use bareipc::ipc::mq::{self, Access, MessageQueue, MqAttr};
use bareipc::ipc::name::Name;
use bareipc::ipc::sem::{self, NamedSemaphore};
use bareipc::ipc::shm::{self, ShmObject};

fn name(cmd: &Cmd) -> Done<Name> {
    args::name(cmd.pos[0])
}

pub fn mq_create(cmd: &Cmd) -> Done {
    let max = cmd.number(args::MAX_MESSAGES, 1, 65536, 10)? as i64;
    let size = cmd.number(args::MESSAGE_SIZE, 1, 16 << 20, 8192)? as i64;
    let attr = MqAttr::new(max, size);
    MessageQueue::create(&name(cmd)?, Access::ReadWrite, cmd.mode()?, &attr).or_fail("mq_open")?;
    Ok(())
}

pub fn mq_send(cmd: &Cmd) -> Done {
    let prio = cmd.number(args::PRIORITY, 0, 32767, 0)? as u32;
    let deadline = deadline(cmd)?;
    let q = MessageQueue::open(&name(cmd)?, Access::Write).or_fail("mq_open")?;
    q.send(cmd.pos[1], prio, deadline.as_ref()).or_fail("mq_timedsend")
}

pub fn mq_recv(cmd: &Cmd) -> Done {
    let deadline = deadline(cmd)?;
    let q = MessageQueue::open(&name(cmd)?, Access::Read).or_fail("mq_open")?;
    let size = q.attributes().or_fail("mq_getattr")?.msgsize as usize;
    let buf = &mut crate::out::buffer().text;
    let Some(room) = buf.get_mut(..size) else {
        return Err(said("mq_timedreceive", "its messages may pass the 64 KiB this tool takes"));
    };
    let (n, prio) = q.receive(room, deadline.as_ref()).or_fail("mq_timedreceive")?;
    message(cmd, prio as i64, &buf[..n])
}

/// A received message: `TAG<TAB>TEXT` (escaped), or its bytes alone with `--raw`.
pub fn message(cmd: &Cmd, tag: i64, text: &[u8]) -> Done {
    let mut o = Out::new();
    if cmd.flag(args::RAW) {
        o.bytes(text);
    } else {
        o.i64(tag).str("\t").escaped(text).str("\n");
    }
    o.flush()
}

pub fn sem_create(cmd: &Cmd) -> Done {
    let value = cmd.number(args::VALUE, 0, sem::VALUE_MAX as u64, 0)? as u32;
    // SAFETY: see the module's docs: a truncation ends the process (SIGBUS handler).
    unsafe { NamedSemaphore::create(&name(cmd)?, cmd.mode()?, value) }.or_fail("")?;
    Ok(())
}

/// Opens a semaphore to post or wait on it.
fn open_sem(cmd: &Cmd) -> Done<NamedSemaphore> {
    // SAFETY: see the module's docs: a truncation ends the process (SIGBUS handler).
    unsafe { NamedSemaphore::open(&name(cmd)?) }.or_fail("sem_open")
}

pub fn sem_post(cmd: &Cmd) -> Done {
    open_sem(cmd)?.post().or_fail("sem_post")
}

pub fn sem_wait(cmd: &Cmd) -> Done {
    let deadline = deadline(cmd)?;
    let s = open_sem(cmd)?;
    bareipc::io::retry_on_intr(|| s.wait_until(deadline.as_ref())).or_fail("sem_timedwait")
}

pub fn sem_value(cmd: &Cmd) -> Done {
    Out::new().i64(open_sem(cmd)?.value() as i64).str("\n").flush()
}

pub fn shm_create(cmd: &Cmd) -> Done {
    let size = cmd.number(args::SIZE, 0, i64::MAX as u64, 0)?;
    let name = name(cmd)?;
    let obj = ShmObject::create(&name, cmd.mode()?).or_fail("shm_open")?;
    if size > 0
        && let Err(e) = obj.allocate(size)
    {
        // Not made after all: a failed create leaves no object.
        let _ = shm::unlink(&name);
        return Err(args::call_failed("fallocate", e));
    }
    Ok(())
}

pub fn shm_read(cmd: &Cmd) -> Done {
    let obj = ShmObject::open_read_only(&name(cmd)?).or_fail("shm_open")?;
    read(cmd, obj.size().or_fail("fstat")?, &mut |buf, at| obj.read_at(buf, at).or_fail("pread"))
}

/// `read`: the bytes from `--offset` (`--length` of them, else the rest) of an object of
/// `size` bytes, each chunk copied by `copy(buf, at)` (which says how many bytes it got:
/// 0 if the object shrank), as a hex dump or `--raw`.
pub fn read(cmd: &Cmd, size: u64, copy: &mut dyn FnMut(&mut [u8], u64) -> Done<usize>) -> Done {
    let at = cmd.number(args::OFFSET, 0, size, 0)?;
    let end = at + cmd.number(args::LENGTH, 0, size - at, size - at)?;
    let mut o = Out::new();
    let buf = &mut crate::out::buffer().text;
    let mut at = at;
    while at < end {
        let want = ((end - at) as usize).min(buf.len());
        let n = copy(&mut buf[..want], at)?;
        if n == 0 {
            return Err(said("read", "the object shrank meanwhile"));
        }
        if cmd.flag(args::RAW) {
            o.bytes(&buf[..n]);
        } else {
            o.dump(&buf[..n], at);
        }
        at += n as u64;
    }
    o.flush()
}

pub fn shm_write(cmd: &Cmd) -> Done {
    let obj = ShmObject::open(&name(cmd)?).or_fail("shm_open")?;
    let text = cmd.pos[1];
    let at = fits(cmd, text.len(), obj.size().or_fail("fstat")?)?;
    let mut done = 0;
    while done < text.len() {
        done += obj.write_at(&text[done..], at + done as u64).or_fail("pwrite")?;
    }
    Ok(())
}

/// `mq rm`, `sem rm`, `shm rm`: removes the name.
pub fn rm(cmd: &Cmd) -> Done {
    let name = name(cmd)?;
    match cmd.group.name {
        "mq" => mq::unlink(&name).or_fail("mq_unlink"),
        "sem" => sem::unlink(&name).or_fail("sem_unlink"),
        _ => shm::unlink(&name).or_fail("shm_unlink"),
    }
}

/// `--timeout` as an absolute deadline, if given.
fn deadline(cmd: &Cmd) -> Done<Option<mq::Timespec>> {
    match cmd.timeout()? {
        Some(t) => bareipc::ipc::deadline_after(&t).map(Some).or_fail("clock_gettime"),
        None => Ok(None),
    }
}

/// `--offset`, checked so that `len` bytes there are within `size`.
pub fn fits(cmd: &Cmd, len: usize, size: u64) -> Done<u64> {
    match size.checked_sub(len as u64) {
        Some(room) => cmd.number(args::OFFSET, 0, room, 0),
        None => Err(said("write", "TEXT is longer than the object")),
    }
}
