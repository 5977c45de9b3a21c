//! Named pipes (FIFOs): a pipe that processes open by path.
//!
//! `mknod(path, S_IFIFO | mode)` makes a file system entry that holds no data: opening
//! it connects the opener to one kernel pipe buffer, shared by everyone who has it open.
//! That is the rendezvous anonymous pipes lack — unrelated processes meet by name, with no
//! descriptor handed down — and the file's permissions decide who may. Writes of at most
//! `PIPE_BUF` (4096) bytes are atomic: the messages of many writers never interleave.
//!
//! Opening has rules of its own: a blocking `O_RDONLY` open waits for a writer and a
//! blocking `O_WRONLY` open waits for a reader; `O_WRONLY | O_NONBLOCK` with no reader
//! fails with ENXIO; and on Linux `O_RDWR` never waits (POSIX leaves it undefined). A
//! reader that holds no write end sees end of file whenever no writer has it open — before
//! the first writer came as well as after the last left.
//!
//! References: [fifo(7)](https://man7.org/linux/man-pages/man7/fifo.7.html),
//! [mknod(2)](https://man7.org/linux/man-pages/man2/mknod.2.html),
//! [pipe(7)](https://man7.org/linux/man-pages/man7/pipe.7.html)

use crate::errno::Errno;
use crate::sys::{self, abi};
use core::ffi::CStr;
use rustix::fd::{BorrowedFd, OwnedFd};

/// An open end of a FIFO, closed on drop.
#[derive(Debug)]
pub struct Fifo(OwnedFd);

fd_handle!(Fifo);

/// `mknodat(dir, path, S_IFIFO | mode, 0)`: makes the FIFO at `path`, relative to the
/// directory `dir` (EEXIST if anything is there). `rustix::fs::CWD` for `dir` takes
/// `path` as `mknod` does.
#[doc(alias = "mkfifo")]
#[doc(alias = "mknod")]
#[doc(alias = "mknodat")]
pub fn make(dir: BorrowedFd<'_>, path: &CStr, mode: u32) -> Result<(), Errno> {
    sys::mknodat(dir, path, abi::S_IFIFO | (mode & 0o7777))
}

fn open(dir: BorrowedFd<'_>, path: &CStr, flags: i32) -> Result<Fifo, Errno> {
    // O_NOFOLLOW: a symbolic link at the path is ELOOP, never followed.
    let fd = sys::openat(dir, path, flags | abi::O_CLOEXEC | abi::O_NOFOLLOW, 0)?;
    crate::io::opened(&fd);
    // Not checked to be a FIFO (an `fstat` more per open): whoever controls the directory
    // controls what is there, and a wrong kind of file only makes the calls misbehave.
    Ok(Fifo(fd))
}

impl Fifo {
    /// `openat(dir, path, O_RDWR)`: the reading end for one who also keeps the FIFO writable, so
    /// that it never waits to open and its reads block for data instead of seeing end of
    /// file while no writer has the FIFO open. (Linux semantics; POSIX leaves O_RDWR on a
    /// FIFO undefined.) The end of the data must then be known another way: by count.
    #[doc(alias = "open")]
    pub fn open_reader(dir: BorrowedFd<'_>, path: &CStr) -> Result<Fifo, Errno> {
        open(dir, path, abi::O_RDWR)
    }

    /// `openat(dir, path, O_RDONLY | O_NONBLOCK)`: a reading end that never waits to open
    /// and sees end of file whenever no writer has the FIFO open — before the first one
    /// came, too; a reader that waits for one polls for `POLLIN` first (Linux reports no
    /// hang-up on a FIFO no writer has opened yet). Its reads do not block: EAGAIN while a
    /// writer has it open but has written nothing more.
    #[doc(alias = "open")]
    pub fn open_read_end(dir: BorrowedFd<'_>, path: &CStr) -> Result<Fifo, Errno> {
        open(dir, path, abi::O_RDONLY | abi::O_NONBLOCK)
    }

    /// `fstat(fd)`: whether what was opened is a FIFO — the opener's check before it
    /// writes, when another process may have put a regular file or a device at the path.
    #[doc(alias = "fstat")]
    pub fn is_fifo(&self) -> Result<bool, Errno> {
        let st = rustix::fs::fstat(&self.0)?;
        Ok(rustix::fs::FileType::from_raw_mode(st.st_mode) == rustix::fs::FileType::Fifo)
    }

    /// `openat(dir, path, O_WRONLY | O_NONBLOCK)`: a writing end, at once; ENXIO if nobody has
    /// the FIFO open for reading (a blocking open would wait for one forever). Writes
    /// through it do not block either ([`write`](Self::write)).
    #[doc(alias = "open")]
    pub fn open_writer(dir: BorrowedFd<'_>, path: &CStr) -> Result<Fifo, Errno> {
        open(dir, path, abi::O_WRONLY | abi::O_NONBLOCK)
    }

    /// `read(fd, buf, len)`: blocks until data comes (on an end from
    /// [`open_reader`](Self::open_reader)); EINTR if a signal handler interrupts the wait.
    pub fn read(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        Ok(rustix::io::read(&self.0, buf)?)
    }

    /// `ioctl(fd, FIONREAD)`: bytes waiting to be read.
    #[doc(alias = "FIONREAD")]
    pub fn pending(&self) -> Result<usize, Errno> {
        Ok(rustix::io::ioctl_fionread(&self.0)? as usize)
    }

    /// `ppoll` for `POLLOUT` on this end, for at most `within`: whether the pipe has room
    /// now, or no reader any more (false: the time passed with neither). EINTR if a signal
    /// handler interrupts the wait.
    #[doc(alias = "ppoll")]
    pub fn wait_for_room(&self, within: &abi::Timespec) -> Result<bool, Errno> {
        use rustix::fd::AsRawFd;
        let fd = self.0.as_raw_fd();
        let mut fds = [crate::io::PollFd { fd, events: crate::io::POLLOUT, revents: 0 }];
        Ok(crate::io::poll_within(&mut fds, within)? > 0)
    }

    /// `write(fd, msg, len)` on a non-blocking writing end: all of `msg` (at most
    /// `PIPE_BUF` bytes, so atomically) or, while the pipe has no room for all of it,
    /// nothing and EAGAIN; EPIPE once no reader has the FIFO open.
    pub fn write(&self, msg: &[u8]) -> Result<(), Errno> {
        if msg.len() > 4096 {
            return Err(Errno::EINVAL);
        }
        let n = rustix::io::write(&self.0, msg)?;
        // Atomic: whole or EAGAIN. Anything else is not a FIFO's behaviour.
        if n != msg.len() { Err(Errno::EIO) } else { Ok(()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustix::fs::CWD;

    /// A directory of the test's own, removed with all in it when dropped — when the test
    /// fails too.
    struct TestDir(std::path::PathBuf);

    impl core::ops::Deref for TestDir {
        type Target = std::path::Path;
        fn deref(&self) -> &std::path::Path {
            &self.0
        }
    }

    impl Drop for TestDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// A directory of the test's own and the FIFO's path in it.
    fn fifo_path(tag: &str) -> (TestDir, std::ffi::CString) {
        let dir = std::env::temp_dir().join(format!("bareipc-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = std::ffi::CString::new(dir.join("fifo").to_str().unwrap()).unwrap();
        (TestDir(dir), path)
    }

    #[test]
    fn writers_meet_the_reader_by_name_and_messages_stay_whole() {
        let (dir, path) = fifo_path("fifo-test");
        let (at, path) = (CWD, path.as_c_str());
        assert_eq!(Fifo::open_writer(at, path).err(), Some(Errno::ENOENT));
        make(at, path, 0o600).unwrap();
        assert_eq!(make(at, path, 0o600), Err(Errno::EEXIST));
        // Nobody reads yet: a non-blocking writer is refused at once.
        assert_eq!(Fifo::open_writer(at, path).err(), Some(Errno::ENXIO));
        let reader = Fifo::open_reader(at, path).unwrap();
        assert_eq!(reader.pending(), Ok(0));
        let a = Fifo::open_writer(at, path).unwrap();
        let b = Fifo::open_writer(at, path).unwrap();
        a.write(b"aaaaaaaaaaaaaaaa").unwrap();
        b.write(b"bbbbbbbbbbbbbbbb").unwrap();
        drop((a, b));
        assert_eq!(reader.pending(), Ok(32));
        let mut buf = [0u8; 16];
        assert_eq!(reader.read(&mut buf), Ok(16));
        assert_eq!(&buf, b"aaaaaaaaaaaaaaaa");
        assert_eq!(reader.read(&mut buf), Ok(16));
        assert_eq!(&buf, b"bbbbbbbbbbbbbbbb");
        // The reader gone, a writer's open is refused again.
        drop(reader);
        assert_eq!(Fifo::open_writer(at, path).err(), Some(Errno::ENXIO));
        drop(dir);
    }

    #[test]
    fn a_writer_waits_for_room_and_is_woken_by_a_read() {
        let (dir, path) = fifo_path("fifo-room");
        let (at, path) = (CWD, path.as_c_str());
        make(at, path, 0o600).unwrap();
        let reader = Fifo::open_reader(at, path).unwrap();
        let writer = Fifo::open_writer(at, path).unwrap();
        let slice = abi::Timespec { tv_sec: 0, tv_nsec: 20_000_000 };
        assert_eq!(writer.wait_for_room(&slice), Ok(true));
        let msg = [7u8; 24];
        let mut sent = 0;
        while writer.write(&msg) == Ok(()) {
            sent += 1;
        }
        assert!(sent >= 170, "{sent}");
        // Full: the wait takes its whole slice and says so.
        let started = std::time::Instant::now();
        assert_eq!(writer.wait_for_room(&slice), Ok(false));
        assert!(started.elapsed() >= std::time::Duration::from_millis(19));
        // ppoll writes the time left into its timeout: into a copy, never the caller's.
        assert_eq!(slice, abi::Timespec { tv_sec: 0, tv_nsec: 20_000_000 });
        // A reader takes a page's worth: a writer waiting for room wakes (and long before
        // its second-long slice ends).
        let waiter = std::thread::spawn(move || {
            let started = std::time::Instant::now();
            let woke = writer.wait_for_room(&abi::Timespec { tv_sec: 10, tv_nsec: 0 });
            (woke, started.elapsed(), writer.write(&msg))
        });
        std::thread::sleep(std::time::Duration::from_millis(50));
        let mut buf = [0u8; 4096];
        assert_eq!(reader.read(&mut buf), Ok(4096));
        let (woke, waited, wrote) = waiter.join().unwrap();
        assert_eq!((woke, wrote), (Ok(true), Ok(())));
        assert!(waited < std::time::Duration::from_secs(5), "{waited:?}");
        drop(dir);
    }

    #[test]
    fn a_read_end_sees_end_of_file_without_a_writer_and_checks_what_it_opened() {
        let (dir, path) = fifo_path("fifo-read-end");
        let (at, path) = (CWD, path.as_c_str());
        make(at, path, 0o600).unwrap();
        let r = Fifo::open_read_end(at, path).unwrap();
        assert_eq!(r.is_fifo(), Ok(true));
        let mut buf = [0u8; 8];
        // No writer yet: end of file at once, not a wait.
        assert_eq!(r.read(&mut buf), Ok(0));
        let w = Fifo::open_writer(at, path).unwrap();
        // A writer that has written nothing: no data yet, and no end either.
        assert_eq!(r.read(&mut buf), Err(Errno::EAGAIN));
        w.write(b"hi").unwrap();
        drop(w);
        assert_eq!(r.read(&mut buf), Ok(2));
        assert_eq!(r.read(&mut buf), Ok(0));
        // A regular file where the FIFO was expected opens, and says what it is.
        let file = std::ffi::CString::new(dir.join("plain").to_str().unwrap()).unwrap();
        std::fs::write(dir.join("plain"), b"x").unwrap();
        assert_eq!(Fifo::open_read_end(at, &file).unwrap().is_fifo(), Ok(false));
        drop(dir);
    }

    #[test]
    fn a_full_fifo_refuses_a_message_whole() {
        let (dir, path) = fifo_path("fifo-full");
        let (at, path) = (CWD, path.as_c_str());
        make(at, path, 0o600).unwrap();
        let reader = Fifo::open_reader(at, path).unwrap();
        let w = Fifo::open_writer(at, path).unwrap();
        let msg = [7u8; 3000];
        let mut sent = 0;
        let refused = loop {
            match w.write(&msg) {
                Ok(()) => sent += msg.len(),
                Err(e) => break e,
            }
        };
        assert_eq!(refused, Errno::EAGAIN);
        assert_eq!(reader.pending(), Ok(sent));
        drop(reader);
        assert_eq!(w.write(b"x"), Err(Errno::EPIPE));
        drop(dir);
    }
}
