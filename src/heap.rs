//! Handing freed memory back to the system after a burst of allocations (a server's
//! connections, the dashboard's cache read or written): glibc keeps what was freed in
//! each thread's arena for reuse, where it counts as resident for as long as it runs.

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
