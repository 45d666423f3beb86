//! The factored family's metric catalogue (written into `manifest.json`; reports and
//! `compare` read it instead of naming metrics).

use ratebench_harness::case::HitSpec;
use ratebench_harness::results::MetricInfo;

/// Tolerances whose hitting iterations, work and times every run records.
pub const TOLERANCES: [f64; 3] = [1e-3, 1e-6, 1e-10];

fn info(name: &str, formula: &str, lower: bool) -> MetricInfo {
    MetricInfo {
        name: name.to_string(),
        formula: formula.to_string(),
        unit: "1".to_string(),
        lower_is_better: lower,
        tolerances: if lower { TOLERANCES.to_vec() } else { vec![] },
    }
}

/// Every metric a factored run may record.
pub fn catalogue() -> Vec<MetricInfo> {
    let mut v = vec![
        info(
            "rel_err",
            "relative error ‖XXᵀ−M⋆‖_F / ‖M⋆‖_F (‖FGᵀ−M⋆‖_F / ‖M⋆‖_F asymmetric)",
            true,
        ),
        info(
            "abs_err",
            "absolute error ‖XXᵀ−M⋆‖_F (‖FGᵀ−M⋆‖_F asymmetric)",
            true,
        ),
        info("err_plus", "error to the positive part ‖XXᵀ−M₊‖_F", true),
        info(
            "schur_norm",
            "Schur complement norm ‖S‖₂ of VᵀXXᵀV to the principal eigenspace",
            true,
        ),
        MetricInfo {
            tolerances: vec![],
            ..info("imbalance", "imbalance ‖FᵀF−GᵀG‖_F", true)
        },
    ];
    for s in 1..=8 {
        v.push(info(
            &format!("dist_rank{s}"),
            &format!("distance to the best rank-{s} approximation ‖XXᵀ−M_{s}‖_F"),
            true,
        ));
    }
    for s in 1..=8 {
        v.push(info(
            &format!("lambda{s}"),
            &format!("{s}-th largest eigenvalue λ_{s}(XXᵀ)"),
            false,
        ));
    }
    v
}

/// Hit specs for the recorded metrics that have tolerances.
pub fn hit_specs(names: &[&str]) -> Vec<HitSpec> {
    let cat = catalogue();
    names
        .iter()
        .filter_map(|n| cat.iter().find(|m| m.name == *n))
        .filter(|m| !m.tolerances.is_empty())
        .map(|m| HitSpec {
            metric: m.name.clone(),
            tolerances: m.tolerances.clone(),
        })
        .collect()
}
