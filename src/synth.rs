//! Deterministic synthetic models, for benchmarks and scale tests: the CSV
//! form a CMDB or vendor-management export would produce.
//!
//! The same [`Params`] (seed included) always write byte-identical files.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use crate::model::country;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Params {
    pub seed: u64,
    /// Access plus flow rows.
    pub rows: usize,
    pub systems: usize,
    pub organisations: usize,
    /// At most [`MAX_CATEGORIES`].
    pub categories: usize,
    /// At most the 249 built-in country codes.
    pub countries: usize,
    /// Share of flow rows that point backwards and so can close cycles, 0.0 to 1.0.
    pub cycle_density: f64,
    /// Share of rows with a `since`/`until` window, 0.0 to 1.0.
    pub windowed: f64,
    /// Share of `rows` that are flows (the rest are accesses).
    pub flow_share: f64,
}

/// Category sets are bitsets; the generator stays within what scale targets name.
pub const MAX_CATEGORIES: usize = 256;

impl Params {
    /// The shape of the scale targets, with `rows` access + flow rows and the
    /// other counts scaled from 1,000,000 rows : 200,000 systems : 100,000 organisations.
    pub fn scaled(rows: usize, seed: u64) -> Params {
        Params {
            seed,
            rows,
            systems: (rows / 5).max(10),
            organisations: (rows / 10).max(5),
            categories: 64,
            countries: 100,
            cycle_density: 0.05,
            windowed: 0.2,
            flow_share: 0.5,
        }
    }
}

/// SplitMix64: small, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}

/// Category ids: a two-level hierarchy, `g03` parents `g03.c017`.
fn category_ids(n: usize) -> Vec<String> {
    let groups = (n as f64).sqrt().ceil() as usize;
    let mut ids = Vec::with_capacity(n);
    let mut g = 0;
    while ids.len() < n {
        ids.push(format!("g{g:02}"));
        for c in 0..groups.saturating_sub(1) {
            if ids.len() == n {
                break;
            }
            ids.push(format!("g{g:02}.c{:03}", g * groups + c));
        }
        g += 1;
    }
    ids
}

fn pick_categories(rng: &mut Rng, ids: &[String], most: usize) -> String {
    let k = 1 + rng.below(most);
    let mut picked: Vec<&str> = (0..k).map(|_| ids[rng.below(ids.len())].as_str()).collect();
    picked.sort_unstable();
    picked.dedup();
    picked.join(";")
}

fn window(rng: &mut Rng, p: f64) -> (String, String) {
    if !rng.chance(p) {
        return (String::new(), String::new());
    }
    let year = 2015 + rng.below(10);
    let since = format!("{year}-{:02}-01", 1 + rng.below(12));
    let until = format!("{}-{:02}-01", year + 1 + rng.below(5), 1 + rng.below(12));
    (since, until)
}

/// Writes a model directory: `model.toml` and the CSV tables.
pub fn write(params: &Params, dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut rng = Rng(params.seed);
    let countries: Vec<String> = country::builtin()
        .codes()
        .take(params.countries.clamp(1, 249))
        .map(|c| c.to_string())
        .collect();
    let home = countries[0].clone();
    let categories = category_ids(params.categories.clamp(1, MAX_CATEGORIES));

    let mut text = format!(
        "[model]\nname = \"Synthetic model (seed {})\"\nhome = \"{home}\"\nas_of = 2021-03-01\n",
        params.seed
    );
    text.push_str(&format!(
        "disclosed_countries = [{}]\n",
        countries
            .iter()
            .take(countries.len() / 2)
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    text.push_str("\n[[policy]]\nid = \"home-only\"\ncategories = [\"g00\"]\n");
    text.push_str(&format!(
        "allow_countries = [\"{home}\"]\nkinds = [\"accessed\", \"stored\"]\n"
    ));
    std::fs::write(dir.join("model.toml"), text)?;

    let mut out = String::from("id,name,sensitivity\n");
    for (i, id) in categories.iter().enumerate() {
        let sensitivity = ["normal", "sensitive", "secrecy", "payment"][i % 4];
        writeln!(out, "{id},Category {id},{sensitivity}").ok();
    }
    std::fs::write(dir.join("categories.csv"), out)?;

    let orgs = params.organisations.max(1);
    let mut out = String::from("id,name,country,role,parent\n");
    for i in 0..orgs {
        let role = if i < 3 {
            "controller"
        } else {
            ["group", "processor", "vendor"][rng.below(3)]
        };
        let country = &countries[if i < 3 { 0 } else { rng.below(countries.len()) }];
        // Parents point to earlier organisations, so ownership has no cycles.
        let parent = if i > 3 && rng.chance(0.5) {
            format!("o{}", rng.below(i))
        } else {
            String::new()
        };
        writeln!(out, "o{i},Organisation {i},{country},{role},{parent}").ok();
    }
    std::fs::write(dir.join("organisations.csv"), out)?;

    let systems = params.systems.max(1);
    let mut out = String::from("id,name,country,operator,operator_access,holds\n");
    for i in 0..systems {
        let country = &countries[rng.below(countries.len())];
        let operator = rng.below(orgs);
        let access = if rng.chance(0.1) { "false" } else { "" };
        // Most systems hold something; a few only receive.
        let holds = if rng.chance(0.8) {
            pick_categories(&mut rng, &categories, 4)
        } else {
            String::new()
        };
        writeln!(
            out,
            "s{i},System {i},{country},o{operator},{access},{holds}"
        )
        .ok();
    }
    std::fs::write(dir.join("systems.csv"), out)?;

    let flows = (params.rows as f64 * params.flow_share) as usize;
    let mut out = String::from("id,from,to,categories,since,until\n");
    for i in 0..flows {
        let a = rng.below(systems);
        let b = rng.below(systems);
        // Forward edges (low to high index) form a DAG; backward ones close cycles.
        let (from, to) = if (a < b) != rng.chance(params.cycle_density) {
            (a, b)
        } else {
            (b, a)
        };
        let categories = if rng.chance(0.5) {
            pick_categories(&mut rng, &categories, 6)
        } else {
            String::new()
        };
        let (since, until) = window(&mut rng, params.windowed);
        writeln!(out, "f{i},s{from},s{to},{categories},{since},{until}").ok();
    }
    std::fs::write(dir.join("flows.csv"), out)?;

    let accesses = params.rows - flows;
    let mut out = String::from("id,who,to,categories,from_country,mode,since,until\n");
    for i in 0..accesses {
        let who = rng.below(orgs);
        let to = rng.below(systems);
        let categories = if rng.chance(0.5) {
            pick_categories(&mut rng, &categories, 6)
        } else {
            String::new()
        };
        let from = if rng.chance(0.1) {
            countries[rng.below(countries.len())].clone()
        } else {
            String::new()
        };
        let mode = ["remote", "onsite", "admin", "monitoring"][rng.below(4)];
        let (since, until) = window(&mut rng, params.windowed);
        writeln!(
            out,
            "a{i},o{who},s{to},{categories},{from},{mode},{since},{until}"
        )
        .ok();
    }
    std::fs::write(dir.join("access.csv"), out)?;

    let mut out = String::from("id,from,to,kind\n");
    for i in 3..orgs {
        if rng.chance(0.7) {
            let from = rng.below(i);
            let kind = ["entrustment", "re-entrustment", "provision", "group"][rng.below(4)];
            writeln!(out, "c{i},o{from},o{i},{kind}").ok();
        }
    }
    std::fs::write(dir.join("contracts.csv"), out)?;
    Ok(())
}
