//! `ratebench list`.

use crate::Outcome;
use ratebench_core::Result;
use ratebench_harness::claims::registry;
use ratebench_harness::suites::{builtin, METHODS, SUITES};

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum What {
    Claims,
    Suites,
    Problems,
    Algorithms,
}

#[derive(clap::Args)]
pub struct Args {
    /// What to list.
    #[arg(value_enum, default_value = "claims")]
    pub what: What,
    /// With `claims`: show each claim's parameters and defaults (names usable with --set).
    #[arg(long)]
    pub params: bool,
}

pub fn run(args: Args) -> Result<Outcome> {
    match args.what {
        What::Claims => {
            for c in registry() {
                println!(
                    "{:<6} {}{}",
                    c.id,
                    c.title,
                    if c.quick { "" } else { "  [not in --quick]" }
                );
                if args.params {
                    println!("       source: {}", c.source);
                    for line in (c.defaults)().describe() {
                        println!("       --set {line}");
                    }
                }
            }
        }
        What::Suites => {
            for name in SUITES {
                let s = builtin(name)?;
                println!("{name:<8} {}", s.description);
            }
        }
        What::Problems => {
            println!("lowrank  low-rank matrix factorization: M⋆ = V diag(λ) Vᵀ (κ spectrum, PSD or indefinite) or a real .npy matrix");
            println!("sensing  matrix sensing y = A(M⋆) + ξ: GOE (normalized or not) or Gaussian design, Gaussian noise or outliers, or an .npz (A, y, M)");
        }
        What::Algorithms => {
            for m in METHODS {
                let what = match m {
                    "gd" => "gradient descent on the factors (symmetric XXᵀ or asymmetric FGᵀ)",
                    "scaledgd" => "ScaledGD: X ← X − η∇f(X)(XᵀX)⁻¹ (Tong, Ma, Chi)",
                    "scaledgd-lambda" => {
                        "ScaledGD(λ): X ← X − η∇f(X)(XᵀX + λI)⁻¹ (Xu, Shen, Chi, Ma)"
                    }
                    _ => "PrecGD: ScaledGD with damping λ_t ∝ √f(X) (Zhang, Fattahi, Zhang)",
                };
                println!("{m:<16} {what}");
            }
            println!(
                "{:<16} asymmetric GD with one rebalancing step (Xiong, Ding, Du; used by LR-4)",
                "gd-asym-rebalanced"
            );
        }
    }
    Ok(Outcome::Success)
}
