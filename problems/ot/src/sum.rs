//! Compensated summation, so metrics stay exact to a few ulps at any size.

/// Neumaier's running compensated sum.
#[derive(Clone, Copy, Debug, Default)]
pub struct Neumaier {
    sum: f64,
    comp: f64,
}

impl Neumaier {
    /// Adds one term.
    #[inline]
    pub fn add(&mut self, x: f64) {
        let t = self.sum + x;
        self.comp += if self.sum.abs() >= x.abs() {
            (self.sum - t) + x
        } else {
            (x - t) + self.sum
        };
        self.sum = t;
    }

    /// The compensated total.
    #[inline]
    pub fn value(&self) -> f64 {
        self.sum + self.comp
    }
}

/// Compensated sum of a slice.
pub fn compensated(v: &[f64]) -> f64 {
    let mut s = Neumaier::default();
    v.iter().for_each(|&x| s.add(x));
    s.value()
}

/// Compensated dot product (products rounded once each).
pub fn compensated_dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = Neumaier::default();
    a.iter().zip(b).for_each(|(x, y)| s.add(x * y));
    s.value()
}
