//! Keeping the heap small: handing freed memory back to the system after a burst of
//! allocations (a server's connections, the dashboard's cache read or written), and
//! fewer arenas for a process whose threads pass data to each other. glibc keeps what
//! was freed in each arena for reuse, where it counts as resident as long as it runs.

/// Returns the free pages of every arena to the kernel.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn trim() {
    // SAFETY: malloc_trim only returns free pages to the kernel.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn trim() {}

/// Lets the threads started from now on share at most `arenas` arenas, unless the user
/// chose a number (`MALLOC_ARENA_MAX`).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn limit_arenas(arenas: i32) {
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only changes the allocator's tuning.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn limit_arenas(_arenas: i32) {}
