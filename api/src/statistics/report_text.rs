//! The words of the printable report, in Arabic and French. Codes of the vocabulary (concern
//! families, stages, closure reasons, service types) take their labels from the reference
//! lists instead (`Labels`).
use std::collections::HashMap;

use super::params::Lang;

/// A word of the page: (key, Arabic, French).
const WORDS: &[(&str, &str, &str)] = &[
    (
        "title",
        "التقرير الإقليمي لحماية الطفولة",
        "Rapport provincial de protection de l'enfance",
    ),
    ("year", "السنة", "Année"),
    ("previous_year", "السنة السابقة", "Année précédente"),
    ("summary", "أرقام عامة", "Chiffres clés"),
    ("reports", "التبليغات", "Signalements"),
    ("children", "الأطفال المبلغ عنهم", "Enfants signalés"),
    ("cases_opened", "الملفات المفتوحة", "Dossiers ouverts"),
    ("cases_closed", "الملفات المغلقة", "Dossiers clôturés"),
    (
        "reports_by_concern",
        "تطور التبليغات حسب فئة الإشكالية وحسب الشهر",
        "Évolution des signalements par famille de problématique et par mois",
    ),
    ("month", "الشهر", "Mois"),
    (
        "cases_by_stage",
        "الملفات المفتوحة حسب المرحلة",
        "Dossiers ouverts par étape",
    ),
    ("stage", "المرحلة", "Étape"),
    ("outcomes", "النتائج", "Résultats"),
    ("indicator", "المؤشر", "Indicateur"),
    ("children_integrated", "الأطفال المدمجون", "Enfants intégrés"),
    (
        "social_emergency",
        "الأطفال المستفيدون من الإسعاف الاجتماعي",
        "Enfants pris en charge par le SAMU social",
    ),
    (
        "vocational_training",
        "الإدماج في التكوين المهني أو التدرج المهني",
        "Intégration en formation professionnelle ou apprentissage",
    ),
    ("back_to_school", "العودة إلى الدراسة", "Retour à l'école"),
    (
        "closures_by_reason",
        "إغلاق الملفات حسب السبب",
        "Clôtures par motif",
    ),
    ("reason", "السبب", "Motif"),
    (
        "referral_delays",
        "آجال الإحالات (بالساعات)",
        "Délais des orientations (en heures)",
    ),
    ("service_type", "نوع الخدمة", "Type de service"),
    ("accepted", "المقبولة", "Acceptées"),
    ("completed", "المنجزة", "Réalisées"),
    (
        "median_acceptance",
        "الوسيط حتى القبول",
        "Médiane jusqu'à l'acceptation",
    ),
    (
        "p90_acceptance",
        "المئين 90 حتى القبول",
        "90e centile jusqu'à l'acceptation",
    ),
    (
        "median_completion",
        "الوسيط حتى الإنجاز",
        "Médiane jusqu'à la réalisation",
    ),
    (
        "p90_completion",
        "المئين 90 حتى الإنجاز",
        "90e centile jusqu'à la réalisation",
    ),
    (
        "protocol_compliance",
        "احترام البروتوكول",
        "Respect du protocole",
    ),
    ("actions", "إجراءات البروتوكول", "Actions du protocole"),
    (
        "immediate_danger_screening",
        "فرز تبليغات الخطر الداهم في الأجل",
        "Tri des signalements de danger immédiat dans le délai",
    ),
    ("due", "المستحقة", "Échues"),
    ("on_time", "في الأجل", "Dans le délai"),
    ("late", "متأخرة", "En retard"),
    ("share", "النسبة في الأجل", "Part dans le délai"),
    (
        "suppressed",
        "رقم محجوب (عدد صغير)",
        "Chiffre masqué (petit effectif)",
    ),
    ("none", "لا توجد بيانات", "Aucune donnée"),
];

const MONTHS_AR: [&str; 12] = [
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "ماي",
    "يونيو",
    "يوليوز",
    "غشت",
    "شتنبر",
    "أكتوبر",
    "نونبر",
    "دجنبر",
];
const MONTHS_FR: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc.",
];

/// A word of the page in `lang` (its key when unknown, which a test prevents).
pub fn word(lang: Lang, key: &str) -> &str {
    word_in(WORDS, lang, key)
}

/// A word of a page's table of `(key, Arabic, French)` in `lang` (its key when unknown).
pub fn word_in<'a>(table: &'a [(&str, &'a str, &'a str)], lang: Lang, key: &'a str) -> &'a str {
    table
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, ar, fr)| if lang == Lang::Ar { *ar } else { *fr })
        .unwrap_or(key)
}

/// The short name of month `m` (1–12).
pub fn month(lang: Lang, m: usize) -> &'static str {
    let names = if lang == Lang::Ar {
        &MONTHS_AR
    } else {
        &MONTHS_FR
    };
    names.get(m.wrapping_sub(1)).copied().unwrap_or("")
}

/// The reference lists whose labels the printable pages (report, diagnostic) show.
pub const LISTS: [&str; 6] = [
    "concern_families",
    "concern_types",
    "case_stages",
    "closure_reasons",
    "service_types",
    "pathway_domains",
];

/// Labels of vocabulary codes: (list, code) → (Arabic, French).
#[derive(Debug, Clone, Default)]
pub struct Labels(pub HashMap<(String, String), (String, String)>);

impl Labels {
    /// The label of a code of a list (the code itself when the list lacks it).
    pub fn of<'a>(&'a self, lang: Lang, list: &str, code: &'a str) -> &'a str {
        self.0
            .get(&(list.to_string(), code.to_string()))
            .map(|(ar, fr)| {
                if lang == Lang::Ar {
                    ar.as_str()
                } else {
                    fr.as_str()
                }
            })
            .unwrap_or(code)
    }
}

/// The labels of the reference lists the page shows.
pub fn load(conn: &mut crate::db::DbConn) -> Result<Labels, crate::error::ApiError> {
    let mut out = HashMap::new();
    for list in LISTS {
        for (code, label) in super::store::labels(conn, list)? {
            out.insert((list.to_string(), code), label);
        }
    }
    Ok(Labels(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_is_in_both_languages() {
        for (key, ar, fr) in WORDS {
            assert!(!ar.is_empty() && !fr.is_empty(), "{key}");
        }
        assert_eq!(word(Lang::Fr, "year"), "Année");
        assert_eq!(month(Lang::Ar, 8), "غشت");
        assert_eq!(month(Lang::Fr, 13), "");
    }
}
