//! The iterate every OT solver exposes, so that one metric evaluator serves them all.

/// A solver's current point: dual potentials or scaling vectors. Both define the plan
///
/// `P_ij = exp(p_i + q_j − η C_ij)`, with
/// * [`OtIterate::Dual`]: `p_i = η x_i − 1`, `q_j = η y_j` — the catalogue's
///   `P = exp(η(−C + x1ᵀ + 1yᵀ) − 1)` (log-domain Sinkhorn, SNS);
/// * [`OtIterate::Scaling`]: `p_i = ln u_i`, `q_j = ln v_j` — `P = diag(u) K diag(v)` with
///   `K = exp(−ηC)` (scaling-domain Sinkhorn, Greenkhorn). The equivalent potentials are
///   `x = (ln u + 1)/η`, `y = ln v / η`.
///
/// Metrics form `P` from `p_i + q_j − ηC_ij` with one `exp` per entry, so no product
/// `u_i·K_ij·v_j` can overflow or underflow on the way (only `P_ij` itself, when it is
/// outside the double range).
#[derive(Clone, Debug, PartialEq)]
pub enum OtIterate {
    Dual { x: Vec<f64>, y: Vec<f64> },
    Scaling { u: Vec<f64>, v: Vec<f64> },
}

impl OtIterate {
    /// `x = 0`, `y = 0` (the catalogue's start).
    pub fn zero_dual(n: usize, m: usize) -> Self {
        OtIterate::Dual {
            x: vec![0.0; n],
            y: vec![0.0; m],
        }
    }

    /// `(n, m)`.
    pub fn shape(&self) -> (usize, usize) {
        match self {
            OtIterate::Dual { x, y } => (x.len(), y.len()),
            OtIterate::Scaling { u, v } => (u.len(), v.len()),
        }
    }

    /// Fills `p`, `q` with the log offsets: `ln P_ij = p_i + q_j − ηC_ij`.
    pub fn log_offsets(&self, eta: f64, p: &mut [f64], q: &mut [f64]) {
        match self {
            OtIterate::Dual { x, y } => {
                p.iter_mut().zip(x).for_each(|(p, x)| *p = eta * x - 1.0);
                q.iter_mut().zip(y).for_each(|(q, y)| *q = eta * y);
            }
            OtIterate::Scaling { u, v } => {
                p.iter_mut().zip(u).for_each(|(p, u)| *p = u.ln());
                q.iter_mut().zip(v).for_each(|(q, v)| *q = v.ln());
            }
        }
    }

    /// Fills `x`, `y` with the dual potentials of the catalogue (`−∞` where a scaling is 0).
    pub fn potentials(&self, eta: f64, x: &mut [f64], y: &mut [f64]) {
        match self {
            OtIterate::Dual { x: px, y: py } => {
                x.copy_from_slice(px);
                y.copy_from_slice(py);
            }
            OtIterate::Scaling { u, v } => {
                x.iter_mut()
                    .zip(u)
                    .for_each(|(x, u)| *x = (u.ln() + 1.0) / eta);
                y.iter_mut().zip(v).for_each(|(y, v)| *y = v.ln() / eta);
            }
        }
    }

    /// False if an entry is NaN or infinite (or a scaling is negative).
    pub fn is_finite(&self) -> bool {
        match self {
            OtIterate::Dual { x, y } => x.iter().chain(y).all(|v| v.is_finite()),
            OtIterate::Scaling { u, v } => u.iter().chain(v).all(|s| s.is_finite() && *s >= 0.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dual_and_scaling_describe_the_same_plan() {
        let eta = 3.0;
        let (x, y) = (vec![0.1, -0.2], vec![0.3]);
        let dual = OtIterate::Dual {
            x: x.clone(),
            y: y.clone(),
        };
        let scaling = OtIterate::Scaling {
            u: x.iter().map(|x| (eta * x - 1.0).exp()).collect(),
            v: y.iter().map(|y| (eta * y).exp()).collect(),
        };
        let (mut p1, mut q1, mut p2, mut q2) =
            (vec![0.0; 2], vec![0.0; 1], vec![0.0; 2], vec![0.0; 1]);
        dual.log_offsets(eta, &mut p1, &mut q1);
        scaling.log_offsets(eta, &mut p2, &mut q2);
        for (a, b) in p1.iter().zip(&p2).chain(q1.iter().zip(&q2)) {
            assert!((a - b).abs() < 1e-15);
        }
        let (mut xs, mut ys) = (vec![0.0; 2], vec![0.0; 1]);
        scaling.potentials(eta, &mut xs, &mut ys);
        assert!((xs[1] - x[1]).abs() < 1e-15 && (ys[0] - y[0]).abs() < 1e-15);
        assert!(!OtIterate::Dual {
            x: vec![f64::NAN],
            y: vec![]
        }
        .is_finite());
        assert!(!OtIterate::Scaling {
            u: vec![-1.0],
            v: vec![]
        }
        .is_finite());
    }
}
