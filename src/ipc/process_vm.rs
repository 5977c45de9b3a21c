//! Reading another process's memory: `process_vm_readv`. No channel at all — the reader
//! copies bytes straight out of the other process's address space, one system call, no
//! buffer in between.
//!
//! Who may: the kernel checks the same permission as for attaching a debugger
//! (`PTRACE_MODE_ATTACH_REALCREDS`): the reader's real user and group ids must match the
//! target's and the target must be dumpable, or the reader must hold `CAP_SYS_PTRACE`
//! over the target's user namespace. The Yama security module tightens this with
//! `kernel.yama.ptrace_scope`: 0 classic, 1 (the usual default) only a descendant of the
//! reader, 2 only with `CAP_SYS_PTRACE`, 3 nobody. A seccomp filter may refuse the call
//! outright (ENOSYS or EPERM, as the profile says). Refused, the call fails with EPERM;
//! an address not mapped in the target is EFAULT; a pid that is gone, ESRCH.
//!
//! References: [process_vm_readv(2)](https://man7.org/linux/man-pages/man2/process_vm_readv.2.html),
//! [ptrace(2)](https://man7.org/linux/man-pages/man2/ptrace.2.html) ("Ptrace access mode
//! checking")

use crate::errno::Errno;

/// `process_vm_readv(pid, [buf], 1, [{remote, buf.len()}], 1, 0)`: copies `buf.len()`
/// bytes at address `remote` in process `pid` into `buf`; returns how many were copied
/// (fewer only if the range ends in unmapped memory). Safe: whatever `remote` is, the
/// kernel checks it in the other process and writes nothing here but `buf`.
#[doc(alias = "process_vm_readv")]
pub fn read(pid: i32, remote: usize, buf: &mut [u8]) -> Result<usize, Errno> {
    crate::sys::process_vm_read(pid, remote, buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_reads_itself_and_unmapped_memory_is_efault() {
        static VALUE: [u8; 8] = *b"bareipc!";
        let me = std::process::id() as i32;
        let mut buf = [0u8; 8];
        assert_eq!(read(me, VALUE.as_ptr() as usize, &mut buf), Ok(8));
        assert_eq!(&buf, b"bareipc!");
        assert_eq!(read(me, 8, &mut buf), Err(Errno::EFAULT));
    }
}
