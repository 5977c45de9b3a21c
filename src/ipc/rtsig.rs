//! Real-time signals that carry a value: `sigqueue` and `sigtimedwait`.
//!
//! A real-time signal (SIGRTMIN to SIGRTMAX) is queued, not merged: each one sent is
//! delivered once, in order, with the `siginfo_t` its sender gave — and `sigqueue` puts a
//! 64-bit `union sigval` in it. So a signal can carry a message of eight bytes. The
//! receiver *blocks* the signal, so nothing is delivered to a handler, and takes the
//! pending ones with `rt_sigtimedwait`, which returns each `siginfo_t`.
//!
//! Queued signals are kernel memory charged to the receiving process's real user, up to
//! `RLIMIT_SIGPENDING` (`ulimit -i`) signals pending for that user at once: at the limit,
//! `rt_sigqueueinfo` fails with EAGAIN — the value is not lost, the send is refused.
//! `si_pid` and `si_uid` are what the *sender* writes: `rt_sigqueueinfo` checks only that
//! `si_code` is negative (a user signal, not one posing as the kernel's), and permission is
//! `kill`'s (same real or effective user, or CAP_KILL).
//!
//! References: [sigqueue(3)](https://man7.org/linux/man-pages/man3/sigqueue.3.html),
//! [rt_sigqueueinfo(2)](https://man7.org/linux/man-pages/man2/rt_sigqueueinfo.2.html),
//! [sigwaitinfo(2)](https://man7.org/linux/man-pages/man2/sigwaitinfo.2.html),
//! [signal(7)](https://man7.org/linux/man-pages/man7/signal.7.html)

use crate::errno::Errno;
use crate::sys::{self, abi};

/// A time span for [`RtSignal::take_within`] (`struct timespec`).
pub use crate::sys::abi::Timespec;

/// A real-time signal number: 34 (glibc's SIGRTMIN; 32 and 33 are glibc's own) to 64.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RtSignal(i32);

/// A signal taken from the queue: which, who says it sent it, and its value.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Queued {
    /// `si_signo`: the signal's number.
    pub signal: i32,
    /// `si_pid`: the sender's pid, as the sender wrote it.
    pub pid: i32,
    /// `si_value`: the 64 bits queued with it.
    pub value: u64,
}

/// `rt_sigprocmask(SIG_BLOCK, signals)`: blocks each of `signals` (1 to 64, but not 32
/// and 33: glibc's own, which a thread that blocks them would break — `setuid` in a
/// threaded glibc program waits for every thread to take 33) with one call. EINVAL for
/// any other number. A process that waits in [`RtSignal::take`] may want SIGCHLD (17) blocked too:
/// ignored by default, it never interrupts anything — but under a tracer such as strace
/// every signal is delivered, and a SIGCHLD would end the wait with EINTR (a waiting
/// `rt_sigtimedwait` is not restarted). Blocked, it waits unseen; `wait4` needs no signal.
#[doc(alias = "sigprocmask")]
pub fn block(signals: &[i32]) -> Result<(), Errno> {
    let mut set = 0u64;
    for &n in signals {
        if !(1..=64).contains(&n) || n == 32 || n == 33 {
            return Err(Errno::EINVAL);
        }
        set |= 1 << (n - 1);
    }
    sys::block_signals(set)
}

impl RtSignal {
    /// Signal `signo`; EINVAL outside 34..=64.
    pub fn new(signo: i32) -> Result<RtSignal, Errno> {
        if (abi::SIGRTMIN..=64).contains(&signo) { Ok(RtSignal(signo)) } else { Err(Errno::EINVAL) }
    }

    /// The signal's number.
    pub fn number(self) -> i32 {
        self.0
    }

    /// `rt_sigprocmask(SIG_BLOCK, {signal})`: from now on the signal stays pending for
    /// [`take`](Self::take) instead of being delivered (its default action ends the
    /// process). The mask is inherited by `fork`. See [`block`] to block others with it.
    #[doc(alias = "sigprocmask")]
    pub fn block(self) -> Result<(), Errno> {
        block(&[self.0])
    }

    /// `rt_sigqueueinfo(pid, signal, {SI_QUEUE, si_pid = own_pid, si_value = value})`:
    /// queues the signal with `value` to process `pid` (what glibc's `sigqueue` does, with
    /// the caller's pid passed in rather than asked for). EAGAIN at RLIMIT_SIGPENDING, ESRCH
    /// if no such process, EPERM without permission to signal it.
    #[doc(alias = "sigqueue")]
    #[doc(alias = "rt_sigqueueinfo")]
    pub fn queue(self, pid: i32, own_pid: i32, value: u64) -> Result<(), Errno> {
        sys::sigqueueinfo(pid, &abi::SigInfo::queued(self.0, own_pid, value))
    }

    /// `rt_sigtimedwait({signal}, &info, timeout)`: takes the oldest pending instance of
    /// the (blocked) signal; if none is pending, waits for one when `wait` is true — EINTR
    /// if a handled signal interrupts the wait — else fails at once with EAGAIN.
    #[doc(alias = "sigtimedwait")]
    #[doc(alias = "sigwaitinfo")]
    pub fn take(self, wait: bool) -> Result<Queued, Errno> {
        take_any(&[self], wait)
    }

    /// `rt_sigtimedwait({signal}, &info, timeout)`: as [`take`](Self::take), waiting at
    /// most `timeout` (relative) for the signal: EAGAIN when it passes.
    #[doc(alias = "sigtimedwait")]
    pub fn take_within(self, timeout: &abi::Timespec) -> Result<Queued, Errno> {
        let info = sys::sigtimedwait(1 << (self.0 - 1), Some(timeout))?;
        Ok(Queued { signal: info.signo, pid: info.pid, value: info.value })
    }
}

/// `rt_sigtimedwait(signals, &info, timeout)`: as [`RtSignal::take`] for any of `signals`:
/// the lowest-numbered one pending first (real-time signals are delivered in that order),
/// and among several of one number the oldest.
#[doc(alias = "sigtimedwait")]
pub fn take_any(signals: &[RtSignal], wait: bool) -> Result<Queued, Errno> {
    let set = signals.iter().fold(0u64, |set, s| set | 1 << (s.0 - 1));
    let now = abi::Timespec::default();
    let info = sys::sigtimedwait(set, if wait { None } else { Some(&now) })?;
    Ok(Queued { signal: info.signo, pid: info.pid, value: info.value })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `checks` in a child of our own, and asserts they passed: blocking a signal
    /// affects only the calling thread, but the test harness runs tests on threads of one
    /// process, and a process-directed signal may be taken by any thread that does not
    /// block it. A forked child has one thread.
    fn in_child(checks: impl FnOnce() -> Result<(), Errno>) {
        let _serial = crate::serial_forks();
        // SAFETY: the child only makes system calls and exits.
        match unsafe { libc::fork() } {
            0 => {
                let code = checks().map_or(1, |()| 0);
                // SAFETY: ends the child without running the harness's code.
                unsafe { libc::_exit(code) }
            }
            pid => {
                assert!(pid > 0);
                let mut status = 0;
                // SAFETY: waits for the child just forked.
                assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
                assert_eq!(status, 0, "the child's checks failed");
            }
        }
    }

    #[test]
    fn a_timed_take_ends_with_eagain_when_nothing_comes() {
        in_child(|| {
            let sig = RtSignal::new(41)?;
            sig.block()?;
            let t = Timespec { tv_sec: 0, tv_nsec: 20_000_000 };
            if sig.take_within(&t) != Err(Errno::EAGAIN) {
                return Err(Errno::EIO);
            }
            let me = std::process::id() as i32;
            sig.queue(me, me, 7)?;
            match sig.take_within(&t)? {
                Queued { signal: 41, value: 7, pid } if pid == me => Ok(()),
                _ => Err(Errno::EIO),
            }
        });
    }

    #[test]
    fn block_takes_signal_numbers_only_and_leaves_glibc_its_own() {
        for n in [0, 32, 33, 65] {
            assert_eq!(block(&[1, n]), Err(Errno::EINVAL), "{n}");
        }
    }

    #[test]
    fn only_real_time_signals_free_of_glibc() {
        assert_eq!(RtSignal::new(33), Err(Errno::EINVAL));
        assert_eq!(RtSignal::new(65), Err(Errno::EINVAL));
        assert_eq!(RtSignal::new(64).map(RtSignal::number), Ok(64));
    }

    #[test]
    fn queued_values_arrive_in_order_and_none_is_merged() {
        in_child(|| {
            let sig = RtSignal::new(40)?;
            sig.block()?;
            let me = std::process::id() as i32;
            for v in [u64::MAX, 0, 1.0f64.to_bits(), 7, 7] {
                sig.queue(me, 4321, v)?;
            }
            for v in [u64::MAX, 0, 1.0f64.to_bits(), 7, 7] {
                if sig.take(false)? != (Queued { signal: 40, pid: 4321, value: v }) {
                    return Err(Errno::EIO);
                }
            }
            // Two numbers: the lower first, whatever the order they came in.
            let other = RtSignal::new(39)?;
            other.block()?;
            sig.queue(me, 1, 1)?;
            other.queue(me, 2, 2)?;
            let firsts = [take_any(&[sig, other], false)?, take_any(&[other, sig], false)?];
            if firsts.map(|q| (q.signal, q.value)) != [(39, 2), (40, 1)] {
                return Err(Errno::EIO);
            }
            match sig.take(false) {
                Err(Errno::EAGAIN) => Ok(()),
                _ => Err(Errno::EIO),
            }
        });
    }
}
