//! One name (given or family) in one script, normalised once when an identity is built.

use super::normalize::{detect_script, fold, tokenize, unmark, Part, Script, Token};
use super::phonetic::{code, word_code};

/// A name ready for comparison: its folded spelling and its phonetic codes.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct NameForm {
    pub script: Script,
    /// Folded words without spaces: equal spellings are an exact match.
    pub spelling: String,
    /// Code of the whole name, particles included.
    pub full: Vec<u8>,
    /// Code without the particles, when there were any ("Ben Ali" → "Ali").
    pub core: Option<Vec<u8>>,
    /// Codes of each word, for partial matches ("Mohamed Amine" ~ "Amine").
    pub words: Vec<Vec<u8>>,
}

impl NameForm {
    /// Normalises a raw name; `None` when nothing of a name is left (blank, punctuation only).
    pub fn new(raw: &str, part: Part) -> Option<Self> {
        let script = detect_script(raw)?;
        let folded = fold(raw, script);
        let tokens = tokenize(&folded, script, part);
        let full = code(&tokens, script, true);
        if full.is_empty() {
            return None;
        }
        let has_particle = tokens.iter().any(|t| matches!(t, Token::Particle(_)));
        let core = has_particle.then(|| code(&tokens, script, false));
        let words = tokens
            .iter()
            .filter_map(|t| match t {
                Token::Word(w) => Some(word_code(w, script)),
                Token::Particle(_) => None,
            })
            .filter(|c| !c.is_empty())
            .collect();
        Some(Self {
            script,
            spelling: unmark(&folded).replace(' ', ""),
            full,
            core,
            words,
        })
    }
}
