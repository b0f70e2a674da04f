//! Names an attribute cannot take because of the C header.
//!
//! The generated header makes each attribute name an enumerator (`enum cc_attr {
//! CC_ATTR_MEM_ENCRYPT, ... }`) and each former name a macro (`#define OLD NEW`), in
//! the file scope of every translation unit that includes it, as the README's "What it generates" promises. A
//! name that C, `<stdint.h>`, `<stdbool.h>`, `<linux/types.h>` or the header itself
//! already gives a meaning would make the header fail to compile (`attr int;`), or,
//! as a macro, silently change the code around it (`formerly u64;`). The checker
//! reports such a name (E0123) instead of emitting a header that does not build.
//!
//! The C emitter's tests extract every identifier of generated headers and check that
//! each one that is not an attribute name is reserved here, so this list follows the
//! header template.

/// The C header's rules for names, which the checker asks (E0123).
pub struct CHeaderNames;

/// The rules every front end compiles with.
pub const C_HEADER: CHeaderNames = CHeaderNames;

impl ccattr_core::check::ReservedNames for CHeaderNames {
    fn output(&self) -> &'static str {
        "the generated C header"
    }

    fn reserved(&self, name: &str, spec: &str, v2: bool) -> Option<String> {
        c_reserved(name, spec, v2)
    }

    fn declares(&self, former: bool) -> &'static str {
        if former {
            "the header defines every former name as a macro for the current name"
        } else {
            "the header declares every attribute as an enumerator of its enum"
        }
    }
}

/// Why `name` cannot name an attribute, or be a former name, in the C header of the
/// spec named `spec` (`v2`: a spec that uses version 2, whose header has more);
/// `None` when it can.
pub fn c_reserved(name: &str, spec: &str, v2: bool) -> Option<String> {
    if C_KEYWORDS.contains(&name) {
        return Some("it is a C keyword".into());
    }
    if name.starts_with('_') {
        return Some(
            "names that start with `_` are reserved for the C compiler and library at file scope \
             (C11 7.1.3), where the header declares attributes"
                .into(),
        );
    }
    if let Some(what) = HEADER_ENVIRONMENT
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, w)| *w)
    {
        return Some(format!("it is {what}"));
    }
    if is_stdint_name(name) {
        return Some("`<stdint.h>` or `<linux/types.h>` defines it".into());
    }
    if LOCAL_NAMES.contains(&name) || (v2 && V2_LOCAL_NAMES.contains(&name)) {
        return Some(
            "the header's functions use it for a local name, which would hide the attribute there"
                .into(),
        );
    }
    if name.starts_with("CCATTR_") {
        return Some("names starting with `CCATTR_` are the generator's own macros".into());
    }
    let upper = spec.to_ascii_uppercase();
    let lower_rest = name.strip_prefix(spec).and_then(|r| r.strip_prefix('_'));
    let upper_rest = name
        .strip_prefix(upper.as_str())
        .and_then(|r| r.strip_prefix('_'));
    let only_v2 = |names: &'static [&'static str]| if v2 { names } else { &[] };
    let generated = SPEC_SUFFIXES
        .iter()
        .chain(only_v2(V2_SPEC_SUFFIXES))
        .any(|s| lower_rest == Some(s))
        || SPEC_UPPER_SUFFIXES
            .iter()
            .chain(only_v2(V2_SPEC_UPPER_SUFFIXES))
            .any(|s| upper_rest == Some(s))
        || SPEC_UPPER_FAMILIES
            .iter()
            .chain(only_v2(V2_SPEC_UPPER_FAMILIES))
            .any(|f| upper_rest.is_some_and(|r| r.starts_with(f)));
    if generated {
        return Some(format!("the generated header of spec `{spec}` defines it"));
    }
    None
}

/// C keywords up to C23, with the GNU spellings the kernel uses.
const C_KEYWORDS: &[&str] = &[
    "alignas",
    "alignof",
    "asm",
    "auto",
    "bool",
    "break",
    "case",
    "char",
    "const",
    "constexpr",
    "continue",
    "default",
    "do",
    "double",
    "else",
    "enum",
    "extern",
    "false",
    "float",
    "for",
    "goto",
    "if",
    "inline",
    "int",
    "long",
    "nullptr",
    "register",
    "restrict",
    "return",
    "short",
    "signed",
    "sizeof",
    "static",
    "static_assert",
    "struct",
    "switch",
    "thread_local",
    "true",
    "typedef",
    "typeof",
    "typeof_unqual",
    "union",
    "unsigned",
    "void",
    "volatile",
    "while",
];

/// Names the header's surroundings define: what it includes, what the compiler
/// predefines in GNU C, and the kernel functions it calls.
const HEADER_ENVIRONMENT: &[(&str, &str)] = &[
    ("defined", "the preprocessor's `defined` operator"),
    ("NULL", "a macro of the C library and the kernel"),
    ("offsetof", "a macro of the C library and the kernel"),
    ("linux", "predefined by GCC and Clang in GNU C on Linux"),
    ("unix", "predefined by GCC and Clang in GNU C on Linux"),
    ("i386", "predefined by GCC and Clang in GNU C on 32-bit x86"),
    ("u8", "a type the header uses (`<linux/types.h>`)"),
    ("u16", "a type the header uses (`<linux/types.h>`)"),
    ("u32", "a type the header uses (`<linux/types.h>`)"),
    ("u64", "a type the header uses (`<linux/types.h>`)"),
    ("s8", "a type of `<linux/types.h>`"),
    ("s16", "a type of `<linux/types.h>`"),
    ("s32", "a type of `<linux/types.h>`"),
    ("s64", "a type of `<linux/types.h>`"),
    ("u128", "a type of `<linux/types.h>`"),
    ("s128", "a type of `<linux/types.h>`"),
    ("cc_platform_has", "the kernel function the header calls"),
    ("cc_attr", "the kernel's attribute enum"),
];

/// Local variables, parameters and structure members of the header's functions.
/// An enumerator of the same name would be hidden by them where the header uses it
/// (`[base] = ...` inside a function whose parameter is `base`).
const LOCAL_NAMES: &[&str] = &[
    "addr",
    "attr",
    "attrs",
    "base",
    "first",
    "first_row",
    "i",
    "implies",
    "last",
    "mask",
    "nr",
    "rows",
    "rule_set",
    "run",
    "runs",
    "set",
    "terms",
    "value",
];

/// Local names of the functions only a version 2 header has (`SPEC_decide_probed`,
/// the range walk that fails closed on `refused`): reserved only in specs that use
/// version 2, so that every version 1 spec stays valid.
const V2_LOCAL_NAMES: &[&str] = &["cap_mask", "cap_value", "caps", "dev", "mixed", "next"];

/// `spec_SUFFIX` names the header defines.
const SPEC_SUFFIXES: &[&str] = &[
    "attr",
    "attrs_close",
    "bit",
    "decide",
    "decide_start",
    "is_private_mmio",
    "kernel_attrs",
    "kernel_base",
    "kernel_is_private_mmio",
    "map",
];

/// `spec_SUFFIX` names only a version 2 header defines.
const V2_SPEC_SUFFIXES: &[&str] = &["decide_probed", "probed"];

/// `SPEC_SUFFIX` names the header defines.
const SPEC_UPPER_SUFFIXES: &[&str] = &[
    "DEFINES_CC_ATTR",
    "EXTRA_BASE",
    "MIRRORS_CC_ATTR",
    "NR_ATTRS",
];

/// `SPEC_SUFFIX` names only a version 2 header defines.
const V2_SPEC_UPPER_SUFFIXES: &[&str] = &["NR_PROBED"];

/// `SPEC_FAMILY...` names the header defines, one per platform, attribute or decision.
const SPEC_UPPER_FAMILIES: &[&str] = &["BIT_", "MAP_", "PLATFORM_"];

/// `SPEC_FAMILY...` names only a version 2 header defines, one per capability or
/// probed device.
const V2_SPEC_UPPER_FAMILIES: &[&str] = &["CAP_", "PROBED_"];

/// The typedefs and macros of `<stdint.h>` (and the kernel's `__u64` family, which
/// starts with `_` and is caught before).
fn is_stdint_name(name: &str) -> bool {
    if let Some(base) = name.strip_suffix("_t") {
        // `int8_t`, `uint_least16_t`, `intmax_t`, `size_t`, ... and every other `_t`
        // type POSIX and the kernel reserve.
        return !base.is_empty();
    }
    let body = name.strip_prefix('U').unwrap_or(name);
    let Some(middle) = ["_MAX", "_MIN", "_C"]
        .iter()
        .find_map(|suffix| body.strip_suffix(suffix))
    else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(width) = middle.strip_prefix("INT") {
        let width = width
            .strip_prefix("_LEAST")
            .or_else(|| width.strip_prefix("_FAST"))
            .unwrap_or(width);
        return digits(width) || width == "MAX" || width == "PTR";
    }
    ["SIZE", "PTRDIFF", "SIG_ATOMIC", "WCHAR", "WINT"].contains(&middle)
}

#[cfg(test)]
mod tests {
    use super::c_reserved;

    #[test]
    fn kernel_attribute_names_are_free() {
        for name in [
            "CC_ATTR_MEM_ENCRYPT",
            "CC_ATTR_GUEST_MEM_ENCRYPT",
            "CC_ATTR_HOST_SEV_SNP",
            "CC_ATTR_HOTPLUG_DISABLED",
            "HAS_PARAVISOR",
            "integer",
            "INTEL_TDX_MAX",
            "UINT_FLAG_C",
            "Base",
            "tdx_attr_x",
        ] {
            assert_eq!(c_reserved(name, "tdx", true), None, "{name}");
        }
    }

    #[test]
    fn c_and_header_names_are_reserved() {
        for name in [
            "int",
            "bool",
            "defined",
            "_Bool",
            "__KERNEL__",
            "_x",
            "u64",
            "uint64_t",
            "size_t",
            "UINT64_MAX",
            "INT8_C",
            "SIZE_MAX",
            "UINT_LEAST16_MAX",
            "INTPTR_MIN",
            "NULL",
            "linux",
            "base",
            "set",
            "CCATTR_KERNEL_HAS_X",
            "tdx_decide",
            "tdx_map",
            "TDX_NR_ATTRS",
            "TDX_PLATFORM_GUEST",
            "TDX_MAP_MIXED",
            "TDX_BIT_GUEST",
            "TDX_MIRRORS_CC_ATTR",
        ] {
            assert!(c_reserved(name, "tdx", false).is_some(), "{name}");
            assert!(c_reserved(name, "tdx", true).is_some(), "{name}");
        }
        // What only a version 2 header declares is free in a version 1 spec.
        for name in [
            "TDX_CAP_RUN",
            "TDX_PROBED_BAR",
            "TDX_NR_PROBED",
            "tdx_decide_probed",
            "tdx_probed",
            "caps",
            "dev",
            "mixed",
            "next",
        ] {
            assert!(c_reserved(name, "tdx", true).is_some(), "{name}");
            assert_eq!(c_reserved(name, "tdx", false), None, "{name}");
        }
    }
}
