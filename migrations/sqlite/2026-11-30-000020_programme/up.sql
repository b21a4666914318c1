-- The national executive programme (issue 8): one document, `objectives` the JSON array of the
-- contract's StrategicObjective (→ sub-objectives → measures → indicators), replaced whole by
-- admins (If-Match on `version`). Shipped with the five strategic objectives of the integrated
-- public policy for child protection (seeds/000_464738965911fa7c.txt); their sub-objectives and
-- measures are entered by the ministry.
CREATE TABLE programme (
  id TEXT PRIMARY KEY,
  objectives TEXT NOT NULL,
  updated_at TIMESTAMP NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
INSERT INTO programme (id, objectives, updated_at, version) VALUES ('national', '[{"code": "so1", "title": {"ar": "تقوية الإطار القانوني لحماية الأطفال وتعزيز فعاليته", "fr": "Renforcer le cadre juridique de protection des enfants et son effectivité", "en": "Strengthen the legal framework for child protection and its effectiveness"}, "sub_objectives": []}, {"code": "so2", "title": {"ar": "إحداث أجهزة ترابية مندمجة لحماية الطفولة", "fr": "Mettre en place des dispositifs territoriaux intégrés de protection de l''enfance", "en": "Set up integrated territorial child-protection systems"}, "sub_objectives": []}, {"code": "so3", "title": {"ar": "وضع معايير للمؤسسات والممارسات", "fr": "Établir des normes pour les établissements et les pratiques", "en": "Set standards for institutions and practices"}, "sub_objectives": []}, {"code": "so4", "title": {"ar": "النهوض بالمعايير الاجتماعية الحمائية", "fr": "Promouvoir les normes sociales protectrices", "en": "Promote protective social norms"}, "sub_objectives": []}, {"code": "so5", "title": {"ar": "وضع منظومات للمعلومات والتتبع والتقييم", "fr": "Mettre en place des systèmes d''information, de suivi et d''évaluation", "en": "Set up information, monitoring and evaluation systems"}, "sub_objectives": []}]', '2026-11-30 00:00:00', 1);
