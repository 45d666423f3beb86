//! The vectorized kernels give bit-identical runs at every instruction-set level: this test
//! re-runs itself with `RATEBENCH_SIMD=portable` and `=avx2` (the level is fixed per
//! process) and compares the bits of BCD and GD iterates.

use ratebench_core::rng::SeedPath;
use ratebench_core::Solver;
use ratebench_hadamard::{HadamardFactors, HadamardProblem, HadamardSpec};
use ratebench_hadamard_solvers::{Bcd, BcdConfig, GdCiaperoni, GdConfig};

const CHILD: &str = "RATEBENCH_HD_SIMD_CHILD";

fn bits(f: &HadamardFactors) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for k in 0..f.k() {
        for m in [f.w(k), f.ht(k)] {
            for j in 0..m.ncols() {
                for i in 0..m.nrows() {
                    h = (h ^ m[(i, j)].to_bits()).wrapping_mul(0x0000_0100_0000_01b3);
                }
            }
        }
    }
    format!("{h:016x}")
}

fn fingerprint() -> String {
    let spec = HadamardSpec {
        m: 45,
        n: 37,
        rank: 3,
        ..Default::default()
    };
    let p = HadamardProblem::generate(&spec, &mut SeedPath::new(3).stream("data")).unwrap();
    let mut out = Vec::new();
    for cfg in [BcdConfig::new(3).with_momentum(), BcdConfig::multiple(3, 2)] {
        let mut s = Bcd::new(cfg);
        s.init(&p, &mut SeedPath::new(0).stream("init")).unwrap();
        for _ in 0..15 {
            s.step(&p).unwrap();
        }
        out.push(bits(s.iterate()));
    }
    let mut g = GdCiaperoni::new(GdConfig {
        check_every: 5,
        ..GdConfig::new(3)
    });
    g.init(&p, &mut SeedPath::new(0).stream("init")).unwrap();
    for _ in 0..40 {
        g.step(&p).unwrap();
    }
    out.push(bits(g.iterate()));
    out.join(",")
}

#[test]
fn every_instruction_set_gives_the_same_bits() {
    let here = fingerprint();
    if std::env::var_os(CHILD).is_some() {
        println!("FINGERPRINT={here}");
        return;
    }
    let exe = std::env::current_exe().unwrap();
    for level in ["portable", "avx2"] {
        let out = std::process::Command::new(&exe)
            .args([
                "every_instruction_set_gives_the_same_bits",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .env("RATEBENCH_SIMD", level)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let line = stdout
            .lines()
            .find_map(|l| l.split("FINGERPRINT=").nth(1))
            .unwrap_or_else(|| panic!("child ({level}) printed no fingerprint: {stdout}"));
        assert_eq!(line, here, "RATEBENCH_SIMD={level} changed the results");
    }
}
