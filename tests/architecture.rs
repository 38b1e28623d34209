//! The layers point one way: no top-level module of `src/` may reach, through
//! `crate::` paths in its non-test code, a module that reaches it back. A
//! cycle means a lower layer knows a higher one (the parser asking the engine,
//! the engine using session types); the fix is to move the shared type down.
//!
//! The graph is built by the same rules as the project's `modgraph.py`, so the
//! two report the same cycles: `src/<m>.rs` and everything under `src/<m>/` is
//! module `m` (`lib.rs` and `main.rs` are no module); a file's text from its
//! `#[cfg(test)] mod tests` on is ignored, and so are `//` comments; an edge
//! is a `crate::<m>` path or a name in a `crate::{a, b}` group.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Top-level modules and, for each, the other modules it names.
type Graph = BTreeMap<String, BTreeSet<String>>;

#[test]
fn top_level_modules_form_no_import_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let cycles = cycles(&module_graph(&src));
    assert!(
        cycles.is_empty(),
        "the top-level modules of src/ import each other in a cycle; move the shared types \
         down so that the layers point one way:\n{}",
        cycles.join("\n")
    );
}

/// The layers of ARCHITECTURE.md, bottom to top: a module may import its
/// own layer and the layers below, never one above. A module missing here
/// fails the test, so a new module gets a layer when it is added.
const LAYERS: &[&[&str]] = &[
    &["error", "duration", "result", "settings", "pg"],
    &["sql"],
    &["config", "store", "catalog"],
    &["flink", "kube", "seatunnel", "datasource"],
    &["context"],
    &["engine", "jobs", "sync"],
    &["handler"],
    &["session"],
    &["server", "repl"],
];

#[test]
fn no_module_imports_a_higher_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let layer = |module: &str| LAYERS.iter().position(|l| l.contains(&module));
    let graph = module_graph(&src);
    let unplaced: Vec<&String> = graph.keys().filter(|m| layer(m).is_none()).collect();
    assert!(
        unplaced.is_empty(),
        "modules without a layer (add them to LAYERS here and to ARCHITECTURE.md): {unplaced:?}"
    );
    let upward: Vec<String> = graph
        .iter()
        .flat_map(|(from, to)| to.iter().map(move |to| (from, to)))
        .filter(|(from, to)| layer(to) > layer(from))
        .map(|(from, to)| {
            format!(
                "{from} (layer {:?}) imports {to} (layer {:?})",
                layer(from),
                layer(to)
            )
        })
        .collect();
    assert!(
        upward.is_empty(),
        "a lower layer imports a higher one; move the shared code down:\n{}",
        upward.join("\n")
    );
}

#[test]
fn module_graph_of_a_cyclic_tree_reports_the_cycle() {
    let dir = tree(&[
        (
            "lib.rs",
            "pub mod a; pub mod b; pub mod c; use crate::a::A;",
        ),
        ("a.rs", "use crate::b::B;\npub struct A;"),
        (
            "b/mod.rs",
            "use crate::{a::A, c};\npub struct B;\n// crate::c is named above",
        ),
        (
            "c.rs",
            "// use crate::a;\npub struct C;\n#[cfg(test)]\nmod tests {\n    use crate::b::B;\n}",
        ),
    ]);
    let graph = module_graph(dir.path());
    assert_eq!(
        graph["c"],
        BTreeSet::new(),
        "comments and tests are no edges"
    );
    assert_eq!(
        cycles(&graph),
        vec!["cycle: a b   (a->b, b->a)".to_string()]
    );
}

#[test]
fn module_graph_of_an_acyclic_tree_reports_none() {
    let dir = tree(&[
        ("main.rs", "use crate::c::C;"),
        ("a.rs", "use crate::b::B;"),
        ("b/mod.rs", "mod inner;\npub struct B;"),
        ("b/inner.rs", "use crate::{c::C};"),
        ("c.rs", "pub struct C;"),
    ]);
    let graph = module_graph(dir.path());
    assert_eq!(graph.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
    assert_eq!(graph["b"], BTreeSet::from(["c".to_string()]));
    assert!(cycles(&graph).is_empty());
}

/// A temporary `src/`-like directory holding `files` (path, text).
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

/// The module graph of the crate whose sources are in `src`.
fn module_graph(src: &Path) -> Graph {
    let mut modules = BTreeSet::new();
    for entry in fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            modules.insert(name);
        } else if let Some(stem) = name.strip_suffix(".rs")
            && stem != "lib"
            && stem != "main"
        {
            modules.insert(stem.to_string());
        }
    }
    let mut graph = Graph::new();
    for module in &modules {
        let mut files = vec![src.join(format!("{module}.rs"))];
        rust_files(&src.join(module), &mut files);
        let edges = graph.entry(module.clone()).or_default();
        for file in files.iter().filter(|f| f.is_file()) {
            let text = String::from_utf8_lossy(&fs::read(file).unwrap()).into_owned();
            for name in crate_paths(&without_comments(production_part(&text))) {
                if name != *module && modules.contains(&name) {
                    edges.insert(name);
                }
            }
        }
    }
    graph
}

/// Every `.rs` file under `dir`, at any depth.
fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// `text` up to its first `#[cfg(test)]` followed by `mod tests`.
fn production_part(text: &str) -> &str {
    const CFG_TEST: &str = "#[cfg(test)]";
    let mut from = 0;
    while let Some(found) = text[from..].find(CFG_TEST) {
        let at = from + found;
        let rest = text[at + CFG_TEST.len()..].trim_start();
        if let Some(after_mod) = rest.strip_prefix("mod")
            && after_mod.starts_with(char::is_whitespace)
            && after_mod.trim_start().starts_with("tests")
        {
            return &text[..at];
        }
        from = at + CFG_TEST.len();
    }
    text
}

/// `text` without `//` comments (to the end of each line).
fn without_comments(text: &str) -> String {
    text.lines()
        .map(|line| line.find("//").map_or(line, |at| &line[..at]))
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The leading word of `text`, if it starts with one.
fn leading_word(text: &str) -> Option<&str> {
    let end = text.find(|c| !is_word(c)).unwrap_or(text.len());
    (end > 0).then(|| &text[..end])
}

/// The module names that `crate::<name>` paths and `crate::{a, b}` groups in
/// `text` start with.
fn crate_paths(text: &str) -> Vec<String> {
    const CRATE: &str = "crate::";
    let after_crate = || {
        text.match_indices(CRATE)
            .map(|(at, _)| &text[at + CRATE.len()..])
    };
    let mut names: Vec<String> = after_crate()
        .filter_map(leading_word)
        .map(str::to_string)
        .collect();
    // Groups do not nest: the text of a group ends at its first `}`, and the
    // next group is looked for after it (as `crate::\{([^}]*)\}` matches).
    let mut group_end = 0;
    for rest in after_crate() {
        let start = text.len() - rest.len();
        let Some(group) = rest
            .strip_prefix('{')
            .filter(|_| start - CRATE.len() >= group_end)
        else {
            continue;
        };
        let Some(end) = group.find('}') else {
            continue;
        };
        group_end = start + 1 + end + 1;
        // The first word of each comma-separated part (a nested `a::{b, c}`
        // yields `a` and `c`).
        names.extend(
            group[..end]
                .split(',')
                .filter_map(|part| leading_word(part.trim_start()).map(str::to_string)),
        );
    }
    names
}

/// Each strongly connected component of more than one module (Tarjan), as
/// `cycle: a b   (a->b, b->a)`: its modules and the edges between them.
fn cycles(graph: &Graph) -> Vec<String> {
    let mut tarjan = Tarjan {
        graph,
        next: 0,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        components: Vec::new(),
    };
    for module in graph.keys() {
        if !tarjan.index.contains_key(module.as_str()) {
            tarjan.visit(module);
        }
    }
    tarjan
        .components
        .into_iter()
        .map(|component| {
            let edges: Vec<String> = component
                .iter()
                .flat_map(|from| {
                    graph[*from]
                        .iter()
                        .filter(|to| component.contains(&to.as_str()))
                        .map(move |to| format!("{from}->{to}"))
                })
                .collect();
            format!("cycle: {}   ({})", component.join(" "), edges.join(", "))
        })
        .collect()
}

/// The state of Tarjan's strongly-connected-components search.
struct Tarjan<'g> {
    graph: &'g Graph,
    next: usize,
    index: BTreeMap<&'g str, usize>,
    low: BTreeMap<&'g str, usize>,
    stack: Vec<&'g str>,
    /// Components of more than one module, each sorted.
    components: Vec<Vec<&'g str>>,
}

impl<'g> Tarjan<'g> {
    fn visit(&mut self, module: &'g str) {
        self.index.insert(module, self.next);
        self.low.insert(module, self.next);
        self.next += 1;
        self.stack.push(module);
        for to in &self.graph[module] {
            let to = to.as_str();
            if !self.index.contains_key(to) {
                self.visit(to);
                let low = self.low[module].min(self.low[to]);
                self.low.insert(module, low);
            } else if self.stack.contains(&to) {
                let low = self.low[module].min(self.index[to]);
                self.low.insert(module, low);
            }
        }
        if self.low[module] == self.index[module] {
            let mut component = Vec::new();
            loop {
                let member = self.stack.pop().unwrap();
                component.push(member);
                if member == module {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort_unstable();
                self.components.push(component);
            }
        }
    }
}
