//! eventfd: a 64-bit counter in the kernel behind one descriptor. `write` adds an 8-byte
//! value to it, `read` returns the sum and resets it to zero. No name, no file, no IPC
//! namespace: children forked after `eventfd` share the counter through the inherited
//! descriptor.
//!
//! The counter holds at most 2^64 − 2. A write that would pass that blocks until a read
//! makes room — or, on a non-blocking counter ([`EventCounter::new`], what pi-eventfd
//! uses), fails with EAGAIN, so an overflow is an error, never a hang.
//!
//! References: [eventfd(2)](https://man7.org/linux/man-pages/man2/eventfd.2.html)

use crate::errno::Errno;
use rustix::event::EventfdFlags;
use rustix::fd::OwnedFd;

/// The largest value the counter holds.
pub const MAX: u64 = u64::MAX - 1;

/// An eventfd counter, closed on drop.
#[derive(Debug)]
pub struct EventCounter(OwnedFd);

fd_handle!(EventCounter);

impl EventCounter {
    /// `eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)`: a counter at zero whose `add` fails with
    /// EAGAIN instead of blocking when it would pass [`MAX`], and whose `take` fails with
    /// EAGAIN instead of blocking while it is zero.
    #[doc(alias = "eventfd")]
    pub fn new() -> Result<EventCounter, Errno> {
        let fd = rustix::event::eventfd(0, EventfdFlags::CLOEXEC | EventfdFlags::NONBLOCK)?;
        crate::io::opened(&fd);
        Ok(EventCounter(fd))
    }

    /// `eventfd(0, EFD_CLOEXEC)`: a counter at zero whose `take` waits while it is zero
    /// and whose `add` waits for room — a wake-up channel between processes (the
    /// benchmark's ping-pong), where a waiting side must have a peer that will post.
    #[doc(alias = "eventfd")]
    pub fn new_blocking() -> Result<EventCounter, Errno> {
        let fd = rustix::event::eventfd(0, EventfdFlags::CLOEXEC)?;
        crate::io::opened(&fd);
        Ok(EventCounter(fd))
    }

    /// `write(fd, &value, 8)`: adds `value` to the counter, atomically. EINVAL for
    /// `u64::MAX`, EAGAIN if the sum would pass [`MAX`].
    #[doc(alias = "write")]
    pub fn add(&self, value: u64) -> Result<(), Errno> {
        let n = crate::io::retry_on_intr(|| Ok(rustix::io::write(&self.0, &value.to_ne_bytes())?))?;
        // An eventfd write is all 8 bytes or an error.
        if n != 8 { Err(Errno::EIO) } else { Ok(()) }
    }

    /// `read(fd, &value, 8)`: the counter's value, which it resets to zero. EAGAIN while it
    /// is zero.
    #[doc(alias = "read")]
    pub fn take(&self) -> Result<u64, Errno> {
        let mut b = [0u8; 8];
        let n = crate::io::retry_on_intr(|| Ok(rustix::io::read(&self.0, &mut b)?))?;
        if n != 8 { Err(Errno::EIO) } else { Ok(u64::from_ne_bytes(b)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kernel_adds_and_a_read_resets() {
        let c = EventCounter::new().unwrap();
        assert_eq!(c.take(), Err(Errno::EAGAIN));
        c.add(40).unwrap();
        c.add(2).unwrap();
        assert_eq!(c.take(), Ok(42));
        assert_eq!(c.take(), Err(Errno::EAGAIN));
    }

    #[test]
    fn a_blocking_counter_wakes_its_reader() {
        let c = EventCounter::new_blocking().unwrap();
        std::thread::scope(|s| {
            s.spawn(|| {
                std::thread::sleep(std::time::Duration::from_millis(20));
                c.add(7).unwrap();
            });
            assert_eq!(c.take(), Ok(7));
        });
    }

    #[test]
    fn overflow_is_eagain_not_a_block() {
        let c = EventCounter::new().unwrap();
        c.add(MAX).unwrap();
        assert_eq!(c.add(1), Err(Errno::EAGAIN));
        assert_eq!(c.add(u64::MAX), Err(Errno::EINVAL));
        assert_eq!(c.take(), Ok(MAX));
    }
}
