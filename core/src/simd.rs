//! Runtime instruction-set dispatch for hand-written vector kernels.
//!
//! A kernel is written once as plain Rust over slices and fixed-width lane arrays
//! (`[f64; LANES]`, explicit `mul_add`), and [`multiversion!`](crate::multiversion) compiles
//! it three times: with `avx512f` (8 doubles per register), with `avx2,fma`, and without
//! target features (the portable fallback). LLVM vectorizes the first two. The arithmetic is
//! the same IEEE sequence in all three (no fast-math, no reassociation; lane sums combined in
//! a fixed order by [`combine`]), so results are bit-identical whichever version runs.
//! `RATEBENCH_SIMD=portable|avx2` lowers the level, for testing the fallbacks.

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
    /// A short name for manifests and bench labels.
    pub fn name(self) -> &'static str {
        match self {
            Isa::Avx512 => "avx512",
            Isa::Avx2 => "avx2+fma",
            Isa::Portable => "portable",
        }
    }
}

/// The level of this CPU, detected once (and lowered by `RATEBENCH_SIMD`).
pub fn isa() -> Isa {
    static LEVEL: OnceLock<Isa> = OnceLock::new();
    *LEVEL.get_or_init(|| {
        let cap = std::env::var("RATEBENCH_SIMD").unwrap_or_default();
        match (cap.as_str(), detect()) {
            ("portable", _) => Isa::Portable,
            ("avx2", Isa::Avx512) => Isa::Avx2,
            (_, detected) => detected,
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

/// Lanes of the fixed-order reductions.
pub const LANES: usize = 8;

/// The lanes of a reduction combined pairwise in a fixed order.
#[inline(always)]
pub fn combine(acc: &[f64; LANES]) -> f64 {
    ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]))
}

/// Defines `fn name(args) -> ret` whose body is compiled for each [`Isa`] and dispatched at
/// run time. The body must not use generic parameters of an enclosing item.
#[macro_export]
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

#[cfg(test)]
mod tests {
    use super::*;

    crate::multiversion! {
        fn sum_sq(x: &[f64]) -> f64 {
            let mut acc = [0.0; LANES];
            let chunks = x.chunks_exact(LANES);
            let rest = chunks.remainder();
            for c in chunks {
                for l in 0..LANES {
                    acc[l] = c[l].mul_add(c[l], acc[l]);
                }
            }
            for (a, v) in acc.iter_mut().zip(rest) {
                *a = v.mul_add(*v, *a);
            }
            combine(&acc)
        }
    }

    #[test]
    fn dispatched_kernels_are_exact_and_the_level_consistent() {
        for len in [0usize, 1, 7, 8, 9, 31] {
            let x: Vec<f64> = (0..len).map(|i| i as f64).collect();
            let want: usize = (0..len).map(|i| i * i).sum();
            assert_eq!(sum_sq(&x), want as f64);
        }
        #[cfg(target_arch = "x86_64")]
        if isa() == Isa::Avx512 {
            assert!(is_x86_feature_detected!("avx512f"));
        }
        assert_eq!(isa(), isa());
    }
}
