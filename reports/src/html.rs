//! The self-contained HTML page (inline CSS, no scripts, figures by relative path).

use crate::tables::{fmt_num, fmt_tol, measurement_row, measurements_ok, outcome_label};
use crate::{count, provenance, FigRef, Report};
use ratebench_harness::results::Outcome;
use std::fmt::Write;

/// Escapes text for element content and quoted attribute values alike.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// An id usable as a fragment (`#claim-LR-1`).
fn anchor(prefix: &str, s: &str) -> String {
    format!("{prefix}-{}", crate::tables::slug(s, false))
}

const CSS: &str = r#"
body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { margin-bottom: .2rem; } h2 { border-bottom: 1px solid #ddd; padding-bottom: .2rem; margin-top: 2.5rem; }
table { border-collapse: collapse; margin: .6rem 0 1.2rem; font-size: .92rem; }
th, td { border: 1px solid #ccc; padding: .25rem .55rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.prov th { width: 12rem; }
.outcome { font-weight: bold; padding: .05rem .45rem; border-radius: .25rem; white-space: nowrap; }
.pass { background: #d8f0d8; color: #145214; } .fail { background: #f8d4d4; color: #8a1010; }
.error { background: #fde6c4; color: #7a4300; } .exploratory { background: #e2e8f3; color: #2b3f66; font-weight: normal; }
.ok-yes { color: #145214; } .ok-no { color: #8a1010; font-weight: bold; } .ok-none { color: #666; }
figure { margin: .8rem 0 1.6rem; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: .88rem; color: #555; }
.muted { color: #666; font-size: .9rem; } code { background: #f5f5f5; padding: 0 .2rem; }
.notice { background: #fff8dc; border: 1px solid #e8d990; padding: .6rem 1rem; }
"#;

fn outcome_span(o: Outcome) -> String {
    format!(
        "<span class=\"outcome {}\">{}</span>",
        o.as_str(),
        esc(outcome_label(o))
    )
}

fn figure(out: &mut String, f: &FigRef, caption: &str) {
    let _ = writeln!(
        out,
        "<figure><a href=\"{p}.svg\"><img src=\"{p}.svg\" alt=\"{t}\" width=\"800\" height=\"500\"></a>\
         <figcaption>{c} <a href=\"{p}.png\">PNG</a> · <a href=\"{p}.svg\">SVG</a></figcaption></figure>",
        p = esc(&f.path),
        t = esc(&f.title),
        c = esc(caption),
    );
}

fn table(out: &mut String, header: &[String], rows: &[Vec<String>], numeric: &[bool]) {
    out.push_str("<table>\n<tr>");
    for h in header {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr>\n");
    for r in rows {
        out.push_str("<tr>");
        for (i, c) in r.iter().enumerate() {
            let class = if numeric.get(i).copied().unwrap_or(false) {
                " class=\"num\""
            } else {
                ""
            };
            let _ = write!(out, "<td{class}>{}</td>", esc(c));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
}

/// The whole page.
pub(crate) fn page(r: &Report<'_>) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>ratebench report</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>ratebench report</h1>\n\
         <p class=\"muted\">Results directory: <code>{}</code> · {} · {} · {}</p>\n",
        esc(&r.results_dir),
        count(r.n_runs, "run"),
        count(r.claims.len(), "claim"),
        count(r.suites.len(), "suite"),
    );

    match r.manifest {
        Some(m) => {
            o.push_str("<h2 id=\"provenance\">Provenance</h2>\n<table class=\"prov\">\n");
            for (k, v) in provenance(m) {
                let _ = writeln!(o, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(&v));
            }
            o.push_str("</table>\n");
            if !m.crates.is_empty() {
                let list = m
                    .crates
                    .iter()
                    .map(|(n, v)| format!("{n} {v}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let _ = writeln!(
                    o,
                    "<details><summary>crate versions</summary><p>{}</p></details>",
                    esc(&list)
                );
            }
        }
        None if !r.empty => o.push_str(
            "<p class=\"notice\">No <code>manifest.json</code>: provenance unknown.</p>\n",
        ),
        None => {}
    }

    if r.empty {
        let _ = writeln!(
            o,
            "<p class=\"notice\">No results were found in <code>{}</code> (no manifest.json, runs.csv or claims.json). \
             Run <code>ratebench check</code> or <code>ratebench run SUITE</code> with <code>--out</code> pointing there first.</p>",
            esc(&r.results_dir)
        );
    }

    if !r.claims.is_empty() {
        o.push_str("<h2 id=\"claims\">Claims</h2>\n<table>\n<tr><th>id</th><th>title</th><th>outcome</th><th>criteria met</th><th>wall time (s)</th></tr>\n");
        for c in &r.claims {
            let v = c.verdict;
            let _ = writeln!(
                o,
                "<tr><td><a href=\"#{a}\">{id}</a></td><td>{t}</td><td>{oc}</td><td class=\"num\">{ok}</td><td class=\"num\">{w}</td></tr>",
                a = esc(&anchor("claim", &v.id)),
                id = esc(&v.id),
                t = esc(&v.title),
                oc = outcome_span(v.outcome),
                ok = esc(&measurements_ok(&v.measurements)),
                w = esc(&fmt_num(v.wall_s)),
            );
        }
        o.push_str("</table>\n");

        for c in &r.claims {
            let v = c.verdict;
            let _ = writeln!(
                o,
                "<h3 id=\"{}\">{} — {} {}</h3>",
                esc(&anchor("claim", &v.id)),
                esc(&v.id),
                esc(&v.title),
                outcome_span(v.outcome)
            );
            if !v.source.is_empty() {
                let _ = writeln!(o, "<p class=\"muted\">Source: {}</p>", esc(&v.source));
            }
            if !v.statement.is_empty() {
                let _ = writeln!(o, "<p>{}</p>", esc(&v.statement));
            }
            if !v.message.is_empty() {
                let _ = writeln!(o, "<p class=\"notice\">{}</p>", esc(&v.message));
            }
            if !v.params.is_null() && v.params.as_object().is_none_or(|m| !m.is_empty()) {
                let _ = writeln!(
                    o,
                    "<p class=\"muted\">Parameters: <code>{}</code></p>",
                    esc(&v.params.to_string())
                );
            }
            if !v.measurements.is_empty() {
                o.push_str("<table>\n<tr><th>measurement</th><th>value</th><th>95% CI</th><th>criterion</th><th>ok</th><th>reference</th></tr>\n");
                for m in &v.measurements {
                    let row = measurement_row(m);
                    let ok_class = match m.ok {
                        Some(true) => "ok-yes",
                        Some(false) => "ok-no",
                        None => "ok-none",
                    };
                    let _ = writeln!(
                        o,
                        "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"{ok_class}\">{}</td><td class=\"num\">{}</td></tr>",
                        esc(&row.name),
                        esc(&row.value),
                        esc(&row.ci),
                        esc(&row.criterion),
                        esc(row.ok),
                        esc(&row.reference)
                    );
                }
                o.push_str("</table>\n");
            }
            if let Some(f) = &c.figure {
                figure(&mut o, f, &f.title);
            }
        }
    }

    for s in &r.suites {
        let _ = writeln!(
            o,
            "<h2 id=\"{}\">Suite {}</h2>",
            esc(&anchor("suite", &s.name)),
            esc(&s.name)
        );
        let _ = writeln!(
            o,
            "<p class=\"muted\">Group <code>{}</code>. Lines: median over the seeds still running at each \
             iteration (on the work and time axes, at their median work and time; time includes the \
             initialization); shaded: min–max over those seeds. Non-finite or non-positive values are left \
             out of the log axis.</p>",
            esc(&s.group)
        );
        for sec in &s.sections {
            let _ = writeln!(o, "<h3>Family {}</h3>", esc(&sec.family));
            for c in &sec.cases {
                let _ = writeln!(
                    o,
                    "<h4>{} <span class=\"muted\">({})</span></h4>",
                    esc(&c.case),
                    esc(&c.metric)
                );
                if c.figures.is_empty() {
                    o.push_str("<p class=\"muted\">No trace samples for this case.</p>\n");
                }
                for f in &c.figures {
                    figure(&mut o, f, &f.title);
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
                    "<h4>Time to tolerance: {} ({})</h4>\n<p class=\"muted\">Tolerances {tols}. “reached” counts seeds; \
                     iteration, work and time (ms, initialization included) medians are over the seeds that reached it.</p>",
                    esc(&sec.family),
                    esc(&t.metric)
                );
                let rows: Vec<Vec<String>> = t.rows.iter().map(|r| r.cells.clone()).collect();
                table(&mut o, &t.header(), &rows, &t.numeric());
            }
        }
    }

    if !r.panels.is_empty() {
        o.push_str("<h2 id=\"images\">Images</h2>\n");
        for p in &r.panels {
            let _ = writeln!(
                o,
                "<figure><a href=\"{path}\"><img src=\"{path}\" alt=\"{t}\"></a><figcaption>{t}{a}</figcaption></figure>",
                path = esc(&p.path),
                t = esc(&p.title),
                a = p
                    .attributions
                    .iter()
                    .map(|a| format!("<br>{}", esc(a)))
                    .collect::<String>()
            );
        }
    }

    if !r.attributions.is_empty() {
        o.push_str("<h2 id=\"attribution\">Data attribution</h2>\n<ul>\n");
        for a in &r.attributions {
            let _ = writeln!(o, "<li>{}</li>", esc(a));
        }
        o.push_str("</ul>\n");
    }

    o.push_str("</body>\n</html>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
