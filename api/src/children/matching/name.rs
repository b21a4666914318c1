//! One name (given or family) in one script, normalised once when an identity is built.

use std::sync::Arc;

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

/// Normalised forms of the names seen lately. A match builds the identity of every candidate
/// it reads (up to hundreds per request), and names repeat a lot (a few thousand given and
/// family names cover most children), so normalising each spelling once per process takes
/// most of that work off the request path. Sharded to keep concurrent matches from waiting on
/// one lock; each shard is emptied when full, which bounds the memory (a few MB).
mod cache {
    use std::collections::HashMap;
    use std::hash::BuildHasher;
    use std::sync::{Arc, Mutex, OnceLock};

    use super::{NameForm, Part};

    const SHARDS: usize = 16;
    const PER_SHARD: usize = 4_096;

    /// One map per part (given, family), keyed by the raw spelling.
    type Shard = Mutex<[HashMap<String, Option<Arc<NameForm>>>; 2]>;

    fn shards() -> &'static [Shard; SHARDS] {
        static SHARDS_: OnceLock<[Shard; SHARDS]> = OnceLock::new();
        SHARDS_.get_or_init(|| std::array::from_fn(|_| Mutex::new(Default::default())))
    }

    fn slot(part: Part) -> usize {
        match part {
            Part::Given => 0,
            Part::Family => 1,
        }
    }

    pub(super) fn get_or_make(
        raw: &str,
        part: Part,
        make: impl FnOnce() -> Option<NameForm>,
    ) -> Option<Arc<NameForm>> {
        static HASHER: OnceLock<std::collections::hash_map::RandomState> = OnceLock::new();
        let hash = HASHER.get_or_init(Default::default).hash_one(raw);
        let shard = &shards()[(hash as usize) % SHARDS];
        // A poisoned shard (a panic while it was held) is only a cache: use it as it is.
        if let Some(found) = shard.lock().unwrap_or_else(|p| p.into_inner())[slot(part)].get(raw) {
            return found.clone();
        }
        let made = make().map(Arc::new);
        let mut maps = shard.lock().unwrap_or_else(|p| p.into_inner());
        let map = &mut maps[slot(part)];
        if map.len() >= PER_SHARD {
            map.clear();
        }
        map.insert(raw.to_owned(), made.clone());
        made
    }
}

impl NameForm {
    /// Normalises a raw name; `None` when nothing of a name is left (blank, punctuation only).
    /// Remembers the result for the next time the same spelling comes (`cache`).
    pub fn new(raw: &str, part: Part) -> Option<Arc<Self>> {
        if raw.len() > 200 {
            return Self::make(raw, part).map(Arc::new);
        }
        cache::get_or_make(raw, part, || Self::make(raw, part))
    }

    fn make(raw: &str, part: Part) -> Option<Self> {
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
