//! bareipc's libc-free objects against glibc's own calls, in both directions: POSIX
//! semaphores, queues and shared memory, System V semaphore sets and segments.

use bareipc::errno::Errno;
use bareipc::ipc::mq::{self, Access, MessageQueue, MqAttr};
use bareipc::ipc::name::Name;
use bareipc::ipc::sem::{self, NamedSemaphore};
use bareipc::ipc::semset::{self, SemaphoreSet};
use bareipc::ipc::shm::{self, ShmObject};
use bareipc::ipc::shmseg::Segment;
use std::ffi::CString;
use std::sync::atomic::Ordering::Relaxed;

/// Serialises the tests that fork and the one that counts a segment's attachments: a
/// child forked by one test inherits every System V attachment the process holds at that
/// moment, so another test's count would be one too many (it failed 1 run in 3).
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static FORKS: std::sync::Mutex<()> = std::sync::Mutex::new(());
    FORKS.lock().unwrap_or_else(|e| e.into_inner())
}

fn cname(name: &Name) -> CString {
    CString::new(name.as_bytes()).unwrap()
}

/// Removes a semaphore name on drop, so a failing assertion leaves nothing behind.
struct SemGuard(Name);
impl Drop for SemGuard {
    fn drop(&mut self) {
        let _ = sem::unlink(&self.0);
    }
}

/// Forks `kinds.len()` processes; process i increments `counter` `rounds` times with a
/// deliberately slow read-modify-write under the semaphore, using glibc's calls when
/// `kinds[i]` is true, bareipc's otherwise. Returns the final count.
fn contend(name: &Name, counter: &shm::Mapping, kinds: &[bool], rounds: u64) -> u64 {
    let cn = cname(name);
    let mut pids = Vec::new();
    for &glibc in kinds {
        // Opened before fork: the children only make system calls and touch memory.
        // SAFETY: nothing in these tests truncates a semaphore file.
        let ours = unsafe { NamedSemaphore::open(name) }.unwrap();
        // SAFETY: sem_open with an existing name and no O_CREAT.
        let theirs = unsafe { libc::sem_open(cn.as_ptr(), 0) };
        assert_ne!(theirs, libc::SEM_FAILED);
        // SAFETY: the child runs only async-signal-safe code (futex ops, atomics, _exit).
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            for _ in 0..rounds {
                if glibc {
                    // SAFETY: theirs is a valid semaphore from sem_open.
                    while unsafe { libc::sem_wait(theirs) } != 0 {}
                } else {
                    while ours.wait().is_err() {}
                }
                let w = &counter.words()[0];
                let v = w.load(Relaxed);
                for _ in 0..50 {
                    std::hint::spin_loop();
                }
                w.store(v + 1, Relaxed);
                let posted = if glibc {
                    // SAFETY: as above.
                    unsafe { libc::sem_post(theirs) == 0 }
                } else {
                    ours.post().is_ok()
                };
                if !posted {
                    // SAFETY: _exit is async-signal-safe.
                    unsafe { libc::_exit(3) };
                }
            }
            // SAFETY: as above.
            unsafe { libc::_exit(0) };
        }
        assert!(pid > 0);
        pids.push(pid);
        // SAFETY: theirs came from sem_open and is not used again in the parent.
        unsafe { libc::sem_close(theirs) };
    }
    for pid in pids {
        let mut status = 0;
        // SAFETY: waiting for our own child.
        assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
        assert_eq!(status, 0, "a contender failed");
    }
    counter.words()[0].load(Relaxed)
}

fn counter() -> shm::Mapping {
    shm::Mapping::create_unnamed(8).unwrap()
}

#[test]
fn semaphore_made_by_bareipc_serves_glibc_and_bareipc_together() {
    let _serial = serial();
    let name = Name::unique("itest").unwrap();
    let _guard = SemGuard(name);
    // SAFETY: nothing in these tests truncates a semaphore file.
    let _made = unsafe { NamedSemaphore::create(&name, 0o600, 1) }.unwrap();
    let count = counter();
    let kinds = [true, false, true, false, true, false];
    assert_eq!(contend(&name, &count, &kinds, 3000), 6 * 3000, "lost updates");
}

#[test]
fn semaphore_made_by_glibc_serves_bareipc_and_glibc_together() {
    let _serial = serial();
    let name = Name::unique("itest").unwrap();
    let _guard = SemGuard(name);
    let cn = cname(&name);
    // SAFETY: O_CREAT|O_EXCL with mode and initial value, as sem_open(3) requires.
    let theirs = unsafe { libc::sem_open(cn.as_ptr(), libc::O_CREAT | libc::O_EXCL, 0o600, 1) };
    assert_ne!(theirs, libc::SEM_FAILED);
    let count = counter();
    let kinds = [false, true, false, true, false, true];
    assert_eq!(contend(&name, &count, &kinds, 3000), 6 * 3000, "lost updates");
    // Values agree both ways.
    // SAFETY: nothing in these tests truncates a semaphore file.
    let ours = unsafe { NamedSemaphore::open(&name) }.unwrap();
    ours.post().unwrap();
    let mut v = 0;
    // SAFETY: theirs is valid; v is writable.
    unsafe { libc::sem_getvalue(theirs, &mut v) };
    assert_eq!((v, ours.value()), (2, 2));
    // SAFETY: theirs came from sem_open.
    unsafe { libc::sem_close(theirs) };
}

#[test]
fn message_queues_cross_between_bareipc_and_glibc() {
    let name = Name::unique("itest").unwrap();
    let cn = cname(&name);
    let ours = MessageQueue::create(&name, Access::ReadWrite, 0o600, &MqAttr::new(4, 32)).unwrap();
    // SAFETY: opening an existing queue by its POSIX name.
    let theirs = unsafe { libc::mq_open(cn.as_ptr(), libc::O_RDWR) };
    mq::unlink(&name).unwrap();
    assert!(theirs >= 0);
    ours.send(b"from bareipc", 3, None).unwrap();
    let mut buf = [0u8; 32];
    let mut prio = 0;
    // SAFETY: buf holds msgsize bytes; prio is writable.
    let n = unsafe { libc::mq_receive(theirs, buf.as_mut_ptr().cast(), 32, &mut prio) };
    assert_eq!((&buf[..n as usize], prio), (&b"from bareipc"[..], 3));
    // SAFETY: the message is readable for its length.
    assert_eq!(unsafe { libc::mq_send(theirs, b"from glibc".as_ptr().cast(), 10, 7) }, 0);
    assert_eq!(ours.receive(&mut buf, None).unwrap(), (10, 7));
    assert_eq!(&buf[..10], b"from glibc");
    // SAFETY: theirs came from mq_open.
    unsafe { libc::mq_close(theirs) };

    // And a queue glibc creates, bareipc opens.
    let name = Name::unique("itest").unwrap();
    let cn = cname(&name);
    // SAFETY: mq_attr is plain integers, for which all zeros is a valid value.
    let mut attr: libc::mq_attr = unsafe { std::mem::zeroed() };
    attr.mq_maxmsg = 2;
    attr.mq_msgsize = 16;
    // SAFETY: O_CREAT with mode and attributes.
    let theirs = unsafe {
        libc::mq_open(cn.as_ptr(), libc::O_CREAT | libc::O_EXCL | libc::O_RDWR, 0o600, &attr)
    };
    let ours = MessageQueue::open(&name, Access::Read);
    mq::unlink(&name).unwrap();
    let ours = ours.unwrap();
    assert_eq!(ours.attributes().unwrap().msgsize, 16);
    // SAFETY: as above.
    assert_eq!(unsafe { libc::mq_send(theirs, b"hi".as_ptr().cast(), 2, 0) }, 0);
    assert_eq!(ours.receive(&mut buf[..16], None).unwrap().0, 2);
    // SAFETY: theirs came from mq_open.
    unsafe { libc::mq_close(theirs) };
}

#[test]
fn shared_memory_is_seen_by_the_other_side() {
    let name = Name::unique("itest").unwrap();
    let cn = cname(&name);
    let ours = ShmObject::create(&name, 0o600).unwrap();
    ours.allocate(4096).unwrap();
    // SAFETY: glibc's side maps the object without truncating it.
    let map = unsafe { ours.map(4096) }.unwrap();
    map.words()[3].store(0x0123_4567_89ab_cdef, Relaxed);
    // SAFETY: shm_open of an existing object; mmap of its 4096 bytes.
    let seen = unsafe {
        let fd = libc::shm_open(cn.as_ptr(), libc::O_RDWR, 0);
        assert!(fd >= 0);
        let p = libc::mmap(
            std::ptr::null_mut(),
            4096,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED,
            fd,
            0,
        );
        assert_ne!(p, libc::MAP_FAILED);
        let words = p as *mut u64;
        let seen = words.add(3).read_volatile();
        words.add(4).write_volatile(42);
        libc::munmap(p, 4096);
        libc::close(fd);
        seen
    };
    shm::unlink(&name).unwrap();
    assert_eq!(seen, 0x0123_4567_89ab_cdef);
    assert_eq!(map.words()[4].load(Relaxed), 42);
}

/// Takes the lock of `set` the way bareipc's `SemaphoreSet::lock` does, through glibc:
/// wait for 0 and make it 1 in one `semop`, with SEM_UNDO. Returns semop's result.
fn glibc_lock(set: i32) -> i32 {
    let mut ops = [
        libc::sembuf { sem_num: 0, sem_op: 0, sem_flg: 0 },
        libc::sembuf { sem_num: 0, sem_op: 1, sem_flg: libc::SEM_UNDO as i16 },
    ];
    // SAFETY: two valid sembufs.
    unsafe { libc::semop(set, ops.as_mut_ptr(), 2) }
}

/// A child that has taken a lock and waits to be killed; killed and reaped on drop, so a
/// failing assertion leaves no process behind.
struct Holder(libc::pid_t);

impl Holder {
    /// Forks a child that runs `hold` (take the lock; false: it could not) and then
    /// waits to be killed; returns once the lock is taken (the set's value is 1).
    fn start(set: &SemaphoreSet, hold: impl FnOnce() -> bool) -> Holder {
        // SAFETY: the child makes system calls only, then pauses until it is killed.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            if !hold() {
                // SAFETY: _exit is async-signal-safe.
                unsafe { libc::_exit(1) };
            }
            loop {
                // SAFETY: pause is async-signal-safe.
                unsafe { libc::pause() };
            }
        }
        assert!(pid > 0);
        let holder = Holder(pid);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while set.value(0).unwrap() != 1 {
            assert!(std::time::Instant::now() < deadline, "the holder never took the lock");
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        holder
    }

    /// SIGKILL, then reap: the child dies holding the lock.
    fn kill(self) {
        let mut status = 0;
        // SAFETY: our own child, not reaped yet.
        unsafe {
            libc::kill(self.0, libc::SIGKILL);
            assert_eq!(libc::waitpid(self.0, &mut status, 0), self.0);
        }
        std::mem::forget(self);
        assert!(libc::WIFSIGNALED(status));
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        // SAFETY: our own child, not reaped yet.
        unsafe {
            libc::kill(self.0, libc::SIGKILL);
            libc::waitpid(self.0, std::ptr::null_mut(), 0);
        }
    }
}

#[test]
fn a_sysv_lock_crosses_between_bareipc_and_glibc_and_outlives_dead_holders() {
    let _serial = serial();
    let set = SemaphoreSet::create_private(1, 0o600).unwrap();
    let id = set.id();
    let one_second = semset::Timespec { tv_sec: 1, tv_nsec: 0 };
    // A glibc holder killed holding the lock: the kernel undoes it, bareipc takes it.
    let glibc_holder = Holder::start(&set, || glibc_lock(id) == 0);
    let at_once = semset::Timespec { tv_sec: 0, tv_nsec: 0 };
    assert_eq!(set.lock(0, Some(&at_once)), Err(Errno::EAGAIN), "held by glibc");
    glibc_holder.kill();
    set.lock(0, Some(&one_second)).expect("the dead glibc holder's lock is released");
    // glibc sees bareipc's lock, and takes it once bareipc unlocks.
    let mut nowait = [libc::sembuf { sem_num: 0, sem_op: 0, sem_flg: libc::IPC_NOWAIT as i16 }];
    // SAFETY: one valid sembuf.
    assert_eq!(unsafe { libc::semop(id, nowait.as_mut_ptr(), 1) }, -1, "bareipc's lock is held");
    set.unlock(0).unwrap();
    assert_eq!(glibc_lock(id), 0);
    let mut unlock = [libc::sembuf { sem_num: 0, sem_op: -1, sem_flg: libc::SEM_UNDO as i16 }];
    // SAFETY: one valid sembuf.
    assert_eq!(unsafe { libc::semop(id, unlock.as_mut_ptr(), 1) }, 0);
    // A bareipc holder killed holding the lock: glibc's semop takes it.
    let ours = Holder::start(&set, || SemaphoreSet::from_id(id).lock(0, None).is_ok());
    ours.kill();
    assert_eq!(glibc_lock(id), 0, "the dead bareipc holder's lock is released");
    // SAFETY: semctl GETVAL takes no fourth argument.
    assert_eq!(unsafe { libc::semctl(id, 0, libc::GETVAL) }, set.value(0).unwrap());
    set.remove().unwrap();
}

#[test]
fn a_sysv_segment_is_shared_with_glibc() {
    let _serial = serial();
    let segment = Segment::create_private(4096, 0o600).unwrap();
    let ours = segment.attach().unwrap();
    ours.words()[5].store(0x5eed, Relaxed);
    // SAFETY: shmat of a live segment at an address the kernel picks; read, write, detach.
    let seen = unsafe {
        let p = libc::shmat(segment.id(), std::ptr::null(), 0);
        assert_ne!(p as isize, -1);
        let words = p as *mut u64;
        let seen = words.add(5).read_volatile();
        words.add(6).write_volatile(77);
        libc::shmdt(p);
        seen
    };
    assert_eq!((seen, ours.words()[6].load(Relaxed)), (0x5eed, 77));
    assert_eq!(segment.status().unwrap().nattch, 1);
}
