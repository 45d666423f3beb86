//! Measurements shared by the low-rank (LR) and sensing (MS) claims.
//!
//! Several MS claims re-test an LR claim on a sensing instance, so they measure the same
//! quantities. The names and tolerances still differ per claim (the catalogue words them
//! differently), so they are arguments here and every claim keeps its own texts. The
//! estimators themselves are the harness's (`ratebench_harness::fit`).

use ratebench_core::{Error, Result, Trace};
use ratebench_harness::claims::{curve, dashed, line};
use ratebench_harness::fit::{first_above, inverse_slope, loglog_slope, rel_diff, spread, window};
use ratebench_harness::params::Params;
use ratebench_harness::results::{Measurement, Series};
use ratebench_lowrank::LowRankMetric;

/// First `t` with `metric > threshold` as a float (NaN if never).
fn first_above_t(tr: &Trace, metric: &str, threshold: f64) -> f64 {
    first_above(&tr.series(metric), threshold).map_or(f64::NAN, |t| t as f64)
}

// ---------------------------------------------------------------------------------------
// ScaledGD(λ) across κ (LR-1, MS-1)
// ---------------------------------------------------------------------------------------

/// `max/min T(ε)` across κ: a κ-independent rate keeps the hitting times together.
pub(crate) fn hitting_spread(name: String, times: &[f64]) -> Measurement {
    let s = spread(times);
    Measurement::check(name, s, "≤ 1.5", s <= 1.5)
}

/// `T_GD(κ₁)/T_GD(κ₀)` for consecutive κ against the ×5-per-decade growth of GD.
pub(crate) fn gd_slowdown(
    kappas: &[f64],
    t_gd: &[f64],
    suffix: &str,
    reference: Option<f64>,
) -> Vec<Measurement> {
    kappas
        .windows(2)
        .zip(t_gd.windows(2))
        .map(|(k, g)| {
            let (k0, k1, ratio) = (k[0], k[1], g[1] / g[0]);
            let need = 5f64.powf((k1 / k0).log10());
            Measurement::check(
                format!("T_GD(kappa={k1})/T_GD(kappa={k0}){suffix}"),
                ratio,
                format!("≥ {need:.3} (×5 per decade of κ)"),
                ratio >= need,
            )
            .with_maybe_reference(reference)
        })
        .collect()
}

/// The predicted tail `ρᵗ` over `steps` iterations, anchored where `first` (a relative-error
/// run) enters the band below `upper`.
pub(crate) fn predicted_tail(
    first: Option<&Trace>,
    upper: f64,
    rho: f64,
    steps: i32,
) -> Option<Series> {
    let (t0, e0) = first?
        .series("rel_err")
        .into_iter()
        .find(|(_, e)| *e < upper)?;
    let pts = (0..steps)
        .map(|i| (t0 as f64 + i as f64, e0 * rho.powi(i)))
        .take_while(|p| p.1 > 1e-14)
        .collect();
    Some(dashed(format!("predicted {rho}ᵗ"), pts))
}

// ---------------------------------------------------------------------------------------
// The over-parameterized 1/T law (LR-2, MS-3)
// ---------------------------------------------------------------------------------------

/// The 1/T law `‖XXᵀ − M⋆‖_F ≈ √(k−r)/(2ηt)` of symmetric GD with `k > r`, measured on
/// the `abs_err` of one run.
pub(crate) struct InverseLaw {
    pub eta: f64,
    pub k: usize,
    pub r: usize,
    /// The fit window `[lo, hi)`.
    pub window: (u64, u64),
    /// Relative tolerance of the 1/e slope.
    pub tol: f64,
    /// Appended to both measurement names.
    pub suffix: String,
    /// Appended to the slope criterion.
    pub note: String,
}

impl InverseLaw {
    /// The 1/T law needs surplus columns; `k ≤ r` is bad input (it converges linearly).
    pub fn validate(k: usize, r: usize) -> Result<()> {
        if k > r {
            return Ok(());
        }
        Err(Error::invalid(
            "k",
            format!("the 1/T law needs k > r = {r} surplus columns, got k = {k}; k = r converges linearly (LR-10)"),
        ))
    }

    /// The slope `2η/√(k−r)` of `1/e`.
    pub fn prediction(&self) -> f64 {
        2.0 * self.eta / ((self.k - self.r) as f64).sqrt()
    }

    /// The slope of `1/e` over the window (checked, with CI) and the log–log slope
    /// (reported: ≈ −1 confirms the 1/t form).
    pub fn measure(&self, tr: &Trace) -> [Measurement; 2] {
        let (lo, hi) = self.window;
        let (t, e) = window(&tr.series("abs_err"), lo, hi);
        let (slope, ci) = match inverse_slope(&t, &e) {
            Ok(f) => (f.slope, f.slope_ci),
            Err(_) => (f64::NAN, (f64::NAN, f64::NAN)),
        };
        let predicted = self.prediction();
        let check = Measurement::check(
            format!("slope of 1/e{}", self.suffix),
            slope,
            format!(
                "within {:.0}% of 2η/√(k−r) = {predicted:.4}{}",
                self.tol * 100.0,
                self.note
            ),
            rel_diff(slope, predicted) < self.tol,
        )
        .with_ci(ci);
        let ll = loglog_slope(&t, &e).map_or(f64::NAN, |f| f.slope);
        [
            check,
            Measurement::report(format!("log–log slope{}", self.suffix), ll),
        ]
    }

    /// The dashed law over `[0, iters]`.
    pub fn curve(&self, iters: u64) -> Series {
        let (k, r, eta) = (self.k, self.r, self.eta);
        let pts = (1..=50)
            .map(|i| i as f64 * iters as f64 / 50.0)
            .map(|t| (t, ((k - r) as f64).sqrt() / (2.0 * eta * t)))
            .collect();
        dashed(format!("√(k−r)/(2ηt), k={k}"), pts)
    }
}

// ---------------------------------------------------------------------------------------
// Plateau timing of greedy low-rank learning (LR-5, MS-4)
// ---------------------------------------------------------------------------------------

/// The init scales of a plateau claim: ΔT_s compares the first and the last, so at least
/// two distinct values.
pub(crate) fn plateau_alphas(p: &Params) -> Result<Vec<f64>> {
    p.sweep_f64s("alpha")
}

/// The eigenvalue metrics `λ_s` for `s = 1..=r⋆`, and every metric a run records
/// (`abs_err`, the primary, first).
pub(crate) fn plateau_metrics(sigma: &[f64]) -> (Vec<LowRankMetric>, Vec<LowRankMetric>) {
    let metrics: Vec<LowRankMetric> = (1..=sigma.len()).map(LowRankMetric::Lambda).collect();
    let mut all = vec![LowRankMetric::AbsErr];
    all.extend(&metrics);
    (metrics, all)
}

/// Direction `s` grows by `(1 + ησ_s)` per step, so shrinking α from `a0` to `a` delays
/// its plateau by `log(a0/a)/log(1 + ησ_s)`.
pub(crate) fn plateau_delay(a0: f64, a: f64, eta: f64, sig: f64) -> f64 {
    (a0 / a).ln() / (1.0 + eta * sig).ln()
}

/// One plateau-timing measurement: runs at decreasing init scales of one factor rank.
pub(crate) struct Plateaus<'a> {
    pub alphas: &'a [f64],
    pub sigma: &'a [f64],
    pub eta: f64,
    /// The factor rank, named in the measurements when the claim sweeps it.
    pub k: Option<usize>,
    /// Relative tolerance of ΔT_s against its prediction.
    pub tol: f64,
    /// References of the ΔT_s checks, by s.
    pub delta_refs: &'a [f64],
    /// Also report ΔT_s/prediction (with these references, by s).
    pub ratio_refs: Option<&'a [f64]>,
}

impl Plateaus<'_> {
    /// `T_s(α)`, the first `t` with `λ_s(X_tX_tᵀ) > σ_s/2`, per run (one per α) and s.
    pub fn times(&self, runs: &[Trace], metrics: &[LowRankMetric]) -> Vec<Vec<f64>> {
        runs.iter()
            .map(|tr| {
                metrics
                    .iter()
                    .zip(self.sigma)
                    .map(|(mm, s)| first_above_t(tr, mm.name(), s / 2.0))
                    .collect()
            })
            .collect()
    }

    /// The hitting times, their order per α, ΔT_s between the first and last α against
    /// the prediction, and ΔT_2/ΔT_1 against σ₁/σ₂.
    pub fn measure(&self, times: &[Vec<f64>]) -> Vec<Measurement> {
        let (tag, suffix) = match self.k {
            Some(k) => (format!("k={k},"), format!(" [k={k}]")),
            None => (String::new(), String::new()),
        };
        let mut m = Vec::new();
        for (&a, ts) in self.alphas.iter().zip(times) {
            for (s, t) in ts.iter().enumerate() {
                m.push(Measurement::report(
                    format!("T_{}[{tag}alpha={a}]", s + 1),
                    *t,
                ));
            }
            let gap = ts
                .windows(2)
                .map(|w| w[1] - w[0])
                .fold(f64::INFINITY, f64::min);
            let order = (1..=ts.len())
                .map(|s| format!("T_{s}"))
                .collect::<Vec<_>>()
                .join(" < ");
            m.push(Measurement::check(
                format!("min_s (T_(s+1) − T_s) [{tag}alpha={a}]"),
                gap,
                format!("> 0 ({order})"),
                gap > 0.0,
            ));
        }
        let (a0, a1) = (self.alphas[0], *self.alphas.last().expect("non-empty"));
        let (first, last) = (&times[0], times.last().expect("non-empty"));
        let delta: Vec<f64> = first.iter().zip(last).map(|(t0, t1)| t1 - t0).collect();
        for (s, (&d, &sig)) in delta.iter().zip(self.sigma).enumerate() {
            let predicted = plateau_delay(a0, a1, self.eta, sig);
            let i = s + 1;
            m.push(
                Measurement::check(
                    format!("ΔT_{i} = T_{i}(alpha={a1}) − T_{i}(alpha={a0}){suffix}"),
                    d,
                    format!(
                        "within {:.0}% of log(α₁/α₂)/log(1 + ησ_{i}) = {predicted:.1}",
                        self.tol * 100.0
                    ),
                    rel_diff(d, predicted) < self.tol,
                )
                .with_maybe_reference(self.delta_refs.get(s).copied()),
            );
            if let Some(refs) = self.ratio_refs {
                m.push(
                    Measurement::report(format!("ΔT_{i}/prediction{suffix}"), d / predicted)
                        .with_maybe_reference(refs.get(s).copied()),
                );
            }
        }
        if delta.len() >= 2 {
            let ratio = delta[1] / delta[0];
            let want = self.sigma[0] / self.sigma[1];
            m.push(Measurement::check(
                format!("ΔT_2/ΔT_1{suffix}"),
                ratio,
                format!("within 10% of σ₁/σ₂ = {want:.3}"),
                rel_diff(ratio, want) < 0.10,
            ));
        }
        m
    }

    /// The `λ_s` curves up to `t_end`, one per run and s, α written by `alpha`.
    pub fn curves(
        &self,
        runs: &[Trace],
        metrics: &[LowRankMetric],
        t_end: f64,
        alpha: fn(f64) -> String,
    ) -> Vec<Series> {
        let mut series = Vec::new();
        for (&a, tr) in self.alphas.iter().zip(runs) {
            for (s, mm) in metrics.iter().enumerate() {
                let pts = curve(tr, mm.name())
                    .into_iter()
                    .filter(|(t, _)| *t <= t_end)
                    .collect();
                series.push(line(format!("λ_{}(XXᵀ), {}", s + 1, alpha(a)), pts));
            }
        }
        series
    }
}

/// The bottom of the predicted-time segments: the smallest positive initial eigenvalue of
/// the last (smallest-α) run.
pub(crate) fn plateau_floor(runs: &[Trace], metrics: &[LowRankMetric]) -> f64 {
    runs.last()
        .and_then(|tr| {
            metrics
                .iter()
                .filter_map(|mm| tr.value_at(mm.name(), 0))
                .filter(|v| *v > 0.0)
                .reduce(f64::min)
        })
        .unwrap_or(1e-20)
}

// ---------------------------------------------------------------------------------------
// The linearized rate of ScaledGD(λ) (LR-1, MS-1)
// ---------------------------------------------------------------------------------------

/// The damping `λ = c·σ_min^p·σ₁^(1−p)`: `p = 1` is the claims' `λ ∝ σ_min`; `p = 0` a
/// κ-independent `λ = c·σ₁` (their negative control).
pub(crate) fn damping(c: f64, power: f64, sigma_min: f64, sigma_1: f64) -> f64 {
    c * sigma_min.powf(power) * sigma_1.powf(1.0 - power)
}

/// The tail rate of ScaledGD(λ) from the linearization around `M⋆` (CLAIMS.md §1): each
/// signal mode contracts by `|1 − 2ησ_i/(σ_i + λ)|`; under sensing the signal–complement
/// block, excited by the measurement error, contracts by `1 − ησ_i/(σ_i + λ)`. The tail is
/// the slowest of them (`1 − 2ησ_min/(σ_min + λ)` resp. `1 − ησ_min/(σ_min + λ)` for
/// η ≤ 2/3).
pub(crate) fn scaledgd_rate(eta: f64, lambda: f64, spectrum: &[f64], sensing: bool) -> f64 {
    spectrum
        .iter()
        .map(|&s| {
            let s = s.abs();
            let signal = (1.0 - 2.0 * eta * s / (s + lambda)).abs();
            let cross = (1.0 - eta * s / (s + lambda)).abs();
            if sensing {
                signal.max(cross)
            } else {
                signal
            }
        })
        .fold(0.0, f64::max)
}
