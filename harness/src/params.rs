//! Claim parameters: typed defaults, `--set name=value` overrides and TOML tables.
//!
//! Values are parsed as TOML, so `--set kappa=[10,30,300]`, `--set eta=0.5` and
//! `--set kappa=100` (a single value for a list parameter) all work. Each parameter carries
//! a domain, so `--set eta=-1` is rejected before anything runs.

use ratebench_core::{Error, Result};
use serde::Serialize;

/// A parameter value.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Int(i64),
    Float(f64),
    Ints(Vec<i64>),
    Floats(Vec<f64>),
}

impl Value {
    fn type_name(&self) -> &'static str {
        match self {
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Ints(_) => "a list of integers like [1,2] (or one integer)",
            Value::Floats(_) => "a list of numbers like [0.1,0.2] (or one number)",
        }
    }

    fn render(&self) -> String {
        match self {
            Value::Int(v) => v.to_string(),
            Value::Float(v) => format!("{v}"),
            Value::Ints(v) => format!(
                "[{}]",
                v.iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Value::Floats(v) => format!(
                "[{}]",
                v.iter()
                    .map(|x| format!("{x}"))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        }
    }
}

/// Where a parameter's values must lie.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Domain {
    /// Any finite value.
    Any,
    /// Finite and > 0.
    Positive,
    /// Finite and ≥ the bound.
    AtLeast(f64),
}

/// One declared parameter.
#[derive(Clone, Debug)]
pub struct Param {
    pub name: &'static str,
    pub value: Value,
    pub domain: Domain,
    pub doc: &'static str,
}

/// An ordered set of parameters.
#[derive(Clone, Debug, Default)]
pub struct Params {
    entries: Vec<Param>,
}

impl Params {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    fn push(mut self, name: &'static str, value: Value, domain: Domain, doc: &'static str) -> Self {
        self.entries.push(Param {
            name,
            value,
            domain,
            doc,
        });
        self
    }

    /// Declares an integer parameter.
    pub fn int(self, name: &'static str, v: i64, domain: Domain, doc: &'static str) -> Self {
        self.push(name, Value::Int(v), domain, doc)
    }

    /// Declares a real parameter.
    pub fn float(self, name: &'static str, v: f64, domain: Domain, doc: &'static str) -> Self {
        self.push(name, Value::Float(v), domain, doc)
    }

    /// Declares an integer-list parameter.
    pub fn ints(self, name: &'static str, v: &[i64], domain: Domain, doc: &'static str) -> Self {
        self.push(name, Value::Ints(v.to_vec()), domain, doc)
    }

    /// Declares a real-list parameter.
    pub fn floats(self, name: &'static str, v: &[f64], domain: Domain, doc: &'static str) -> Self {
        self.push(name, Value::Floats(v.to_vec()), domain, doc)
    }

    /// All parameters, in declaration order.
    pub fn entries(&self) -> &[Param] {
        &self.entries
    }

    fn entry(&self, name: &str) -> &Param {
        self.entries
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("undeclared parameter {name}"))
    }

    /// An integer parameter as `usize` (domains guarantee non-negativity where declared).
    pub fn usize(&self, name: &str) -> usize {
        match self.entry(name).value {
            Value::Int(v) => v.max(0) as usize,
            ref other => panic!("parameter {name} is {other:?}, not an integer"),
        }
    }

    /// An integer parameter as `u64`.
    pub fn u64(&self, name: &str) -> u64 {
        self.usize(name) as u64
    }

    /// A real parameter.
    pub fn f64(&self, name: &str) -> f64 {
        match self.entry(name).value {
            Value::Float(v) => v,
            Value::Int(v) => v as f64,
            ref other => panic!("parameter {name} is {other:?}, not a number"),
        }
    }

    /// A real-list parameter.
    pub fn f64s(&self, name: &str) -> Vec<f64> {
        match &self.entry(name).value {
            Value::Floats(v) => v.clone(),
            other => panic!("parameter {name} is {other:?}, not a list of numbers"),
        }
    }

    /// An integer-list parameter as `usize`s.
    pub fn usizes(&self, name: &str) -> Vec<usize> {
        match &self.entry(name).value {
            Value::Ints(v) => v.iter().map(|x| (*x).max(0) as usize).collect(),
            other => panic!("parameter {name} is {other:?}, not a list of integers"),
        }
    }

    /// A real-list parameter that a claim compares *across*: at least two distinct values,
    /// else bad input (a comparison of one value with itself would pass vacuously).
    pub fn sweep_f64s(&self, name: &str) -> Result<Vec<f64>> {
        let v = self.f64s(name);
        require_distinct(
            name,
            v.iter().map(|x| x.to_bits()).collect(),
            &self.entry(name).value,
        )?;
        Ok(v)
    }

    /// An integer-list parameter compared across (see [`Params::sweep_f64s`]).
    pub fn sweep_usizes(&self, name: &str) -> Result<Vec<usize>> {
        let v = self.usizes(name);
        require_distinct(
            name,
            v.iter().map(|x| *x as u64).collect(),
            &self.entry(name).value,
        )?;
        Ok(v)
    }

    /// True when every parameter except those in `free` has its default value: the
    /// catalogue's reference values were measured there.
    pub fn at_defaults(&self, defaults: fn() -> Params, free: &[&str]) -> bool {
        let d = defaults();
        self.entries
            .iter()
            .zip(d.entries())
            .all(|(a, b)| free.contains(&a.name) || a.value == b.value)
    }

    /// Applies `name=value` (the value in TOML syntax).
    pub fn set(&mut self, name: &str, raw: &str) -> Result<()> {
        let parsed: toml::Value = format!("v = {raw}")
            .parse::<toml::Table>()
            .ok()
            .and_then(|mut t| t.remove("v"))
            .ok_or_else(|| {
                Error::invalid(
                    name,
                    format!("cannot parse '{raw}'; write a number like 0.5 or a list like [1,2]"),
                )
            })?;
        self.set_value(name, &parsed)
    }

    /// Applies every key of a TOML table (a config file section).
    pub fn apply_table(&mut self, table: &toml::Table) -> Result<()> {
        for (k, v) in table {
            self.set_value(k, v)?;
        }
        Ok(())
    }

    fn set_value(&mut self, name: &str, v: &toml::Value) -> Result<()> {
        let known: Vec<&str> = self.entries.iter().map(|p| p.name).collect();
        let Some(p) = self.entries.iter_mut().find(|p| p.name == name) else {
            return Err(Error::invalid(
                format!("parameter '{name}'"),
                format!("unknown for this claim; valid names: {}", known.join(", ")),
            ));
        };
        let wrong = || Error::invalid(name, format!("expects {}, got {v}", p.value.type_name()));
        let num = |x: &toml::Value| match x {
            toml::Value::Integer(i) => Some(*i as f64),
            toml::Value::Float(f) => Some(*f),
            _ => None,
        };
        let int = |x: &toml::Value| x.as_integer();
        let new = match (&p.value, v) {
            (Value::Int(_), x) => Value::Int(int(x).ok_or_else(wrong)?),
            (Value::Float(_), x) => Value::Float(num(x).ok_or_else(wrong)?),
            (Value::Ints(_), toml::Value::Array(a)) => Value::Ints(
                a.iter()
                    .map(int)
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(wrong)?,
            ),
            (Value::Ints(_), x) => Value::Ints(vec![int(x).ok_or_else(wrong)?]),
            (Value::Floats(_), toml::Value::Array(a)) => Value::Floats(
                a.iter()
                    .map(num)
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(wrong)?,
            ),
            (Value::Floats(_), x) => Value::Floats(vec![num(x).ok_or_else(wrong)?]),
        };
        let values: Vec<f64> = match &new {
            Value::Int(i) => vec![*i as f64],
            Value::Float(f) => vec![*f],
            Value::Ints(v) => v.iter().map(|x| *x as f64).collect(),
            Value::Floats(v) => v.clone(),
        };
        if values.is_empty() {
            return Err(Error::invalid(name, "the list must not be empty"));
        }
        for x in values {
            let ok = x.is_finite()
                && match p.domain {
                    Domain::Any => true,
                    Domain::Positive => x > 0.0,
                    Domain::AtLeast(b) => x >= b,
                };
            if !ok {
                let want = match p.domain {
                    Domain::Any => "finite".to_string(),
                    Domain::Positive => "> 0".to_string(),
                    Domain::AtLeast(b) => format!(">= {b}"),
                };
                return Err(Error::invalid(name, format!("must be {want}, got {x}")));
            }
        }
        p.value = new;
        Ok(())
    }

    /// The parameters as a JSON object (for `claims.json`).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Object(
            self.entries
                .iter()
                .map(|p| {
                    (
                        p.name.to_string(),
                        serde_json::to_value(&p.value).unwrap_or_default(),
                    )
                })
                .collect(),
        )
    }

    /// `name = value  # doc` lines (for `ratebench list claims --params`).
    pub fn describe(&self) -> Vec<String> {
        self.entries
            .iter()
            .map(|p| format!("{} = {}  # {}", p.name, p.value.render(), p.doc))
            .collect()
    }
}

fn require_distinct(name: &str, mut keys: Vec<u64>, value: &Value) -> Result<()> {
    keys.sort_unstable();
    keys.dedup();
    if keys.len() >= 2 {
        return Ok(());
    }
    Err(Error::invalid(
        name,
        format!(
            "the claim compares across {name} and needs at least 2 distinct values, got {}; pass a list such as {name}=[a,b]",
            value.render()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> Params {
        Params::new()
            .int("n", 20, Domain::AtLeast(1.0), "dimension")
            .float("eta", 0.5, Domain::Positive, "step")
            .floats(
                "kappa",
                &[10.0, 100.0],
                Domain::AtLeast(1.0),
                "condition numbers",
            )
            .ints("k", &[6, 20], Domain::AtLeast(1.0), "ranks")
    }

    #[test]
    fn overrides_parse_lists_and_scalars() {
        let mut p = params();
        p.set("kappa", "[10,30,300]").unwrap();
        assert_eq!(p.f64s("kappa"), vec![10.0, 30.0, 300.0]);
        p.set("kappa", "100").unwrap();
        assert_eq!(p.f64s("kappa"), vec![100.0]);
        p.set("eta", "1").unwrap();
        assert_eq!(p.f64("eta"), 1.0);
        p.set("k", "[3]").unwrap();
        assert_eq!(p.usizes("k"), vec![3]);
    }

    #[test]
    fn bad_overrides_give_one_line_errors() {
        let mut p = params();
        let e = p.set("kapa", "3").unwrap_err().to_string();
        assert!(e.contains("unknown") && e.contains("kappa"), "{e}");
        let e = p.set("n", "2.5").unwrap_err().to_string();
        assert!(e.starts_with("invalid n: expects an integer"), "{e}");
        let e = p.set("eta", "abc").unwrap_err().to_string();
        assert!(e.starts_with("invalid eta: cannot parse"), "{e}");
        let e = p.set("eta", "-1").unwrap_err().to_string();
        assert_eq!(e, "invalid eta: must be > 0, got -1");
        let e = p.set("kappa", "[10, 0.5]").unwrap_err().to_string();
        assert_eq!(e, "invalid kappa: must be >= 1, got 0.5");
        let e = p.set("k", "0").unwrap_err().to_string();
        assert_eq!(e, "invalid k: must be >= 1, got 0");
        assert!(!e.contains('\n'));
        p.set("kappa", "[10, 10]").unwrap();
        let e = p.sweep_f64s("kappa").unwrap_err().to_string();
        assert!(e.contains("at least 2 distinct values"), "{e}");
        p.set("kappa", "[10, 100]").unwrap();
        assert_eq!(p.sweep_f64s("kappa").unwrap(), vec![10.0, 100.0]);
    }
}
