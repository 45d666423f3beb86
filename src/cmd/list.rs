//! `ratebench list`.

use crate::Outcome;
use ratebench_core::Result;
use ratebench_harness::claims::Registry;
use ratebench_harness::family::SUITES;

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum What {
    Claims,
    Suites,
    Families,
    Algorithms,
    Metrics,
}

#[derive(clap::Args)]
pub struct Args {
    /// What to list.
    #[arg(value_enum, default_value = "claims")]
    pub what: What,
    /// With `claims`: each claim's parameters (names usable with --set) and negative control; with `families`: export parameters.
    #[arg(long)]
    pub params: bool,
}

fn claims(params: bool) {
    let families = crate::families::all();
    for e in Registry::new(&families).entries {
        let c = &e.claim;
        let quick = if c.quick { "" } else { "  [not in --quick]" };
        println!("{:<6} {}{quick}", c.id, c.title);
        if !params {
            continue;
        }
        println!("       family: {}; source: {}", e.family, c.source);
        for line in (c.defaults)().describe() {
            println!("       --set {line}");
        }
        match c.control {
            Some(ctl) => {
                let set: Vec<String> = ctl.set.iter().map(|(k, v)| format!("{k}={v}")).collect();
                println!(
                    "       negative control (check {} --negative-control): {} → must fail on '{}': {}",
                    c.id,
                    set.join(" "),
                    ctl.fails,
                    ctl.reason
                );
            }
            None => println!("       negative control: none (exploratory: no criterion)"),
        }
    }
}

fn families(params: bool) {
    for f in crate::families::all() {
        println!("{:<10} {}", f.name(), f.description());
        for e in f.exporters() {
            println!("           export {:<10} {}", e.name, e.description);
            if params {
                for line in (e.params)().describe() {
                    println!("             --set {line}");
                }
            }
        }
    }
}

pub fn run(args: Args) -> Result<Outcome> {
    match args.what {
        What::Claims => claims(args.params),
        What::Suites => {
            for name in SUITES {
                println!("{name}");
                for f in crate::families::all() {
                    println!("  [{}] {}", f.name(), f.suite_description(name));
                }
            }
        }
        What::Families => families(args.params),
        What::Algorithms => {
            for f in crate::families::all() {
                for a in f.algorithms() {
                    println!(
                        "{:<22} {:<10} {} (work unit: {})",
                        a.name,
                        f.name(),
                        a.description,
                        a.work_unit
                    );
                }
            }
        }
        What::Metrics => {
            for f in crate::families::all() {
                for m in f.metrics() {
                    let tols: Vec<String> = m.tolerances.iter().map(|t| format!("{t:e}")).collect();
                    println!(
                        "{:<14} {:<10} {} [unit {}; {}; hits at {}]",
                        m.name,
                        f.name(),
                        m.formula,
                        m.unit,
                        if m.lower_is_better {
                            "lower is better"
                        } else {
                            "higher is better"
                        },
                        if tols.is_empty() {
                            "—".into()
                        } else {
                            tols.join(", ")
                        }
                    );
                }
            }
        }
    }
    Ok(Outcome::Success)
}
