#!/usr/bin/env python3
"""Generate Madar's reference-data migration for both database backends.

Reads Morocco's territories from the shared data folder and the reference lists
below (codes from vocabulary.md), and writes

    migrations/sqlite/2026-11-30-000001_reference_data/{up,down}.sql
    migrations/postgres/2026-11-30-000001_reference_data/{up,down}.sql

Usage (from anywhere; the migrations are written under the repository root):

    python3 scripts/gen-reference-data.py [DATA_DIR]

DATA_DIR defaults to ../shared/data relative to the repository root. It must hold
morocco_provinces.tsv and casablanca_prefectures_arrondissements.tsv.
The generated SQL is checked in; edit this script, never the SQL.
Standard library only.
"""

import csv
import os
import sys

MIGRATION = "2026-11-30-000001_reference_data"

# ---------------------------------------------------------------------------
# Reference lists. Codes and order come from vocabulary.md; each item is
# (code, label_ar, label_fr, label_en) or, for lists with a parent list,
# (code, parent_code, label_ar, label_fr, label_en).
# ---------------------------------------------------------------------------

CONCERN_FAMILIES = [
    ("violence", "العنف", "Violence", "Violence"),
    ("exploitation", "الاستغلال", "Exploitation", "Exploitation"),
    ("neglect", "الإهمال", "Négligence", "Neglect"),
    ("vulnerability", "الهشاشة", "Vulnérabilité", "Vulnerability"),
]

CONCERN_TYPES = [  # parent list: concern_families
    ("physical_violence", "violence", "العنف الجسدي", "Violence physique", "Physical violence"),
    ("sexual_violence", "violence", "العنف الجنسي", "Violence sexuelle", "Sexual violence"),
    ("psychological_violence", "violence", "العنف النفسي", "Violence psychologique", "Psychological violence"),
    ("witness_of_violence", "violence", "طفل شاهد على العنف", "Enfant témoin de violence", "Child witness of violence"),
    ("online_risks", "violence", "مخاطر الأنترنيت", "Risques en ligne", "Online risks"),
    ("harmful_practices", "violence", "الممارسات الضارة (تزويج الأطفال)", "Pratiques néfastes (mariage d'enfants)", "Harmful practices (child marriage)"),
    ("degrading_treatment", "violence", "التعذيب والمعاملة المهينة", "Torture et traitements dégradants", "Torture and degrading treatment"),
    ("economic_exploitation", "exploitation", "الاستغلال الاقتصادي (تشغيل الأطفال)", "Exploitation économique (travail des enfants)", "Economic exploitation (child labour)"),
    ("begging_exploitation", "exploitation", "الاستغلال في التسول", "Exploitation dans la mendicité", "Exploitation in begging"),
    ("sexual_exploitation", "exploitation", "الاستغلال الجنسي", "Exploitation sexuelle", "Sexual exploitation"),
    ("trafficking", "exploitation", "بيع الأطفال والاتجار بهم", "Vente et traite d'enfants", "Sale of and trafficking in children"),
    ("neglect", "neglect", "الإهمال", "Négligence", "Neglect"),
    ("abandonment", "neglect", "التخلي", "Abandon", "Abandonment"),
    ("deprived_of_family", "neglect", "الحرمان من الوسط العائلي", "Privation du milieu familial", "Deprived of a family environment"),
    ("street_situation", "vulnerability", "وضعية الشارع", "Situation de rue", "Street situation"),
    ("unregistered_civil_status", "vulnerability", "عدم التسجيل في الحالة المدنية", "Non inscrit à l'état civil", "Not registered in civil status"),
    ("out_of_school", "vulnerability", "عدم التمدرس أو الانقطاع عن الدراسة", "Non scolarisé ou déscolarisé", "Out of school or dropped out"),
    ("disability", "vulnerability", "الإعاقة", "Handicap", "Disability"),
    ("addiction", "vulnerability", "الإدمان", "Addiction", "Addiction"),
    ("conflict_with_law", "vulnerability", "نزاع مع القانون", "Conflit avec la loi", "In conflict with the law"),
    ("unaccompanied_migrant", "vulnerability", "طفل مهاجر غير مرفق", "Mineur migrant non accompagné", "Unaccompanied migrant child"),
    ("family_in_difficulty", "vulnerability", "أسرة في وضعية صعبة", "Famille en difficulté", "Family in difficulty"),
    ("in_institution", "vulnerability", "طفل في مؤسسة للرعاية الاجتماعية", "Enfant en établissement de protection sociale", "Child in a social care institution"),
]

PATHWAY_DOMAINS = [
    ("detection", "الرصد", "Détection", "Detection"),
    ("reporting", "التبليغ", "Signalement", "Reporting"),
    ("health_care", "التكفل الصحي", "Prise en charge sanitaire", "Health care"),
    ("psychological_care", "التكفل النفسي", "Prise en charge psychologique", "Psychological care"),
    ("social_care", "الرعاية الاجتماعية", "Prise en charge sociale", "Social care"),
    ("education_training", "التربية والتكوين", "Éducation et formation", "Education and training"),
    ("cultural_sports", "التنشيط الثقافي والرياضي", "Animation culturelle et sportive", "Cultural and sports activities"),
    ("reintegration", "إعادة الإدماج", "Réinsertion", "Reintegration"),
    ("judicial_support", "مواكبة التدابير القضائية", "Accompagnement des mesures judiciaires", "Support with judicial measures"),
    ("follow_up_evaluation", "المتابعة والتقييم", "Suivi et évaluation", "Follow-up and evaluation"),
]

REPORT_SOURCES = [
    ("hotline_2511", "الخط الأخضر 2511 (مكالمة)", "Ligne verte 2511 (appel)", "Green line 2511 (call)"),
    ("online_2511", "التبليغ الإلكتروني 2511", "Signalement en ligne 2511", "Online report 2511"),
    ("walk_in", "الحضور المباشر", "Présentation directe", "Walk-in"),
    ("mobile_unit", "الإسعاف الاجتماعي المتنقل", "Unité mobile (SAMU social)", "Mobile social emergency unit"),
    ("police", "الأمن الوطني", "Sûreté nationale (police)", "Police"),
    ("gendarmerie", "الدرك الملكي", "Gendarmerie royale", "Royal Gendarmerie"),
    ("prosecutor", "النيابة العامة", "Ministère public (parquet)", "Public prosecutor"),
    ("school", "مؤسسة تعليمية", "Établissement scolaire", "School"),
    ("health_facility", "مؤسسة صحية", "Établissement de santé", "Health facility"),
    ("ngo", "جمعية من المجتمع المدني", "Association", "NGO"),
    ("social_care_institution", "مؤسسة للرعاية الاجتماعية", "Établissement de protection sociale", "Social care institution"),
    ("family", "الأسرة", "Famille", "Family"),
    ("child_self", "الطفل نفسه", "L'enfant lui-même", "The child"),
    ("community", "المحيط المجتمعي", "Entourage (communauté)", "Community"),
    ("other", "مصدر آخر", "Autre", "Other"),
]

REPORTER_TYPES = [
    ("child_self", "الطفل نفسه", "L'enfant lui-même", "The child"),
    ("parent", "أحد الوالدين", "Parent", "Parent"),
    ("relative", "أحد الأقارب", "Proche parent", "Relative"),
    ("neighbour", "أحد الجيران", "Voisin", "Neighbour"),
    ("professional", "مهني", "Professionnel", "Professional"),
    ("anonymous", "مجهول الهوية", "Anonyme", "Anonymous"),
    ("other", "آخر", "Autre", "Other"),
]

REPORT_STATUSES = [
    ("received", "متوصل به (في انتظار الفرز)", "Reçu (en attente de tri)", "Received (awaiting screening)"),
    ("under_review", "قيد الدراسة", "En cours d'examen", "Under review"),
    ("case_opened", "تم فتح ملف", "Dossier ouvert", "Case opened"),
    ("closed", "مغلق", "Clôturé", "Closed"),
]

REPORT_CLOSURE_REASONS = [
    ("no_protection_concern", "لا توجد حاجة إلى الحماية", "Aucun besoin de protection", "No protection concern"),
    ("duplicate", "تبليغ مكرر", "Signalement en double", "Duplicate report"),
    ("referred_elsewhere", "إحالة على جهة أخرى", "Orienté vers un autre organisme", "Referred elsewhere"),
    ("insufficient_information", "معلومات غير كافية", "Informations insuffisantes", "Insufficient information"),
    ("out_of_scope", "خارج مجال الاختصاص", "Hors du champ de compétence", "Out of scope"),
]

SEXES = [
    ("female", "أنثى", "Féminin", "Female"),
    ("male", "ذكر", "Masculin", "Male"),
    ("unknown", "غير معروف", "Inconnu", "Unknown"),
]

AGE_BANDS = [
    ("0_5", "من 0 إلى 5 سنوات", "0 à 5 ans", "0 to 5 years"),
    ("6_11", "من 6 إلى 11 سنة", "6 à 11 ans", "6 to 11 years"),
    ("12_14", "من 12 إلى 14 سنة", "12 à 14 ans", "12 to 14 years"),
    ("15_17", "من 15 إلى 17 سنة", "15 à 17 ans", "15 to 17 years"),
    ("18_plus", "18 سنة فما فوق", "18 ans et plus", "18 and over"),
]

CIVIL_STATUS_REGISTRATIONS = [
    ("registered", "مسجل في الحالة المدنية", "Inscrit à l'état civil", "Registered in civil status"),
    ("unregistered", "غير مسجل في الحالة المدنية", "Non inscrit à l'état civil", "Not registered in civil status"),
    ("unknown", "غير معروف", "Inconnu", "Unknown"),
]

CASE_STAGES = [
    ("identification", "التعرف والتسجيل", "Identification et enregistrement", "Identification and registration"),
    ("assessment", "تقييم وضعية الخطر", "Évaluation de la situation de risque", "Risk assessment"),
    ("planning", "إعداد خطة التكفل", "Élaboration du plan de prise en charge", "Case planning"),
    ("implementation", "تنفيذ خطة التكفل", "Mise en œuvre du plan de prise en charge", "Implementation"),
    ("follow_up", "المتابعة والمراجعة", "Suivi et révision", "Follow-up and review"),
    ("closed", "ملف مغلق", "Dossier clôturé", "Closed"),
]

RISK_LEVELS = [
    ("low", "منخفض", "Faible", "Low"),
    ("medium", "متوسط", "Moyen", "Medium"),
    ("high", "مرتفع", "Élevé", "High"),
    ("immediate_danger", "خطر محدق", "Danger immédiat", "Immediate danger"),
]

CLOSURE_REASONS = [
    ("reintegrated_family", "إعادة الإدماج الأسري", "Réinsertion familiale", "Reintegrated into the family"),
    ("reintegrated_school", "إعادة الإدماج المدرسي", "Réinsertion scolaire", "Back to school"),
    ("vocational_training", "الإدماج في التكوين المهني", "Intégration en formation professionnelle", "Vocational training"),
    ("apprenticeship", "التكوين بالتدرج المهني", "Apprentissage", "Apprenticeship"),
    ("alternative_care", "الرعاية البديلة (كفالة، أسرة مستقبلة، إيداع)", "Prise en charge alternative (kafala, famille d'accueil, placement)", "Alternative care (kafala, foster family, placement)"),
    ("autonomy_after_18", "الاستقلالية بعد بلوغ 18 سنة", "Autonomie après 18 ans", "Autonomy after 18"),
    ("transferred", "نقل الملف إلى جهة أخرى", "Dossier transféré", "Transferred"),
    ("no_longer_at_risk", "زوال وضعية الخطر", "Fin de la situation de risque", "No longer at risk"),
    ("unreachable", "تعذر التواصل", "Injoignable (perdu de vue)", "Unreachable (lost contact)"),
    ("deceased", "الوفاة", "Décès", "Deceased"),
    ("other", "سبب آخر", "Autre motif", "Other"),
]

ORGANIZATION_TYPES = [
    ("ministry", "القطاع الوزاري", "Département ministériel", "Ministry"),
    ("support_centre", "مركز المواكبة لحماية الطفولة", "Centre d'accompagnement pour la protection de l'enfance (CAPE)", "Child protection support centre"),
    ("protection_unit", "وحدة حماية الطفولة", "Unité de protection de l'enfance (UPE)", "Child protection unit"),
    ("mobile_unit", "الإسعاف الاجتماعي المتنقل", "Unité mobile d'urgence sociale (SAMU social)", "Mobile social emergency unit"),
    ("hotline", "مركز الاستماع والإشعار (الرقم الأخضر 2511)", "Centre d'écoute et de signalement (ligne verte 2511)", "Listening centre (green line 2511)"),
    ("public_service", "مصلحة عمومية", "Service public", "Public service"),
    ("social_care_institution", "مؤسسة للرعاية الاجتماعية", "Établissement de protection sociale", "Social care institution"),
    ("ngo", "جمعية من المجتمع المدني", "Association", "NGO"),
]

PUBLIC_SERVICE_SECTORS = [
    ("health", "الصحة", "Santé", "Health"),
    ("education", "التربية الوطنية", "Éducation nationale", "Education"),
    ("justice_prosecutor", "النيابة العامة", "Ministère public (parquet)", "Public prosecution"),
    ("court", "المحكمة", "Tribunal", "Court"),
    ("police", "الأمن الوطني", "Sûreté nationale (police)", "Police"),
    ("gendarmerie", "الدرك الملكي", "Gendarmerie royale", "Royal Gendarmerie"),
    ("entraide_nationale", "التعاون الوطني", "Entraide nationale", "Entraide Nationale"),
    ("local_authority", "السلطة المحلية", "Autorité locale", "Local authority"),
    ("youth_sports", "الشباب والرياضة", "Jeunesse et sports", "Youth and sports"),
    ("vocational_training", "التكوين المهني", "Formation professionnelle", "Vocational training"),
    ("other", "قطاع آخر", "Autre secteur", "Other"),
]

SERVICE_TYPES = [  # parent list: pathway_domains
    ("medical_exam", "health_care", "الفحص الطبي", "Examen médical", "Medical examination"),
    ("forensic_medicine", "health_care", "الطب الشرعي", "Médecine légale", "Forensic medicine"),
    ("hospital_child_unit", "health_care", "الوحدة الاستشفائية للتكفل بالأطفال ضحايا العنف", "Unité hospitalière de prise en charge des enfants victimes de violence", "Hospital unit for child victims of violence"),
    ("addiction_care", "health_care", "التكفل بالإدمان", "Prise en charge de l'addiction", "Addiction care"),
    ("disability_care", "health_care", "التكفل بالأطفال في وضعية إعاقة", "Prise en charge du handicap", "Disability care"),
    ("psychological_support", "psychological_care", "الدعم النفسي", "Soutien psychologique", "Psychological support"),
    ("trauma_care", "psychological_care", "التكفل بالصدمات النفسية", "Prise en charge des traumatismes", "Trauma care"),
    ("social_assistance", "social_care", "المساعدة الاجتماعية", "Assistance sociale", "Social assistance"),
    ("emergency_shelter", "social_care", "الإيواء الاستعجالي", "Hébergement d'urgence", "Emergency shelter"),
    ("social_emergency", "social_care", "الإسعاف الاجتماعي", "Urgence sociale (SAMU social)", "Social emergency"),
    ("alternative_care_placement", "social_care", "الإيداع في الرعاية البديلة (كفالة، أسرة مستقبلة)", "Placement en prise en charge alternative (kafala, famille d'accueil)", "Alternative care placement (kafala, foster family)"),
    ("civil_registration_assistance", "social_care", "المساعدة على التسجيل في الحالة المدنية", "Aide à l'inscription à l'état civil", "Civil registration assistance"),
    ("parenting_support", "social_care", "دعم الوالدية", "Soutien à la parentalité", "Parenting support"),
    ("school_reintegration", "education_training", "إعادة الإدماج المدرسي", "Réinsertion scolaire", "School reintegration"),
    ("non_formal_education", "education_training", "التربية غير النظامية", "Éducation non formelle", "Non-formal education"),
    ("vocational_training", "education_training", "التكوين المهني", "Formation professionnelle", "Vocational training"),
    ("apprenticeship", "education_training", "التكوين بالتدرج المهني", "Formation par apprentissage", "Apprenticeship"),
    ("cultural_sports_activities", "cultural_sports", "الأنشطة الثقافية والرياضية", "Activités culturelles et sportives", "Cultural and sports activities"),
    ("family_mediation", "reintegration", "الوساطة الأسرية", "Médiation familiale", "Family mediation"),
    ("family_reintegration", "reintegration", "إعادة الإدماج الأسري", "Réinsertion familiale", "Family reintegration"),
    ("post18_support", "reintegration", "المواكبة بعد بلوغ 18 سنة", "Accompagnement après 18 ans", "Support after 18"),
    ("legal_aid", "judicial_support", "المساعدة القانونية", "Aide juridique", "Legal aid"),
    ("court_accompaniment", "judicial_support", "المواكبة أمام المحكمة", "Accompagnement devant le tribunal", "Court accompaniment"),
]

REFERRAL_STATUSES = [
    ("sent", "مرسلة", "Envoyée", "Sent"),
    ("accepted", "مقبولة", "Acceptée", "Accepted"),
    ("declined", "مرفوضة", "Refusée", "Declined"),
    ("in_progress", "قيد التنفيذ", "En cours", "In progress"),
    ("completed", "منجزة", "Réalisée", "Completed"),
    ("cancelled", "ملغاة", "Annulée", "Cancelled"),
    ("expired", "منتهية الأجل", "Expirée", "Expired"),
]

ROLES = [
    ("admin", "مدير النظام", "Administrateur", "Administrator"),
    ("coordinator", "منسق", "Coordinateur", "Coordinator"),
    ("case_worker", "مكلف بتدبير الحالات", "Gestionnaire de cas", "Case worker"),
    ("partner", "شريك", "Partenaire", "Partner"),
    ("hotline", "مستمع الخط الأخضر 2511", "Écoutant ligne verte 2511", "Hotline operator"),
    ("analyst", "محلل المعطيات", "Analyste", "Analyst"),
    ("auditor", "مدقق", "Auditeur", "Auditor"),
]

LANGUAGES = [
    ("ar", "العربية", "Arabe", "Arabic"),
    ("fr", "الفرنسية", "Français", "French"),
    ("en", "الإنجليزية", "Anglais", "English"),
]

# (list name, items, parent list or None). Parent lists come before their children.
REFERENCE_LISTS = [
    ("concern_families", CONCERN_FAMILIES, None),
    ("concern_types", CONCERN_TYPES, "concern_families"),
    ("pathway_domains", PATHWAY_DOMAINS, None),
    ("report_sources", REPORT_SOURCES, None),
    ("reporter_types", REPORTER_TYPES, None),
    ("report_statuses", REPORT_STATUSES, None),
    ("report_closure_reasons", REPORT_CLOSURE_REASONS, None),
    ("sexes", SEXES, None),
    ("age_bands", AGE_BANDS, None),
    ("civil_status_registrations", CIVIL_STATUS_REGISTRATIONS, None),
    ("case_stages", CASE_STAGES, None),
    ("risk_levels", RISK_LEVELS, None),
    ("closure_reasons", CLOSURE_REASONS, None),
    ("organization_types", ORGANIZATION_TYPES, None),
    ("public_service_sectors", PUBLIC_SERVICE_SECTORS, None),
    ("service_types", SERVICE_TYPES, "pathway_domains"),
    ("referral_statuses", REFERRAL_STATUSES, None),
    ("roles", ROLES, None),
    ("languages", LANGUAGES, None),
]

NATION = ("MA", "المغرب", "Maroc", "Morocco")

LEVEL_OF_TYPE = {"Préfecture": "prefecture", "Province": "province"}

EXPECTED_COUNTS = {
    "nation": 1,
    "region": 12,
    "prefecture": 13,
    "province": 62,
    "prefecture_of_arrondissements": 8,
}

# ---------------------------------------------------------------------------
# Schema, per backend. Same tables, columns and meaning; only the types'
# spelling and the UTC default differ.
# ---------------------------------------------------------------------------

TYPES = {
    "sqlite": {"text": "TEXT", "int": "INTEGER", "ts": "TIMESTAMP", "now": "CURRENT_TIMESTAMP"},
    # CURRENT_TIMESTAMP is timestamptz on PostgreSQL: convert it to UTC explicitly.
    "postgres": {"text": "text", "int": "integer", "ts": "timestamp", "now": "(now() AT TIME ZONE 'utc')"},
}

SCHEMA = """\
CREATE TABLE territories (
    code {text} NOT NULL PRIMARY KEY,
    parent_code {text} NULL REFERENCES territories (code),
    level {text} NOT NULL CHECK (level IN ('nation', 'region', 'prefecture', 'province', 'prefecture_of_arrondissements')),
    path {text} NOT NULL UNIQUE,
    name_ar {text} NOT NULL,
    name_fr {text} NOT NULL,
    name_en {text} NOT NULL,
    iso_code {text} NULL,
    position {int} NOT NULL,
    version {int} NOT NULL DEFAULT 1,
    updated_at {ts} NOT NULL DEFAULT {now}
);
CREATE INDEX territories_parent ON territories (parent_code);

CREATE TABLE reference_items (
    list {text} NOT NULL,
    code {text} NOT NULL,
    position {int} NOT NULL,
    label_ar {text} NOT NULL,
    label_fr {text} NOT NULL,
    label_en {text} NOT NULL,
    parent_list {text} NULL,
    parent_code {text} NULL,
    PRIMARY KEY (list, code),
    CHECK ((parent_list IS NULL) = (parent_code IS NULL)),
    FOREIGN KEY (parent_list, parent_code) REFERENCES reference_items (list, code)
);
"""

DOWN = """\
DROP TABLE reference_items;
DROP TABLE territories;
"""

HEADER = "-- Generated by scripts/gen-reference-data.py from vocabulary.md and shared/data: do not edit by hand.\n"


def fail(message):
    sys.exit(f"gen-reference-data: {message}")


def read_tsv(path):
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    except OSError as e:
        fail(f"cannot read {path}: {e}")


def clean(value):
    return " ".join(value.split())


def load_territories(data_dir):
    """Return territory rows (dicts) ordered so that parents come before children."""
    provinces = read_tsv(os.path.join(data_dir, "morocco_provinces.tsv"))
    arrondissements = read_tsv(os.path.join(data_dir, "casablanca_prefectures_arrondissements.tsv"))

    code, ar, fr, en = NATION
    nation = dict(code=code, parent_code=None, level="nation", path=f"{code}/",
                  name_ar=ar, name_fr=fr, name_en=en, iso_code=code, position=1)

    regions = {}  # region code ('MA-01') -> row
    children = {}  # region code -> province rows, in file order
    for row in provinces:
        region_code = f"MA-{clean(row['region_code'])}"
        region = dict(code=region_code, parent_code=nation["code"], level="region",
                      path=f"{nation['path']}{region_code}/",
                      name_ar=clean(row["region_ar"]), name_fr=clean(row["region_fr"]),
                      name_en=clean(row["region_fr"]), iso_code=region_code, position=0)
        known = regions.setdefault(region_code, region)
        if (known["name_ar"], known["name_fr"]) != (region["name_ar"], region["name_fr"]):
            fail(f"region {region_code} has two names in morocco_provinces.tsv")

        province_code = clean(row["code"])
        if len(province_code) != 3 or not province_code.isdigit():
            fail(f"province code {province_code!r} is not 3 digits")
        level = LEVEL_OF_TYPE.get(clean(row["type"]))
        if level is None:
            fail(f"unknown type {row['type']!r} for {province_code}")
        siblings = children.setdefault(region_code, [])
        siblings.append(dict(code=province_code, parent_code=region_code, level=level,
                             path=f"{region['path']}{province_code}/",
                             name_ar=clean(row["name_ar"]), name_fr=clean(row["name_fr"]),
                             name_en=clean(row["name_fr"]), iso_code=clean(row["iso_3166_2"]) or None,
                             position=len(siblings) + 1))

    ordered_regions = [regions[c] for c in sorted(regions)]
    for position, region in enumerate(ordered_regions, start=1):
        region["position"] = position
    province_rows = [p for r in ordered_regions for p in children[r["code"]]]

    by_code = {p["code"]: p for p in province_rows}
    arrondissement_rows = []
    per_parent = {}
    for row in arrondissements:
        parent = by_code.get(clean(row["parent_code"]))
        if parent is None:
            fail(f"prefecture of arrondissements {row['name_fr']!r}: unknown parent {row['parent_code']!r}")
        position = per_parent[parent["code"]] = per_parent.get(parent["code"], 0) + 1
        code = f"{parent['code']}-{position:02d}"
        arrondissement_rows.append(dict(code=code, parent_code=parent["code"],
                                        level="prefecture_of_arrondissements",
                                        path=f"{parent['path']}{code}/",
                                        name_ar=clean(row["name_ar"]), name_fr=clean(row["name_fr"]),
                                        name_en=clean(row["name_fr"]), iso_code=None, position=position))

    rows = [nation] + ordered_regions + province_rows + arrondissement_rows
    check_territories(rows)
    return rows


def check_territories(rows):
    counts = {}
    for r in rows:
        counts[r["level"]] = counts.get(r["level"], 0) + 1
    if counts != EXPECTED_COUNTS:
        fail(f"territory counts {counts} differ from {EXPECTED_COUNTS}")
    for key in ("code", "path"):
        values = [r[key] for r in rows]
        if len(set(values)) != len(values):
            fail(f"duplicate territory {key}")
    isos = [r["iso_code"] for r in rows if r["iso_code"]]
    if len(set(isos)) != len(isos):
        fail("duplicate ISO 3166-2 code")
    for r in rows:
        if not (r["name_ar"] and r["name_fr"] and r["name_en"]):
            fail(f"territory {r['code']} lacks a name")


def load_reference_items():
    rows = []
    seen = set()
    for list_name, items, parent_list in REFERENCE_LISTS:
        for position, item in enumerate(items, start=1):
            if parent_list:
                code, parent_code, ar, fr, en = item
                if (parent_list, parent_code) not in seen:
                    fail(f"{list_name}/{code}: parent {parent_list}/{parent_code} is not defined before it")
            else:
                (code, ar, fr, en), parent_code = item, None
            if (list_name, code) in seen:
                fail(f"duplicate item {list_name}/{code}")
            if not all(label.strip() == label and label for label in (ar, fr, en)):
                fail(f"{list_name}/{code}: empty or padded label")
            seen.add((list_name, code))
            rows.append(dict(list=list_name, code=code, position=position,
                             label_ar=ar, label_fr=fr, label_en=en,
                             parent_list=parent_list, parent_code=parent_code))
    return rows


def sql_value(value):
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    return "'" + value.replace("'", "''") + "'"


def insert(table, columns, rows):
    values = ",\n".join(
        "    (" + ", ".join(sql_value(row[c]) for c in columns) + ")" for row in rows
    )
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES\n{values};\n"


def up_sql(backend, territories, items):
    parts = [HEADER, "\n", SCHEMA.format(**TYPES[backend])]
    territory_columns = ["code", "parent_code", "level", "path", "name_ar", "name_fr",
                         "name_en", "iso_code", "position"]
    # One statement per depth of the tree, parents first; rows keep the files' order.
    depths = ["nation", "regions", "prefectures and provinces", "prefectures of arrondissements"]
    for depth, title in enumerate(depths, start=1):
        parts.append(f"\n-- territories: {title}\n")
        parts.append(insert("territories", territory_columns,
                            [t for t in territories if t["path"].count("/") == depth]))
    item_columns = ["list", "code", "position", "label_ar", "label_fr", "label_en",
                    "parent_list", "parent_code"]
    for list_name, _, _ in REFERENCE_LISTS:
        parts.append(f"\n-- reference list: {list_name}\n")
        parts.append(insert("reference_items", item_columns,
                            [i for i in items if i["list"] == list_name]))
    return "".join(parts)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print(f"wrote {path}")


def main(argv):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if len(argv) > 2:
        fail("usage: gen-reference-data.py [DATA_DIR]")
    # The default is relative to the repository root; an argument, to the current directory.
    data_dir = os.path.abspath(argv[1]) if len(argv) == 2 else os.path.join(root, "..", "shared", "data")
    data_dir = os.path.normpath(data_dir)

    territories = load_territories(data_dir)
    items = load_reference_items()
    for backend in TYPES:
        folder = os.path.join(root, "migrations", backend, MIGRATION)
        write(os.path.join(folder, "up.sql"), up_sql(backend, territories, items))
        write(os.path.join(folder, "down.sql"), HEADER + "\n" + DOWN)
    print(f"{len(territories)} territories, {len(items)} reference items in {len(REFERENCE_LISTS)} lists")


if __name__ == "__main__":
    main(sys.argv)
