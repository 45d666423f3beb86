//! The families the CLI knows: the only place that names one. A new family is its crates
//! plus one line here.

use ratebench_harness::family::Family;

/// Every family, in report order.
pub fn all() -> Vec<&'static dyn Family> {
    vec![
        &ratebench_family_factored::FactoredFamily,
        &ratebench_family_hadamard::HadamardFamily,
        &ratebench_family_ot::OtFamily,
        &ratebench_family_sparse::SparseFamily,
    ]
}

/// The metric catalogue of every family (for manifests).
pub fn catalogue() -> Vec<ratebench_harness::results::FamilyCatalogue> {
    all()
        .into_iter()
        .map(|f| ratebench_harness::results::FamilyCatalogue {
            family: f.name().to_string(),
            metrics: f.metrics(),
            work_units: f
                .algorithms()
                .into_iter()
                .map(|a| (a.name.to_string(), a.work_unit.to_string()))
                .collect(),
        })
        .collect()
}
