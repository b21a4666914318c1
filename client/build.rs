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
    out.push_str("        }\n    }\n}\n\n");
    // Arabic, the default, is compiled in as a static table indexed by the key. French and
    // English are compiled in on the host (for the tests) but not into the browser's module:
    // there they come from `locale-fr.json` / `locale-en.json`, written below and served
    // beside the module, fetched when a person picks the language.
    let _ = writeln!(out, "static KEY_AR: [&str; {}] = [", keys.len());
    for (_, texts) in keys.values() {
        let _ = writeln!(out, "    {:?},", texts[0]);
    }
    out.push_str("];\n\n");
    out.push_str("#[cfg(not(target_arch = \"wasm32\"))]\n");
    let _ = writeln!(out, "static KEY_OTHER: [[&str; 2]; {}] = [", keys.len());
    for (_, texts) in keys.values() {
        let _ = writeln!(out, "    [{:?}, {:?}],", texts[1], texts[2]);
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
    // Each table is a static array sorted by code (the files' order), searched by halves,
    // with its Arabic texts; its French and English ones, in the same order, as for keys.
    out.push_str("    /// The codes and Arabic texts of the table, sorted by code.\n");
    out.push_str("    pub(crate) fn arabic(self) -> &'static [(&'static str, &'static str)] {\n");
    out.push_str("        match self {\n");
    for table in codes.keys() {
        let _ = writeln!(
            out,
            "            CodeTable::{} => &CODE_AR_{},",
            camel(table),
            table.to_uppercase()
        );
    }
    out.push_str("        }\n    }\n\n");
    out.push_str("    /// The French and English texts of the table, in the order of `arabic`.\n");
    out.push_str("    #[cfg(not(target_arch = \"wasm32\"))]\n");
    out.push_str("    pub(crate) fn other(self) -> &'static [[&'static str; 2]] {\n");
    out.push_str("        match self {\n");
    for table in codes.keys() {
        let _ = writeln!(
            out,
            "            CodeTable::{} => &CODE_OTHER_{},",
            camel(table),
            table.to_uppercase()
        );
    }
    out.push_str("        }\n    }\n}\n\n");
    for (table, entries) in &codes {
        let name = table.to_uppercase();
        let _ = writeln!(
            out,
            "static CODE_AR_{name}: [(&str, &str); {}] = [",
            entries.len()
        );
        for (code, texts) in entries {
            let _ = writeln!(out, "    ({code:?}, {:?}),", texts[0]);
        }
        out.push_str("];\n\n#[cfg(not(target_arch = \"wasm32\"))]\n");
        let _ = writeln!(
            out,
            "static CODE_OTHER_{name}: [[&str; 2]; {}] = [",
            entries.len()
        );
        for texts in entries.values() {
            let _ = writeln!(out, "    [{:?}, {:?}],", texts[1], texts[2]);
        }
        out.push_str("];\n\n");
    }

    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    // `{"keys": [text of each Key, in order], "codes": [[text of each code], per CodeTable]}`.
    for (i, lang) in LANGUAGES.iter().enumerate().skip(1) {
        let file = serde_json::json!({
            "keys": keys.values().map(|(_, t)| t[i].as_str()).collect::<Vec<_>>(),
            "codes": codes
                .values()
                .map(|e| e.values().map(|t| t[i].as_str()).collect::<Vec<_>>())
                .collect::<Vec<_>>(),
        });
        let path = Path::new(&out_dir).join(format!("locale-{lang}.json"));
        fs::write(path, file.to_string()).expect("writing a locale file");
    }

    let dest = Path::new(&out_dir).join("locales.rs");
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
