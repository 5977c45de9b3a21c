//! A named semaphore shared with glibc: bareipc creates it without any libc; a forked
//! child opens it with glibc's `sem_open` and posts it with `sem_post`; the parent takes
//! the posts with bareipc's `wait`, and glibc's `sem_getvalue` reads the value back.
//!
//! `cargo run --features std --example sem-glibc`

use bareipc::errno::{CallError, Errno};
use bareipc::ipc::name::Name;
use bareipc::ipc::sem::{self, NamedSemaphore};
use bareipc::process::{SingleThreaded, Workers};
use std::ffi::CString;

const POSTS: usize = 3;

/// Removes the semaphore's name however `main` ends.
struct Unlink(Name);

impl Drop for Unlink {
    fn drop(&mut self) {
        let _ = sem::unlink(&self.0);
    }
}

/// glibc's value of the semaphore called `name` (opened and closed again).
fn glibc_value(name: &CString) -> Result<i32, CallError> {
    // SAFETY: a NUL-terminated name, no O_CREAT: sem_open takes no more arguments.
    let theirs = unsafe { libc::sem_open(name.as_ptr(), 0) };
    if theirs == libc::SEM_FAILED {
        return Err(CallError { call: "sem_open", errno: last_errno() });
    }
    let mut value = 0;
    // SAFETY: `theirs` came from sem_open and is closed once, after this.
    unsafe {
        libc::sem_getvalue(theirs, &mut value);
        libc::sem_close(theirs);
    }
    Ok(value)
}

fn last_errno() -> Errno {
    Errno::from_raw(std::io::Error::last_os_error().raw_os_error().unwrap_or(0))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // SAFETY: this program's main thread is its only thread, and it starts no other.
    let single = unsafe { SingleThreaded::assume() };
    let name = Name::unique("example")?;
    let cname = CString::new(name.as_bytes())?;
    // SAFETY: neither this program nor glibc's semaphore calls truncate the file.
    let ours = unsafe { NamedSemaphore::create(&name, 0o600, 0) }?;
    let _unlink = Unlink(name);

    let mut workers = Workers::new(&single);
    workers.spawn(&single, || {
        // SAFETY: as in glibc_value; the child only posts, then exits.
        let theirs = unsafe { libc::sem_open(cname.as_ptr(), 0) };
        if theirs == libc::SEM_FAILED {
            return Err(CallError { call: "sem_open", errno: last_errno() });
        }
        for _ in 0..POSTS {
            // SAFETY: a semaphore from sem_open.
            if unsafe { libc::sem_post(theirs) } != 0 {
                return Err(CallError { call: "sem_post", errno: last_errno() });
            }
        }
        Ok(())
    })?;
    workers.reap_all()?;
    println!("glibc posted {POSTS} times; glibc's sem_getvalue: {}", glibc_value(&cname)?);
    for _ in 0..POSTS {
        ours.wait()?;
    }
    println!("bareipc took {POSTS}; its value: {}", ours.value());
    ours.post()?;
    println!("bareipc posted once; glibc's sem_getvalue: {}", glibc_value(&cname)?);
    Ok(())
}
