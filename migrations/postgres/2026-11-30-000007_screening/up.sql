-- Screening: the decision taken on a report (accept, or close with a reason without a case),
-- and the child record each reported child was linked to (or created as). The report's status
-- moves by compare-and-set from `received`, so a report is screened once.
CREATE TABLE report_screenings (
  report_id TEXT PRIMARY KEY REFERENCES reports(id) ON DELETE CASCADE,
  -- `accept` or `close`.
  decision TEXT NOT NULL,
  -- Vocabulary: closing reasons without a case; set when the decision is `close`.
  closing_reason TEXT NULL,
  decided_by TEXT NOT NULL,
  decided_at timestamp NOT NULL
);

CREATE TABLE report_child_links (
  report_id TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
  -- The reported child's position in report_children.
  position INTEGER NOT NULL,
  child_id TEXT NOT NULL REFERENCES children(id),
  PRIMARY KEY (report_id, position)
);
-- A child's reports (merges move them along).
CREATE INDEX report_child_links_child ON report_child_links(child_id);
