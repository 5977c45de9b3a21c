//! [`Setting`]: a process-wide value that is set, rather than computed, and read from
//! anywhere — the program's name, its error tables, the run's lifeline. One safe type for
//! all of them, so no global of the crate needs `unsafe` to read.

use core::marker::PhantomData;
use core::sync::atomic::{AtomicPtr, Ordering};

/// A `&'static T` that any code may set (the last set wins) and read, or nothing yet. A
/// function pointer is set through a `static` holding it. Reads and writes are atomic
/// (Release and Acquire), so a value set by one thread is seen whole by another.
#[derive(Debug)]
pub struct Setting<T: 'static> {
    value: AtomicPtr<T>,
    /// Hands out `&'static T` to any thread: `Sync` only where `T` is.
    _shared: PhantomData<&'static T>,
}

impl<T: 'static> Setting<T> {
    /// Nothing set yet.
    pub const fn new() -> Setting<T> {
        Setting { value: AtomicPtr::new(core::ptr::null_mut()), _shared: PhantomData }
    }

    /// Sets it to `value`.
    pub fn set(&self, value: &'static T) {
        self.value.store(value as *const T as *mut T, Ordering::Release);
    }

    /// What was set last, if anything was.
    pub fn get(&self) -> Option<&'static T> {
        // SAFETY: the only values ever stored are `&'static T` (`set`), valid for ever
        // and shared, never mutable: a shared reference to one is sound.
        unsafe { self.value.load(Ordering::Acquire).as_ref() }
    }
}

impl<T: 'static> Default for Setting<T> {
    fn default() -> Setting<T> {
        Setting::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_value_set_is_read() {
        static NAME: Setting<&str> = Setting::new();
        assert_eq!(NAME.get(), None);
        NAME.set(&"first");
        NAME.set(&"second");
        assert_eq!(NAME.get(), Some(&"second"));
        static HOOK: Setting<fn() -> u8> = Setting::new();
        static SEVEN: fn() -> u8 = || 7;
        HOOK.set(&SEVEN);
        assert_eq!(HOOK.get().map(|f| f()), Some(7));
    }
}
