//! The checker: resolves names and verifies every rule of docs/language.md's "Meaning" and
//! "Errors and limits", producing the [`Model`]. Independent errors are all reported.

use crate::dnf::term_bound;
use crate::model::*;
use ccattr_grammar::ast::{self, ExprKind, ItemKind, Value};
use ccattr_grammar::{Diagnostic, Span};
use rustc_hash::FxHashMap as HashMap;

/// At most this many attributes (base and derived): they are bits of a `u64`.
pub const MAX_ATTRS: usize = 64;
/// A condition written as an OR of ANDs may have at most this many terms.
pub const MAX_TERMS: u64 = 1024;
/// At most this many capabilities (version 2): they are bits of a `u32`.
pub const MAX_CAPS: usize = 32;

/// The keys a `naming` block accepts.
pub const NAMING_KEYS: [&str; 8] = [
    "prefix",
    "capability_prefix",
    "max_length",
    "forbid_words",
    "require_doc",
    "allow",
    "warn",
    "deny",
];

/// Names longer than this get no suggestion: the edit distance is quadratic in the
/// length, and a spec of one-megabyte names must still check in moments.
pub const MAX_SUGGESTED_LENGTH: usize = 256;

/// Suggest the closest of `candidates` to a misspelt `name`, if one is close.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    if name.len() > MAX_SUGGESTED_LENGTH {
        return None;
    }
    let upper = name.to_ascii_uppercase();
    candidates
        .into_iter()
        // The distance is at least the difference in length, so no longer candidate
        // can be close enough.
        .filter(|c| c.len() <= 2 * MAX_SUGGESTED_LENGTH)
        .map(|c| {
            let d = strsim::levenshtein(&upper, &c.to_ascii_uppercase());
            (d, c)
        })
        .filter(|&(d, c)| d < name.len() && d <= (c.len().max(name.len()) / 3).max(1))
        .min_by_key(|&(d, c)| (d, c))
        .map(|(_, c)| c)
}

/// Names an output cannot declare, which the checker refuses (E0123) with the
/// output's reason. The outputs own their rules; the C header is the one with such
/// names (`ccattr_codegen::C_HEADER`, which every front end passes to
/// [`compile`](crate::compile)).
pub trait ReservedNames: Sync {
    /// The output, as a message names it: "the generated C header".
    fn output(&self) -> &'static str;
    /// Why `name` cannot be declared in the output of the spec named `spec` (`v2`: a
    /// spec that uses a version 2 part, whose output declares more); `None` when it
    /// can.
    fn reserved(&self, name: &str, spec: &str, v2: bool) -> Option<String>;
    /// What the output makes of an attribute's name (`former` false) or a former
    /// name, for the note.
    fn declares(&self, former: bool) -> &'static str;
}

/// The prefix of the kernel's attribute names (`enum cc_attr` in
/// `include/linux/cc_platform.h`).
pub const KERNEL_PREFIX: &str = "CC_ATTR_";

/// Whether a spec's attribute enum is the kernel's `enum cc_attr`: its `naming`
/// prefix is `CC_ATTR_` (the enum is named by the prefix, lower-cased without the
/// trailing `_`), or it has no prefix and one of `names` (its attributes and former
/// names) is a `CC_ATTR_` name. Such a spec's C header has kernel mode
/// (docs/kernel.md): in a kernel build it uses the kernel's enum, never redeclares it.
pub fn kernel_enum<'n>(prefix: Option<&str>, mut names: impl Iterator<Item = &'n str>) -> bool {
    match prefix {
        Some(p) => p.trim_end_matches('_').eq_ignore_ascii_case("cc_attr"),
        None => names.any(|n| n.starts_with(KERNEL_PREFIX)),
    }
}

/// Whether the spec uses a part of version 2 (a capability, a probed device, a
/// `refuse` rule): what [`crate::table::DecisionTable::uses_v2`] says of its table.
fn uses_v2(items: &[ast::Item]) -> bool {
    items.iter().any(|i| match &i.kind {
        ItemKind::Capability(_) => true,
        ItemKind::Device(d) => !d.probed.is_empty(),
        ItemKind::Rule(r) => r.mapping == ast::Mapping::Refuse,
        _ => false,
    })
}

/// No output reserves any name: for tests of the checker alone.
pub struct NoReservedNames;

impl ReservedNames for NoReservedNames {
    fn output(&self) -> &'static str {
        "the output"
    }
    fn reserved(&self, _: &str, _: &str, _: bool) -> Option<String> {
        None
    }
    fn declares(&self, _: bool) -> &'static str {
        ""
    }
}

struct Checker<'a> {
    diags: &'a mut Vec<Diagnostic>,
    attr_ids: HashMap<&'a str, AttrId>,
    former: HashMap<&'a str, AttrId>,
    attr_names: Vec<&'a str>,
    device_ids: HashMap<&'a str, DeviceId>,
    cap_ids: HashMap<&'a str, CapId>,
    /// Each capability's name and where it is declared.
    cap_decls: Vec<&'a ast::Ident>,
}

/// Check a parsed spec and build its model: one step per kind of declaration, each
/// reporting into `diags`. `None` when the spec has no `spec` declaration; the
/// caller discards the model when any error was reported.
pub fn check(
    file: &ast::SpecFile,
    diags: &mut Vec<Diagnostic>,
    reserved: &dyn ReservedNames,
) -> Option<Model> {
    let items = &file.items;
    let spec = spec_decl(file, diags);
    stray_docs(items, diags);
    let naming = check_naming(items, diags);
    let mut c = Checker {
        diags,
        attr_ids: HashMap::default(),
        former: HashMap::default(),
        attr_names: Vec::new(),
        device_ids: HashMap::default(),
        cap_ids: HashMap::default(),
        cap_decls: Vec::new(),
    };
    let kept_attrs = c.declare_attrs(items);
    c.declare_former_names(&kept_attrs);
    c.kernel_names(&kept_attrs, &naming);
    let caps = c.declare_caps(items, &kept_attrs, naming.prefix.as_deref());
    if let Some((spec_name, _, _)) = spec {
        c.reserved_names(&kept_attrs, &spec_name.name, reserved, uses_v2(items));
    }
    let (platform_decls, device_decls) = c.declare_platforms_and_devices(items);
    let attrs = c.attrs(&kept_attrs);
    let derive_order = derive_order(&attrs, &kept_attrs, c.diags);
    let platforms = c.platforms(&platform_decls, &attrs);
    let devices = c.devices(&device_decls);
    check_nesting(&devices, c.diags);
    let rules = c.rules(items, &device_decls);

    let (name, doc, _) = spec?;
    Some(Model {
        name: name.name.clone(),
        name_span: name.span,
        doc: doc.as_ref().map(|d| d.lines.clone()).unwrap_or_default(),
        naming,
        attrs,
        platforms,
        devices,
        caps,
        rules,
        derive_order,
    })
}

/// The `spec` declaration, which comes first and once.
type SpecDecl<'a> = (&'a ast::Ident, &'a Option<ast::Doc>, Span);
/// The declarations of one kind that were kept (first of each name), with their items.
type Decls<'a, T> = Vec<(&'a ast::Item, &'a T)>;

/// `spec NAME;` comes first, once.
fn spec_decl<'a>(file: &'a ast::SpecFile, diags: &mut Vec<Diagnostic>) -> Option<SpecDecl<'a>> {
    let items = &file.items;
    // `spec NAME;` comes first, once.
    let spec = match items.first() {
        Some(ast::Item {
            kind: ItemKind::Spec(name),
            doc,
            span,
            ..
        }) => Some((name, doc, *span)),
        _ => None,
    };
    if spec.is_none() {
        let at = items
            .first()
            .map_or(Span::new(file.text_start, file.text_start), |i| i.span);
        let what = items
            .first()
            .map_or("the end of the file", |i| i.kind.describe());
        diags.push(
            Diagnostic::error("E0101", "a spec must start with `spec NAME;`", at)
                .with_label(format!("found {what} first"))
                .with_help("add `spec my_platforms;` as the first declaration; NAME names the generated files")
                .with_note("a file that other specs include (`include \"PATH\";`) has no `spec` line: check the spec that includes it"),
        );
    }
    for item in items.iter().skip(usize::from(spec.is_some())) {
        if let ItemKind::Spec(name) = &item.kind {
            let mut d = Diagnostic::error(
                "E0102",
                format!("second `spec` declaration `{}`", name.name),
                item.span,
            )
            .with_label("a spec has one `spec` declaration, at its start");
            if let Some((first, _, span)) = spec {
                d = d.with_secondary(span, format!("the spec is named `{}` here", first.name));
            }
            diags.push(d);
        }
    }
    spec
}

/// Doc comments on items that take none.
fn stray_docs(items: &[ast::Item], diags: &mut Vec<Diagnostic>) {
    for item in items {
        if let (Some(doc), ItemKind::Naming(_) | ItemKind::Rule(_)) = (&item.doc, &item.kind) {
            diags.push(ccattr_grammar::parser::stray_doc_warning(
                item.kind.describe(),
                doc.span,
            ));
        }
    }
}

impl<'a> Checker<'a> {
    /// Attribute names: each declared once, at most [`MAX_ATTRS`] of them.
    fn declare_attrs(&mut self, items: &'a [ast::Item]) -> Decls<'a, ast::AttrDecl> {
        let attr_decls: Vec<(&ast::Item, &ast::AttrDecl)> = items
            .iter()
            .filter_map(|i| match &i.kind {
                ItemKind::Attr(a) => Some((i, a)),
                _ => None,
            })
            .collect();
        let mut attr_first: HashMap<&str, Span> = HashMap::default();
        let mut kept_attrs: Vec<(&ast::Item, &ast::AttrDecl)> = Vec::new();
        for &(item, a) in &attr_decls {
            if let Some(&first) = attr_first.get(a.name.name.as_str()) {
                self.diags.push(duplicate("attribute", &a.name, first));
                continue;
            }
            attr_first.insert(&a.name.name, a.name.span);
            if kept_attrs.len() == MAX_ATTRS {
                self.diags.push(
                    Diagnostic::error(
                        "E0119",
                        format!(
                            "too many attributes: `{}` would be number {}, the limit is {MAX_ATTRS}",
                            a.name.name,
                            MAX_ATTRS + 1
                        ),
                        a.name.span,
                    )
                    .with_label(format!(
                        "attribute {} of at most {MAX_ATTRS}",
                        MAX_ATTRS + 1
                    ))
                    .with_note("an attribute set is a 64-bit mask, one bit per attribute"),
                );
                continue;
            }
            self.attr_ids.insert(&a.name.name, kept_attrs.len());
            self.attr_names.push(&a.name.name);
            kept_attrs.push((item, a));
        }
        kept_attrs
    }

    /// Former names: none in use, none claimed twice.
    fn declare_former_names(&mut self, kept_attrs: &Decls<'a, ast::AttrDecl>) {
        let mut former_first: HashMap<&str, Span> = HashMap::default();
        for (id, &(_, a)) in kept_attrs.iter().enumerate() {
            for old in a.formerly() {
                if let Some(&cur) = self.attr_ids.get(old.name.as_str()) {
                    self.diags.push(
                        Diagnostic::error(
                            "E0104",
                            format!(
                                "former name `{}` is the name of a current attribute",
                                old.name
                            ),
                            old.span,
                        )
                        .with_label("a former name must not be in use")
                        .with_secondary(
                            kept_attrs[cur].1.name.span,
                            "the current attribute of that name",
                        ),
                    );
                } else if let Some(&first) = former_first.get(old.name.as_str()) {
                    self.diags.push(
                        Diagnostic::error(
                            "E0104",
                            format!("former name `{}` is claimed twice", old.name),
                            old.span,
                        )
                        .with_label("a name can be the former name of one attribute only")
                        .with_secondary(first, "first claimed here"),
                    );
                } else {
                    former_first.insert(&old.name, old.span);
                    self.former.insert(&old.name, id);
                }
            }
        }
    }

    /// E0129: the `CC_ATTR_` names are the members of the kernel's `enum cc_attr`. A
    /// spec may declare them when its attribute enum is the kernel's: its `naming`
    /// prefix is `CC_ATTR_`, or it has no prefix (then the enum is `cc_attr` too, see
    /// [`kernel_enum`]). Under any other prefix its enum would redeclare the kernel's
    /// enumerators in a kernel build.
    fn kernel_names(&mut self, kept_attrs: &Decls<'a, ast::AttrDecl>, naming: &Naming) {
        let Some(prefix) = naming.prefix.as_deref() else {
            return;
        };
        if kernel_enum(Some(prefix), std::iter::empty()) {
            return;
        }
        for &(_, a) in kept_attrs {
            let former = a.formerly().map(|old| (old, "former name"));
            for (ident, what) in std::iter::once((&a.name, "attribute")).chain(former) {
                if !ident.name.starts_with(KERNEL_PREFIX) {
                    continue;
                }
                let mut d = Diagnostic::error(
                    "E0129",
                    format!(
                        "{what} `{}` is a name of the kernel's enum cc_attr, but the spec's prefix is `{prefix}`",
                        ident.name
                    ),
                    ident.span,
                )
                .with_label(format!(
                    "in a kernel build, enum {} would redeclare this enumerator of enum cc_attr",
                    prefix.trim_end_matches('_').to_ascii_lowercase()
                ))
                .with_note(
                    "a spec whose prefix is `CC_ATTR_` (or that has none) describes the kernel's enum cc_attr, and its header then uses the kernel's enum in a kernel build",
                )
                .with_help(format!(
                    "write `prefix = \"CC_ATTR_\";`, or rename the {what} to start with `{prefix}`"
                ));
                if let Some(at) = naming.prefix_span {
                    d = d.with_secondary(at, "the prefix is set here");
                }
                self.diags.push(d);
            }
        }
    }

    /// Capabilities (version 2): each declared once, none named like an attribute (an
    /// attribute's or a former name, or the attribute prefix: `CC_ATTR_` or the
    /// `naming` block's), at most [`MAX_CAPS`] of them.
    fn declare_caps(
        &mut self,
        items: &'a [ast::Item],
        kept_attrs: &Decls<'a, ast::AttrDecl>,
        attr_prefix: Option<&str>,
    ) -> Vec<Capability> {
        let mut caps = Vec::new();
        let mut number = 0;
        for item in items {
            let ItemKind::Capability(name) = &item.kind else {
                continue;
            };
            number += 1;
            if let Some(&first) = self.cap_ids.get(name.name.as_str()) {
                self.diags
                    .push(duplicate("capability", name, self.cap_decls[first].span));
                continue;
            }
            let attr = self.attr_ids.get(name.name.as_str()).map(|&a| (a, false));
            let former = self.former.get(name.name.as_str()).map(|&a| (a, true));
            if let Some((a, is_former)) = attr.or(former) {
                let decl = kept_attrs[a].1;
                let (what, at) = if is_former {
                    let old = decl.formerly().find(|f| f.name == name.name);
                    (
                        "a former attribute name",
                        old.map_or(decl.name.span, |f| f.span),
                    )
                } else {
                    ("an attribute", decl.name.span)
                };
                self.diags.push(
                    Diagnostic::error(
                        "E0124",
                        format!("capability `{}` has the name of {what}", name.name),
                        name.span,
                    )
                    .with_label("declared as a capability here")
                    .with_secondary(at, format!("declared as {what} here"))
                    .with_help(
                        "a condition names both; give the capability a name of its own, such as one with a `CAP_` prefix",
                    ),
                );
                continue;
            }
            let prefix = ["CC_ATTR_"]
                .into_iter()
                .chain(attr_prefix.filter(|p| !p.is_empty()))
                .find(|p| name.name.starts_with(p) && name.name.len() > p.len());
            if let Some(p) = prefix {
                self.diags.push(
                    Diagnostic::error(
                        "E0124",
                        format!("capability `{}` is named like an attribute", name.name),
                        name.span,
                    )
                    .with_label(format!("starts with the attribute prefix `{p}`"))
                    .with_note(
                        "a capability is what one device reports, not what the platform reports through `cc_platform_has()`",
                    )
                    .with_help(format!(
                        "drop the prefix: `capability {};`",
                        &name.name[p.len()..]
                    )),
                );
            }
            if caps.len() == MAX_CAPS {
                self.diags.push(
                    Diagnostic::error(
                        "E0125",
                        format!(
                            "too many capabilities: `{}` would be number {number}, the limit is {MAX_CAPS}",
                            name.name,
                        ),
                        name.span,
                    )
                    .with_label(format!("capability {number} of at most {MAX_CAPS}"))
                    .with_note("a capability set is a 32-bit mask, one bit per capability"),
                );
                continue;
            }
            self.cap_ids.insert(&name.name, caps.len());
            self.cap_decls.push(name);
            caps.push(Capability {
                name: name.name.clone(),
                span: name.span,
                doc: item
                    .doc
                    .as_ref()
                    .map(|d| d.lines.clone())
                    .unwrap_or_default(),
            });
        }
        caps
    }

    /// Names an output cannot declare (in the C header, attributes become enumerators
    /// and former names macros, at file scope).
    fn reserved_names(
        &mut self,
        kept_attrs: &Decls<'a, ast::AttrDecl>,
        spec_name: &str,
        reserved: &dyn ReservedNames,
        v2: bool,
    ) {
        for &(_, a) in kept_attrs {
            let former = a.formerly().map(|old| (old, "former name"));
            for (ident, what) in std::iter::once((&a.name, "attribute")).chain(former) {
                if let Some(why) = reserved.reserved(&ident.name, spec_name, v2) {
                    self.diags.push(
                        Diagnostic::error(
                            "E0123",
                            format!(
                                "{what} `{}` cannot be declared in {}",
                                ident.name,
                                reserved.output()
                            ),
                            ident.span,
                        )
                        .with_label(why)
                        .with_note(reserved.declares(what != "attribute"))
                        .with_help(
                            "choose another name, such as one with the spec's `naming` prefix",
                        ),
                    );
                }
            }
        }
    }

    /// Platform and device names, each declared once.
    fn declare_platforms_and_devices(
        &mut self,
        items: &'a [ast::Item],
    ) -> (Decls<'a, ast::PlatformDecl>, Decls<'a, ast::DeviceDecl>) {
        let mut platform_first: HashMap<&str, Span> = HashMap::default();
        let mut device_first: HashMap<&str, Span> = HashMap::default();
        let mut device_decls = Vec::new();
        let mut platform_decls = Vec::new();
        for item in items {
            match &item.kind {
                ItemKind::Platform(p) => {
                    if let Some(&first) = platform_first.get(p.name.name.as_str()) {
                        self.diags.push(duplicate("platform", &p.name, first));
                    } else {
                        platform_first.insert(&p.name.name, p.name.span);
                        platform_decls.push((item, p));
                    }
                }
                ItemKind::Device(d) => {
                    if let Some(&first) = device_first.get(d.name.name.as_str()) {
                        self.diags.push(duplicate("device", &d.name, first));
                    } else {
                        device_first.insert(&d.name.name, d.name.span);
                        self.device_ids.insert(&d.name.name, device_decls.len());
                        device_decls.push((item, d));
                    }
                }
                _ => {}
            }
        }
        (platform_decls, device_decls)
    }

    /// Attributes: what base attributes imply, what derived ones are defined as.
    fn attrs(&mut self, kept_attrs: &Decls<'a, ast::AttrDecl>) -> Vec<Attr> {
        let mut attrs = Vec::new();
        for &(item, a) in kept_attrs {
            let kind = match &a.def {
                ast::AttrDef::Base { implies } => {
                    let mut ids = Vec::new();
                    for target in implies {
                        if let Some(t) = self.attr(target) {
                            if let ast::AttrDef::Derived(_) = kept_attrs[t].1.def {
                                self.diags.push(
                                    Diagnostic::error("E0107", format!("`{}` implies derived attribute `{}`", a.name.name, target.name), target.span)
                                        .with_label("`implies` names base attributes only")
                                        .with_secondary(kept_attrs[t].1.name.span, "derived here")
                                        .with_help("a derived attribute follows from its definition; name the base attributes it reads instead"),
                                );
                            } else {
                                ids.push(t);
                            }
                        }
                    }
                    AttrKind::Base { implies: ids }
                }
                ast::AttrDef::Derived(e) => match self.cond(e, None) {
                    Some(cond) => AttrKind::Derived { cond },
                    None => AttrKind::Derived {
                        cond: Cond::Const(false),
                    },
                },
            };
            attrs.push(Attr {
                name: a.name.name.clone(),
                span: a.name.span,
                decl_span: item.span,
                doc: item
                    .doc
                    .as_ref()
                    .map(|d| d.lines.clone())
                    .unwrap_or_default(),
                kind,
                formerly: a.formerly().map(|f| (f.name.clone(), f.span)).collect(),
                deprecated: a.deprecated().map(|d| d.value.clone()),
            });
        }
        for (a, &(_, decl)) in attrs.iter().zip(kept_attrs) {
            if let (AttrKind::Derived { cond }, ast::AttrDef::Derived(e)) = (&a.kind, &decl.def) {
                self.term_limit(cond, e.span, "derived attribute's definition");
            }
        }
        attrs
    }

    /// Platforms: the base attributes each sets.
    fn platforms(
        &mut self,
        platform_decls: &Decls<'a, ast::PlatformDecl>,
        attrs: &[Attr],
    ) -> Vec<Platform> {
        let mut platforms = Vec::new();
        for &(item, p) in platform_decls {
            let mut sets = Vec::new();
            for name in p.sets() {
                if let Some(id) = self.attr(name) {
                    if attrs[id].is_base() {
                        sets.push(id);
                    } else {
                        self.diags.push(
                            Diagnostic::error(
                                "E0108",
                                format!(
                                    "platform `{}` sets derived attribute `{}`",
                                    p.name.name, name.name
                                ),
                                name.span,
                            )
                            .with_label("platforms set base attributes only")
                            .with_secondary(attrs[id].span, "derived here")
                            .with_help("set the base attributes it is derived from"),
                        );
                    }
                }
            }
            platforms.push(Platform {
                name: p.name.name.clone(),
                span: p.name.span,
                doc: item
                    .doc
                    .as_ref()
                    .map(|d| d.lines.clone())
                    .unwrap_or_default(),
                sets,
            });
        }
        platforms
    }

    /// Devices and their regions, each region within the 64-bit address space.
    fn devices(&mut self, device_decls: &Decls<'a, ast::DeviceDecl>) -> Vec<Device> {
        let mut devices = Vec::new();
        for &(item, d) in device_decls {
            let probed = !d.probed.is_empty();
            if d.regions.is_empty() && !probed {
                self.diags.push(
                    Diagnostic::error(
                        "E0121",
                        format!("device `{}` has no MMIO region", d.name.name),
                        item.span,
                    )
                    .with_label("needs at least one `mmio BASE size SIZE;`")
                    .with_help("a device whose resources are found at run time is `probed;`"),
                );
            }
            if let (Some(p), Some(r)) = (d.probed.first(), d.regions.first()) {
                self.diags.push(
                    Diagnostic::error(
                        "E0128",
                        format!("device `{}` is both probed and fixed", d.name.name),
                        p.span,
                    )
                    .with_label("probed here: its resources are found at run time")
                    .with_secondary(r.span, "but it has a fixed region here")
                    .with_help(
                        "declare the fixed region as a device of its own, or drop `probed;`",
                    ),
                );
            }
            if let Some(second) = d.probed.get(1) {
                self.diags.push(
                    Diagnostic::error(
                        "E0128",
                        format!("device `{}` says `probed;` twice", d.name.name),
                        second.span,
                    )
                    .with_label("said again here")
                    .with_secondary(d.probed[0].span, "first said here"),
                );
            }
            let mut regions = Vec::new();
            for r in &d.regions {
                if r.size.value == 0 {
                    self.diags.push(
                        Diagnostic::error("E0114", "region size is 0", r.size.span)
                            .with_label("a region's size must be greater than 0"),
                    );
                    continue;
                }
                let end = u128::from(r.base.value) + u128::from(r.size.value);
                if end > 1u128 << 64 {
                    self.diags.push(
                        Diagnostic::error(
                            "E0115",
                            format!("region ends at {end:#x}, past 2^64"),
                            r.span,
                        )
                        .with_label("BASE + SIZE must be at most 2^64")
                        .with_help(format!(
                            "the largest size at this base is {:#x}",
                            (1u128 << 64) - u128::from(r.base.value)
                        )),
                    );
                    continue;
                }
                regions.push(Region {
                    start: r.base.value,
                    last: (end - 1) as u64,
                    span: r.span,
                });
            }
            devices.push(Device {
                name: d.name.name.clone(),
                span: d.name.span,
                doc: item
                    .doc
                    .as_ref()
                    .map(|x| x.lines.clone())
                    .unwrap_or_default(),
                regions: if probed { Vec::new() } else { regions },
                probed,
            });
        }
        devices
    }

    /// `map` and `default` rules: devices resolved, conditions within the term limit.
    fn rules(
        &mut self,
        items: &'a [ast::Item],
        device_decls: &Decls<'a, ast::DeviceDecl>,
    ) -> Vec<Rule> {
        let mut rules = Vec::new();
        for item in items {
            let ItemKind::Rule(r) = &item.kind else {
                continue;
            };
            let device = match &r.device {
                Some(name) => match self.device_ids.get(name.name.as_str()) {
                    Some(&id) => Some(id),
                    None => {
                        let mut d = Diagnostic::error(
                            "E0110",
                            format!("unknown device `{}`", name.name),
                            name.span,
                        )
                        .with_label("no device of this name is declared");
                        if let Some(s) = did_you_mean(
                            &name.name,
                            device_decls.iter().map(|(_, d)| d.name.name.as_str()),
                        ) {
                            d = d.with_help(format!("did you mean `{s}`?"));
                        }
                        self.diags.push(d);
                        continue;
                    }
                },
                None => None,
            };
            // Capabilities only in the rules of a probed device.
            let caps_ok = device
                .filter(|&d| !device_decls[d].1.probed.is_empty())
                .map(|d| device_decls[d].1.name.name.as_str());
            let cond = match &r.when {
                Some(e) => match self.cond(e, caps_ok) {
                    Some(cond) => {
                        self.term_limit(&cond, e.span, "rule's condition");
                        Some(cond)
                    }
                    None => continue,
                },
                None => None,
            };
            rules.push(Rule {
                device,
                mapping: match r.mapping {
                    ast::Mapping::Encrypted => Mapping::Encrypted,
                    ast::Mapping::Decrypted => Mapping::Decrypted,
                    ast::Mapping::Refuse => Mapping::Refuse,
                },
                cond,
                span: item.span,
            });
        }
        rules
    }
}

fn duplicate(what: &str, name: &ast::Ident, first: Span) -> Diagnostic {
    Diagnostic::error(
        "E0103",
        format!("{what} `{}` is declared twice", name.name),
        name.span,
    )
    .with_label("declared again here")
    .with_secondary(first, "first declared here")
}

impl Checker<'_> {
    /// Resolve an attribute name; report unknown and former names, and capabilities
    /// where an attribute must stand.
    fn attr(&mut self, name: &ast::Ident) -> Option<AttrId> {
        self.atom(name, None).and_then(|a| match a {
            Atom::Attr(a) => Some(a),
            Atom::Cap(_) => None,
        })
    }

    /// Resolve a name in a condition: an attribute, or a capability where `caps_ok`
    /// names the probed device whose rule it is.
    fn atom(&mut self, name: &ast::Ident, caps_ok: Option<&str>) -> Option<Atom> {
        if let Some(&id) = self.attr_ids.get(name.name.as_str()) {
            return Some(Atom::Attr(id));
        }
        if let Some(&id) = self.cap_ids.get(name.name.as_str()) {
            if caps_ok.is_some() {
                return Some(Atom::Cap(id));
            }
            self.diags.push(
                Diagnostic::error(
                    "E0127",
                    format!(
                        "capability `{}` is used outside the rules of a probed device",
                        name.name
                    ),
                    name.span,
                )
                .with_label("only the `map` rules of a probed device read capabilities")
                .with_secondary(self.cap_decls[id].span, "declared as a capability here")
                .with_note(
                    "a capability is what one device reports when it is probed; platforms, attributes, fixed devices and `default` rules have no device to ask",
                )
                .with_help("name an attribute here, or move the rule to a `probed;` device"),
            );
            return None;
        }
        if let Some(&id) = self.former.get(name.name.as_str()) {
            let current = self.attr_names[id];
            self.diags.push(
                Diagnostic::error(
                    "E0106",
                    format!("`{}` is a former name of `{current}`", name.name),
                    name.span,
                )
                .with_label("former names are for compatibility aliases, not for use in the spec")
                .with_help(format!("use the current name `{current}`")),
            );
            return None;
        }
        if let Some(device) = caps_ok {
            // In a probed device's rule the name may have meant a capability.
            let cap_names = self.cap_decls.iter().map(|c| c.name.as_str());
            if let Some(s) = did_you_mean(&name.name, cap_names) {
                let closer_attr = did_you_mean(
                    &name.name,
                    self.attr_names.iter().copied().chain(std::iter::once(s)),
                );
                if closer_attr == Some(s) {
                    self.diags.push(
                        Diagnostic::error(
                            "E0126",
                            format!("unknown capability `{}`", name.name),
                            name.span,
                        )
                        .with_label(format!(
                            "no capability or attribute of this name is declared (in a rule of probed device `{device}`)"
                        ))
                        .with_help(format!("did you mean `{s}`?")),
                    );
                    return None;
                }
            }
        }
        let what = if caps_ok.is_some() {
            "attribute or capability"
        } else {
            "attribute"
        };
        let mut d = Diagnostic::error(
            "E0105",
            format!("unknown {what} `{}`", name.name),
            name.span,
        )
        .with_label(format!("no {what} of this name is declared"));
        if let Some(s) = did_you_mean(&name.name, self.attr_names.iter().copied()) {
            d = d.with_help(format!("did you mean `{s}`?"));
        }
        self.diags.push(d);
        None
    }

    /// Resolve an expression; `None` if any name in it is unresolved (all reported).
    /// `caps_ok` names the probed device whose rule it is, if it is one.
    fn cond(&mut self, e: &ast::Expr, caps_ok: Option<&str>) -> Option<Cond> {
        Some(match &e.kind {
            ExprKind::Bool(b) => Cond::Const(*b),
            ExprKind::Attr(name) => match self.atom(name, caps_ok)? {
                Atom::Attr(a) => Cond::Attr(a),
                Atom::Cap(c) => Cond::Cap(c),
            },
            ExprKind::Not(inner) => Cond::Not(Box::new(self.cond(inner, caps_ok)?)),
            ExprKind::And(es) | ExprKind::Or(es) => {
                let mut out = Vec::with_capacity(es.len());
                let mut ok = true;
                for sub in es {
                    match self.cond(sub, caps_ok) {
                        Some(c) => out.push(c),
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                if matches!(e.kind, ExprKind::And(_)) {
                    Cond::And(out)
                } else {
                    Cond::Or(out)
                }
            }
        })
    }

    fn term_limit(&mut self, cond: &Cond, span: Span, what: &str) {
        let (terms, _) = term_bound(cond);
        if terms > MAX_TERMS {
            let count = if terms == u64::MAX {
                "more than 2^64".to_string()
            } else {
                terms.to_string()
            };
            self.diags.push(
                Diagnostic::error(
                    "E0120",
                    format!("{what} expands to {count} terms; the limit is {MAX_TERMS}"),
                    span,
                )
                .with_label("written as an OR of ANDs, this condition is too large")
                .with_help("factor common parts into derived attributes"),
            );
        }
    }
}

fn check_naming(items: &[ast::Item], diags: &mut Vec<Diagnostic>) -> Naming {
    let mut naming = Naming::default();
    for item in items {
        let ItemKind::Naming(entries) = &item.kind else {
            continue;
        };
        if let Some(first) = naming.span {
            diags.push(
                Diagnostic::error("E0111", "second `naming` block", item.span)
                    .with_label("a spec has at most one `naming` block")
                    .with_secondary(first, "first `naming` block here"),
            );
            continue;
        }
        naming.span = Some(item.span);
        let mut seen: HashMap<&str, Span> = HashMap::default();
        for e in entries {
            let key = e.key.name.as_str();
            if !NAMING_KEYS.contains(&key) {
                let mut d =
                    Diagnostic::error("E0112", format!("unknown naming key `{key}`"), e.key.span)
                        .with_label(format!("expected one of {}", NAMING_KEYS.join(", ")));
                if let Some(s) = did_you_mean(key, NAMING_KEYS) {
                    d = d.with_help(format!("did you mean `{s}`?"));
                }
                diags.push(d);
                continue;
            }
            if let Some(&first) = seen.get(key) {
                diags.push(
                    Diagnostic::error(
                        "E0122",
                        format!("naming key `{key}` is set twice"),
                        e.key.span,
                    )
                    .with_label("set again here")
                    .with_secondary(first, "first set here"),
                );
                continue;
            }
            seen.insert(key, e.key.span);
            let mismatch = |expected: &str| {
                Diagnostic::error(
                    "E0113",
                    format!(
                        "naming key `{key}` takes {expected}, found {}",
                        e.value.kind()
                    ),
                    e.value.span(),
                )
                .with_label(format!("expected {expected}"))
            };
            match (key, &e.value) {
                ("prefix", Value::Str(s)) => {
                    naming.prefix = Some(s.value.clone());
                    naming.prefix_span = Some(s.span);
                }
                ("capability_prefix", Value::Str(s)) => {
                    naming.capability_prefix = Some((s.value.clone(), s.span))
                }
                ("max_length", Value::Int(i)) => naming.max_length = Some(i.value),
                ("require_doc", Value::Bool(b, _)) => naming.require_doc = *b,
                ("forbid_words" | "allow" | "warn" | "deny", Value::List(vs, _)) => {
                    let list = match key {
                        "forbid_words" => &mut naming.forbid_words,
                        "allow" => &mut naming.allow,
                        "warn" => &mut naming.warn,
                        _ => &mut naming.deny,
                    };
                    for v in vs {
                        match v {
                            Value::Str(s) => list.push((s.value.clone(), s.span)),
                            other => diags.push(
                                Diagnostic::error(
                                    "E0113",
                                    format!("`{key}` lists strings, found {}", other.kind()),
                                    other.span(),
                                )
                                .with_label("expected a string"),
                            ),
                        }
                    }
                }
                ("prefix" | "capability_prefix", _) => diags.push(mismatch("a string")),
                ("max_length", _) => diags.push(mismatch("an integer")),
                ("require_doc", _) => diags.push(mismatch("`true` or `false`")),
                _ => diags.push(mismatch("a list of strings")),
            }
        }
    }
    naming
}

/// Order derived attributes so each follows those it reads; report every cycle.
fn derive_order(
    attrs: &[Attr],
    decls: &[(&ast::Item, &ast::AttrDecl)],
    diags: &mut Vec<Diagnostic>,
) -> Vec<AttrId> {
    let deps: Vec<Vec<AttrId>> = attrs
        .iter()
        .map(|a| match &a.kind {
            AttrKind::Derived { cond } => {
                let mut v = Vec::new();
                cond.attrs(&mut v);
                v.retain(|&d| !attrs[d].is_base());
                v.dedup();
                v
            }
            AttrKind::Base { .. } => Vec::new(),
        })
        .collect();
    // 0 = unvisited, 1 = on the path, 2 = done.
    let mut state = vec![0u8; attrs.len()];
    let mut order = Vec::new();
    let mut reported = vec![false; attrs.len()];
    for root in 0..attrs.len() {
        if attrs[root].is_base() || state[root] != 0 {
            continue;
        }
        // Iterative DFS keeping the path, so a cycle can be shown whole.
        let mut path: Vec<(AttrId, usize)> = vec![(root, 0)];
        state[root] = 1;
        while let Some(&mut (node, ref mut next)) = path.last_mut() {
            if let Some(&dep) = deps[node].get(*next) {
                *next += 1;
                match state[dep] {
                    0 => {
                        state[dep] = 1;
                        path.push((dep, 0));
                    }
                    1 => {
                        let from = path.iter().position(|&(n, _)| n == dep).unwrap_or(0);
                        let cycle: Vec<AttrId> = path[from..].iter().map(|&(n, _)| n).collect();
                        if cycle.iter().any(|&n| reported[n]) {
                            continue;
                        }
                        cycle.iter().for_each(|&n| reported[n] = true);
                        let names: Vec<&str> = cycle
                            .iter()
                            .chain([&dep])
                            .map(|&n| attrs[n].name.as_str())
                            .collect();
                        let mut d = Diagnostic::error(
                            "E0109",
                            format!("derived attributes form a cycle: {}", names.join(" -> ")),
                            attrs[dep].span,
                        )
                        .with_label("this derived attribute depends on itself");
                        for w in cycle
                            .windows(2)
                            .chain(std::iter::once(&[*cycle.last().unwrap_or(&dep), dep][..]))
                        {
                            let (a, b) = (w[0], w[1]);
                            if let ast::AttrDef::Derived(e) = &decls[a].1.def {
                                let mention = find_mention(e, &attrs[b].name).unwrap_or(e.span);
                                d = d.with_secondary(
                                    mention,
                                    format!("`{}` reads `{}` here", attrs[a].name, attrs[b].name),
                                );
                            }
                        }
                        diags.push(d.with_help(
                            "a derived attribute must be computable from base attributes",
                        ));
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
                order.push(node);
                path.pop();
            }
        }
    }
    order
}

fn find_mention(e: &ast::Expr, name: &str) -> Option<Span> {
    match &e.kind {
        ExprKind::Attr(i) if i.name == name => Some(i.span),
        ExprKind::Not(inner) => find_mention(inner, name),
        ExprKind::And(es) | ExprKind::Or(es) => es.iter().find_map(|x| find_mention(x, name)),
        _ => None,
    }
}

/// Regions must nest: any two are disjoint or one lies strictly inside the other.
fn check_nesting(devices: &[Device], diags: &mut Vec<Diagnostic>) {
    let mut all: Vec<(Region, DeviceId)> = devices
        .iter()
        .enumerate()
        .flat_map(|(d, dev)| dev.regions.iter().map(move |r| (*r, d)))
        .collect();
    all.sort_by(|a, b| a.0.start.cmp(&b.0.start).then(b.0.last.cmp(&a.0.last)));
    let mut stack: Vec<(Region, DeviceId)> = Vec::new();
    let show = |r: &Region| format!("[{:#x}, {:#x}]", r.start, r.last);
    for (r, d) in all {
        while stack.last().is_some_and(|(top, _)| top.last < r.start) {
            stack.pop();
        }
        if let Some(&(top, td)) = stack.last() {
            let same = td == d;
            let name = &devices[d].name;
            let other = &devices[td].name;
            if same {
                diags.push(
                    Diagnostic::error(
                        "E0116",
                        format!("regions of device `{name}` overlap"),
                        r.span,
                    )
                    .with_label(format!("{} overlaps", show(&r)))
                    .with_secondary(top.span, format!("{} of the same device", show(&top)))
                    .with_help(
                        "the regions of one device must be disjoint; merge them into one region",
                    ),
                );
                continue;
            }
            if top.start == r.start && top.last == r.last {
                diags.push(
                    Diagnostic::error("E0118", format!("device `{name}` has the same region as device `{other}`"), r.span)
                        .with_label(format!("{} again", show(&r)))
                        .with_secondary(top.span, format!("{} of `{other}`", show(&top)))
                        .with_help("nested regions must be strictly inside one another: which device decides first would be ambiguous"),
                );
                continue;
            }
            if r.last > top.last {
                diags.push(
                    Diagnostic::error(
                        "E0117",
                        format!("region of `{name}` partly overlaps a region of `{other}`"),
                        r.span,
                    )
                    .with_label(format!("{} starts inside and ends outside", show(&r)))
                    .with_secondary(top.span, format!("{} of `{other}`", show(&top)))
                    .with_help("regions must be disjoint or nested"),
                );
                continue;
            }
        }
        stack.push((r, d));
    }
}
