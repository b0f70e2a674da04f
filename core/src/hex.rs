//! Serde helpers: 64-bit values are written as `0x` hex strings in JSON, since
//! many JSON readers lose precision past 2^53.

pub mod u64 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        // `format!("{v:#x}")` without an allocation: tables hold millions of these.
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut buf = [0u8; 18];
        let mut at = buf.len();
        let mut rest = *v;
        loop {
            at -= 1;
            buf[at] = DIGITS[(rest & 0xf) as usize];
            rest >>= 4;
            if rest == 0 {
                break;
            }
        }
        at -= 2;
        buf[at..at + 2].copy_from_slice(b"0x");
        // Only ASCII digits were written.
        s.serialize_str(std::str::from_utf8(&buf[at..]).unwrap_or_default())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let s = String::deserialize(d)?;
        crate::parse_u64(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("not a 64-bit number: {s:?}")))
    }
}
