//! Unix-domain stream socket pairs: two connected endpoints, each readable and writable —
//! a full-duplex pipe. Each direction has its own kernel buffer; closing one end makes
//! reads at the other return end of file. And the address of a Unix-domain socket
//! ([`UnixAddr`]), which [`seqpacket`](super::seqpacket) and [`dgram`](super::dgram) bind,
//! connect and send to.

use crate::errno::Errno;
use crate::io;
use core::ffi::CStr;
use rustix::fd::OwnedFd;
use rustix::net::{AddressFamily, SocketFlags, SocketType};

/// The address of an AF_UNIX socket, laid out as the kernel's `struct sockaddr_un`
/// (`sun_family`, then 108 bytes of `sun_path`) with its length: a file's path, or a name
/// in Linux's abstract namespace. Built once, handed to `bind`, `connect` and `sendto`
/// as it is — no copy, no conversion per call.
#[derive(Clone, Copy, Debug)]
#[repr(C)]
pub struct UnixAddr {
    family: u16,
    path: [u8; UnixAddr::PATH],
    /// Bytes of `path` in use (at most 108).
    len: usize,
}

static_assertions::const_assert_eq!(core::mem::offset_of!(UnixAddr, path), 2);
static_assertions::const_assert!(core::mem::offset_of!(UnixAddr, len) >= 2 + UnixAddr::PATH);

impl UnixAddr {
    /// Bytes of `sun_path`.
    const PATH: usize = 108;

    fn empty() -> UnixAddr {
        UnixAddr { family: AddressFamily::UNIX.as_raw(), path: [0; UnixAddr::PATH], len: 0 }
    }

    /// Appends `bytes`; ENAMETOOLONG if `sun_path` cannot hold them.
    fn push(&mut self, bytes: &[u8]) -> Result<(), Errno> {
        let end = self.len + bytes.len();
        let room = self.path.get_mut(self.len..end).ok_or(Errno::ENAMETOOLONG)?;
        // A loop rather than `copy_from_slice`, whose length check (which cannot fail
        // here) would bring core's number formatting into some binaries.
        for (to, &from) in room.iter_mut().zip(bytes) {
            *to = from;
        }
        self.len = end;
        Ok(())
    }

    /// The file path made of `parts` one after the other (`[dir, c"/", c"socket"]`), and
    /// its NUL. ENAMETOOLONG past 107 bytes, the most `sun_path` holds with the NUL;
    /// ENOENT for an empty path (as `open("")`: an address of no path at all would
    /// make `bind` pick an abstract name).
    pub fn path(parts: &[&CStr]) -> Result<UnixAddr, Errno> {
        let mut addr = UnixAddr::empty();
        for part in parts {
            addr.push(part.to_bytes())?;
        }
        match addr.len {
            0 => Err(Errno::ENOENT),
            // The NUL, which `empty` already wrote.
            _ => addr.push(&[0]).map(|()| addr),
        }
    }

    /// The address's bytes, as `bind`, `connect` and `sendto` take them: the family and
    /// the part of `sun_path` in use.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        // SAFETY: this `repr(C)` struct begins with a u16 and 108 bytes, no padding
        // between (asserted above): its first 2 + len <= 110 bytes are initialised.
        unsafe { core::slice::from_raw_parts((self as *const UnixAddr).cast(), 2 + self.len) }
    }

    /// The abstract name `\0name` (at most 107 bytes, any bytes): no file, scoped by the
    /// network namespace (see [`dgram`](super::dgram)). ENAMETOOLONG past 107 bytes.
    pub fn abstract_name(name: &[u8]) -> Result<UnixAddr, Errno> {
        let mut addr = UnixAddr::empty();
        addr.push(&[0])?;
        addr.push(name)?;
        Ok(addr)
    }
}

/// One end of a connected `AF_UNIX` stream socket pair; closed on drop.
#[derive(Debug)]
pub struct Stream(OwnedFd);

fd_handle!(Stream);

/// `socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds)`—creates two connected stream
/// sockets.
///
/// References: [socketpair(2)](https://man7.org/linux/man-pages/man2/socketpair.2.html),
/// [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
#[doc(alias = "socketpair")]
pub fn stream_pair() -> Result<(Stream, Stream), Errno> {
    let (a, b) = rustix::net::socketpair(
        AddressFamily::UNIX,
        SocketType::STREAM,
        SocketFlags::CLOEXEC,
        None,
    )?;
    crate::io::opened(&a);
    crate::io::opened(&b);
    Ok((Stream(a), Stream(b)))
}

impl Stream {
    /// Reads until `buf` is full or the other end is closed; returns the bytes read.
    pub fn read_full(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        io::read_full(&self.0, buf)
    }

    /// Writes all of `buf` to the other end.
    pub fn write_all(&self, buf: &[u8]) -> Result<(), Errno> {
        io::write_all(&self.0, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_addresses_are_sockaddr_un_with_a_length() {
        assert_eq!(core::mem::offset_of!(libc::sockaddr_un, sun_path), 2);
        assert_eq!(core::mem::size_of::<libc::sockaddr_un>(), 2 + UnixAddr::PATH);
        let a = UnixAddr::path(&[c"/tmp", c"/", c"socket"]).unwrap();
        assert_eq!(a.family as i32, libc::AF_UNIX);
        assert_eq!(&a.path[..a.len], b"/tmp/socket\0");
        assert_eq!(a.as_bytes()[..2], (libc::AF_UNIX as u16).to_ne_bytes());
        assert_eq!(&a.as_bytes()[2..], b"/tmp/socket\0");
        let b = UnixAddr::abstract_name(b"name").unwrap();
        assert_eq!(&b.path[..b.len], b"\0name");
        // 107 bytes and the NUL fit; 108 do not.
        let long = std::ffi::CString::new([b'x'; 107]).unwrap();
        assert_eq!(UnixAddr::path(&[&long]).unwrap().len, 108);
        assert_eq!(UnixAddr::path(&[&long, c"y"]).unwrap_err(), Errno::ENAMETOOLONG);
        assert_eq!(UnixAddr::abstract_name(&[b'x'; 107]).unwrap().len, 108);
        assert_eq!(UnixAddr::abstract_name(&[b'x'; 108]).unwrap_err(), Errno::ENAMETOOLONG);
        assert_eq!(UnixAddr::path(&[c""]).unwrap_err(), Errno::ENOENT);
    }

    #[test]
    fn both_directions_carry_data_independently() {
        let (a, b) = stream_pair().unwrap();
        a.write_all(b"ping").unwrap();
        b.write_all(b"pong!").unwrap();
        let mut buf = [0u8; 5];
        assert_eq!(b.read_full(&mut buf[..4]).unwrap(), 4);
        assert_eq!(&buf[..4], b"ping");
        assert_eq!(a.read_full(&mut buf).unwrap(), 5);
        assert_eq!(&buf, b"pong!");
        drop(b);
        assert_eq!(a.read_full(&mut buf).unwrap(), 0);
    }
}
