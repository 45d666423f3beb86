//! `summary.md`: the HTML page's content as GitHub-flavoured Markdown.

use crate::tables::{fmt_num, fmt_tol, measurement_row, measurements_ok, outcome_label};
use crate::{count, provenance, FigRef, Report};
use std::fmt::Write;

/// Makes text safe inside a table cell: pipes and line breaks would end the cell, and `<`
/// would start raw HTML.
pub(crate) fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\\' => out.push_str("\\\\"),
            '<' => out.push_str("&lt;"),
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Inline text outside tables: only line structure and raw HTML need care.
fn text(s: &str) -> String {
    s.replace('<', "&lt;").replace(['\n', '\r'], " ")
}

/// Inline code that survives backticks in the content.
fn code(s: &str) -> String {
    let s = s.replace(['\n', '\r'], " ");
    if s.contains('`') {
        format!("`` {s} ``")
    } else {
        format!("`{s}`")
    }
}

/// A table; `numeric[i]` right-aligns column `i` so that numbers line up.
fn table(out: &mut String, header: &[String], rows: &[Vec<String>], numeric: &[bool]) {
    let _ = writeln!(
        out,
        "| {} |",
        header
            .iter()
            .map(|h| cell(h))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let rule: String = (0..header.len())
        .map(|i| {
            if numeric.get(i).copied().unwrap_or(false) {
                "---:|"
            } else {
                "---|"
            }
        })
        .collect();
    let _ = writeln!(out, "|{rule}");
    for r in rows {
        let _ = writeln!(
            out,
            "| {} |",
            r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
        );
    }
    out.push('\n');
}

fn figure(out: &mut String, f: &FigRef) {
    let alt = f.title.replace(['[', ']'], "");
    let _ = writeln!(
        out,
        "![{}]({}.svg)\n\n[PNG]({}.png)\n",
        text(&alt),
        f.path,
        f.path
    );
}

/// The whole page.
pub(crate) fn page(r: &Report<'_>) -> String {
    let mut o = String::from("# ratebench report\n\n");
    let _ = writeln!(
        o,
        "Results directory: {} · {} · {} · {}\n",
        code(&r.results_dir),
        count(r.n_runs, "run"),
        count(r.claims.len(), "claim"),
        count(r.suites.len(), "suite"),
    );

    match r.manifest {
        Some(m) => {
            o.push_str("## Provenance\n\n");
            let rows: Vec<Vec<String>> = provenance(m)
                .into_iter()
                .map(|(k, v)| vec![k.to_string(), v])
                .collect();
            table(&mut o, &["field".into(), "value".into()], &rows, &[]);
        }
        None if !r.empty => o.push_str("No `manifest.json`: provenance unknown.\n\n"),
        None => {}
    }

    if r.empty {
        let _ = writeln!(
            o,
            "**No results were found** in {} (no manifest.json, runs.csv or claims.json).\n",
            code(&r.results_dir)
        );
    }

    if !r.claims.is_empty() {
        o.push_str("## Claims\n\n");
        let rows: Vec<Vec<String>> = r
            .claims
            .iter()
            .map(|c| {
                let v = c.verdict;
                vec![
                    v.id.clone(),
                    v.title.clone(),
                    outcome_label(v.outcome).to_string(),
                    measurements_ok(&v.measurements),
                    fmt_num(v.wall_s),
                ]
            })
            .collect();
        let header = ["id", "title", "outcome", "criteria met", "wall time (s)"].map(String::from);
        table(&mut o, &header, &rows, &[false, false, false, true, true]);

        for c in &r.claims {
            let v = c.verdict;
            let _ = writeln!(
                o,
                "### {} — {} — {}\n",
                text(&v.id),
                text(&v.title),
                outcome_label(v.outcome)
            );
            if !v.source.is_empty() {
                let _ = writeln!(o, "Source: {}\n", text(&v.source));
            }
            if !v.statement.is_empty() {
                let _ = writeln!(o, "{}\n", text(&v.statement));
            }
            if !v.message.is_empty() {
                let _ = writeln!(o, "> {}\n", text(&v.message));
            }
            if !v.params.is_null() && v.params.as_object().is_none_or(|m| !m.is_empty()) {
                let _ = writeln!(o, "Parameters: {}\n", code(&v.params.to_string()));
            }
            if !v.measurements.is_empty() {
                let header = [
                    "measurement",
                    "value",
                    "95% CI",
                    "criterion",
                    "ok",
                    "reference",
                ]
                .map(String::from);
                let rows: Vec<Vec<String>> = v
                    .measurements
                    .iter()
                    .map(|m| {
                        let r = measurement_row(m);
                        vec![
                            r.name,
                            r.value,
                            r.ci,
                            r.criterion,
                            r.ok.to_string(),
                            r.reference,
                        ]
                    })
                    .collect();
                table(
                    &mut o,
                    &header,
                    &rows,
                    &[false, true, true, false, false, true],
                );
            }
            if let Some(f) = &c.figure {
                figure(&mut o, f);
            }
        }
    }

    for s in &r.suites {
        let _ = writeln!(
            o,
            "## Suite {}\n\nGroup {}. Lines: median over the seeds still running at each iteration (on the \
             work and time axes, at their median work and time; time includes the initialization); shaded: \
             min–max over those seeds. Non-finite or non-positive values are left out of the log axis.\n",
            text(&s.name),
            code(&s.group)
        );
        for sec in &s.sections {
            let _ = writeln!(o, "### Family {}\n", text(&sec.family));
            for c in &sec.cases {
                let _ = writeln!(o, "#### {} ({})\n", text(&c.case), text(&c.metric));
                if c.figures.is_empty() {
                    o.push_str("No trace samples for this case.\n\n");
                }
                for f in &c.figures {
                    figure(&mut o, f);
                }
            }
            for t in &sec.tables {
                let tols = t
                    .tolerances
                    .iter()
                    .map(|&x| fmt_tol(x))
                    .collect::<Vec<_>>()
                    .join(", ");
                let _ = writeln!(
                    o,
                    "#### Time to tolerance: {} ({})\n\nTolerances {tols}. \"reached\" counts seeds; iteration, work \
                     and time (ms, initialization included) medians are over the seeds that reached it.\n",
                    text(&sec.family),
                    text(&t.metric)
                );
                let rows: Vec<Vec<String>> = t.rows.iter().map(|r| r.cells.clone()).collect();
                table(&mut o, &t.header(), &rows, &t.numeric());
            }
        }
    }

    if !r.panels.is_empty() {
        o.push_str("## Images\n\n");
        for p in &r.panels {
            let alt = p.title.replace(['[', ']'], "");
            let _ = writeln!(o, "![{}]({})\n", text(&alt), p.path);
            for a in &p.attributions {
                let _ = writeln!(o, "{}\n", text(a));
            }
        }
    }

    if !r.attributions.is_empty() {
        o.push_str("## Data attribution\n\n");
        for a in &r.attributions {
            let _ = writeln!(o, "* {}", text(a));
        }
        o.push('\n');
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_tables() {
        assert_eq!(cell("|ρ̂ − 0.5| < 0.03\nx"), "\\|ρ̂ − 0.5\\| &lt; 0.03 x");
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(code("x"), "`x`");
    }
}
