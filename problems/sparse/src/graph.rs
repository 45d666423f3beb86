//! Communication graphs and Metropolis mixing weights for decentralized GD (Wu & Sun).

use faer::{Mat, Side};
use rand::Rng as _;
use ratebench_core::error::check;
use ratebench_core::rng::Rng;
use ratebench_core::{Error, Result};
use serde::{Deserialize, Serialize};

/// Which graph to build.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum GraphKind {
    Complete,
    Ring,
    /// Erdős–Rényi `G(m, p)`, resampled until connected.
    ErdosRenyi {
        p: f64,
    },
    /// Two complete halves joined by one edge: connected but poorly mixing.
    Barbell,
    /// No edges (every agent alone); only for negative controls, see
    /// [`Network::allow_disconnected`].
    Empty,
}

/// An undirected simple graph on `m` agents (sorted adjacency lists).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Graph {
    adj: Vec<Vec<usize>>,
}

/// Resampling cap for [`GraphKind::ErdosRenyi`].
pub const MAX_ER_ATTEMPTS: usize = 10_000;

impl Graph {
    /// Builds `kind` on `m` agents (`rng` is only used by Erdős–Rényi).
    pub fn build(kind: GraphKind, m: usize, rng: &mut Rng) -> Result<Self> {
        check::in_range("m", m, 1, 100_000)?;
        let mut edges = Vec::new();
        match kind {
            GraphKind::Complete => (0..m).for_each(|i| (i + 1..m).for_each(|j| edges.push((i, j)))),
            GraphKind::Ring => match m {
                1 => {}
                2 => edges.push((0, 1)),
                _ => (0..m).for_each(|i| edges.push((i, (i + 1) % m))),
            },
            GraphKind::Barbell => {
                let h = m / 2;
                (0..h).for_each(|i| (i + 1..h).for_each(|j| edges.push((i, j))));
                (h..m).for_each(|i| (i + 1..m).for_each(|j| edges.push((i, j))));
                if h > 0 && m > h {
                    edges.push((h - 1, h));
                }
            }
            GraphKind::Empty => {}
            GraphKind::ErdosRenyi { p } => {
                if !(p.is_finite() && p > 0.0 && p <= 1.0) {
                    return Err(Error::invalid(
                        "p",
                        format!("the Erdős–Rényi edge probability must be in (0, 1], got {p}"),
                    ));
                }
                for _ in 0..MAX_ER_ATTEMPTS {
                    let mut e = Vec::new();
                    for i in 0..m {
                        for j in i + 1..m {
                            if rng.random::<f64>() < p {
                                e.push((i, j));
                            }
                        }
                    }
                    let g = Self::from_edges(m, &e)?;
                    if g.is_connected() {
                        return Ok(g);
                    }
                }
                return Err(Error::invalid(
                    "p",
                    format!("G({m}, {p}) was not connected in {MAX_ER_ATTEMPTS} draws; raise p (connectivity needs p ≳ ln(m)/m)"),
                ));
            }
        }
        Self::from_edges(m, &edges)
    }

    /// A graph from an edge list (self-loops and duplicates are errors).
    pub fn from_edges(m: usize, edges: &[(usize, usize)]) -> Result<Self> {
        let mut adj = vec![Vec::new(); m];
        for &(a, b) in edges {
            if a >= m || b >= m || a == b {
                return Err(Error::invalid(
                    "edges",
                    format!("edge ({a}, {b}) is not between two distinct agents of 0..{m}"),
                ));
            }
            if adj[a].contains(&b) {
                return Err(Error::invalid(
                    "edges",
                    format!("edge ({a}, {b}) is listed twice"),
                ));
            }
            adj[a].push(b);
            adj[b].push(a);
        }
        adj.iter_mut().for_each(|l| l.sort_unstable());
        Ok(Self { adj })
    }

    pub fn m(&self) -> usize {
        self.adj.len()
    }

    /// Neighbours of agent `i` (sorted, without `i`).
    pub fn neighbors(&self, i: usize) -> &[usize] {
        &self.adj[i]
    }

    pub fn degree(&self, i: usize) -> usize {
        self.adj[i].len()
    }

    /// The connected components (each sorted), by breadth-first search.
    pub fn components(&self) -> Vec<Vec<usize>> {
        let mut seen = vec![false; self.m()];
        let mut out = Vec::new();
        for s in 0..self.m() {
            if seen[s] {
                continue;
            }
            seen[s] = true;
            let mut comp = vec![s];
            let mut k = 0;
            while k < comp.len() {
                for &j in &self.adj[comp[k]] {
                    if !seen[j] {
                        seen[j] = true;
                        comp.push(j);
                    }
                }
                k += 1;
            }
            comp.sort_unstable();
            out.push(comp);
        }
        out
    }

    pub fn is_connected(&self) -> bool {
        self.components().len() == 1
    }

    /// Metropolis weights `W_ij = 1/(1 + max(deg_i, deg_j))` on edges,
    /// `W_ii = 1 − Σ_{j≠i} W_ij`: symmetric and doubly stochastic.
    pub fn metropolis(&self) -> Mat<f64> {
        let m = self.m();
        let mut w = Mat::zeros(m, m);
        for i in 0..m {
            let mut off = 0.0;
            for &j in &self.adj[i] {
                let v = 1.0 / (1.0 + self.degree(i).max(self.degree(j)) as f64);
                w[(i, j)] = v;
                off += v;
            }
            w[(i, i)] = 1.0 - off;
        }
        w
    }
}

/// `ρ = ‖W − 11ᵀ/m‖₂` of a symmetric `W` (the mixing rate; 0 for the complete graph).
pub fn mixing_rate(w: &Mat<f64>) -> Result<f64> {
    let m = w.nrows();
    let centered = Mat::from_fn(m, m, |i, j| w[(i, j)] - 1.0 / m as f64);
    let eig = centered
        .self_adjoint_eigenvalues(Side::Lower)
        .map_err(|e| Error::numerical("mixing rate", format!("{e:?}")))?;
    Ok(eig.iter().fold(0.0f64, |a, v| a.max(v.abs())))
}

/// Agents, their mixing weights and their consecutive blocks of samples.
#[derive(Clone, Debug)]
pub struct Network {
    graph: Graph,
    weights: Mat<f64>,
    blocks: Vec<(usize, usize)>,
    rho: f64,
}

impl Network {
    /// Splits `n` samples into `graph.m()` consecutive blocks (the first `n mod m` blocks get
    /// one extra sample) with Metropolis weights. A disconnected graph is an error: DGD
    /// cannot reach consensus on it.
    pub fn new(graph: Graph, n: usize) -> Result<Self> {
        let comps = graph.components();
        if comps.len() > 1 {
            return Err(Error::invalid(
                "graph",
                format!("is not connected ({} components, e.g. {:?}); DGD needs a connected graph: use complete, ring, or a larger Erdős–Rényi p", comps.len(), comps[1]),
            ));
        }
        Self::build(graph, n)
    }

    /// As [`Network::new`] but accepts a disconnected graph: for negative controls only.
    pub fn allow_disconnected(graph: Graph, n: usize) -> Result<Self> {
        Self::build(graph, n)
    }

    fn build(graph: Graph, n: usize) -> Result<Self> {
        let m = graph.m();
        if m > n {
            return Err(Error::invalid(
                "m",
                format!("{m} agents need at least {m} samples, but n = {n}; lower m"),
            ));
        }
        let (base, extra) = (n / m, n % m);
        let mut start = 0;
        let blocks = (0..m)
            .map(|i| {
                let len = base + usize::from(i < extra);
                let b = (start, len);
                start += len;
                b
            })
            .collect();
        let weights = graph.metropolis();
        let rho = mixing_rate(&weights)?;
        Ok(Self {
            graph,
            weights,
            blocks,
            rho,
        })
    }

    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// The mixing matrix `W`.
    pub fn weights(&self) -> &Mat<f64> {
        &self.weights
    }

    /// `(first sample, count)` of agent `i`.
    pub fn block(&self, i: usize) -> (usize, usize) {
        self.blocks[i]
    }

    pub fn m(&self) -> usize {
        self.graph.m()
    }

    /// `ρ = ‖W − 11ᵀ/m‖₂`.
    pub fn rho(&self) -> f64 {
        self.rho
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratebench_core::rng::SeedPath;

    #[test]
    fn metropolis_weights_are_symmetric_and_doubly_stochastic() {
        let mut rng = SeedPath::new(0).stream("graph");
        for kind in [
            GraphKind::Complete,
            GraphKind::Ring,
            GraphKind::ErdosRenyi { p: 0.3 },
            GraphKind::Barbell,
        ] {
            let g = Graph::build(kind, 10, &mut rng).unwrap();
            assert!(g.is_connected(), "{kind:?}");
            let w = g.metropolis();
            for i in 0..10 {
                let row: f64 = (0..10).map(|j| w[(i, j)]).sum();
                let col: f64 = (0..10).map(|j| w[(j, i)]).sum();
                assert!(
                    (row - 1.0).abs() < 1e-15 && (col - 1.0).abs() < 1e-15,
                    "{kind:?}"
                );
                assert!((0..10).all(|j| w[(i, j)] >= 0.0 && w[(i, j)] == w[(j, i)]));
            }
        }
        let ring = Network::new(Graph::build(GraphKind::Ring, 10, &mut rng).unwrap(), 200).unwrap();
        // Ring, m = 10: eigenvalues (1 + 2cos(2πk/10))/3, so ρ = (1 + 2cos(π/5))/3.
        let expect = (1.0 + 2.0 * (std::f64::consts::PI / 5.0).cos()) / 3.0;
        assert!((ring.rho() - expect).abs() < 1e-12, "{}", ring.rho());
        for m in 1..4 {
            let g = Graph::build(GraphKind::Ring, m, &mut rng).unwrap();
            assert!(
                g.is_connected() && (0..m).all(|i| g.degree(i) == (m - 1).min(2)),
                "ring m = {m}"
            );
        }
        let complete = Network::new(
            Graph::build(GraphKind::Complete, 10, &mut rng).unwrap(),
            200,
        )
        .unwrap();
        assert!(complete.rho() < 1e-12);
        assert_eq!(complete.block(3), (60, 20));
    }

    #[test]
    fn disconnected_graphs_and_bad_parameters_are_refused() {
        let mut rng = SeedPath::new(0).stream("graph");
        let g = Graph::from_edges(4, &[(0, 1), (2, 3)]).unwrap();
        let e = Network::new(g.clone(), 40).unwrap_err().to_string();
        assert!(
            e.starts_with("invalid graph: is not connected (2 components") && !e.contains('\n'),
            "{e}"
        );
        assert!(Network::allow_disconnected(g, 40).is_ok());
        let e = Graph::build(GraphKind::ErdosRenyi { p: 1e-9 }, 30, &mut rng)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("invalid p:") && e.contains("not connected"),
            "{e}"
        );
        let e = Graph::from_edges(3, &[(0, 0)]).unwrap_err().to_string();
        assert!(e.starts_with("invalid edges:"), "{e}");
        let e = Network::new(Graph::build(GraphKind::Complete, 5, &mut rng).unwrap(), 3)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("invalid m:"), "{e}");
    }
}
