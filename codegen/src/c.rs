//! The C header (`NAME.h`), for the kernel and userspace.
//!
//! The layout lives in `templates/header.h`; this module prepares what it prints:
//! kernel-doc comments wrapped to the kernel's 100 columns, aligned `#define`s and
//! the lookup arrays of [`Lookup`]. Everything the header defines is `static inline`
//! or a macro, and every array is a `static const` inside the function that reads
//! it, so any number of translation units (and headers of other specs) can include
//! it without warnings under `-Wall -Wextra`.
//!
//! A spec whose attribute enum is the kernel's `enum cc_attr` (its prefix is `CC_ATTR_`)
//! also gets kernel mode (docs/kernel.md): in a kernel build the header uses the
//! kernel's enum instead of defining it, can check the spec against it member for
//! member, and asks the kernel's `cc_platform_has()` for the base attributes.

use crate::lookup_layout::{IndexType, Layout, Lookup, LookupRow};
use crate::names;
use crate::prose::{self, columns, rule_set_place, wrap, Quote, MAX_COLUMNS};
use crate::Provenance;
use askama::Template;
use ccattr_core::table::{Decision, TableAttr};
use ccattr_core::DecisionTable;

const TAB: usize = 8;

/// The kernel's attribute enum (`include/linux/cc_platform.h`): a spec whose enum has
/// this name gets kernel mode.
const KERNEL_ENUM: &str = "cc_attr";

#[derive(Template)]
#[template(path = "header.h", escape = "none")]
struct Header {
    /// The spec name as written (`x86_coco`): the prefix of functions and types.
    name: String,
    /// The spec name upper-cased: the prefix of macros.
    upper: String,
    guard: String,
    /// The opening comment: provenance, then the spec's doc comment.
    head: Vec<String>,
    /// The attribute enum's name (`cc_attr`).
    attr_enum: String,
    /// Whether the attribute enum is the kernel's `enum cc_attr`: the header then has
    /// a kernel mode, and the table bits their own enum.
    kernel_enum: bool,
    /// The enum whose values are the table bits: `bit_enum` in kernel mode, else
    /// `attr_enum`.
    set_enum: String,
    /// The enum of table bits (`hyperv_vtom_bit`), its kernel-doc and its members
    /// (empty unless `kernel_enum`).
    bit_enum: String,
    bit_enum_doc: Vec<String>,
    bits: Vec<String>,
    /// What kernel mode adds (empty unless `kernel_enum`).
    kernel: KernelMode,
    /// The attribute enum's kernel-doc, one line each.
    attr_enum_doc: Vec<String>,
    /// The members, each with its kernel-doc lines (indented one tab).
    attrs: Vec<Member>,
    nr_attrs: usize,
    /// `#define OLD_NAME NEW_NAME`, aligned.
    former: Vec<String>,
    platforms: Vec<PlatformMacro>,
    /// The lines of the `implies[]` initializer (designated, base attributes only).
    implies: Vec<String>,
    /// The lines of the derived attributes' `terms[]` initializer (may be empty).
    terms: Vec<String>,
    /// The definition of `first_row[]` (the first row of each rule set).
    first_row: Vec<String>,
    /// The lines of `rows[]`'s initializer.
    rows: Vec<String>,
    /// Whether the table is searched (`last_byte[]` in Eytzinger order) rather than
    /// scanned (`runs[]` in address order); see [`Layout`].
    search: bool,
    /// The type of the rows' masks and values: the narrowest that holds them when
    /// searched, `u64` when scanned.
    bits_type: String,
    /// The type of a rule set index.
    rule_set_type: String,
    /// Scanned: the lines of `runs[]`'s initializer. Searched: the definition of
    /// `last_byte[]`.
    runs: Vec<String>,
    /// Searched: the definition of the runs' `rule_set[]` (empty when scanned).
    rule_sets: Vec<String>,
    /// Scanned: the comment over the runs whose rules can map encrypted, and the lines
    /// of their initializer (empty when none can, or when searched).
    private_doc: Vec<String>,
    private_runs: Vec<String>,
    /// The functions' prototypes, broken to fit if need be.
    proto_close: String,
    proto_rule_set: String,
    proto_decide: String,
    proto_decide_start: String,
    proto_private: String,
    proto_kernel_private: String,
    /// What a spec that uses version 2 adds (empty otherwise).
    v2: V2,
}

/// The declarations of version 2, in a header whose table uses it: `NAME_MAP_REFUSED`,
/// the capabilities' bits, the probed devices and `NAME_decide_probed()`.
#[derive(Default)]
struct V2 {
    /// Whether the table uses version 2 at all.
    on: bool,
    /// Whether a rule set of addresses can refuse: `NAME_decide()` then walks a range
    /// to its end, or to the first refused byte.
    ranges_refuse: bool,
    /// The comment over the capabilities' bits (empty without capabilities).
    caps_doc: Vec<String>,
    /// `#define NAME_CAP_<CAP>`, each with its comment.
    caps: Vec<PlatformMacro>,
    /// The kernel-doc of `enum NAME_probed` and its members (empty without probed
    /// devices).
    probed_doc: Vec<String>,
    probed: Vec<String>,
    /// `#define NAME_NR_PROBED`, aligned.
    nr_probed: String,
    /// `NAME_decide_probed()`: its kernel-doc, prototype, `first_row[]` and rows.
    decide_probed_doc: Vec<String>,
    proto_decide_probed: String,
    probed_first_row: Vec<String>,
    probed_rows: Vec<String>,
}

struct Member {
    doc: Vec<String>,
    name: String,
}

struct PlatformMacro {
    comment: Vec<String>,
    define: String,
}

pub(crate) fn emit(table: &DecisionTable, lookup: &Lookup, source: &Provenance) -> String {
    let header = Header::new(table, lookup, source);
    // Rendering only writes strings into a String, which cannot fail.
    let mut out = header.render().expect("the C header template renders");
    out.push('\n');
    out
}

impl Header {
    /// The header, section by section: names and modes, the opening comment, the
    /// attribute enum, the platforms, the closure's arrays, the lookup's arrays and
    /// the prototypes.
    fn new(table: &DecisionTable, lookup: &Lookup, source: &Provenance) -> Header {
        let name = table.spec.clone();
        let upper = name.to_ascii_uppercase();
        let attr_enum = names::c_attr_enum(table);
        let kernel_enum = attr_enum == KERNEL_ENUM;
        let bit_enum = format!("{name}_bit");
        let bit_names = if kernel_enum {
            bit_names(table, &upper)
        } else {
            table.attrs.iter().map(|a| a.name.clone()).collect()
        };
        let set_enum = if kernel_enum {
            bit_enum.clone()
        } else {
            attr_enum.clone()
        };
        let kernel = if kernel_enum {
            KernelMode::new(table, &upper, &source.source, &bit_names)
        } else {
            KernelMode::default()
        };
        let (implies, terms) = closure_arrays(table, lookup, &bit_names);
        let arrays = LookupArrays::new(table, lookup, &upper);
        let v2 = if table.uses_v2() {
            V2::new(table, lookup, &name, &upper)
        } else {
            V2::default()
        };
        Header {
            v2,
            guard: format!("CCATTR_{upper}_H"),
            head: head_comment(table, source),
            attr_enum_doc: attr_enum_doc(&attr_enum, &name),
            attrs: table
                .attrs
                .iter()
                .map(|a| Member {
                    doc: member_doc(table, a),
                    name: a.name.clone(),
                })
                .collect(),
            nr_attrs: table.attrs.len(),
            former: former_defines(table),
            platforms: platform_macros(table, &upper),
            bit_enum_doc: if kernel_enum {
                bit_enum_doc(table, &bit_enum, &bit_names)
            } else {
                Vec::new()
            },
            bits: if kernel_enum {
                bit_names.iter().map(|b| format!("\t{b},")).collect()
            } else {
                Vec::new()
            },
            implies,
            terms,
            first_row: arrays.first_row,
            rows: arrays.rows,
            search: arrays.search,
            bits_type: arrays.bits_type,
            rule_set_type: arrays.rule_set_type,
            runs: arrays.runs,
            rule_sets: arrays.rule_sets,
            private_doc: arrays.private_doc,
            private_runs: arrays.private_runs,
            proto_close: prototype(&format!("u64 {name}_attrs_close"), &["u64 base"]),
            proto_rule_set: prototype(
                &format!("enum {name}_map __{name}_rule_set_decide"),
                &[
                    if arrays.search {
                        "unsigned int first"
                    } else {
                        "unsigned int rule_set"
                    },
                    "u64 attrs",
                ],
            ),
            proto_decide: prototype(
                &format!("enum {name}_map {name}_decide"),
                &["u64 attrs", "u64 addr", "u64 size"],
            ),
            proto_decide_start: prototype(
                &format!("enum {name}_map {name}_decide_start"),
                &["u64 attrs", "u64 addr", "u64 size"],
            ),
            proto_private: prototype(
                &format!("bool {name}_is_private_mmio"),
                &["u64 attrs", "u64 addr"],
            ),
            proto_kernel_private: prototype(
                &format!("bool {name}_kernel_is_private_mmio"),
                &["u64 addr"],
            ),
            attr_enum,
            kernel_enum,
            set_enum,
            bit_enum,
            kernel,
            name,
            upper,
        }
    }
}

impl V2 {
    fn new(table: &DecisionTable, lookup: &Lookup, name: &str, upper: &str) -> V2 {
        let cap_consts = names::cap_consts(table);
        let cap_defines = aligned_defines(
            cap_consts
                .iter()
                .enumerate()
                .map(|(i, c)| (format!("{upper}_CAP_{c}"), format!("(1U << {i})"))),
        );
        let caps = table
            .caps
            .iter()
            .zip(cap_defines)
            .map(|(c, define)| PlatformMacro {
                comment: comment("", &named_doc(&c.name, &c.doc)),
                define,
            })
            .collect();
        let caps_doc = if table.caps.is_empty() {
            Vec::new()
        } else {
            comment(
                "",
                &[format!(
                    "Capabilities of probed devices: bit N of the u32 that {name}_decide_probed() \
                     takes is the capability of value N, which the caller reports for one device \
                     at run time."
                )],
            )
        };
        let probed_names: Vec<String> = names::probed_consts(table)
            .iter()
            .map(|d| format!("{upper}_PROBED_{d}"))
            .collect();
        let nr_probed = aligned_defines(std::iter::once((
            format!("{upper}_NR_PROBED"),
            probed_names.len().to_string(),
        )))
        .concat();
        let (probed_doc, probed, decide_probed_doc, probed_first_row, probed_rows) =
            if lookup.probed.is_empty() {
                Default::default()
            } else {
                let mut text = vec![format!("enum {name}_probed - The probed devices of {name}")];
                for ((_, d), member) in table.probed_devices().zip(&probed_names) {
                    let first = d.doc.iter().map(|l| l.trim()).find(|l| !l.is_empty());
                    text.push(match first {
                        Some(line) => format!("@{member}: {}: {line}", d.name),
                        None => format!("@{member}: {}.", d.name),
                    });
                }
                text.push(String::new());
                text.push(format!(
                    "Devices whose resources are found at run time, in declaration order: \
                     {name}_decide_probed() decides them from the attributes and the \
                     capabilities the caller reports. {upper}_NR_PROBED counts them."
                ));
                let members = probed_names.iter().map(|m| format!("\t{m},")).collect();
                let first_row = array(
                    &format!(
                        "static const {} first_row[{upper}_NR_PROBED]",
                        IndexType::for_max(lookup.probed.iter().map(|p| p.rows.len()).sum()).name()
                    ),
                    lookup.probed.iter().scan(0, |at, p| {
                        let first = *at;
                        *at += p.rows.len();
                        Some(first.to_string())
                    }),
                );
                let mut rows = Vec::new();
                for p in &lookup.probed {
                    let text = format!(
                        "{}: {}",
                        table.devices[p.device].name, "its map rules, then the default rules"
                    );
                    rows.extend(comment("\t\t", &[text]));
                    rows.extend(rule_rows(table, &p.rows, |row| probed_row_line(row, upper)));
                }
                (
                    block("", "/**", &text),
                    members,
                    decide_probed_doc(name, upper),
                    first_row,
                    rows,
                )
            };
        V2 {
            on: true,
            ranges_refuse: lookup.ranges_refuse(),
            caps_doc,
            caps,
            probed_doc,
            probed,
            nr_probed,
            decide_probed_doc,
            proto_decide_probed: prototype(
                &format!("enum {name}_map {name}_decide_probed"),
                &["u64 attrs", &format!("enum {name}_probed dev"), "u32 caps"],
            ),
            probed_first_row,
            probed_rows,
        }
    }
}

/// `NAME: first line`, then the rest of a doc comment (or `NAME:` alone).
fn named_doc(name: &str, doc: &[String]) -> Vec<String> {
    match doc.split_first() {
        Some((first, rest)) => {
            let mut text = vec![format!("{name}: {}", first.trim())];
            text.extend(rest.iter().cloned());
            text
        }
        None => vec![format!("{name}:")],
    }
}

/// The kernel-doc of `NAME_decide_probed()`.
fn decide_probed_doc(name: &str, upper: &str) -> Vec<String> {
    kernel_doc(
        "",
        &[
            format!("{name}_decide_probed() - Decide how to map the MMIO of a probed device"),
            format!("@attrs: the full attribute set, from {name}_attrs_close()"),
            format!("@dev: the device, a member of &enum {name}_probed"),
            format!(
                "@caps: the capabilities the caller reports for it, an OR of {upper}_CAP_ bits"
            ),
        ],
        &[
            "The device's map rules, then the default rules, in source order: the first \
             whose condition holds in @attrs and @caps decides. Bits of @caps that are not \
             capabilities of the spec are ignored."
                .to_string(),
            String::new(),
            format!(
                "Return: the decision for the device's resources: %{upper}_MAP_REFUSED when \
                 the mapping must fail, %{upper}_MAP_UNSPECIFIED when no rule decides, and \
                 %{upper}_MAP_INVALID when @dev is not a member of &enum {name}_probed."
            ),
        ],
    )
}

/// The opening comment: provenance, then the spec's doc comment. Made by `comment`
/// like every other comment: the doc comment is prose from the spec, and `/// see
/// arch/x86*/coco` must not close it.
fn head_comment(table: &DecisionTable, source: &Provenance) -> Vec<String> {
    let mut head_text: Vec<String> = source.header().into();
    if !table.doc.is_empty() {
        head_text.push(String::new());
        head_text.extend(table.doc.iter().cloned());
    }
    comment("", &head_text)
}

/// The attribute enum's kernel-doc.
fn attr_enum_doc(attr_enum: &str, name: &str) -> Vec<String> {
    kernel_doc(
        "",
        &[format!(
            "enum {attr_enum} - Confidential computing attributes"
        )],
        &[
            format!(
                "The attributes of {name}, in declaration order. An attribute set is a \
                 u64 whose bit N is the attribute of value N. Values are positions, and \
                 positions may move when the spec changes: key on names."
            ),
            String::new(),
            format!(
                "Platform code reports base attributes; {name}_attrs_close() adds what \
                 they imply and computes the derived ones."
            ),
        ],
    )
}

/// `#define OLD_NAME NEW_NAME` for every former name, aligned.
fn former_defines(table: &DecisionTable) -> Vec<String> {
    aligned_defines(
        table
            .attrs
            .iter()
            .flat_map(|a| a.formerly.iter().map(move |f| (f.clone(), a.name.clone()))),
    )
}

/// `NAME_PLATFORM_<P>`, the full set of each platform, with its comment.
fn platform_macros(table: &DecisionTable, upper: &str) -> Vec<PlatformMacro> {
    let platform_consts = names::platform_consts(table);
    let platform_defines = aligned_defines(table.platforms.iter().zip(platform_consts).map(
        |(p, name)| {
            (
                format!("{upper}_PLATFORM_{name}"),
                format!("((u64){:#x}ULL)", p.full),
            )
        },
    ));
    table
        .platforms
        .iter()
        .zip(platform_defines)
        .map(|(p, define)| {
            let mut text = match p.doc.split_first() {
                Some((first, rest)) => {
                    let mut text = vec![format!("{}: {}", p.name, first.trim())];
                    text.extend(rest.iter().cloned());
                    text
                }
                None => vec![format!("{}:", p.name)],
            };
            text.push(format!(
                "Full set: {}.",
                prose::attr_list(table, p.full, Quote::Plain)
            ));
            PlatformMacro {
                comment: comment("", &text),
                define,
            }
        })
        .collect()
}

/// The closure's arrays: the lines of `implies[]` (designated, base attributes only)
/// and of the derived attributes' `terms[]`.
fn closure_arrays(
    table: &DecisionTable,
    lookup: &Lookup,
    bit_names: &[String],
) -> (Vec<String>, Vec<String>) {
    let implies = table
        .attrs
        .iter()
        .zip(&lookup.implies)
        .zip(bit_names)
        .filter(|((a, _), _)| a.base)
        .map(|((_, &mask), bit)| format!("\t\t[{bit}] = {},", hex(mask)))
        .collect();
    let mut terms = Vec::new();
    let mut last_attr = None;
    for t in &lookup.derived {
        let attr = &table.attrs[t.attr];
        if last_attr != Some(t.attr) {
            last_attr = Some(t.attr);
            let text = format!("{} = {}", attr.name, attr.derivation);
            terms.extend(comment("\t\t", &[text]));
        }
        terms.push(format!(
            "\t\t{{ {}, {}, {} }},",
            hex(t.mask),
            hex(t.value),
            bit_names[t.attr]
        ));
    }
    (implies, terms)
}

/// The lookup's arrays, as [`Header`]'s fields of the same names describe them.
struct LookupArrays {
    search: bool,
    first_row: Vec<String>,
    rows: Vec<String>,
    bits_type: String,
    rule_set_type: String,
    runs: Vec<String>,
    rule_sets: Vec<String>,
    private_doc: Vec<String>,
    private_runs: Vec<String>,
}

impl LookupArrays {
    fn new(table: &DecisionTable, lookup: &Lookup, upper: &str) -> LookupArrays {
        let rule_set_type = lookup.rule_set_type().name().to_string();
        if lookup.layout() == Layout::Search {
            let slots = lookup.eytzinger();
            let runs = array(
                "static const u64 last_byte[] __attribute__((__aligned__(64)))",
                slots.iter().map(|&seg| {
                    let mut item = String::with_capacity(24);
                    ccattr_core::hex::push_hex(&mut item, lookup.last(seg), 0);
                    item.push_str("ULL");
                    item
                }),
            );
            // Each slot names its rule set by the set's first row: one load less on
            // the way to the rows.
            let rule_sets = array(
                &format!("static const {} rule_set[]", lookup.row_type().name()),
                slots.iter().map(|&seg| {
                    let mut item = String::with_capacity(8);
                    let first = lookup.first_row[lookup.runs[seg].rule_set];
                    prose::push_dec(&mut item, first as u64);
                    item
                }),
            );
            LookupArrays {
                search: true,
                first_row: Vec::new(),
                rows: packed_rows(lookup),
                bits_type: lookup.bits_type().name().to_string(),
                rule_set_type,
                runs,
                rule_sets,
                private_doc: Vec::new(),
                private_runs: Vec::new(),
            }
        } else {
            let (private_doc, private_runs) = private_runs_lines(table, lookup);
            LookupArrays {
                search: false,
                first_row: array(
                    &format!("static const {} first_row[]", lookup.row_type().name()),
                    lookup.first_row.iter().map(|i| i.to_string()),
                ),
                rows: rows(table, lookup, upper),
                bits_type: "u64".to_string(),
                rule_set_type,
                runs: scan_runs(table, lookup),
                rule_sets: Vec::new(),
                private_doc,
                private_runs,
            }
        }
    }
}

/// The in-line kernel-doc of one enum member (`@NAME: ...`), indented one tab.
fn member_doc(table: &DecisionTable, attr: &TableAttr) -> Vec<String> {
    let (mut head, rest) = prose::attr_summary(attr);
    head[0] = format!("@{}: {}", attr.name, head[0].trim_start());
    let mut body = rest.to_vec();
    body.push(String::new());
    body.extend(prose::attr_notes(table, attr, Quote::Plain));
    kernel_doc("\t", &head, &body)
}

/// The names of the table bits in kernel mode: `NAME_BIT_` and the attribute's name
/// without the prefix (`HYPERV_VTOM_BIT_MEM_ENCRYPT`). Where that would not be unique
/// (a name without the prefix meets another's rest), the whole name follows `NAME_BIT_`,
/// and then the attribute's position.
fn bit_names(table: &DecisionTable, upper: &str) -> Vec<String> {
    let prefix = table.prefix.as_deref().unwrap_or("");
    let mut taken = std::collections::HashSet::new();
    table
        .attrs
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let rest = a
                .name
                .strip_prefix(prefix)
                .filter(|r| !r.is_empty())
                .unwrap_or(&a.name);
            let mut bit = format!("{upper}_BIT_{rest}");
            if taken.contains(&bit) {
                bit = format!("{upper}_BIT_{}", a.name);
            }
            while taken.contains(&bit) {
                bit = format!("{bit}_{i}");
            }
            taken.insert(bit.clone());
            bit
        })
        .collect()
}

/// The kernel-doc of the enum of table bits.
fn bit_enum_doc(table: &DecisionTable, bit_enum: &str, bits: &[String]) -> Vec<String> {
    let name = &table.spec;
    let mut text = vec![format!(
        "enum {bit_enum} - The bits of {name}'s attribute sets"
    )];
    text.extend(
        table
            .attrs
            .iter()
            .zip(bits)
            .map(|(a, bit)| format!("@{bit}: {}.", a.name)),
    );
    text.push(String::new());
    text.push(format!(
        "Bit N of an attribute set of {name} is the attribute of value N here: its position \
         in the spec. Where this header defines enum cc_attr, or mirrors the kernel's, the two \
         enums agree; elsewhere in a kernel build enum cc_attr has the kernel's values, which \
         never index a set."
    ));
    block("", "/**", &text)
}

/// What kernel mode adds to a header whose attribute enum is the kernel's: the
/// lines of its comments (wrapped here, since they carry names), its preprocessor
/// conditions, the mirror's checks, what it tells other headers, and the body of
/// `NAME_kernel_base()`.
#[derive(Default)]
struct KernelMode {
    /// Each condition as opening and closing lines (see [`pp_if`]): a kernel build
    /// that uses the kernel's enum; both kernel modes asked for at once; a mirror of
    /// the kernel's enum; the kernel helpers.
    kernel_if: Vec<String>,
    kernel_endif: Vec<String>,
    both_if: Vec<String>,
    both_endif: Vec<String>,
    mirror_if: Vec<String>,
    mirror_endif: Vec<String>,
    helpers_if: Vec<String>,
    helpers_endif: Vec<String>,
    include_comment: Vec<String>,
    mode_comment: Vec<String>,
    mirror_comment: Vec<String>,
    describe_comment: Vec<String>,
    helpers_comment: Vec<String>,
    /// The mirror's compile-time check of each attribute's position.
    asserts: Vec<String>,
    /// The mirror's `case` labels, one per attribute.
    cases: Vec<String>,
    /// `#define CCATTR_KERNEL_HAS_<attribute>` for each attribute.
    knowledge: Vec<String>,
    /// One guarded `cc_platform_has()` per base attribute.
    base: Vec<String>,
    base_doc: Vec<String>,
    attrs_doc: Vec<String>,
    private_doc: Vec<String>,
}

impl KernelMode {
    fn new(table: &DecisionTable, upper: &str, source: &str, bits: &[String]) -> KernelMode {
        let name = &table.spec;
        let defines = format!("{upper}_DEFINES_CC_ATTR");
        let mirrors = format!("{upper}_MIRRORS_CC_ATTR");
        let kernel_enum = format!("__{upper}_KERNEL_CC_ATTR");
        let defined = |m: &str| format!("defined({m})");
        let (kernel_if, kernel_endif) = pp_if(&[
            "defined(__KERNEL__)".into(),
            format!("!{}", defined(&defines)),
        ]);
        let (both_if, both_endif) = pp_if(&[defined(&defines), defined(&mirrors)]);
        let (mirror_if, mirror_endif) = pp_if(&[defined(&kernel_enum), defined(&mirrors)]);
        let (helpers_if, helpers_endif) =
            pp_if(&[defined(&kernel_enum), defined("CCATTR_KERNEL_ENUM_SPEC")]);

        // One wording for every attribute: the longest that fits all of them.
        let wordings: [fn(&str, usize) -> String; 2] = [
            |name, i| format!("ccattr: {name} is not at position {i} in the kernel"),
            |name, i| format!("ccattr: {name} is not at {i} in the kernel"),
        ];
        let asserts_in = |wording: fn(&str, usize) -> String| -> Vec<String> {
            table
                .attrs
                .iter()
                .enumerate()
                .flat_map(|(i, a)| {
                    let message = format!("\"{}\"", wording(&a.name, i));
                    statement("_Static_assert", &[format!("{} == {i}", a.name), message])
                })
                .collect()
        };
        let asserts = wordings
            .iter()
            .map(|&w| asserts_in(w))
            .find(|lines| lines.iter().all(|l| columns(l) <= MAX_COLUMNS))
            .unwrap_or_else(|| asserts_in(wordings[1]));
        let mut cases: Vec<String> = table
            .attrs
            .iter()
            .map(|a| format!("\tcase {}:", a.name))
            .collect();
        if !cases.is_empty() {
            cases.push("\t\treturn true;".to_string());
        }
        let mut base = Vec::new();
        for (a, bit) in table.attrs.iter().zip(bits).filter(|(a, _)| a.base) {
            base.push(format!("#ifdef CCATTR_KERNEL_HAS_{}", a.name));
            base.push(format!("\tif (cc_platform_has({}))", a.name));
            base.push(format!("\t\tbase |= 1ULL << {bit};"));
            base.push("#endif".to_string());
        }
        let knowledge = table
            .attrs
            .iter()
            .map(|a| format!("#define CCATTR_KERNEL_HAS_{}", a.name))
            .collect();

        KernelMode {
            kernel_if,
            kernel_endif,
            both_if,
            both_endif,
            mirror_if,
            mirror_endif,
            helpers_if,
            helpers_endif,
            include_comment: comment(
                "",
                &[format!(
                    "The kernel's enum cc_attr. It comes before the include guard so that a tree \
                     whose <linux/cc_platform.h> includes this header to define the enum \
                     ({defines}) gets it defined whichever header comes first."
                )],
            ),
            mode_comment: comment(
                "",
                &[
                    format!(
                        "Kernel mode (ccattr's docs/kernel.md). In a kernel build, enum cc_attr \
                         is the kernel's own, from <linux/cc_platform.h>, and the table bits of \
                         {source} are those of &enum {name}_bit. Define one of these before \
                         including this header to change that:"
                    ),
                    String::new(),
                    format!(
                        "{defines}: this header defines enum cc_attr, as outside the kernel: \
                         {source} is the source of the kernel's enum, and \
                         <linux/cc_platform.h> includes this header."
                    ),
                    String::new(),
                    format!(
                        "{mirrors}: {source} mirrors the kernel's enum member for member: the \
                         build fails, naming the attribute, where a name or a position differs."
                    ),
                    String::new(),
                    format!(
                        "Either makes {source} the spec that tells the headers of other specs, \
                         included after this one, which attributes the kernel has \
                         (CCATTR_KERNEL_HAS_ and the attribute's name). Kernel builds then get \
                         {name}_kernel_base(), which asks cc_platform_has() about those, and \
                         the callback {name}_kernel_is_private_mmio()."
                    ),
                ],
            ),
            mirror_comment: comment(
                "",
                &[format!(
                    "{source} mirrors the kernel's enum cc_attr: each of its attributes is the \
                     kernel's member at the same position, and the kernel has no other member \
                     (the switch below does not build if it has one that the spec lacks, and \
                     the compiler names it)."
                )],
            ),
            describe_comment: comment(
                "",
                &[format!(
                    "{source} tells the headers of other specs what the kernel's enum cc_attr has."
                )],
            ),
            helpers_comment: comment(
                "",
                &[
                    "The kernel's answers, where the header of the spec that describes the \
                   kernel's enum cc_attr came first (see the top of this header)."
                        .to_string(),
                ],
            ),
            asserts,
            cases,
            knowledge,
            base,
            base_doc: block(
                "",
                "/**",
                &[
                    format!("{name}_kernel_base() - The base attributes of the running kernel"),
                    String::new(),
                    format!(
                        "Description: Asks cc_platform_has() about each base attribute of \
                         {source} that the kernel's enum cc_attr has, as the \
                         CCATTR_KERNEL_HAS_ macros say. Base attributes that the kernel cannot \
                         report come from {upper}_EXTRA_BASE, which the includer may define: an \
                         expression of type u64 whose bits are those of &enum {name}_bit, \
                         evaluated on every call."
                    ),
                    String::new(),
                    "Context: Any context.".to_string(),
                    format!("Return: the base attribute set, as {name}_attrs_close() takes it."),
                ],
            ),
            attrs_doc: block(
                "",
                "/**",
                &[
                    format!("{name}_kernel_attrs() - The full attribute set of the running kernel"),
                    String::new(),
                    "Context: Any context.".to_string(),
                    format!("Return: {name}_attrs_close() of {name}_kernel_base()."),
                ],
            ),
            private_doc: block(
                "",
                "/**",
                &[
                    format!(
                        "{name}_kernel_is_private_mmio() - Whether the kernel maps an MMIO address \
                         encrypted"
                    ),
                    "@addr: the address".to_string(),
                    String::new(),
                    format!(
                        "{name}_is_private_mmio() bound to {name}_kernel_attrs(), in the exact \
                         shape of the kernel's x86_platform.hyper.is_private_mmio() callback \
                         (v6.4 and later)."
                    ),
                    String::new(),
                    "Context: Any context.".to_string(),
                    format!(
                        "Return: true exactly when the byte at @addr is decided \
                         %{upper}_MAP_ENCRYPTED."
                    ),
                ],
            ),
        }
    }
}

/// `#if A && B` as opening and closing lines, or, where that passes 100 columns, one
/// `#ifdef`/`#ifndef`/`#if` per condition.
fn pp_if(conds: &[String]) -> (Vec<String>, Vec<String>) {
    let joined = format!("#if {}", conds.join(" && "));
    if columns(&joined) <= MAX_COLUMNS {
        return (vec![joined], vec!["#endif".to_string()]);
    }
    let open = conds
        .iter()
        .map(|c| {
            let macro_of = |c: &str| {
                c.strip_prefix("defined(")?
                    .strip_suffix(')')
                    .map(str::to_string)
            };
            if let Some(m) = c.strip_prefix('!').and_then(macro_of) {
                format!("#ifndef {m}")
            } else if let Some(m) = macro_of(c) {
                format!("#ifdef {m}")
            } else {
                format!("#if {c}")
            }
        })
        .collect();
    (open, vec!["#endif".to_string(); conds.len()])
}

/// `FUNC(ARGS);` at file scope: on one line if it fits, else one argument to a line,
/// aligned under the first.
fn statement(func: &str, args: &[String]) -> Vec<String> {
    let one_line = format!("{func}({});", args.join(", "));
    if columns(&one_line) <= MAX_COLUMNS {
        return vec![one_line];
    }
    let align = func.len() + 1;
    let indent = format!("{}{}", "\t".repeat(align / TAB), " ".repeat(align % TAB));
    args.iter()
        .enumerate()
        .map(|(i, arg)| {
            let end = if i + 1 == args.len() { ");" } else { "," };
            if i == 0 {
                format!("{func}({arg}{end}")
            } else {
                format!("{indent}{arg}{end}")
            }
        })
        .collect()
}

/// The array rows of every rule set, each set and rule introduced by a comment. A
/// probed device's rule set has no rows here.
fn rows(table: &DecisionTable, lookup: &Lookup, upper: &str) -> Vec<String> {
    let mut out = Vec::new();
    for rs in 0..lookup.first_row.len() {
        let rows = lookup.rule_set_rows(rs);
        if rows.is_empty() {
            continue;
        }
        out.extend(comment(
            "\t\t",
            &[format!("Rule set {rs}: {}", rule_set_place(table, rs))],
        ));
        out.extend(rule_rows(table, rows, |row| row_line(row, upper)));
    }
    out
}

/// The lines of a rule set's rows, each rule introduced by a comment.
fn rule_rows(
    table: &DecisionTable,
    rows: &[LookupRow],
    line: impl Fn(&LookupRow) -> String,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut last_rule = None;
    for row in rows {
        if let Some(rule) = row.rule.filter(|&r| last_rule != Some(r)) {
            last_rule = Some(rule);
            let r = &table.rules[rule];
            out.extend(comment("\t\t", std::slice::from_ref(&r.text)));
        }
        if row.rule.is_none() {
            out.push("\t\t/* No rule decides. */".to_string());
        }
        out.push(line(row));
    }
    out
}

/// A 64-bit mask in hex, suffixed where it would not fit in an `int`, so that
/// neither the compiler nor sparse has to widen it silently.
fn hex(value: u64) -> String {
    if value > 0x7fff_ffff {
        format!("{value:#x}ULL")
    } else {
        format!("{value:#x}")
    }
}

fn row_line(row: &LookupRow, upper: &str) -> String {
    format!(
        "\t\t{{ {}, {}, {upper}_MAP_{} }},",
        hex(row.mask),
        hex(row.value),
        decision_suffix(row.decision)
    )
}

/// A row of a probed device's rule set: masks of attributes and of capabilities.
fn probed_row_line(row: &LookupRow, upper: &str) -> String {
    format!(
        "\t\t{{ {}, {}, {}, {}, {upper}_MAP_{} }},",
        hex(row.mask),
        hex(row.value),
        hex(u64::from(row.cap_mask)),
        hex(u64::from(row.cap_value)),
        decision_suffix(row.decision)
    )
}

fn decision_suffix(d: Decision) -> &'static str {
    match d {
        Decision::Unspecified => "UNSPECIFIED",
        Decision::Encrypted => "ENCRYPTED",
        Decision::Decrypted => "DECRYPTED",
        Decision::Mixed => "MIXED",
        Decision::Invalid => "INVALID",
        Decision::Refused => "REFUSED",
    }
}

/// One line per run of a scanned table: its last byte (16 hex digits) and its rule
/// set, and where it lies.
fn scan_runs(table: &DecisionTable, lookup: &Lookup) -> Vec<String> {
    lookup
        .runs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let line = format!("\t\t{{ {:#018x}ULL, {} }},", lookup.last(i), s.rule_set);
            let noted = format!("{line}\t/* {} */", rule_set_place(table, s.rule_set));
            if columns(&noted) <= MAX_COLUMNS {
                noted
            } else {
                line
            }
        })
        .collect()
}

/// The comment and the initializer lines of the runs of a scanned table whose rules
/// can map encrypted: first byte, last byte, rule set.
fn private_runs_lines(table: &DecisionTable, lookup: &Lookup) -> (Vec<String>, Vec<String>) {
    let private = lookup.private_runs();
    if private.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let places: Vec<String> = private
        .iter()
        .map(|&i| rule_set_place(table, lookup.runs[i].rule_set))
        .collect();
    let doc = comment(
        "\t",
        &[format!(
            "The runs whose rules can map encrypted ({}): first byte, last byte and rule \
             set. Elsewhere no rule maps encrypted.",
            places.join("; ")
        )],
    );
    let lines = private
        .iter()
        .map(|&i| {
            format!(
                "\t\t{{ {:#018x}ULL, {:#018x}ULL, {} }},",
                lookup.runs[i].start,
                lookup.last(i),
                lookup.runs[i].rule_set
            )
        })
        .collect();
    (doc, lines)
}

/// The rows of a searched table: as many to a line as fit, the decision as its value
/// in `enum NAME_map`, and one comment for the lot.
fn packed_rows(lookup: &Lookup) -> Vec<String> {
    let items = lookup.rows.iter().map(|r| {
        let mut item = String::with_capacity(32);
        item.push_str("{ ");
        for v in [r.mask, r.value] {
            // As `hex` writes them.
            ccattr_core::hex::push_hex(&mut item, v, 0);
            if v > 0x7fff_ffff {
                item.push_str("ULL");
            }
            item.push_str(", ");
        }
        prose::push_dec(&mut item, r.decision as u64);
        item.push_str(" }");
        item
    });
    let maps = if lookup.ranges_refuse() {
        "0 unspecified, 1 encrypted, 2 decrypted, 5 refused"
    } else {
        "0 unspecified, 1 encrypted, 2 decrypted"
    };
    let mut out = comment(
        "\t\t",
        &[format!(
            "Rule sets one after another; the last row of each always matches. Maps: {maps}."
        )],
    );
    let mut line = String::from("\t\t");
    for item in items {
        // Two tabs, then ASCII: the line's width in columns is 16 + its other bytes.
        if line.len() > 2 && 16 + (line.len() - 2) + 1 + item.len() + 1 > MAX_COLUMNS {
            out.push(std::mem::replace(&mut line, String::from("\t\t")));
        }
        if line.len() > 2 {
            line.push(' ');
        }
        line.push_str(&item);
        line.push(',');
    }
    if line.len() > 2 {
        out.push(line);
    }
    out
}

/// `DECL = { ITEMS };` at one tab: on one line if it fits, else with as many items
/// to a line as fit.
fn array(decl: &str, items: impl Iterator<Item = String>) -> Vec<String> {
    let items: Vec<String> = items.collect();
    // Only a short list can fit on one line; a long one is not joined to find out.
    if items.iter().map(|i| i.len() + 2).sum::<usize>() <= MAX_COLUMNS {
        let one_line = format!("\t{decl} = {{ {} }};", items.join(", "));
        if columns(&one_line) <= MAX_COLUMNS {
            return vec![one_line];
        }
    }
    let indent = "\t\t";
    let mut out = vec![format!("\t{decl} = {{")];
    let mut line = String::new();
    for item in items {
        let piece = format!("{item},");
        if !line.is_empty() && columns(indent) + line.len() + 1 + piece.len() > MAX_COLUMNS {
            out.push(format!("{indent}{line}"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&piece);
    }
    if !line.is_empty() {
        out.push(format!("{indent}{line}"));
    }
    out.push("\t};".to_string());
    out
}

/// `#define NAME VALUE` lines with the values aligned by tabs, as the kernel writes
/// them; a value that would pass 100 columns is set off by a single space instead.
fn aligned_defines(defs: impl Iterator<Item = (String, String)>) -> Vec<String> {
    let defs: Vec<(String, String)> = defs.collect();
    let width = defs
        .iter()
        .map(|(n, _)| "#define ".len() + n.len())
        .max()
        .unwrap_or(0);
    let column = (width / TAB + 1) * TAB;
    defs.into_iter()
        .map(|(name, value)| {
            let start = format!("#define {name}");
            let used = columns(&start);
            let tabs = column / TAB - used / TAB;
            if column + value.len() <= MAX_COLUMNS {
                format!("{start}{}{value}", "\t".repeat(tabs))
            } else {
                format!("{start} {value}")
            }
        })
        .collect()
}

/// `static inline HEAD(PARAMS)`, on one line if it fits, else with the parameters
/// that do not fit aligned under the first one, in kernel style.
fn prototype(head: &str, params: &[&str]) -> String {
    let open = format!("static inline {head}(");
    let one_line = format!("{open}{})", params.join(", "));
    if columns(&one_line) <= MAX_COLUMNS {
        return one_line;
    }
    let align = columns(&open);
    let indent = format!("{}{}", "\t".repeat(align / TAB), " ".repeat(align % TAB));
    let mut lines = vec![open];
    for (i, param) in params.iter().enumerate() {
        let piece = if i + 1 == params.len() {
            format!("{param})")
        } else {
            format!("{param},")
        };
        let Some(line) = lines.last_mut() else { break };
        let fits = columns(line) + 1 + piece.len() <= MAX_COLUMNS;
        if i == 0 || fits {
            if !line.ends_with('(') {
                line.push(' ');
            }
            line.push_str(&piece);
        } else {
            lines.push(format!("{indent}{piece}"));
        }
    }
    lines.join("\n")
}

/// Text as it may appear inside a C comment: no comment delimiters, no trailing blanks.
fn comment_safe(s: &str) -> String {
    s.replace("*/", "* /")
        .replace("/*", "/ *")
        .trim_end()
        .to_string()
}

/// A `/* ... */` comment at `indent`: on one line if it fits, else as a block.
fn comment(indent: &str, text: &[String]) -> Vec<String> {
    let text: Vec<String> = text.iter().map(|l| comment_safe(l)).collect();
    if let [only] = text.as_slice() {
        let line = format!("{indent}/* {only} */");
        if columns(&line) <= MAX_COLUMNS {
            return vec![line];
        }
    }
    block(indent, "/*", &text)
}

/// A kernel-doc comment at `indent`: `/**`, the `head` lines (the name and its
/// short description), then the paragraphs after a blank line (runs of blank lines
/// become one).
fn kernel_doc(indent: &str, head: &[String], paragraphs: &[String]) -> Vec<String> {
    let mut lines: Vec<String> = head.iter().map(|l| comment_safe(l)).collect();
    // A head that does not fit is reflowed as one paragraph, so that it does not
    // break into a long line and a short one.
    let inner = format!("{indent} * ");
    if lines
        .iter()
        .any(|l| columns(&format!("{inner}{l}")) > MAX_COLUMNS)
    {
        let joined: Vec<&str> = lines.iter().map(|l| l.trim()).collect();
        lines = prose::reflow(&inner, &joined.join(" "));
    }
    lines.push(String::new());
    lines.extend(paragraphs.iter().map(|l| comment_safe(l)));
    block(indent, "/**", &prose::paragraphs(lines))
}

fn block(indent: &str, open: &str, text: &[String]) -> Vec<String> {
    let inner = format!("{indent} * ");
    let mut out = vec![format!("{indent}{open}")];
    for line in text {
        if line.is_empty() {
            out.push(format!("{indent} *"));
        } else {
            out.extend(
                wrap(&inner, line)
                    .into_iter()
                    .map(|l| format!("{inner}{l}")),
            );
        }
    }
    out.push(format!("{indent} */"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ccattr_test_support::tables as fixtures;

    fn header(table: &DecisionTable) -> String {
        emit(
            table,
            &Lookup::new(table),
            &Provenance::new("fixture.ccattr"),
        )
    }

    /// The identifiers of C code: comments, string and character literals, and
    /// `#include` and `#pragma` lines (never macro-expanded into enumerators) left out.
    fn code_identifiers(c: &str) -> std::collections::BTreeSet<String> {
        let mut code = String::with_capacity(c.len());
        let mut rest = c;
        while let Some(i) = rest.find(['/', '"', '\'', '#']) {
            code.push_str(&rest[..i]);
            let tail = &rest[i..];
            let skip = if tail.starts_with("/*") {
                tail.find("*/").expect("closed comment") + 2
            } else if ["//", "#include", "#pragma"]
                .iter()
                .any(|p| tail.starts_with(p))
            {
                tail.find('\n').unwrap_or(tail.len())
            } else if tail.starts_with(['"', '\'']) {
                let q = tail.as_bytes()[0];
                let mut j = 1;
                while tail.as_bytes()[j] != q {
                    j += if tail.as_bytes()[j] == b'\\' { 2 } else { 1 };
                }
                j + 1
            } else if let Some(directive) = tail.strip_prefix('#') {
                // The directive's own name (`define`, `ifdef`, ...) is no identifier.
                let word = directive.trim_start_matches(' ');
                let name = word
                    .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                    .unwrap_or(word.len());
                1 + directive.len() - word.len() + name
            } else {
                code.push_str(&tail[..1]);
                1
            };
            code.push(' ');
            rest = &tail[skip..];
        }
        code.push_str(rest);
        code.split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
            .filter(|w| w.starts_with(|ch: char| ch.is_ascii_alphabetic() || ch == '_'))
            .map(str::to_string)
            .collect()
    }

    /// Every identifier of a generated header other than the spec's own attribute and
    /// former names (and the spec language's keywords) is one the checker refuses as an attribute name (E0123), so no
    /// spec that checks can name an attribute so that the header does not compile.
    #[test]
    fn every_identifier_of_the_header_is_reserved_for_attributes() {
        let mut tables = fixtures::all();
        let specs = ccattr_test_support::example_spec_paths();
        assert!(specs.len() >= 5, "the examples are found");
        for path in specs {
            tables.push(ccattr_test_support::checked_file(&path).table);
        }
        for table in &tables {
            let own: std::collections::HashSet<&str> = table
                .attrs
                .iter()
                .flat_map(|a| std::iter::once(&a.name).chain(&a.formerly))
                .map(String::as_str)
                .collect();
            let ids = code_identifiers(&header(table));
            assert!(ids.contains("unsigned") && ids.contains("u64"), "{ids:?}");
            let possible =
                |id: &&String| !own.contains(id.as_str()) && !ccattr_grammar::is_keyword(id);
            for id in ids.iter().filter(possible) {
                assert!(
                    crate::c_names::c_reserved(id, &table.spec, table.uses_v2()).is_some(),
                    "`{id}` in the header of spec `{}` is not reserved for attribute names",
                    table.spec
                );
            }
        }
    }

    /// The spec's doc comment, the first comment of the header, cannot end it early,
    /// and is wrapped to the kernel's width like every other comment.
    #[test]
    fn spec_doc_stays_inside_the_header_comment() {
        let mut table = fixtures::vtom();
        table.doc = vec![
            "see arch/x86*/ int injected; /* here".into(),
            "a long line of prose ".repeat(8),
        ];
        let h = header(&table);
        assert!(
            h.contains(" * see arch/x86* / int injected; / * here\n"),
            "{h}"
        );
        assert!(h.lines().all(|l| columns(l) <= MAX_COLUMNS), "{h}");
        let code_with = code_identifiers(&h);
        table.doc.clear();
        assert_eq!(code_with, code_identifiers(&header(&table)));
    }

    // The vtom example's output is checked in as generated/hyperv_vtom.*, which
    // tests/cli.rs holds current; these snapshots cover the other fixtures.
    #[test]
    fn snapshot_odd() {
        insta::assert_snapshot!(header(&fixtures::odd()));
    }

    #[test]
    fn snapshot_empty() {
        insta::assert_snapshot!(header(&fixtures::empty()));
    }

    #[test]
    fn kernel_style() {
        for table in fixtures::all() {
            let text = header(&table);
            assert!(text.starts_with("/* SPDX-License-Identifier: GPL-2.0-only OR MIT */\n"));
            for (n, line) in text.lines().enumerate() {
                let n = n + 1;
                assert!(
                    columns(line) <= MAX_COLUMNS,
                    "{}:{n} too long: {line}",
                    table.spec
                );
                assert_eq!(line, line.trim_end(), "{}:{n} trailing blank", table.spec);
                assert!(!line.ends_with('\\'), "{}:{n} continuation", table.spec);
                assert!(!line.contains("//"), "{}:{n} C++ comment", table.spec);
                // Tabs indent; after them, fewer than 8 spaces may align (a comment's
                // ` *` aside).
                let lead = line.len() - line.trim_start_matches('\t').len();
                let rest = &line[lead..];
                let spaces = rest.len() - rest.trim_start_matches(' ').len();
                assert!(
                    spaces < TAB || rest.starts_with(" *"),
                    "{}:{n} indented with spaces: {line:?}",
                    table.spec
                );
            }
            assert!(
                !text.contains("\n\n\n"),
                "{}: double blank line",
                table.spec
            );
        }
    }

    #[test]
    fn comments_wrap_and_stay_closed() {
        let long = "word ".repeat(40);
        let lines = comment("\t\t", &[long]);
        assert!(lines.len() > 3);
        assert!(lines.iter().all(|l| columns(l) <= MAX_COLUMNS));
        assert_eq!(
            comment("", &["a */ b /* c".into()]),
            ["/* a * / b / * c */"]
        );
    }

    #[test]
    fn prototypes_break_at_parameters() {
        assert_eq!(
            prototype("u64 f", &["u64 a", "u64 b"]),
            "static inline u64 f(u64 a, u64 b)"
        );
        let name = "x".repeat(60);
        let proto = prototype(
            &format!("enum {name}_map {name}"),
            &["u64 attrs", "u64 addr"],
        );
        let lines: Vec<&str> = proto.lines().collect();
        assert!(lines.len() > 1, "{proto}");
        assert!(lines
            .iter()
            .all(|l| l.trim_start() == *l || l.starts_with('\t')));
    }

    #[test]
    fn defines_align_on_tabs() {
        let defs = aligned_defines(
            [
                ("A".to_string(), "1".to_string()),
                ("LONGER_NAME".into(), "2".into()),
            ]
            .into_iter(),
        );
        assert_eq!(defs, ["#define A\t\t1", "#define LONGER_NAME\t2"]);
    }
}
