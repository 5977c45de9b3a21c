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
//! Creation is atomic, as in glibc: the image is written to a temporary file, mapped, and
//! `link()`ed to the final name (EEXIST if taken: O_EXCL semantics), then the temporary
//! name is removed. An opener never sees a half-written semaphore.

use crate::abi::Timespec;
use crate::errno::Errno;
use crate::name::{Name, ShmPath};
use crate::shm::{Mapping, ShmObject};
use core::num::NonZeroU32;
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use rustix::fs::{Mode, OFlags};
use rustix::thread::futex;

/// Size of glibc's `sem_t` on x86_64.
const SEM_SIZE: usize = 32;
/// glibc's value of `private` for a process-shared semaphore.
const FUTEX_SHARED: u32 = 128;
/// The largest value (`SEM_VALUE_MAX`).
pub const VALUE_MAX: u32 = i32::MAX as u32;
const VALUE_MASK: u64 = 0xffff_ffff;
const ONE_WAITER: u64 = 1 << 32;

/// An open named semaphore: a shared mapping of its `sem_t`, unmapped on drop. Dropping
/// does not remove the name (see [`unlink`]).
pub struct NamedSemaphore {
    map: Mapping,
}

fn open_flags() -> OFlags {
    OFlags::RDWR | OFlags::NOFOLLOW | OFlags::CLOEXEC
}

impl NamedSemaphore {
    /// `sem_open(name, O_CREAT | O_EXCL, mode, value)`—creates a semaphore; EEXIST if the
    /// name is taken, EINVAL if `value` exceeds [`VALUE_MAX`].
    ///
    /// References: [sem_open(3)](https://man7.org/linux/man-pages/man3/sem_open.3.html),
    /// [sem_overview(7)](https://man7.org/linux/man-pages/man7/sem_overview.7.html)
    #[doc(alias = "sem_open")]
    pub fn create(name: &Name, mode: u32, value: u32) -> Result<NamedSemaphore, Errno> {
        if value > VALUE_MAX {
            return Err(Errno::EINVAL);
        }
        let mut image = [0u8; SEM_SIZE];
        image[..4].copy_from_slice(&value.to_le_bytes());
        image[8..12].copy_from_slice(&FUTEX_SHARED.to_le_bytes());

        // The temporary name derives from the final one: two creators of one name collide
        // here already, and the loser sees EEXIST as it should.
        let temp = ShmPath::new(".sem.", name, ".new");
        let flags = open_flags() | OFlags::CREATE | OFlags::EXCL;
        let fd = rustix::fs::open(temp.as_cstr(), flags, Mode::from_bits_truncate(mode))?;
        crate::io::opened(&fd);
        let made = (|| {
            crate::io::write_all(&fd, &image)?;
            let map = ShmObject::from_fd(fd).map_unchecked_size(SEM_SIZE)?;
            rustix::fs::link(temp.as_cstr(), ShmPath::new("sem.", name, "").as_cstr())?;
            Ok(NamedSemaphore { map })
        })();
        let _ = rustix::fs::unlink(temp.as_cstr());
        made
    }

    /// `sem_open(name, 0)`—opens an existing semaphore. EINVAL if its file is shorter
    /// than a `sem_t` (a truncated file, which mapped would raise SIGBUS).
    #[doc(alias = "sem_open")]
    pub fn open(name: &Name) -> Result<NamedSemaphore, Errno> {
        let path = ShmPath::new("sem.", name, "");
        let fd = rustix::fs::open(path.as_cstr(), open_flags(), Mode::empty())?;
        let map = ShmObject::from_fd(fd).map(SEM_SIZE)?;
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
            futex::wake(self.futex_word(), futex::Flags::empty(), 1)?;
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
    /// at the absolute CLOCK_REALTIME `deadline`.
    #[doc(alias = "sem_timedwait")]
    pub fn wait_until(&self, deadline: Option<&Timespec>) -> Result<(), Errno> {
        if self.try_wait().is_ok() {
            return Ok(());
        }
        let deadline = deadline.map(|t| futex::Timespec { tv_sec: t.tv_sec, tv_nsec: t.tv_nsec });
        let mut d = self.data().fetch_add(ONE_WAITER, Ordering::Relaxed) + ONE_WAITER;
        loop {
            if d & VALUE_MASK == 0 {
                let slept = futex::wait_bitset(
                    self.futex_word(),
                    futex::Flags::CLOCK_REALTIME,
                    0,
                    deadline.as_ref(),
                    NonZeroU32::MAX,
                );
                match slept.map_err(Errno::from) {
                    Err(e @ (Errno::ETIMEDOUT | Errno::EINTR)) => {
                        self.data().fetch_sub(ONE_WAITER, Ordering::Relaxed);
                        return Err(e);
                    }
                    // Woken, or the value changed before we slept (EAGAIN): look again.
                    _ => d = self.data().load(Ordering::Relaxed),
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
    Ok(rustix::fs::unlink(ShmPath::new("sem.", name, "").as_cstr())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_like_a_semaphore() {
        let name = Name::unique("semtest").unwrap();
        let s = NamedSemaphore::create(&name, 0o600, 2).unwrap();
        let again = NamedSemaphore::open(&name).unwrap();
        assert_eq!(NamedSemaphore::create(&name, 0o600, 0).err(), Some(Errno::EEXIST));
        unlink(&name).unwrap();
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
    fn the_file_is_glibcs_image_and_no_temporary_is_left() {
        let name = Name::unique("semtest").unwrap();
        let _s = NamedSemaphore::create(&name, 0o640, 7).unwrap();
        let bare = std::str::from_utf8(name.bare().to_bytes()).unwrap().to_owned();
        let path = format!("/dev/shm/sem.{bare}");
        let bytes = std::fs::read(&path).unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        unlink(&name).unwrap();
        let mut want = [0u8; 32];
        want[0] = 7;
        want[8] = 128;
        assert_eq!(bytes, want);
        assert_eq!(std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o777, 0o640);
        assert!(!std::path::Path::new(&format!("/dev/shm/.sem.{bare}.new")).exists());
    }

    #[test]
    fn truncated_files_are_refused_not_mapped() {
        for len in [0usize, 31] {
            let name = Name::unique("semtest").unwrap();
            let bare = std::str::from_utf8(name.bare().to_bytes()).unwrap().to_owned();
            let path = format!("/dev/shm/sem.{bare}");
            std::fs::write(&path, vec![0u8; len]).unwrap();
            let r = NamedSemaphore::open(&name).err();
            std::fs::remove_file(&path).unwrap();
            assert_eq!(r, Some(Errno::EINVAL), "length {len}");
        }
    }

    #[test]
    fn post_stops_at_the_maximum() {
        let name = Name::unique("semtest").unwrap();
        let s = NamedSemaphore::create(&name, 0o600, VALUE_MAX).unwrap();
        unlink(&name).unwrap();
        assert_eq!(s.post(), Err(Errno::EOVERFLOW));
        assert_eq!(NamedSemaphore::create(&name, 0o600, VALUE_MAX + 1).err(), Some(Errno::EINVAL));
    }
}
