//! The charts of the printable report, drawn as inline SVG (pure): horizontal bars and monthly
//! lines, with presentation attributes only (no `style` attribute, so the page's CSP needs
//! no `unsafe-inline`). A suppressed figure draws no bar and breaks its line.
use std::fmt::Write;

use super::params::Lang;
use super::report_text::month;

pub const COLORS: [&str; 4] = ["#1b6ca8", "#c0392b", "#e67e22", "#27ae60"];

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A figure as shown in a table: the number, `*` when suppressed, `–` when absent.
pub fn shown(value: Option<f64>, suppressed: bool) -> String {
    match (value, suppressed) {
        (_, true) => "*".into(),
        (Some(v), _) if v.fract() == 0.0 => format!("{v:.0}"),
        (Some(v), _) => format!("{v:.1}"),
        (None, _) => "–".into(),
    }
}

/// A label short enough for a chart (the table under it gives it whole).
fn short(label: &str) -> String {
    if label.chars().count() <= 40 {
        label.to_string()
    } else {
        label.chars().take(39).chain(std::iter::once('…')).collect()
    }
}

/// A horizontal bar chart: per item, its bars (one per series), with labels.
pub fn bars(items: &[(String, Vec<Option<f64>>)], series: usize) -> String {
    let (label_w, bar_w, bar_h) = (250.0, 350.0, 10.0);
    let group_h = bar_h * series as f64 + 8.0;
    let height = (items.len().max(1) as f64) * group_h + 10.0;
    let max = items
        .iter()
        .flat_map(|(_, v)| v.iter().flatten())
        .fold(0.0_f64, |a, b| a.max(*b))
        .max(1.0);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {w} {height}\" role=\"img\" \
         font-size=\"10\" direction=\"ltr\">",
        w = label_w + bar_w + 60.0
    );
    for (i, (label, values)) in items.iter().enumerate() {
        let y = 5.0 + i as f64 * group_h;
        let _ = write!(
            svg,
            "<text x=\"{x}\" y=\"{ty}\" text-anchor=\"end\">{}</text>",
            escape(&short(label)),
            x = label_w - 6.0,
            ty = y + group_h / 2.0
        );
        for (j, v) in values.iter().enumerate() {
            let by = y + j as f64 * bar_h;
            let Some(v) = v else {
                let _ = write!(
                    svg,
                    "<text x=\"{label_w}\" y=\"{}\" fill=\"#777\">*</text>",
                    by + bar_h - 1.0
                );
                continue;
            };
            let w = (v / max * bar_w).max(0.5);
            let _ = write!(
                svg,
                "<rect x=\"{label_w}\" y=\"{by}\" width=\"{w:.1}\" height=\"{h}\" fill=\"{c}\"/>\
                 <text x=\"{tx:.1}\" y=\"{ty}\">{}</text>",
                shown(Some(*v), false),
                h = bar_h - 1.0,
                c = COLORS[j % COLORS.len()],
                tx = label_w + w + 3.0,
                ty = by + bar_h - 1.5
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A line chart of monthly series; a suppressed month breaks its line.
pub fn lines(series: &[(String, Vec<Option<f64>>)], lang: Lang) -> String {
    let (left, top, w, h) = (40.0, 10.0, 560.0, 160.0);
    let max = series
        .iter()
        .flat_map(|(_, v)| v.iter().flatten())
        .fold(0.0_f64, |a, b| a.max(*b))
        .max(1.0);
    let x = |m: usize| left + (m as f64 + 0.5) * w / 12.0;
    let y = |v: f64| top + h - v / max * h;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 620 200\" role=\"img\" \
         font-size=\"9\" direction=\"ltr\"><line x1=\"{left}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" \
         stroke=\"#444\"/><line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{b}\" stroke=\"#444\"/>\
         <text x=\"{tx}\" y=\"{ty}\" text-anchor=\"end\">{max:.0}</text>",
        b = top + h,
        r = left + w,
        tx = left - 3.0,
        ty = top + 4.0
    );
    for m in 0..12 {
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            x(m),
            top + h + 14.0,
            escape(month(lang, m + 1))
        );
    }
    for (i, (_, values)) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let mut run: Vec<String> = Vec::new();
        let flush = |run: &mut Vec<String>, svg: &mut String| {
            if run.len() > 1 {
                let _ = write!(
                    svg,
                    "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{}\"/>",
                    run.join(" ")
                );
            }
            run.clear();
        };
        for (m, v) in values.iter().enumerate() {
            match v {
                Some(v) => {
                    run.push(format!("{:.1},{:.1}", x(m), y(*v)));
                    let _ = write!(
                        svg,
                        "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2\" fill=\"{color}\"/>",
                        x(m),
                        y(*v)
                    );
                }
                None => flush(&mut run, &mut svg),
            }
        }
        flush(&mut run, &mut svg);
    }
    svg.push_str("</svg>");
    svg
}

pub fn legend(out: &mut String, names: &[String]) {
    out.push_str("<p class=\"legend\">");
    for (i, n) in names.iter().enumerate() {
        let _ = write!(
            out,
            "<span><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\" \
             viewBox=\"0 0 10 10\"><rect width=\"10\" height=\"10\" fill=\"{}\"/></svg> {}</span>",
            COLORS[i % COLORS.len()],
            escape(n)
        );
    }
    out.push_str("</p>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn charts_break_at_suppressed_months() {
        let svg = lines(
            &[(
                "a".into(),
                vec![Some(1.0), Some(2.0), None, Some(3.0), Some(1.0)],
            )],
            Lang::Fr,
        );
        assert_eq!(svg.matches("<polyline").count(), 2);
        let svg = bars(&[("x<y".into(), vec![Some(4.0), None])], 2);
        assert!(svg.contains("x&lt;y") && svg.contains("<rect"));
    }
}
