//! The process's arguments as the kernel lays them out for a libc-free program.

/// The process's arguments after `argv[0]`, as byte strings.
#[derive(Clone, Debug)]
pub struct Args {
    argv: *const *const u8,
    left: usize,
}

impl Args {
    /// The arguments `argv[1..argc]`.
    ///
    /// # Safety
    /// `argv` must point to `argc` pointers to NUL-terminated strings that stay valid and
    /// unchanged for the rest of the process (as the kernel lays them out on the initial
    /// stack).
    pub unsafe fn from_raw(argc: usize, argv: *const *const u8) -> Args {
        if argc == 0 {
            return Args { argv, left: 0 };
        }
        // SAFETY: argc >= 1, so argv[1] is within the array (it may be the NULL after it).
        Args { argv: unsafe { argv.add(1) }, left: argc - 1 }
    }
}

impl Iterator for Args {
    type Item = &'static [u8];

    fn next(&mut self) -> Option<&'static [u8]> {
        if self.left == 0 {
            return None;
        }
        // SAFETY: `from_raw`'s contract: `left` more valid string pointers remain at argv.
        let arg = unsafe {
            let p = *self.argv;
            self.argv = self.argv.add(1);
            core::ffi::CStr::from_ptr(p as *const core::ffi::c_char).to_bytes()
        };
        self.left -= 1;
        Some(arg)
    }
}

/// The process's environment as the kernel laid it out: `NAME=value` strings after argv.
#[derive(Clone, Copy, Debug)]
pub struct Env {
    envp: *const *const u8,
}

impl Env {
    /// The environment whose NULL-terminated array of string pointers starts at `envp`.
    ///
    /// # Safety
    /// `envp` must point to a NULL-terminated array of pointers to NUL-terminated strings
    /// that stay valid and unchanged for the rest of the process (as the kernel lays them
    /// out on the initial stack).
    pub unsafe fn from_raw(envp: *const *const u8) -> Env {
        Env { envp }
    }

    /// The value of the variable `name`, if it is set (the first, if several are).
    pub fn get(&self, name: &[u8]) -> Option<&'static core::ffi::CStr> {
        let mut p = self.envp;
        loop {
            // SAFETY: `from_raw`'s contract: every pointer up to the NULL is a valid string.
            let entry = unsafe {
                if (*p).is_null() {
                    return None;
                }
                let s = core::ffi::CStr::from_ptr(*p as *const core::ffi::c_char);
                p = p.add(1);
                s
            };
            let bytes = entry.to_bytes_with_nul();
            if bytes.starts_with(name) && bytes.get(name.len()) == Some(&b'=') {
                // SAFETY: what follows `NAME=` is the rest of a C string, NUL included.
                return Some(unsafe {
                    core::ffi::CStr::from_bytes_with_nul_unchecked(&bytes[name.len() + 1..])
                });
            }
        }
    }
}
