//! The `[ot]` suite section: runs, bad input as one-line errors naming the field.

use ratebench_family_ot::OtFamily;
use ratebench_harness::data::DataDirs;
use ratebench_harness::family::{Family, SuiteEnv};

fn part(table: &str) -> ratebench_core::Result<ratebench_harness::family::SuitePart> {
    let table: toml::Table = table.parse().unwrap();
    let data = DataDirs::default();
    let env = SuiteEnv {
        base_seed: 0,
        data: &data,
        seeds: None,
    };
    OtFamily.suite("quick", Some(&table), &env)
}

#[test]
fn the_quick_section_builds_every_solver() {
    let p = part("clouds = [60]\nepsilons = [0.05]\nassignment = 0").unwrap();
    let mut names: Vec<String> = p.cases.iter().map(|c| c.meta().algorithm.clone()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names, ["greenkhorn", "sinkhorn", "sinkhorn-log", "sns"]);
}

#[test]
fn bad_fields_are_one_line_errors_naming_the_field() {
    for (table, needle) in [
        ("epsilons = [0.0]", "epsilon"),
        ("epsilons = [-0.1]", "epsilon"),
        ("algorithms = [\"nosuch\"]", "nosuch"),
        ("assignment_eta = -1.0", "assignment_eta"),
        ("clouds = [60]\nnosuch = 1", "nosuch"),
        ("data = [\"missing.npz\"]", "missing.npz"),
    ] {
        let e = part(table)
            .err()
            .unwrap_or_else(|| panic!("{table}: accepted"))
            .to_string();
        assert!(e.contains(needle), "{table}: {e}");
        assert!(!e.contains('\n'), "{table}: one line: {e}");
    }
}
