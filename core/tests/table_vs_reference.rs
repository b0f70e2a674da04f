//! The decision table against the reference evaluator (docs/language.md's four steps ("Meaning")),
//! on random valid specs and random queries near every boundary.

use ccattr_codegen::compile;
use ccattr_core::reference;
use ccattr_test_support::synth::{self, Params, Rng};
use proptest::prelude::*;

fn queries(rng: &mut Rng, bounds: &[u64], n: usize) -> Vec<(u64, u64)> {
    let sizes = [
        0u64,
        1,
        2,
        3,
        0x10,
        0x1000,
        0x1_0000,
        u64::MAX,
        u64::MAX - 1,
    ];
    (0..n)
        .map(|_| {
            let addr = match rng.below(4) {
                0 => rng.next_u64(),
                1 => [0, u64::MAX][rng.below(2) as usize],
                _ if bounds.is_empty() => rng.next_u64(),
                _ => bounds[rng.below(bounds.len() as u64) as usize],
            };
            let size = match rng.below(3) {
                0 => sizes[rng.below(sizes.len() as u64) as usize],
                1 if !bounds.is_empty() => {
                    let b = bounds[rng.below(bounds.len() as u64) as usize];
                    b.wrapping_sub(addr).wrapping_add(rng.below(3))
                }
                _ => 1 + rng.below(0x2000),
            };
            (addr, size)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn table_agrees_with_reference(seed in any::<u64>()) {
        let text = synth::spec(&Params::small("p", seed));
        let ccattr_core::Checked { model, table, .. } = compile("p.ccattr", text.as_bytes()).unwrap();
        // The JSON form reads back to the same table.
        let json = serde_json::to_string(&table).unwrap();
        let back: ccattr_core::DecisionTable = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back, &table);
        let mut rng = Rng::new(seed);
        let bounds = table.boundaries();
        for _ in 0..16 {
            let base = rng.next_u64();
            let full = table.close(base);
            prop_assert_eq!(full, reference::close(&model, base));
            for (addr, size) in queries(&mut rng, &bounds, 200) {
                let want = reference::decide(&model, full, addr, size);
                prop_assert_eq!(table.decide(full, addr, size), want, "addr {:#x} size {:#x}\n{}", addr, size, text);
            }
        }
    }
}
