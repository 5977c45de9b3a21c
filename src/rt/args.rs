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
