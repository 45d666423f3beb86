//! Runtime CPU-feature dispatch for the vectorized kernels.
//!
//! Each kernel is written once as plain Rust over slices (fixed-width lane arrays, explicit
//! `mul_add`) and compiled three times by the crate-private `multiversion!` macro: inside
//! `#[target_feature(enable = "avx512f,avx512dq,avx2,fma")]`, inside
//! `#[target_feature(enable = "avx2,fma")]`, and without target features (the portable
//! fallback, which on x86-64 without FMA hardware calls a software `fma`). LLVM vectorizes
//! the first two. The arithmetic is the same IEEE sequence in all three (no fast-math, no
//! reassociation: lane sums are reduced in a fixed order), so **results are bit-identical
//! whichever version runs**.

use std::sync::OnceLock;

/// The instruction-set level selected at run time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isa {
    /// x86-64 with AVX-512F/DQ (8 doubles per register).
    Avx512,
    /// x86-64 with AVX2 and FMA (4 doubles per register).
    Avx2,
    /// Anything else: the portable build of the same code.
    Portable,
}

impl Isa {
    /// A short name for result manifests and bench labels.
    pub fn name(self) -> &'static str {
        match self {
            Isa::Avx512 => "avx512",
            Isa::Avx2 => "avx2+fma",
            Isa::Portable => "portable",
        }
    }
}

/// The level of this CPU (detected once). `RATEBENCH_SIMD=portable|avx2` lowers it, for
/// testing the fallbacks.
pub fn isa() -> Isa {
    static LEVEL: OnceLock<Isa> = OnceLock::new();
    *LEVEL.get_or_init(|| {
        let cap = std::env::var("RATEBENCH_SIMD").unwrap_or_default();
        let detected = detect();
        match (cap.as_str(), detected) {
            ("portable", _) => Isa::Portable,
            ("avx2", Isa::Avx512) => Isa::Avx2,
            _ => detected,
        }
    })
}

#[cfg(target_arch = "x86_64")]
fn detect() -> Isa {
    if is_x86_feature_detected!("avx512f")
        && is_x86_feature_detected!("avx512dq")
        && is_x86_feature_detected!("avx2")
        && is_x86_feature_detected!("fma")
    {
        Isa::Avx512
    } else if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
        Isa::Avx2
    } else {
        Isa::Portable
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn detect() -> Isa {
    Isa::Portable
}

/// Defines `fn name(args) -> ret` whose body is compiled for each [`Isa`] and dispatched
/// at run time. The body must not capture generics.
macro_rules! multiversion {
    ($(#[$meta:meta])* $vis:vis fn $name:ident($($arg:ident : $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block) => {
        $(#[$meta])*
        $vis fn $name($($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            fn body($($arg: $ty),*) $(-> $ret)? $body
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f,avx512dq,avx2,fma")]
            unsafe fn v4($($arg: $ty),*) $(-> $ret)? { body($($arg),*) }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            unsafe fn v3($($arg: $ty),*) $(-> $ret)? { body($($arg),*) }
            match $crate::simd::isa() {
                // SAFETY: `isa()` returns these levels only when the CPU has the features.
                #[cfg(target_arch = "x86_64")]
                $crate::simd::Isa::Avx512 => unsafe { v4($($arg),*) },
                #[cfg(target_arch = "x86_64")]
                $crate::simd::Isa::Avx2 => unsafe { v3($($arg),*) },
                _ => body($($arg),*),
            }
        }
    };
}
pub(crate) use multiversion;
