//! The stage rules of a case, without a database: which transitions exist and what each
//! needs. Forward: identification → assessment → planning → implementation → follow_up →
//! closed. Back: re-assessing (planning, implementation, follow_up → assessment), revising the
//! plan (implementation → planning), resuming (follow_up → implementation). Closing from any
//! open stage; reopening a closed case to follow_up, or to assessment when the situation
//! changed. Entering planning needs a completed risk assessment, entering implementation an
//! active plan with at least one objective, closing a closure reason and an outcome note.
use madar_openapi::cases::CaseStage;

use crate::error::ApiError;

/// What the case holds that the rules look at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts {
    /// A risk assessment with status `completed`.
    pub assessment_completed: bool,
    /// An `active` plan with at least one objective.
    pub plan_active: bool,
}

/// What the transition carries besides its target.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Given {
    pub closure_reason: bool,
    pub outcome_note: bool,
}

/// What kind of move an allowed transition is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Forward,
    Back,
    Close,
    Reopen,
}

/// Why a transition is refused (each a stable 422 code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NotAllowed,
    AssessmentRequired,
    PlanRequired,
    ClosureReasonRequired,
    OutcomeNoteRequired,
    /// A closure reason or outcome note sent with a transition that does not close.
    OnlyWhenClosing,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::NotAllowed => "transition_not_allowed",
            Refusal::AssessmentRequired => "assessment_required",
            Refusal::PlanRequired => "plan_required",
            Refusal::ClosureReasonRequired => "closure_reason_required",
            Refusal::OutcomeNoteRequired => "outcome_note_required",
            Refusal::OnlyWhenClosing => "closure_fields_not_allowed",
        }
    }

    fn detail(self) -> &'static str {
        match self {
            Refusal::NotAllowed => "The case cannot move from its stage to this one.",
            Refusal::AssessmentRequired => "Planning needs a completed risk assessment.",
            Refusal::PlanRequired => {
                "Implementation needs an active plan with at least one objective."
            }
            Refusal::ClosureReasonRequired => "Closing needs a closure_reason.",
            Refusal::OutcomeNoteRequired => "Closing needs an outcome_note.",
            Refusal::OnlyWhenClosing => {
                "closure_reason and outcome_note are sent only to close a case."
            }
        }
    }
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> ApiError {
        ApiError::Unprocessable {
            code: r.code(),
            detail: r.detail().into(),
        }
    }
}

/// The kind of move from `from` to `to`, if the pathway has it (requirements aside).
pub fn path(from: CaseStage, to: CaseStage) -> Option<Move> {
    use CaseStage as S;
    match (from, to) {
        (S::Closed, S::FollowUp | S::Assessment) => Some(Move::Reopen),
        (S::Closed, _) => None,
        (_, S::Closed) => Some(Move::Close),
        (S::Identification, S::Assessment)
        | (S::Assessment, S::Planning)
        | (S::Planning, S::Implementation)
        | (S::Implementation, S::FollowUp) => Some(Move::Forward),
        (S::Planning | S::Implementation | S::FollowUp, S::Assessment)
        | (S::Implementation, S::Planning)
        | (S::FollowUp, S::Implementation) => Some(Move::Back),
        _ => None,
    }
}

/// Checks a transition against the rules: the move it is, or why it is refused.
pub fn check(from: CaseStage, to: CaseStage, facts: Facts, given: Given) -> Result<Move, Refusal> {
    let step = path(from, to).ok_or(Refusal::NotAllowed)?;
    if step == Move::Close {
        if !given.closure_reason {
            return Err(Refusal::ClosureReasonRequired);
        }
        if !given.outcome_note {
            return Err(Refusal::OutcomeNoteRequired);
        }
        return Ok(step);
    }
    if given.closure_reason || given.outcome_note {
        return Err(Refusal::OnlyWhenClosing);
    }
    match to {
        CaseStage::Planning if !facts.assessment_completed => Err(Refusal::AssessmentRequired),
        CaseStage::Implementation if !facts.plan_active => Err(Refusal::PlanRequired),
        _ => Ok(step),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CaseStage as S;

    const ALL: [CaseStage; 6] = [
        S::Identification,
        S::Assessment,
        S::Planning,
        S::Implementation,
        S::FollowUp,
        S::Closed,
    ];
    const READY: Facts = Facts {
        assessment_completed: true,
        plan_active: true,
    };
    const CLOSING: Given = Given {
        closure_reason: true,
        outcome_note: true,
    };

    /// Every (from, to) pair and the move expected (None: refused).
    fn expected(from: CaseStage, to: CaseStage) -> Option<Move> {
        let table: &[(CaseStage, CaseStage, Move)] = &[
            (S::Identification, S::Assessment, Move::Forward),
            (S::Assessment, S::Planning, Move::Forward),
            (S::Planning, S::Implementation, Move::Forward),
            (S::Implementation, S::FollowUp, Move::Forward),
            (S::Planning, S::Assessment, Move::Back),
            (S::Implementation, S::Assessment, Move::Back),
            (S::FollowUp, S::Assessment, Move::Back),
            (S::Implementation, S::Planning, Move::Back),
            (S::FollowUp, S::Implementation, Move::Back),
            (S::Identification, S::Closed, Move::Close),
            (S::Assessment, S::Closed, Move::Close),
            (S::Planning, S::Closed, Move::Close),
            (S::Implementation, S::Closed, Move::Close),
            (S::FollowUp, S::Closed, Move::Close),
            (S::Closed, S::FollowUp, Move::Reopen),
            (S::Closed, S::Assessment, Move::Reopen),
        ];
        table
            .iter()
            .find(|(f, t, _)| *f == from && *t == to)
            .map(|(_, _, m)| *m)
    }

    #[test]
    fn every_pair_follows_the_table() {
        for from in ALL {
            for to in ALL {
                let given = if to == S::Closed {
                    CLOSING
                } else {
                    Given::default()
                };
                let got = check(from, to, READY, given).ok();
                assert_eq!(got, expected(from, to), "{from:?} -> {to:?}");
                if got.is_none() {
                    assert_eq!(
                        check(from, to, READY, given),
                        Err(Refusal::NotAllowed),
                        "{from:?} -> {to:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn planning_needs_a_completed_assessment() {
        for from in [S::Assessment, S::Implementation] {
            let facts = Facts {
                assessment_completed: false,
                plan_active: true,
            };
            assert_eq!(
                check(from, S::Planning, facts, Given::default()),
                Err(Refusal::AssessmentRequired)
            );
        }
    }

    #[test]
    fn implementation_needs_an_active_plan() {
        for from in [S::Planning, S::FollowUp] {
            let facts = Facts {
                assessment_completed: true,
                plan_active: false,
            };
            assert_eq!(
                check(from, S::Implementation, facts, Given::default()),
                Err(Refusal::PlanRequired)
            );
        }
    }

    #[test]
    fn closing_needs_a_reason_and_an_outcome_note_and_nothing_else_takes_them() {
        let no_reason = Given {
            closure_reason: false,
            outcome_note: true,
        };
        let no_note = Given {
            closure_reason: true,
            outcome_note: false,
        };
        assert_eq!(
            check(S::FollowUp, S::Closed, READY, no_reason),
            Err(Refusal::ClosureReasonRequired)
        );
        assert_eq!(
            check(S::Assessment, S::Closed, Facts::default(), no_note),
            Err(Refusal::OutcomeNoteRequired)
        );
        assert_eq!(
            check(S::Identification, S::Assessment, READY, no_note),
            Err(Refusal::OnlyWhenClosing)
        );
        // Closing needs neither an assessment nor a plan.
        assert_eq!(
            check(S::Identification, S::Closed, Facts::default(), CLOSING),
            Ok(Move::Close)
        );
    }

    #[test]
    fn refusals_have_stable_codes() {
        assert_eq!(Refusal::NotAllowed.code(), "transition_not_allowed");
        assert_eq!(Refusal::AssessmentRequired.code(), "assessment_required");
        assert_eq!(Refusal::PlanRequired.code(), "plan_required");
        assert_eq!(
            Refusal::ClosureReasonRequired.code(),
            "closure_reason_required"
        );
        assert_eq!(Refusal::OutcomeNoteRequired.code(), "outcome_note_required");
    }
}
