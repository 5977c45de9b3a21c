//! A run's one named file (a FIFO, a socket file), made where temporary files go under a
//! name no one else can take or guess, and removed by that name.
//!
//! Objects met *by path* — a FIFO, an AF_UNIX socket bound to a file name — need a
//! directory others can reach. The run enters it (`chdir`) and makes its file there with a
//! call that never follows or reuses anything already at the name (`mknod`, `bind`: EEXIST,
//! EADDRINUSE), mode 0600, so that no other user may open or connect to it, under a name
//! no one can take first: `bareipc-TAG-PID-RANDOM`. In a sticky directory such as `/tmp`,
//! nobody else can remove or rename it either.
//!
//! **Where**: `$TMPDIR` when it is set and not empty, else `/tmp` — the rule of
//! `mkstemp(3)` users and of every Unix tool — else, where there is no `/tmp` (a FROM
//! scratch container), `/dev/shm` ([`temp_base`]). The name holds the creator's pid (so
//! that `bareipc clean` knows a dead run's file) and 64 random bits, so runs of different
//! PID namespaces sharing the directory never collide, and no leftover, squatter or dead
//! run is ever in the way.
//!
//! **Why enter it**: from then on the file's path is its bare name, whatever TMPDIR's
//! length — a socket's path holds at most 107 bytes — and every process forked afterwards
//! shares the working directory, so a worker finds the file by the same short path, and
//! so does an orphaned worker that removes it ([`supervise::will`](crate::process::supervise::will)).
//! Changing the working directory is a process-wide act: this is for programs that use no
//! other relative path.
//!
//! References: [chdir(2)](https://man7.org/linux/man-pages/man2/chdir.2.html),
//! [unlink(2)](https://man7.org/linux/man-pages/man2/unlink.2.html)

use crate::errno::{CallError, Context, Errno};
use crate::sys;
use core::ffi::CStr;
use rustix::fs::CWD;

/// Bytes of `bareipc-TAG-ID-RANDOM` and its NUL: a tag of at most 8 bytes, an id and a
/// random number of at most 20 digits each.
const NAME: usize = 8 + 8 + 1 + 20 + 1 + 20 + 1;

/// The name of a run's file in the working directory, which [`RunFile::enter`] made the
/// directory where temporary files go. Nothing is removed on drop:
/// [`remove`](Self::remove) does, once the run is over (its will), and may run in several
/// processes. `Copy`, as the name it holds.
#[derive(Clone, Copy, Debug)]
pub struct RunFile {
    name: [u8; NAME],
}

/// Where temporary files go: `tmpdir` (the value of `TMPDIR`) when it is set and not
/// empty, else `/tmp` where it exists (`access`), else `/dev/shm` (a FROM scratch
/// container has no `/tmp`, and a `--read-only` one no other writable directory).
pub fn temp_base(tmpdir: Option<&CStr>) -> &CStr {
    match tmpdir.filter(|t| !t.is_empty()) {
        Some(dir) => dir,
        None if rustix::fs::access(c"/tmp", rustix::fs::Access::EXISTS).is_ok() => c"/tmp",
        None => c"/dev/shm",
    }
}

impl RunFile {
    /// `chdir(base)`, and the name `bareipc-TAG-ID-RANDOM` for a file there: `tag` (at
    /// most 8 bytes: the name holds 55, and is cut there), `id` and a random 64-bit number
    /// (`getrandom`) in decimal. The caller makes the file, with a call that fails if
    /// anything is at the name. Fails naming `chdir` (the base is missing, not a
    /// directory, not searchable) or `getrandom`.
    #[doc(alias = "chdir")]
    pub fn enter(base: &CStr, tag: &str, id: u64) -> Result<RunFile, CallError> {
        rustix::process::chdir(base).call("chdir")?;
        let random = crate::ipc::name::random_u64().call("getrandom")?;
        let mut l = crate::fmt::Line::new();
        l.str("bareipc-").str(tag).str("-").u64(id).str("-").u64(random);
        let mut file = RunFile { name: [0; NAME] };
        // (A loop rather than `copy_from_slice`, whose length check would bring core's
        // number formatting into a binary: the lengths fit, NAME counts them.)
        for (to, &from) in file.name[..NAME - 1].iter_mut().zip(l.as_bytes()) {
            *to = from;
        }
        Ok(file)
    }

    /// The file's name, in the working directory.
    pub fn name(&self) -> &CStr {
        // SAFETY: `enter` wrote NUL-free parts into all but the last byte, which is 0.
        unsafe { CStr::from_ptr(self.name.as_ptr().cast()) }
    }

    /// `unlink(name)`, relative to the working directory (the directory the file was made
    /// in, in the process that entered it and in its children): a file already gone is
    /// not an error, so it may run more than once, in several processes. Fails naming
    /// `unlink`.
    #[doc(alias = "unlink")]
    pub fn remove(&self) -> Result<(), CallError> {
        match sys::unlinkat(CWD, self.name(), 0) {
            Err(Errno::ENOENT) => Ok(()),
            done => done.call("unlink"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `f` in a child process, whose working directory it may change; its result
    /// comes back as the child's exit status.
    fn in_child(f: impl FnOnce() -> bool) -> bool {
        let _serial = crate::serial_forks();
        // SAFETY: the child makes system calls and exits without returning into the
        // harness.
        match unsafe { libc::fork() } {
            0 => {
                let ok = f();
                // SAFETY: ends the child at once.
                unsafe { libc::_exit(if ok { 0 } else { 1 }) }
            }
            pid => {
                let mut status = 0;
                // SAFETY: our own child.
                assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
                status == 0
            }
        }
    }

    #[test]
    fn a_run_file_has_a_unique_name_in_the_directory_entered() {
        let base = std::env::temp_dir().join(format!("bareipc-dir-a-{}", std::process::id()));
        std::fs::create_dir_all(&base).unwrap();
        let b = base.clone();
        assert!(in_child(move || {
            let bc = std::ffi::CString::new(b.to_str().unwrap()).unwrap();
            let f = RunFile::enter(&bc, "run", 7).unwrap();
            let g = RunFile::enter(&bc, "run", 7).unwrap();
            let name = f.name().to_str().unwrap().to_owned();
            std::fs::write(&name, b"x").unwrap();
            let ok = name.starts_with("bareipc-run-7-")
                && name[14..].parse::<u64>().is_ok()
                && f.name() != g.name()
                && std::env::current_dir().unwrap() == b
                && std::fs::read(b.join(&name)).unwrap() == b"x";
            // Removed, and again: already gone is fine.
            ok && f.remove().is_ok() && f.remove().is_ok() && g.remove().is_ok()
        }));
        assert_eq!(std::fs::read_dir(&base).unwrap().count(), 0);
        std::fs::remove_dir(&base).unwrap();
    }

    #[test]
    fn temporary_files_go_to_tmpdir_unless_it_is_unset_or_empty() {
        assert_eq!(temp_base(Some(c"/run/x")), c"/run/x");
        assert_eq!(temp_base(Some(c"")), c"/tmp");
        assert_eq!(temp_base(None), c"/tmp");
    }

    #[test]
    fn tmpdir_is_taken_as_given_and_long_tags_are_cut() {
        assert!(in_child(|| {
            let e = RunFile::enter(c"/nonexistent-bareipc", "x", 1).unwrap_err();
            let long = RunFile::enter(c"/tmp", &"t".repeat(60), 1).unwrap();
            let file = RunFile::enter(c"/dev/null", "x", 1).unwrap_err();
            (e.call, e.errno) == ("chdir", Errno::ENOENT)
                && long.name().to_bytes().len() == NAME - 1
                && (file.call, file.errno) == ("chdir", Errno::ENOTDIR)
        }));
        // A TMPDIR of any length is fine: the file's path is its bare name.
        let base = std::env::temp_dir().join(format!("bareipc-dir-c-{}", std::process::id()));
        let deep = base.join("d".repeat(200)).join("e".repeat(200)).join("f".repeat(200));
        std::fs::create_dir_all(&deep).unwrap();
        let d2 = deep.clone();
        assert!(in_child(move || {
            let dc = std::ffi::CString::new(d2.to_str().unwrap()).unwrap();
            let f = RunFile::enter(&dc, "x", 1).unwrap();
            let made = crate::ipc::fifo::make(CWD, f.name(), 0o600).is_ok();
            let there = std::fs::read_dir(&d2).unwrap().count() == 1;
            made && there && f.remove().is_ok()
        }));
        assert_eq!(std::fs::read_dir(&deep).unwrap().count(), 0);
        std::fs::remove_dir_all(&base).unwrap();
    }
}
