//! The Hadamard family's metric catalogue (written into `manifest.json`; reports and
//! `compare` read it instead of naming metrics), including the solvers' per-step extras,
//! which the executor records next to the metrics.

use ratebench_hadamard::HadamardMetric;
use ratebench_harness::case::HitSpec;
use ratebench_harness::results::MetricInfo;

/// Relative-error tolerances whose hitting iterations, work and times every run records:
/// 1e-2 is the level of the local minima many U\[0,1\]-product instances have (CLAIMS.md §3),
/// 1e-10 the catalogue's stopping tolerance.
pub const TOLERANCES: [f64; 4] = [1e-2, 1e-3, 1e-6, 1e-10];

fn info(name: &str, formula: &str, unit: &str, lower: bool, tolerances: &[f64]) -> MetricInfo {
    MetricInfo {
        name: name.to_string(),
        formula: formula.to_string(),
        unit: unit.to_string(),
        lower_is_better: lower,
        tolerances: tolerances.to_vec(),
    }
}

/// Every metric and extra a Hadamard run may record.
pub fn catalogue() -> Vec<MetricInfo> {
    let rel = HadamardMetric::RelErr;
    let abs = HadamardMetric::AbsErr;
    vec![
        info(
            rel.name(),
            &format!("relative error {}", rel.description()),
            "1",
            true,
            &TOLERANCES,
        ),
        // In data units, so no tolerance is comparable across instances.
        info(
            abs.name(),
            &format!("absolute error {}", abs.description()),
            "data units",
            true,
            &[],
        ),
        info(
            "beta",
            "BCD extrapolation weight β used by the last outer iteration (0 without momentum)",
            "1",
            false,
            &[],
        ),
        info(
            "step_rel_err",
            "relative error computed inside BCD's step (the momentum rule's; equals rel_err)",
            "1",
            true,
            &[],
        ),
        info(
            "undone",
            "1 if BCD's last outer iteration raised the error and was undone (previous iterate restored)",
            "1",
            false,
            &[],
        ),
        info(
            "pinv_solves",
            "r × r column systems of BCD's last step solved by the pseudo-inverse (singular Gram matrix)",
            "1",
            true,
            &[],
        ),
        info(
            "eta",
            "GD step η after the last iteration (halved when the loss rose at a check)",
            "1",
            false,
            &[],
        ),
        info("halvings", "GD step halvings so far", "1", false, &[]),
    ]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_relative_error_has_hitting_tolerances() {
        let h = hit_specs(&["rel_err", "abs_err", "beta"]);
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].metric, "rel_err");
        assert_eq!(h[0].tolerances, TOLERANCES.to_vec());
        let names: Vec<String> = catalogue().into_iter().map(|m| m.name).collect();
        for extra in [
            "beta",
            "step_rel_err",
            "undone",
            "pinv_solves",
            "eta",
            "halvings",
        ] {
            assert!(names.iter().any(|n| n == extra), "{extra} not catalogued");
        }
    }
}
