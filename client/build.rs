//! Compiles the locale files into Rust, so a missing translation fails the build, not a page.
//!
//! - `locales/ui/<area>.toml`: interface strings. Each table `[key]` gives `ar`, `fr` and `en`;
//!   it becomes `Key::<Area><Key>` (CamelCase; the `common` area has no prefix).
//! - `locales/codes/<table>.toml`: texts for codes the API sends (problem codes, roles...);
//!   each becomes a `CodeTable` variant, looked up by code at run time.
//!
//! Every entry needs non-empty text in all three languages; two entries that make the same
//! `Key` name are an error.
// A build script reports a bad locale file by panicking with its message: that is its error path.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

const LANGUAGES: [&str; 3] = ["ar", "fr", "en"];

type Entries = BTreeMap<String, [String; 3]>;

fn main() {
    println!("cargo:rerun-if-changed=locales");
    let ui = read_dir("locales/ui");
    let codes = read_dir("locales/codes");

    let mut keys: BTreeMap<String, (String, [String; 3])> = BTreeMap::new();
    for (area, entries) in &ui {
        for (key, texts) in entries {
            let name = if area == "common" {
                camel(key)
            } else {
                format!("{}{}", camel(area), camel(key))
            };
            let id = format!("{area}.{key}");
            if let Some((other, _)) = keys.insert(name.clone(), (id.clone(), texts.clone())) {
                panic!("locale keys {other} and {id} both make Key::{name}");
            }
        }
    }

    let mut out = String::new();
    out.push_str("/// A piece of interface text, from `client/locales/ui/*.toml`.\n");
    out.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\npub enum Key {\n");
    for name in keys.keys() {
        let _ = writeln!(out, "    {name},");
    }
    out.push_str("}\n\nimpl Key {\n");
    let _ = writeln!(out, "    pub const ALL: [Key; {}] = [", keys.len());
    for name in keys.keys() {
        let _ = writeln!(out, "        Key::{name},");
    }
    out.push_str("    ];\n\n    /// `area.key`, as in the locale files.\n");
    out.push_str("    pub fn id(self) -> &'static str {\n        match self {\n");
    for (name, (id, _)) in &keys {
        let _ = writeln!(out, "            Key::{name} => {id:?},");
    }
    out.push_str("        }\n    }\n\n");
    // The texts are data (a static table indexed by the key), not a `match` returning arrays,
    // which compiled to code per key and weighed on the first load.
    out.push_str("    /// The texts in ar, fr, en.\n");
    out.push_str("    pub(crate) fn texts(self) -> [&'static str; 3] {\n");
    out.push_str("        KEY_TEXTS[self as usize]\n    }\n}\n\n");
    let _ = writeln!(out, "static KEY_TEXTS: [[&str; 3]; {}] = [", keys.len());
    for (_, texts) in keys.values() {
        let _ = writeln!(out, "    {texts:?},");
    }
    out.push_str("];\n\n");

    out.push_str(
        "/// A table of texts for codes the API sends, from `client/locales/codes/*.toml`.\n",
    );
    out.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\npub enum CodeTable {\n");
    for table in codes.keys() {
        let _ = writeln!(out, "    {},", camel(table));
    }
    out.push_str("}\n\nimpl CodeTable {\n");
    let _ = writeln!(out, "    pub const ALL: [CodeTable; {}] = [", codes.len());
    for table in codes.keys() {
        let _ = writeln!(out, "        CodeTable::{},", camel(table));
    }
    out.push_str("    ];\n\n    /// The codes the table translates.\n");
    out.push_str("    pub fn codes(self) -> &'static [&'static str] {\n        match self {\n");
    for (table, entries) in &codes {
        let list: Vec<&String> = entries.keys().collect();
        let _ = writeln!(out, "            CodeTable::{} => &{list:?},", camel(table));
    }
    out.push_str("        }\n    }\n\n");
    // Each table is a static array sorted by code (the files' order), searched by halves.
    out.push_str("    /// The texts (ar, fr, en) of `code`, if the table has it.\n");
    out.push_str("    pub(crate) fn texts(self, code: &str) -> Option<[&'static str; 3]> {\n");
    out.push_str("        let table: &[(&str, [&str; 3])] = match self {\n");
    for table in codes.keys() {
        let _ = writeln!(
            out,
            "            CodeTable::{} => &CODE_TEXTS_{},",
            camel(table),
            table.to_uppercase()
        );
    }
    out.push_str("        };\n");
    out.push_str("        table\n            .binary_search_by(|(c, _)| (*c).cmp(code))\n");
    out.push_str("            .ok()\n            .map(|i| table[i].1)\n    }\n}\n\n");
    for (table, entries) in &codes {
        let _ = writeln!(
            out,
            "static CODE_TEXTS_{}: [(&str, [&str; 3]); {}] = [",
            table.to_uppercase(),
            entries.len()
        );
        for (code, texts) in entries {
            let _ = writeln!(out, "    ({code:?}, {texts:?}),");
        }
        out.push_str("];\n\n");
    }

    let dest = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("locales.rs");
    fs::write(dest, out).expect("writing locales.rs");
}

/// Each `*.toml` of `dir`, by file stem.
fn read_dir(dir: &str) -> BTreeMap<String, Entries> {
    let mut files = BTreeMap::new();
    let listing = fs::read_dir(dir).unwrap_or_else(|e| panic!("{dir}: {e}"));
    for entry in listing {
        let path = entry.expect("listing locales").path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("locale file names are UTF-8")
            .to_owned();
        files.insert(stem, read_file(&path));
    }
    files
}

fn read_file(path: &Path) -> Entries {
    let source = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let table: toml::Table = source
        .parse()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut entries = Entries::new();
    for (key, value) in table {
        let texts = value
            .as_table()
            .unwrap_or_else(|| panic!("{}: [{key}] must be a table", path.display()));
        let mut out: [String; 3] = Default::default();
        for (i, lang) in LANGUAGES.iter().enumerate() {
            let text = texts
                .get(*lang)
                .and_then(|v| v.as_str())
                .unwrap_or_else(|| panic!("{}: [{key}] has no {lang} text", path.display()));
            if text.trim().is_empty() {
                panic!("{}: [{key}] has an empty {lang} text", path.display());
            }
            out[i] = text.to_owned();
        }
        if let Some(extra) = texts.keys().find(|k| !LANGUAGES.contains(&k.as_str())) {
            panic!(
                "{}: [{key}] has an unknown language {extra}",
                path.display()
            );
        }
        entries.insert(key, out);
    }
    entries
}

/// `sign_in_title` → `SignInTitle`.
fn camel(snake: &str) -> String {
    snake
        .split(['_', '-'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}
