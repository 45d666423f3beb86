//! Counting allocations, for the "no allocation inside a timed step" tests.
//!
//! A test binary installs [`CountingAllocator`] as its global allocator; then
//! [`allocations_in`] counts the allocations (and reallocations) that the calling thread
//! makes inside a closure. Other threads (the test harness, rayon workers) do not count, so
//! tests run single-threaded kernels.
//!
//! ```ignore
//! use ratebench_core::alloc_count::{allocations_in, CountingAllocator};
//! #[global_allocator]
//! static GLOBAL: CountingAllocator = CountingAllocator;
//! assert!(allocations_in(|| drop(std::hint::black_box(vec![1u8; 64]))) > 0);
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    static MEASURING: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

/// The system allocator, counting the measuring thread's allocations.
pub struct CountingAllocator;

fn count() {
    // `try_with`: the thread-locals may be gone while a thread shuts down.
    let _ = MEASURING.try_with(|m| {
        if m.get() {
            let _ = COUNT.try_with(|c| c.set(c.get() + 1));
        }
    });
}

// SAFETY: every call is forwarded unchanged to `System`.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new) }
    }
}

/// The allocations the calling thread makes while `f` runs (0 unless the binary's global
/// allocator is [`CountingAllocator`]).
pub fn allocations_in(f: impl FnOnce()) -> usize {
    let before = COUNT.with(Cell::get);
    MEASURING.with(|m| m.set(true));
    f();
    MEASURING.with(|m| m.set(false));
    COUNT.with(Cell::get) - before
}
