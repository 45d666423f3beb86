//! The OT family's metric catalogue (written into `manifest.json`; reports and `compare` read
//! it), including the solvers' per-step extras, which the executor records next to the metrics.

use ratebench_harness::case::HitSpec;
use ratebench_harness::results::MetricInfo;
use ratebench_ot::OtMetric;

/// Marginal-error tolerances whose hitting iterations, work and times every run records
/// (1e-9: the time-to-1e-9 table; 1e-10: SNS's target in OT-2).
pub const TOLERANCES: [f64; 5] = [1e-3, 1e-6, 1e-9, 1e-10, 1e-12];

fn info(name: &str, formula: &str, unit: &str, lower: bool, tolerances: &[f64]) -> MetricInfo {
    MetricInfo {
        name: name.to_string(),
        formula: formula.to_string(),
        unit: unit.to_string(),
        lower_is_better: lower,
        tolerances: tolerances.to_vec(),
    }
}

/// Every metric and extra an OT run may record.
pub fn catalogue() -> Vec<MetricInfo> {
    let mut v: Vec<MetricInfo> = OtMetric::ALL
        .iter()
        .map(|m| {
            let tol: &[f64] = if *m == OtMetric::MarginalErr {
                &TOLERANCES
            } else {
                &[]
            };
            let unit = match m {
                OtMetric::MarginalErr | OtMetric::RowErr | OtMetric::ColErr => "1 (mass)",
                OtMetric::PlanNnz => "entries",
                _ => "cost units",
            };
            info(m.name(), m.formula(), unit, m.lower_is_better(), tol)
        })
        .collect();
    let extras: [(&str, &str, bool); 8] = [
        ("rho", "Greenkhorn: the greedy score ρ(a, b) = a·(u − log1p(u)), u = b/a − 1, of the line updated last", true),
        ("recomputed", "Greenkhorn: 1 if the step recomputed the row/column sums exactly (periodic refresh)", false),
        ("newton", "SNS: 1 for a Newton step, 0 for a stage-1 Sinkhorn step", false),
        ("cg_iters", "SNS: conjugate-gradient iterations of the last Newton step", true),
        ("cg_rel_residual", "SNS: CG relative residual ‖MΔz − ∇f‖/‖∇f‖ of the last Newton step", true),
        ("ls_halvings", "SNS: line-search halvings of the last Newton step", true),
        ("step_size", "SNS: accepted line-search step α of the last Newton step", false),
        ("kept", "SNS: plan entries kept in each off-diagonal block of the sparsified Hessian", false),
    ];
    for (name, formula, lower) in extras {
        v.push(info(name, formula, "1", lower, &[]));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_marginal_error_has_hitting_tolerances() {
        let h = hit_specs(&["marginal_err", "row_err", "dual_gap", "cg_iters"]);
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].metric, "marginal_err");
        let names: Vec<String> = catalogue().into_iter().map(|m| m.name).collect();
        for m in OtMetric::ALL {
            assert!(
                names.iter().any(|n| n == m.name()),
                "{} not catalogued",
                m.name()
            );
        }
    }
}
