//! The binary's memory allocator: a run of aks-id makes a few thousand small allocations (the
//! built-in catalog, clap's command, the output) and exits, and the C allocator spent a fifth of
//! such a run carving them out of a fresh heap. Here the first allocations are bumped out of one
//! static block (zero pages, touched only as used); only the last piece handed out is given back
//! or grown in place. Past the block, and for anything large, the system allocator takes over, so
//! a long run over big inputs behaves as before.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The block's size: several times what a run on the built-in catalog allocates in all.
const BLOCK_BYTES: usize = 4 << 20;

/// Larger allocations go to the system allocator: they are rare, and it can give them back.
const MAX_BUMPED: usize = 64 << 10;

#[repr(C, align(4096))]
struct Block(UnsafeCell<[u8; BLOCK_BYTES]>);

// SAFETY: the block is only ever handed out in disjoint pieces, each reserved by an atomic
// compare-and-swap of `USED`.
unsafe impl Sync for Block {}

static BLOCK: Block = Block(UnsafeCell::new([0; BLOCK_BYTES]));

/// Bytes of the block handed out so far.
static USED: AtomicUsize = AtomicUsize::new(0);

/// The allocator. `main.rs` installs it with `#[global_allocator]`; the library and its tests
/// keep the system allocator.
pub struct StartupAlloc;

fn base() -> usize {
    BLOCK.0.get() as usize
}

fn in_block(ptr: *mut u8) -> bool {
    let p = ptr as usize;
    p >= base() && p < base() + BLOCK_BYTES
}

/// Reserves `layout` in the block, or `None` when it is too large or the block is used up.
fn bump(layout: Layout) -> Option<*mut u8> {
    if layout.size() > MAX_BUMPED {
        return None;
    }
    let base = base();
    let mut used = USED.load(Ordering::Relaxed);
    loop {
        // Alignments are powers of two, and the block is aligned to a page.
        let start = (base + used).checked_add(layout.align() - 1)? & !(layout.align() - 1);
        let end = start.checked_add(layout.size())?;
        if end > base + BLOCK_BYTES {
            return None;
        }
        match USED.compare_exchange_weak(used, end - base, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return Some(start as *mut u8),
            Err(now) => used = now,
        }
    }
}

// SAFETY: every pointer returned is either a fresh, disjoint, suitably aligned piece of the
// block that is never handed out again, or comes from `System`; pointers are given back to
// `System` only when they came from it.
unsafe impl GlobalAlloc for StartupAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match bump(layout) {
            Some(ptr) => ptr,
            // SAFETY: the caller's contract for `layout` is passed on unchanged.
            None => unsafe { System.alloc(layout) },
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match bump(layout) {
            Some(ptr) => {
                // A piece given back may have been written to: zeroed here, not assumed.
                // SAFETY: the piece is `layout.size()` bytes, reserved for this caller alone.
                unsafe { std::ptr::write_bytes(ptr, 0, layout.size()) };
                ptr
            }
            // SAFETY: as for `alloc`.
            None => unsafe { System.alloc_zeroed(layout) },
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if !in_block(ptr) {
            // SAFETY: not in the block, so `System` allocated it, with this layout.
            return unsafe { System.dealloc(ptr, layout) };
        }
        // The last piece handed out is taken back (temporaries often go first in, first out);
        // any other piece of the block is not reused: the run is short, and the block bounded.
        let start = ptr as usize - base();
        let _ = USED.compare_exchange(
            start + layout.size(),
            start,
            Ordering::Relaxed,
            Ordering::Relaxed,
        );
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !in_block(ptr) {
            // SAFETY: `System` allocated it, with this layout.
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        // The last piece handed out grows or shrinks in place, as a growing `Vec` or `String` is.
        let start = ptr as usize - base();
        if start + new_size <= BLOCK_BYTES
            && new_size <= MAX_BUMPED
            && USED
                .compare_exchange(
                    start + layout.size(),
                    start + new_size,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_ok()
        {
            return ptr;
        }
        // SAFETY: the caller guarantees that `new_size` with this alignment is a valid layout.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: as for `alloc`.
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both pieces are valid for the smaller size and do not overlap: the new
            // one was reserved after the old one.
            unsafe { std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size)) };
        }
        new
    }
}
