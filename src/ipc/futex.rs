//! Futexes: a 32-bit word in memory that processes share, and two system calls — sleep
//! while the word holds an expected value, wake sleepers. Every blocking primitive of a
//! libc (mutexes, condition variables, semaphores) is built on these.
//!
//! Words in `MAP_SHARED` memory are "shared" futexes (no `FUTEX_PRIVATE_FLAG`): the kernel
//! keys them by the page, so processes that map it at different addresses meet.

use crate::errno::Errno;
use crate::sys::abi::Timespec;
use core::num::NonZeroU32;
use core::sync::atomic::AtomicU32;
use rustix::thread::futex as raw;

/// Which clock an absolute deadline is on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Clock {
    /// `CLOCK_REALTIME`, the clock of POSIX's `sem_timedwait` and `mq_timedsend`.
    Realtime,
    /// `CLOCK_MONOTONIC`, which no one can set.
    Monotonic,
}

/// Checks that `t` is a valid time: `0 <= tv_nsec < 10^9` and `tv_sec >= 0`. EINVAL
/// otherwise — before any system call is made with it.
pub fn check_timespec(t: &Timespec) -> Result<(), Errno> {
    if t.tv_sec < 0 || !(0..1_000_000_000).contains(&t.tv_nsec) {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

/// `futex(word, FUTEX_WAIT_BITSET, expected, deadline, NULL, FUTEX_BITSET_MATCH_ANY)`—
/// sleeps while `*word == expected`, until woken, until the absolute `deadline` on `clock`
/// (then ETIMEDOUT), or until a signal handler runs (EINTR).
///
/// Returns `Ok(())` when woken, and EAGAIN at once if the word no longer holds
/// `expected`. Every other error is returned too (EINVAL for an invalid deadline, checked
/// before the call; EFAULT, ENOSYS): a caller's retry loop must look at the error, never
/// retry blindly.
///
/// References: [futex(2)](https://man7.org/linux/man-pages/man2/futex.2.html)
#[doc(alias = "futex")]
#[doc(alias = "FUTEX_WAIT_BITSET")]
pub fn wait(
    word: &AtomicU32,
    expected: u32,
    deadline: Option<&Timespec>,
    clock: Clock,
) -> Result<(), Errno> {
    if let Some(t) = deadline {
        check_timespec(t)?;
    }
    let flags = match clock {
        Clock::Realtime => raw::Flags::CLOCK_REALTIME,
        Clock::Monotonic => raw::Flags::empty(),
    };
    let at = deadline.map(|t| raw::Timespec { tv_sec: t.tv_sec, tv_nsec: t.tv_nsec });
    Ok(raw::wait_bitset(word, flags, expected, at.as_ref(), NonZeroU32::MAX)?)
}

/// `futex(word, FUTEX_WAKE, count)`—wakes up to `count` sleepers on `word`; returns how
/// many woke.
#[doc(alias = "FUTEX_WAKE")]
pub fn wake(word: &AtomicU32, count: u32) -> Result<usize, Errno> {
    Ok(raw::wake(word, raw::Flags::empty(), count)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::sync::atomic::Ordering;

    #[test]
    fn invalid_deadlines_are_einval_before_any_call() {
        let word = AtomicU32::new(0);
        for (tv_sec, tv_nsec) in [(0, 1_000_000_000), (0, -1), (-1, 0), (5, i64::MAX)] {
            let t = Timespec { tv_sec, tv_nsec };
            assert_eq!(check_timespec(&t), Err(Errno::EINVAL), "{t:?}");
            // The word holds the expected value: a call that got through would sleep.
            assert_eq!(wait(&word, 0, Some(&t), Clock::Realtime), Err(Errno::EINVAL), "{t:?}");
        }
    }

    #[test]
    fn wait_returns_timeouts_and_mismatches_and_wakes() {
        let word = AtomicU32::new(7);
        let past = Timespec { tv_sec: 0, tv_nsec: 0 };
        assert_eq!(wait(&word, 7, Some(&past), Clock::Monotonic), Err(Errno::ETIMEDOUT));
        assert_eq!(wait(&word, 8, None, Clock::Realtime), Err(Errno::EAGAIN));
        assert_eq!(wake(&word, 1), Ok(0));
        word.store(0, Ordering::Relaxed);
        std::thread::scope(|s| {
            s.spawn(|| {
                std::thread::sleep(std::time::Duration::from_millis(20));
                word.store(1, Ordering::Release);
                wake(&word, 1).unwrap();
            });
            while word.load(Ordering::Acquire) == 0 {
                match wait(&word, 0, None, Clock::Realtime) {
                    Ok(()) | Err(Errno::EAGAIN | Errno::EINTR) => {}
                    Err(e) => panic!("{e:?}"),
                }
            }
        });
    }
}
