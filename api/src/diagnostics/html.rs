//! The diagnostic as a printable page (`Accept: text/html`), in Arabic (right to left) or
//! French, beside the provincial report: the inventory, the needs with their gaps, the risks
//! and the committee's needs, as tables. Same style and CSP as the report (nothing external);
//! every text from data is escaped.
use std::fmt::Write;

use madar_openapi::diagnostics::{NeedPriority, TerritoryDiagnostic};

use crate::codes::to_code;
use crate::statistics::params::Lang;
use crate::statistics::report_html::CSS;
use crate::statistics::report_svg::{escape, shown};
use crate::statistics::report_text::{word_in, Labels};

const WORDS: &[(&str, &str, &str)] = &[
    (
        "title",
        "تشخيص الهياكل والخدمات",
        "Diagnostic des structures et services",
    ),
    (
        "inventory",
        "جرد الخدمات حسب المجال",
        "Inventaire des services par domaine",
    ),
    ("domain", "المجال", "Domaine"),
    ("service_type", "نوع الخدمة", "Type de service"),
    ("services", "الخدمات", "Services"),
    ("capacity", "الطاقة الاستيعابية", "Capacité"),
    ("places", "الأماكن الشاغرة", "Places libres"),
    (
        "needs",
        "الأطفال في وضعية حاجة والخدمات المتاحة",
        "Enfants en besoin et services disponibles",
    ),
    ("concern", "الإشكالية", "Problématique"),
    ("children", "الأطفال المبلغ عنهم", "Enfants signalés"),
    ("gap", "خصاص", "Manque"),
    ("gap_yes", "لا توجد خدمة", "Aucun service"),
    (
        "risks",
        "المخاطر الرئيسية: الملفات المفتوحة حسب الإشكالية",
        "Risques principaux : dossiers ouverts par problématique",
    ),
    ("cases", "الملفات", "Dossiers"),
    ("previous_year", "السنة السابقة", "Année précédente"),
    (
        "committee",
        "الحاجيات التي سجلتها اللجنة",
        "Besoins relevés par le comité",
    ),
    ("priority", "الأولوية", "Priorité"),
    ("high", "عالية", "Haute"),
    ("medium", "متوسطة", "Moyenne"),
    ("low", "منخفضة", "Basse"),
    ("none", "لا شيء", "Aucun"),
    (
        "suppressed",
        "القيم الأقل من العتبة مخفية",
        "valeurs sous le seuil masquées",
    ),
];

fn word(lang: Lang, key: &'static str) -> &'static str {
    word_in(WORDS, lang, key)
}

fn number(v: Option<i64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_else(|| "—".into())
}

fn head(out: &mut String, cells: &[&str]) {
    out.push_str("<table><thead><tr>");
    for c in cells {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape(c));
    }
    out.push_str("</tr></thead><tbody>");
}

/// The page.
pub fn render(d: &TerritoryDiagnostic, lang: Lang, labels: &Labels) -> String {
    let w = |k| word(lang, k);
    let (code, dir, name) = match lang {
        Lang::Ar => ("ar", "rtl", &d.name_ar),
        Lang::Fr => ("fr", "ltr", &d.name_fr),
    };
    let mut out = String::with_capacity(16 * 1024);
    let title = format!("{} — {} {}", w("title"), name, d.year);
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"{code}\" dir=\"{dir}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t}</title><style>{CSS}</style></head><body><header><h1>{t}</h1>\
         <p class=\"meta\">{territory} · * {note}</p></header>",
        t = escape(&title),
        territory = escape(&d.territory),
        note = w("suppressed"),
    );
    // The inventory.
    let _ = write!(out, "<section id=\"inventory\"><h2>{}</h2>", w("inventory"));
    head(
        &mut out,
        &[
            w("domain"),
            w("service_type"),
            w("services"),
            w("capacity"),
            w("places"),
        ],
    );
    for domain in &d.inventory {
        let domain_code = to_code(&domain.domain);
        let domain_name = labels.of(lang, "pathway_domains", &domain_code);
        if domain.service_types.is_empty() {
            let _ = write!(
                out,
                "<tr class=\"empty\"><th scope=\"row\">{}</th><td>{}</td><td class=\"n\">0</td><td></td><td></td></tr>",
                escape(domain_name),
                w("none")
            );
        }
        for t in &domain.service_types {
            let _ = write!(
                out,
                "<tr><th scope=\"row\">{}</th><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                escape(domain_name),
                escape(labels.of(lang, "service_types", &t.service_type)),
                t.services,
                number(t.capacity),
                number(t.places_available)
            );
        }
    }
    out.push_str("</tbody></table></section>");
    // Needs against services.
    let _ = write!(out, "<section id=\"needs\"><h2>{}</h2>", w("needs"));
    head(
        &mut out,
        &[w("concern"), w("children"), w("services"), w("gap")],
    );
    for n in &d.needs {
        let concern = to_code(&n.concern);
        let _ = write!(
            out,
            "<tr{}><th scope=\"row\">{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            if n.gap { " class=\"gap\"" } else { "" },
            escape(labels.of(lang, "concern_types", &concern)),
            shown(n.children.map(|c| c as f64), n.suppressed),
            n.services,
            if n.gap { w("gap_yes") } else { "" }
        );
    }
    out.push_str("</tbody></table></section>");
    // Risks.
    let _ = write!(out, "<section id=\"risks\"><h2>{}</h2>", w("risks"));
    head(&mut out, &[w("concern"), w("cases"), w("previous_year")]);
    let mut cells: Vec<_> = d.risks.cells.iter().collect();
    cells.sort_by_key(|c| std::cmp::Reverse(c.count.unwrap_or(0)));
    for c in cells {
        let concern = c.key.first().map(String::as_str).unwrap_or("");
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(labels.of(lang, "concern_types", concern)),
            shown(c.count.map(|n| n as f64), c.suppressed),
            shown(
                c.previous_year.map(|n| n as f64),
                c.previous_year_suppressed
            )
        );
    }
    out.push_str("</tbody></table></section>");
    // The committee's needs.
    let _ = write!(out, "<section id=\"committee\"><h2>{}</h2>", w("committee"));
    if d.committee_needs.is_empty() {
        let _ = write!(out, "<p>{}</p>", w("none"));
    } else {
        head(&mut out, &[w("priority"), w("domain"), w("needs")]);
        for n in &d.committee_needs {
            let priority = match n.priority {
                NeedPriority::High => w("high"),
                NeedPriority::Medium => w("medium"),
                NeedPriority::Low => w("low"),
            };
            let domain = n
                .domain
                .map(|d| labels.of(lang, "pathway_domains", &to_code(&d)).to_string())
                .unwrap_or_default();
            let _ = write!(
                out,
                "<tr><th scope=\"row\">{}</th><td>{}</td><td dir=\"auto\">{}</td></tr>",
                priority,
                escape(&domain),
                escape(&n.text)
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</section></body></html>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_is_in_both_languages() {
        for (key, ar, fr) in WORDS {
            assert!(!ar.is_empty() && !fr.is_empty(), "{key}");
        }
    }
}
