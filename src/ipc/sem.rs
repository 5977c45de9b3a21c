//! POSIX named semaphores with no libc, binary-compatible with glibc's `sem_open`.
//!
//! glibc keeps a named semaphore in the file `/dev/shm/sem.NAME`, mapped shared: the
//! 32-byte `sem_t` of x86_64. Offset 0 is a 64-bit word whose low half is the value (also
//! the futex word) and whose high half counts waiters; offset 8 is glibc's `private`
//! field, 128 for a process-shared semaphore (glibc's FUTEX_SHARED; futex calls then go
//! without FUTEX_PRIVATE_FLAG). The rest is zero.
//!
//! Post: add 1 to the value (EOVERFLOW at `i32::MAX`), then `FUTEX_WAKE` one waiter if
//! any registered. Wait: take 1 if the value is positive; otherwise register as a waiter,
//! `FUTEX_WAIT` while the value is 0, then take 1 and unregister in one CAS. The tests
//! check that glibc's `sem_wait`/`sem_post` and these interoperate under contention.
//!
//! [`NamedSemaphore::create`] is atomic, as in glibc: the image is written to a temporary
//! file with a random name, mapped, and `link()`ed to the final name (EEXIST if taken:
//! O_EXCL semantics), then the temporary name is removed. An opener never sees a
//! half-written semaphore, and a creator killed before the link leaves only its own
//! temporary file behind, never a name that blocks the next creator.
//! [`NamedSemaphore::create_unnamed`] needs none of that, since no other process can
//! open its file: it is a file in `/dev/shm` that never has a name, like
//! [`Mapping::create_unnamed`](crate::ipc::shm::Mapping::create_unnamed), and the image
//! is stored into the zeroed page.
//!
//! A semaphore that other processes can open by its name is also a file they can
//! truncate, and touching a truncated mapping raises SIGBUS. So [`NamedSemaphore::create`]
//! and [`NamedSemaphore::open`] are `unsafe` (the caller promises nobody truncates the
//! file), while [`NamedSemaphore::create_unnamed`] — the semaphore of one process and its
//! children — is safe.
//!
//! ```compile_fail,E0133
//! // Opening a semaphore others can reach is `unsafe`: safe code cannot write this.
//! # fn f(name: &bareipc::ipc::name::Name) {
//! let sem = bareipc::ipc::sem::NamedSemaphore::open(name);
//! # }
//! ```

use crate::errno::{CallError, Context, Errno};
use crate::ipc::futex::{self, Clock};
use crate::ipc::name::{Name, ShmPath};
use crate::ipc::shm::{self, Mapping, ShmObject};
use crate::sys::abi::Timespec;
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use rustix::fd::AsFd;
use rustix::fs::{Mode, OFlags};

/// Size of glibc's `sem_t` on x86_64.
const SEM_SIZE: usize = 32;
/// glibc's value of `private` for a process-shared semaphore.
const FUTEX_SHARED: u32 = 128;
/// The largest value (`SEM_VALUE_MAX`).
pub const VALUE_MAX: u32 = i32::MAX as u32;
const VALUE_MASK: u64 = 0xffff_ffff;
const ONE_WAITER: u64 = 1 << 32;

/// An open named semaphore: a shared mapping of its `sem_t`, unmapped on drop. Dropping
/// does not remove the name (see [`unlink`]). `Send` and `Sync` like its [`Mapping`]: every
/// operation is atomic, as glibc's are.
#[derive(Debug)]
pub struct NamedSemaphore {
    map: Mapping,
}

fn open_flags() -> OFlags {
    OFlags::RDWR | OFlags::NOFOLLOW | OFlags::CLOEXEC
}

/// Writes a new semaphore of `value` to a temporary file with mode `mode`, maps it and
/// links it to `sem.NAME`; the temporary name is gone whatever happens.
///
/// # Safety
/// As for [`NamedSemaphore::create`]: no process truncates the file while it is mapped.
unsafe fn publish(name: &Name, mode: u32, value: u32) -> Result<NamedSemaphore, CallError> {
    if value > VALUE_MAX {
        return Err(Errno::EINVAL).call("sem_open");
    }
    let path = ShmPath::new("sem.", name).call("sem_open")?;
    let mut image = [0u8; SEM_SIZE];
    image[..4].copy_from_slice(&value.to_le_bytes());
    image[8..12].copy_from_slice(&FUTEX_SHARED.to_le_bytes());

    let temp = ShmPath::random(".sem.").call("getrandom")?;
    let flags = open_flags() | OFlags::CREATE | OFlags::EXCL;
    let fd =
        rustix::fs::open(temp.as_cstr(), flags, Mode::from_bits_truncate(mode)).call("sem_open")?;
    crate::io::opened(&fd);
    let made = (|| {
        crate::io::write_all(&fd, &image).call("sem_open")?;
        // SAFETY: the file holds SEM_SIZE bytes, just written; the caller promises that
        // no process truncates it.
        let map = unsafe { shm::map_fd(fd.as_fd(), SEM_SIZE) }.call("sem_open")?;
        rustix::fs::link(temp.as_cstr(), path.as_cstr()).call("sem_open")?;
        Ok(NamedSemaphore { map })
    })();
    let _ = rustix::fs::unlink(temp.as_cstr());
    made
}

impl NamedSemaphore {
    /// `sem_open(name, O_CREAT | O_EXCL, mode, value)`—creates a semaphore; EEXIST if the
    /// name is taken, EINVAL if `value` exceeds [`VALUE_MAX`]. Its steps (`open`, `write`,
    /// `mmap`, `link`) fail as `sem_open`, the call a user knows; the temporary name's
    /// randomness as `getrandom`.
    ///
    /// # Safety
    /// Any process that may open the file `/dev/shm/sem.NAME` (as `mode` allows) must not
    /// truncate it while this semaphore is open: touching its mapping would raise SIGBUS.
    /// glibc's semaphore calls never truncate.
    ///
    /// References: [sem_open(3)](https://man7.org/linux/man-pages/man3/sem_open.3.html),
    /// [sem_overview(7)](https://man7.org/linux/man-pages/man7/sem_overview.7.html)
    #[doc(alias = "sem_open")]
    pub unsafe fn create(name: &Name, mode: u32, value: u32) -> Result<NamedSemaphore, CallError> {
        // SAFETY: the caller's promise is publish's.
        unsafe { publish(name, mode, value) }
    }

    /// A semaphore of `value` for this process and the children it forks: glibc's `sem_t`
    /// in a file of `/dev/shm` that never has a name — what `sem_open` makes, less the
    /// name, which only unrelated processes need (`open("/dev/shm", O_TMPFILE | O_EXCL)`,
    /// `fallocate`, `mmap`, `close`). EINVAL if `value` exceeds [`VALUE_MAX`]. Fails naming
    /// the call.
    ///
    /// Safe because no other process can truncate it: no process can open a file that has
    /// no name (only through this one's descriptors or memory, which
    /// [`forbid_inspection`](crate::process::forbid_inspection) keeps out for all but
    /// root), and its descriptor is closed before this returns.
    #[doc(alias = "sem_init")]
    pub fn create_unnamed(value: u32) -> Result<NamedSemaphore, CallError> {
        if value > VALUE_MAX {
            return Err(Errno::EINVAL).call("sem_open");
        }
        let map = shm::create_unnamed_mapping(SEM_SIZE)?;
        // The file is zeros (fallocate): write glibc's image over them.
        map.words32()[2].store(FUTEX_SHARED, Ordering::Relaxed);
        map.words32()[0].store(value, Ordering::Relaxed);
        Ok(NamedSemaphore { map })
    }

    /// `sem_open(name, 0)`—opens an existing semaphore. EINVAL if its file is shorter
    /// than a `sem_t` now.
    ///
    /// # Safety
    /// No process may truncate the file while this semaphore is open: the size check
    /// cannot see a truncation that comes after it, and touching the lost page raises
    /// SIGBUS.
    #[doc(alias = "sem_open")]
    pub unsafe fn open(name: &Name) -> Result<NamedSemaphore, Errno> {
        let path = ShmPath::new("sem.", name)?;
        let fd = rustix::fs::open(path.as_cstr(), open_flags(), Mode::empty())?;
        // SAFETY: the caller's promise.
        let map = unsafe { ShmObject::from(fd).map(SEM_SIZE) }?;
        Ok(NamedSemaphore { map })
    }

    fn data(&self) -> &AtomicU64 {
        &self.map.words()[0]
    }

    /// The futex word: the low half of `data` (x86_64 is little-endian).
    fn futex_word(&self) -> &AtomicU32 {
        &self.map.words32()[0]
    }

    /// `sem_getvalue(sem, &value)`—the value now (0 while waiters wait).
    #[doc(alias = "sem_getvalue")]
    pub fn value(&self) -> u32 {
        (self.data().load(Ordering::Relaxed) & VALUE_MASK) as u32
    }

    /// `sem_post(sem)`—adds 1 and wakes one waiter if any. EOVERFLOW at [`VALUE_MAX`].
    ///
    /// References: [sem_post(3)](https://man7.org/linux/man-pages/man3/sem_post.3.html)
    #[doc(alias = "sem_post")]
    pub fn post(&self) -> Result<(), Errno> {
        let mut d = self.data().load(Ordering::Relaxed);
        loop {
            if d & VALUE_MASK == VALUE_MAX as u64 {
                return Err(Errno::EOVERFLOW);
            }
            match self.data().compare_exchange_weak(d, d + 1, Ordering::Release, Ordering::Relaxed)
            {
                Ok(_) => break,
                Err(now) => d = now,
            }
        }
        if d >> 32 > 0 {
            futex::wake(self.futex_word(), 1)?;
        }
        Ok(())
    }

    /// `sem_trywait(sem)`—takes 1 if the value is positive, else EAGAIN.
    ///
    /// References: [sem_wait(3)](https://man7.org/linux/man-pages/man3/sem_wait.3.html)
    #[doc(alias = "sem_trywait")]
    pub fn try_wait(&self) -> Result<(), Errno> {
        let mut d = self.data().load(Ordering::Relaxed);
        while d & VALUE_MASK > 0 {
            match self.data().compare_exchange_weak(d, d - 1, Ordering::Acquire, Ordering::Relaxed)
            {
                Ok(_) => return Ok(()),
                Err(now) => d = now,
            }
        }
        Err(Errno::EAGAIN)
    }

    /// `sem_wait(sem)`—takes 1, blocking while the value is 0. EINTR if a signal
    /// handler interrupts the wait (use [`retry_on_intr`](crate::io::retry_on_intr)).
    #[doc(alias = "sem_wait")]
    pub fn wait(&self) -> Result<(), Errno> {
        self.wait_until(None)
    }

    /// `sem_timedwait(sem, deadline)`—as [`wait`](Self::wait), giving up with ETIMEDOUT
    /// at the absolute CLOCK_REALTIME `deadline`. An invalid deadline (`tv_nsec` outside
    /// `0..10^9`, or negative seconds) is EINVAL before anything is taken or waited for;
    /// any error of the futex call other than "look again" ends the wait with that error.
    #[doc(alias = "sem_timedwait")]
    pub fn wait_until(&self, deadline: Option<&Timespec>) -> Result<(), Errno> {
        if let Some(t) = deadline {
            futex::check_timespec(t)?;
        }
        if self.try_wait().is_ok() {
            return Ok(());
        }
        let mut d = self.data().fetch_add(ONE_WAITER, Ordering::Relaxed) + ONE_WAITER;
        loop {
            if d & VALUE_MASK == 0 {
                match futex::wait(self.futex_word(), 0, deadline, Clock::Realtime) {
                    // Woken, or the value changed before we slept: look again.
                    Ok(()) | Err(Errno::EAGAIN) => d = self.data().load(Ordering::Relaxed),
                    Err(e) => {
                        self.data().fetch_sub(ONE_WAITER, Ordering::Relaxed);
                        return Err(e);
                    }
                }
            } else {
                let taken = d - 1 - ONE_WAITER;
                match self.data().compare_exchange_weak(
                    d,
                    taken,
                    Ordering::Acquire,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => return Ok(()),
                    Err(now) => d = now,
                }
            }
        }
    }
}

/// `sem_unlink(name)`—removes `/dev/shm/sem.NAME`; open semaphores stay usable.
///
/// References: [sem_unlink(3)](https://man7.org/linux/man-pages/man3/sem_unlink.3.html)
#[doc(alias = "sem_unlink")]
pub fn unlink(name: &Name) -> Result<(), Errno> {
    Ok(rustix::fs::unlink(ShmPath::new("sem.", name)?.as_cstr())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A semaphore by name, for tests: created with mode 0600 and unlinked on drop.
    struct Named(Name, NamedSemaphore);

    impl Named {
        fn new(value: u32) -> Named {
            let name = Name::unique("semtest").unwrap();
            // SAFETY: tests never truncate semaphore files.
            let sem = unsafe { NamedSemaphore::create(&name, 0o600, value) }.unwrap();
            Named(name, sem)
        }
    }

    impl Drop for Named {
        fn drop(&mut self) {
            let _ = unlink(&self.0);
        }
    }

    #[test]
    fn counts_like_a_semaphore() {
        let n = Named::new(2);
        let s = &n.1;
        // SAFETY: tests never truncate semaphore files.
        let again = unsafe { NamedSemaphore::open(&n.0) }.unwrap();
        // SAFETY: as above.
        let taken = unsafe { NamedSemaphore::create(&n.0, 0o600, 0) }.unwrap_err();
        assert_eq!((taken.call, taken.errno), ("sem_open", Errno::EEXIST));
        s.wait().unwrap();
        again.try_wait().unwrap();
        assert_eq!(s.try_wait(), Err(Errno::EAGAIN));
        s.post().unwrap();
        assert_eq!(again.value(), 1);
        let past = Timespec { tv_sec: 0, tv_nsec: 0 };
        again.wait_until(Some(&past)).unwrap();
        assert_eq!(s.wait_until(Some(&past)), Err(Errno::ETIMEDOUT));
        assert_eq!(s.data().load(Ordering::Relaxed), 0, "the timed-out waiter unregistered");
    }

    #[test]
    fn invalid_deadlines_are_einval_and_never_spin() {
        let n = Named::new(0);
        for (tv_sec, tv_nsec) in [(0, 1_000_000_000), (0, -1), (-5, 0)] {
            let bad = Timespec { tv_sec, tv_nsec };
            // With the value at 0 a wait would block: an error the loop did not expect
            // used to send it round forever.
            assert_eq!(n.1.wait_until(Some(&bad)), Err(Errno::EINVAL), "{bad:?}");
        }
        n.1.post().unwrap();
        let bad = Timespec { tv_sec: 0, tv_nsec: 2_000_000_000 };
        assert_eq!(n.1.wait_until(Some(&bad)), Err(Errno::EINVAL), "nothing taken");
        assert_eq!(n.1.data().load(Ordering::Relaxed), 1, "no waiter left registered");
    }

    #[test]
    fn the_file_is_glibcs_image_and_no_temporary_is_left() {
        use std::os::unix::fs::MetadataExt;
        let name = Name::unique("semtest").unwrap();
        // SAFETY: tests never truncate semaphore files.
        let _s = unsafe { NamedSemaphore::create(&name, 0o640, 7) }.unwrap();
        let bare = std::str::from_utf8(name.bare().to_bytes()).unwrap().to_owned();
        let path = format!("/dev/shm/sem.{bare}");
        let bytes = std::fs::read(&path).unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        unlink(&name).unwrap();
        let mut want = [0u8; 32];
        want[0] = 7;
        want[8] = 128;
        assert_eq!(bytes, want);
        assert_eq!(meta.mode() & 0o777, 0o640);
        assert_eq!(meta.nlink(), 1, "the temporary name is gone");
    }

    #[test]
    fn an_unnamed_semaphore_counts_and_has_no_name() {
        let s = NamedSemaphore::create_unnamed(1).unwrap();
        s.wait().unwrap();
        assert_eq!(s.try_wait(), Err(Errno::EAGAIN));
        s.post().unwrap();
        assert_eq!(s.value(), 1);
        // glibc's image: the value, then `private` = 128 (process-shared).
        assert_eq!(s.map.words32()[2].load(Ordering::Relaxed), FUTEX_SHARED);
        let e = NamedSemaphore::create_unnamed(VALUE_MAX + 1).unwrap_err();
        assert_eq!((e.call, e.errno), ("sem_open", Errno::EINVAL));
    }

    #[test]
    fn truncated_files_are_refused_not_mapped() {
        for len in [0usize, 31] {
            let name = Name::unique("semtest").unwrap();
            let bare = std::str::from_utf8(name.bare().to_bytes()).unwrap().to_owned();
            let path = format!("/dev/shm/sem.{bare}");
            std::fs::write(&path, vec![0u8; len]).unwrap();
            // SAFETY: nothing truncates the file while the test holds it.
            let r = unsafe { NamedSemaphore::open(&name) }.err();
            std::fs::remove_file(&path).unwrap();
            assert_eq!(r, Some(Errno::EINVAL), "length {len}");
        }
    }

    #[test]
    fn post_stops_at_the_maximum() {
        let n = Named::new(VALUE_MAX);
        assert_eq!(n.1.post(), Err(Errno::EOVERFLOW));
        let other = Name::unique("semtest").unwrap();
        // SAFETY: tests never truncate semaphore files.
        let over = unsafe { NamedSemaphore::create(&other, 0o600, VALUE_MAX + 1) }.unwrap_err();
        assert_eq!(over.errno, Errno::EINVAL);
    }
}
