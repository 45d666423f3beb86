//! The bundled datasets (`../shared/data`, found from the crate directory; skipped when the
//! checkout has no sibling `shared/`).

use ratebench_core::rng::SeedPath;
use ratebench_core::Result;
use ratebench_ot::{InstanceSpec, OtSpec, ZeroMass};
use std::path::PathBuf;

fn data_dir() -> Option<PathBuf> {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    d.join("digits.csv").exists().then_some(d)
}

#[test]
fn digits_pair_needs_zero_handling_and_drops_to_a_rectangular_problem() {
    let Some(dir) = data_dir() else {
        eprintln!("skipped: no ../shared/data");
        return;
    };
    let resolve = |name: &str| -> Result<PathBuf> { Ok(dir.join(name)) };
    let instance = InstanceSpec::Digits {
        file: "digits.csv".into(),
        first: 0,
        second: 1,
    };
    let mut spec = OtSpec::new(instance, 50.0);
    let e = spec
        .build(&mut SeedPath::new(0).stream("data"), &resolve)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("invalid a: sums to") && e.contains("normalize = true"),
        "{e}"
    );
    spec.normalize = true;
    let e = spec
        .build(&mut SeedPath::new(0).stream("data"), &resolve)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("invalid a: has") && e.contains("zero entries of 64"),
        "{e}"
    );
    spec.zero_mass = ZeroMass::Drop;
    let p = spec
        .build(&mut SeedPath::new(0).stream("data"), &resolve)
        .unwrap();
    let (n, m) = p.shape();
    assert!(n < 64 && m < 64 && n != m, "{n} × {m}");
    assert_eq!(p.kept_rows().unwrap().len(), n);
    assert!((p.a().iter().sum::<f64>() - 1.0).abs() < 1e-15);
    let bad = OtSpec {
        instance: InstanceSpec::Digits {
            file: "digits.csv".into(),
            first: 0,
            second: 5000,
        },
        ..spec
    };
    let e = bad
        .build(&mut SeedPath::new(0).stream("data"), &resolve)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("invalid second: image index 5000 is out of range"),
        "{e}"
    );
}

#[test]
fn photo_downsampled_to_a_grid_density() {
    let Some(dir) = data_dir() else {
        eprintln!("skipped: no ../shared/data");
        return;
    };
    let resolve = |name: &str| -> Result<PathBuf> { Ok(dir.join(name)) };
    let instance = InstanceSpec::Photo {
        file: "china_gray.npy".into(),
        second_file: Some("flower_gray.npy".into()),
        rows: 14,
        cols: 21,
    };
    let spec = OtSpec {
        normalize: true,
        zero_mass: ZeroMass::Floor(1e-12),
        ..OtSpec::new(instance, 100.0)
    };
    let p = spec
        .build(&mut SeedPath::new(0).stream("data"), &resolve)
        .unwrap();
    assert_eq!(p.shape(), (294, 294));
    assert!(p.a().iter().all(|&v| v > 0.0) && p.cost_range() == (0.0, 1.0));
    // The two photos differ.
    assert!(p.a().iter().zip(p.b()).any(|(x, y)| (x - y).abs() > 1e-4));
}
