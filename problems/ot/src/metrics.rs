//! Metrics on an iterate, evaluated outside the timed region, exactly and stably: every plan
//! entry is `exp(p_i + q_j − ηC_ij)` (one `exp`, no product of scalings), every sum is
//! compensated, and the marginal error is formed from explicit differences.

use crate::problem::check_matrix_memory;
use crate::round::round_to_marginals;
use crate::sum::{compensated_dot, Neumaier};
use crate::{OtIterate, OtProblem};
use faer::Mat;
use ratebench_core::{Error, MetricSet, Result};
use std::borrow::Borrow;

/// Plan entries above this fraction of the largest entry count as nonzero (`plan_nnz`).
pub const NNZ_THRESHOLD: f64 = 1e-12;

/// The metrics of the OT family. Names are stable (they appear in result files).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OtMetric {
    MarginalErr,
    RowErr,
    ColErr,
    TransportCost,
    EntropicObjective,
    DualValue,
    DualGap,
    PlanNnz,
    RoundedCost,
}

impl OtMetric {
    /// Every metric, in catalogue order.
    pub const ALL: [OtMetric; 9] = [
        OtMetric::MarginalErr,
        OtMetric::RowErr,
        OtMetric::ColErr,
        OtMetric::TransportCost,
        OtMetric::EntropicObjective,
        OtMetric::DualValue,
        OtMetric::DualGap,
        OtMetric::PlanNnz,
        OtMetric::RoundedCost,
    ];

    /// The stable name.
    pub fn name(self) -> &'static str {
        match self {
            OtMetric::MarginalErr => "marginal_err",
            OtMetric::RowErr => "row_err",
            OtMetric::ColErr => "col_err",
            OtMetric::TransportCost => "transport_cost",
            OtMetric::EntropicObjective => "entropic_obj",
            OtMetric::DualValue => "dual_f",
            OtMetric::DualGap => "dual_gap",
            OtMetric::PlanNnz => "plan_nnz",
            OtMetric::RoundedCost => "rounded_cost",
        }
    }

    /// The formula, for the metric catalogue.
    pub fn formula(self) -> &'static str {
        match self {
            OtMetric::MarginalErr => "‖P1 − a‖₁ + ‖Pᵀ1 − b‖₁ (Altschuler et al.)",
            OtMetric::RowErr => "‖P1 − a‖₁",
            OtMetric::ColErr => "‖Pᵀ1 − b‖₁",
            OtMetric::TransportCost => "⟨P, C⟩",
            OtMetric::EntropicObjective => "⟨P, C⟩ + (1/η) Σ P_ij log P_ij",
            OtMetric::DualValue => "f(x, y) = −(1/η) Σ exp(η(−C_ij + x_i + y_j) − 1) + ⟨a, x⟩ + ⟨b, y⟩",
            OtMetric::DualGap => "f_ref − f(x, y); f_ref = the reference value if given, else the best f seen so far in the run",
            OtMetric::PlanNnz => "#{(i, j): P_ij > 1e-12 · max P}",
            OtMetric::RoundedCost => "⟨round(P), C⟩, round = Altschuler–Weed–Rigollet Algorithm 2 (a feasible plan: an upper bound on the OT cost)",
        }
    }

    /// True for errors and costs, false for the dual value (maximized) and the count.
    pub fn lower_is_better(self) -> bool {
        !matches!(self, OtMetric::DualValue | OtMetric::PlanNnz)
    }

    /// The metric of a name.
    pub fn from_name(name: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|m| m.name() == name)
            .ok_or_else(|| {
                let all: Vec<&str> = Self::ALL.iter().map(|m| m.name()).collect();
                Error::invalid(
                    "metric",
                    format!("unknown OT metric '{name}'; known: {}", all.join(", ")),
                )
            })
    }
}

/// All metric values of one iterate.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct OtValues {
    pub marginal_err: f64,
    pub row_err: f64,
    pub col_err: f64,
    pub transport_cost: f64,
    pub entropic_obj: f64,
    pub dual_f: f64,
    pub dual_gap: f64,
    /// As a float so that it sits in a trace row.
    pub plan_nnz: f64,
    /// NaN unless the evaluator was built with [`OtMetric::RoundedCost`].
    pub rounded_cost: f64,
}

impl OtValues {
    /// The value of one metric.
    pub fn get(&self, m: OtMetric) -> f64 {
        match m {
            OtMetric::MarginalErr => self.marginal_err,
            OtMetric::RowErr => self.row_err,
            OtMetric::ColErr => self.col_err,
            OtMetric::TransportCost => self.transport_cost,
            OtMetric::EntropicObjective => self.entropic_obj,
            OtMetric::DualValue => self.dual_f,
            OtMetric::DualGap => self.dual_gap,
            OtMetric::PlanNnz => self.plan_nnz,
            OtMetric::RoundedCost => self.rounded_cost,
        }
    }
}

/// Evaluates [`OtValues`] on iterates of one problem. Keeps the best dual value seen (for
/// `dual_gap`) and, only when the rounded cost is wanted, an `n × m` plan buffer.
pub struct OtEvaluator {
    p: Vec<f64>,
    q: Vec<f64>,
    x: Vec<f64>,
    y: Vec<f64>,
    rows: Vec<Neumaier>,
    plan: Option<Mat<f64>>,
    best_f: f64,
    reference_f: Option<f64>,
}

impl OtEvaluator {
    /// An evaluator for `problem`; `rounded` asks for the AWR rounded cost (allocates an
    /// `n × m` buffer, after the memory check).
    pub fn new(problem: &OtProblem, rounded: bool) -> Result<Self> {
        let (n, m) = problem.shape();
        let plan = if rounded {
            check_matrix_memory("n", "the plan buffer of the rounded-cost metric", n, m)?;
            Some(Mat::zeros(n, m))
        } else {
            None
        };
        Ok(Self {
            p: vec![0.0; n],
            q: vec![0.0; m],
            x: vec![0.0; n],
            y: vec![0.0; m],
            rows: vec![Neumaier::default(); n],
            plan,
            best_f: f64::NEG_INFINITY,
            reference_f: None,
        })
    }

    /// Measures `dual_gap` against a known optimal value `f⋆` instead of the best value seen.
    pub fn with_reference(mut self, f_star: f64) -> Self {
        self.reference_f = Some(f_star);
        self
    }

    /// The best dual value seen so far.
    pub fn best_dual(&self) -> f64 {
        self.best_f
    }

    /// Every metric of `it` (two passes over the `n × m` plan; three more for the rounding).
    pub fn evaluate(&mut self, problem: &OtProblem, it: &OtIterate) -> OtValues {
        let (n, m) = problem.shape();
        assert_eq!(
            it.shape(),
            (n, m),
            "iterate shape does not match the problem"
        );
        let eta = problem.eta();
        let c = problem.cost();
        it.log_offsets(eta, &mut self.p, &mut self.q);
        it.potentials(eta, &mut self.x, &mut self.y);
        // Pass 1: the largest log entry (for plan_nnz; no exp needed).
        let mut max_log = f64::NEG_INFINITY;
        for j in 0..m {
            for (i, &cij) in c.col_as_slice(j).iter().enumerate() {
                max_log = max_log.max(self.p[i] + self.q[j] - eta * cij);
            }
        }
        let log_threshold = max_log + NNZ_THRESHOLD.ln();
        self.rows.iter_mut().for_each(|r| *r = Neumaier::default());
        let (mut mass, mut cost, mut ent) = (
            Neumaier::default(),
            Neumaier::default(),
            Neumaier::default(),
        );
        let (mut col_err, mut nnz) = (Neumaier::default(), 0u64);
        for j in 0..m {
            let mut col = Neumaier::default();
            for (i, &cij) in c.col_as_slice(j).iter().enumerate() {
                let l = self.p[i] + self.q[j] - eta * cij;
                let pij = l.exp();
                if let Some(plan) = self.plan.as_mut() {
                    plan[(i, j)] = pij;
                }
                if pij == 0.0 {
                    continue;
                }
                self.rows[i].add(pij);
                col.add(pij);
                mass.add(pij);
                cost.add(pij * cij);
                ent.add(pij * l);
                nnz += u64::from(l > log_threshold);
            }
            col_err.add((col.value() - problem.b()[j]).abs());
        }
        let mut row_err = Neumaier::default();
        for (r, a) in self.rows.iter().zip(problem.a()) {
            row_err.add((r.value() - a).abs());
        }
        let dual_f = -mass.value() / eta
            + compensated_dot(problem.a(), &self.x)
            + compensated_dot(problem.b(), &self.y);
        if dual_f > self.best_f {
            self.best_f = dual_f;
        }
        let rounded_cost = match self.plan.as_mut() {
            Some(plan) => {
                round_to_marginals(plan.as_mut(), problem.a(), problem.b());
                let mut s = Neumaier::default();
                for j in 0..m {
                    for (i, &cij) in c.col_as_slice(j).iter().enumerate() {
                        s.add(plan[(i, j)] * cij);
                    }
                }
                s.value()
            }
            None => f64::NAN,
        };
        let (row_err, col_err) = (row_err.value(), col_err.value());
        OtValues {
            marginal_err: row_err + col_err,
            row_err,
            col_err,
            transport_cost: cost.value(),
            entropic_obj: cost.value() + ent.value() / eta,
            dual_f,
            dual_gap: self.reference_f.unwrap_or(self.best_f) - dual_f,
            plan_nnz: nnz as f64,
            rounded_cost,
        }
    }
}

/// `max_{s ≤ t} f_s − f_t` for a recorded series of dual values (the post-hoc gap to the
/// best value seen; with the run's final best use [`gap_to_final_best`]).
pub fn running_gap(f: &[f64]) -> Vec<f64> {
    let mut best = f64::NEG_INFINITY;
    f.iter()
        .map(|&v| {
            best = best.max(v);
            best - v
        })
        .collect()
}

/// `max_s f_s − f_t`: the gap of every sample to the best dual value of the whole run.
pub fn gap_to_final_best(f: &[f64]) -> Vec<f64> {
    let best = f.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    f.iter().map(|&v| best - v).collect()
}

/// A [`MetricSet`] over [`OtIterate`] with the requested metrics, in that order. `problem`
/// may be borrowed or shared (`Arc<OtProblem>`), so the set can be `'static`.
pub fn metric_set<'a, P>(problem: P, metrics: &[OtMetric]) -> Result<MetricSet<'a, OtIterate>>
where
    P: Borrow<OtProblem> + Send + 'a,
{
    if metrics.is_empty() {
        return Err(Error::invalid(
            "metrics",
            "no OT metric requested; give at least marginal_err",
        ));
    }
    let rounded = metrics.contains(&OtMetric::RoundedCost);
    let mut eval = OtEvaluator::new(problem.borrow(), rounded)?;
    let wanted = metrics.to_vec();
    let names = wanted.iter().map(|m| m.name()).collect();
    Ok(MetricSet::new(
        names,
        move |it: &OtIterate, out: &mut [f64]| {
            let v = eval.evaluate(problem.borrow(), it);
            out.iter_mut()
                .zip(&wanted)
                .for_each(|(o, m)| *o = v.get(*m));
        },
    ))
}
