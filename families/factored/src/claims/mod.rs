//! The LR and MS claims (CLAIMS.md §1, §2): one module per paper, named by its claim ids.

mod analysis;
mod common;
mod lr01_xu;
mod lr02_04_xiong;
mod lr05_07_jin;
mod lr08_11_mohammadi;
mod ms01_02_xu;
mod ms03_04_jin_xiong;
mod ms05_07_fattahi;

use ratebench_harness::claims::Claim;

/// Every claim of the family, in catalogue order.
pub fn claims() -> Vec<Claim> {
    let mut v = vec![lr01_xu::lr1()];
    v.extend(lr02_04_xiong::claims());
    v.extend(lr05_07_jin::claims());
    v.extend(lr08_11_mohammadi::claims());
    v.extend(ms01_02_xu::claims());
    v.extend(ms03_04_jin_xiong::claims());
    v.extend(ms05_07_fattahi::claims());
    v
}
