//! Name matching across Arabic and Latin scripts (in progress).
