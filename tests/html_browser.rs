//! `report.html` in a real browser. Headless Chromium (Debian's `chromium`,
//! which `.ci/run` installs) opens the LINE report written alone into an
//! empty directory, so anything it needed besides itself would be missing:
//!
//! - with `#selftest`, the page filters by China, opens China's first cell,
//!   narrows to "stored", then to foreign countries and sensitive
//!   categories, shows all again and sorts, leaving its results on
//!   `<body>`; the dumped DOM is checked against the evaluation itself (row
//!   counts, the witness paths in the details), with no console message and
//!   no script error or blocked fetch recorded;
//! - with `#cell=…` the page opens that cell on load, and a screenshot of it
//!   is not blank. The screenshot is kept in the target directory for people
//!   to look at.
//!
//! Without `/usr/bin/chromium` the tests say so and pass.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reachmap::model::{CountryCode, Kind, Model};
use reachmap::reach::Evaluation;
use reachmap::report::lang::Lang;
use reachmap::report::set;

const CHROMIUM: &str = "/usr/bin/chromium";

fn chromium_present() -> bool {
    if Path::new(CHROMIUM).exists() {
        return true;
    }
    eprintln!(
        "skipped: {CHROMIUM} is not installed (apt-get install chromium; .ci/run installs it)"
    );
    false
}

/// The LINE report's `report.html`, written alone into a fresh directory.
fn line_report(dir: &Path) -> (Model, PathBuf) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/line-2021");
    let model = Model::load(&root).expect("the LINE model loads");
    let page = {
        let evaluation = Evaluation::new(&model, model.default_date());
        let built = set::build(&evaluation, &root, &[Lang::En, Lang::Ja]);
        built
            .files
            .into_iter()
            .find(|(name, _)| name == "report.html")
            .expect("the set has report.html")
            .1
    };
    let path = dir.join("report.html");
    std::fs::write(&path, page).expect("report.html is written");
    (model, path)
}

/// Runs headless Chromium with its own profile and no network features;
/// returns stdout and stderr. A browser that hangs is stopped after three
/// minutes, which fails the test rather than blocking the run.
fn chromium(profile: &Path, args: &[String]) -> (String, String) {
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("chromium can be waited for") {
            let (out, err) = (out.join().unwrap(), err.join().unwrap());
            assert!(status.success(), "chromium failed ({status}):\n{err}");
            return (out, err);
        }
        if start.elapsed() > Duration::from_secs(180) {
            let _ = child.kill();
            panic!("chromium did not finish within three minutes: {args:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn url(page: &Path, fragment: &str) -> String {
    format!("file://{}{fragment}", page.display())
}

/// The start tag of the first `<name` element in serialised HTML: up to
/// the first `>` outside a quoted attribute value.
fn start_tag<'a>(html: &'a str, name: &str) -> &'a str {
    let start = html
        .find(&format!("<{name}"))
        .unwrap_or_else(|| panic!("no <{name}> in\n{html}"));
    let mut quoted = false;
    for (i, ch) in html[start..].char_indices() {
        match ch {
            '"' => quoted = !quoted,
            '>' if !quoted => return &html[start..start + i],
            _ => {}
        }
    }
    panic!("<{name}> is not closed");
}

/// An attribute's value in a start tag, entities decoded.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = start + tag[start..].find('"')?;
    Some(
        tag[start..end]
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&#39;", "'")
            .replace("&nbsp;", "\u{a0}")
            .replace("&amp;", "&"),
    )
}

/// Console messages and uncaught errors, as Chromium logs them with
/// `--enable-logging=stderr`.
fn console_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains(":CONSOLE")).collect()
}

#[test]
fn the_line_report_passes_its_selftest_in_chromium() {
    if !chromium_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (model, page) = line_report(dir.path());
    let evaluation = Evaluation::new(&model, model.default_date());
    let (dom, stderr) = chromium(
        &dir.path().join("profile"),
        &["--dump-dom".into(), url(&page, "#selftest")],
    );
    assert_eq!(console_lines(&stderr), Vec::<&str>::new(), "{stderr}");
    let html_tag = start_tag(&dom, "html");
    assert_eq!(attribute(html_tag, "data-problems"), None, "{html_tag}");
    let body = start_tag(&dom, "body");
    assert_eq!(
        attribute(body, "data-selftest").as_deref(),
        Some("ok"),
        "{body}"
    );

    // What the evaluation says about China, independently of the page.
    let china = CountryCode::parse("CN").expect("a country code");
    let reach = evaluation.matrix();
    let reached: Vec<_> = reach.iter().filter(|r| r.country == china).collect();
    assert!(!reached.is_empty(), "on its as_of date China reaches data");
    let stored = reached
        .iter()
        .filter(|r| r.kinds.contains(&Kind::Stored))
        .count();
    assert_eq!(
        attribute(body, "data-selftest-rows"),
        Some(reached.len().to_string())
    );
    assert_eq!(
        attribute(body, "data-selftest-stored-rows"),
        Some(stored.to_string())
    );
    // "Foreign countries only" with "anything but normal": the sensitive
    // categories that some foreign country reaches.
    let mut foreign_sensitive: Vec<_> = reach
        .iter()
        .filter(|r| r.country != model.info.home)
        .filter(|r| model.category(r.category).sensitivity.is_sensitive())
        .map(|r| r.category)
        .collect();
    foreign_sensitive.sort();
    foreign_sensitive.dedup();
    assert!(!foreign_sensitive.is_empty());
    assert_eq!(
        attribute(body, "data-selftest-foreign-sensitive-rows"),
        Some(foreign_sensitive.len().to_string())
    );

    // The clicked cell is China's first row; its details show the witness
    // of every kind by which China reaches that category.
    let cell = attribute(body, "data-selftest-cell").expect("a cell was clicked");
    let first = model.category(reached[0].category);
    assert_eq!(cell, format!("CN {}", first.id));
    let panel = attribute(body, "data-selftest-panel").expect("the details' text");
    for &kind in &reached[0].kinds {
        let witness = evaluation
            .witness(china, reached[0].category, kind)
            .expect("a witness for each kind")
            .render(&model)
            .join(" → ");
        assert!(
            panel.contains(&witness),
            "the details lack {witness}:\n{panel}"
        );
    }
    assert!(panel.contains(&first.name), "{panel}");
}

#[test]
fn a_cell_opened_by_its_address_is_drawn() {
    if !chromium_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (model, page) = line_report(dir.path());
    let evaluation = Evaluation::new(&model, model.default_date());
    // The foreign cell reached in the most ways: the fullest details.
    let home = model.info.home;
    let reach = evaluation.matrix();
    let cell = reach
        .iter()
        .filter(|r| r.country != home)
        .max_by_key(|r| (r.kinds.len(), std::cmp::Reverse((r.country, r.category))))
        .expect("a foreign cell");
    let category = &model.category(cell.category).id;
    let fragment = format!("#cell={}/{category}", cell.country);

    // The details open on load, with the witness path step by step.
    let (dom, stderr) = chromium(
        &dir.path().join("profile-dom"),
        &["--dump-dom".into(), url(&page, &fragment)],
    );
    assert_eq!(console_lines(&stderr), Vec::<&str>::new(), "{stderr}");
    let aside = dom
        .split("<aside id=\"details\"")
        .nth(1)
        .and_then(|rest| rest.split("</aside>").next())
        .expect("the details panel");
    let mut at = 0;
    for step in cell.path.render(&model) {
        let found = aside[at..]
            .find(&format!(">{step}<"))
            .unwrap_or_else(|| panic!("{step} is not in the details after byte {at}:\n{aside}"));
        at += found + step.len();
    }

    let shot = dir.path().join("report.png");
    chromium(
        &dir.path().join("profile-shot"),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000".into(),
            url(&page, &fragment),
        ],
    );
    let kept = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-html.png");
    std::fs::copy(&shot, &kept).expect("the screenshot is kept");
    eprintln!("screenshot of {fragment}: {}", kept.display());

    let mut decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&shot).expect("a screenshot"),
    ));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut pixels).expect("one frame");
    assert_eq!((info.width, info.height), (1280, 2000));
    let channels = info.color_type.samples();
    let mut inked = 0usize;
    let mut colours = std::collections::BTreeSet::new();
    for px in pixels[..info.line_size * info.height as usize].chunks(channels) {
        let rgb = if channels >= 3 {
            [px[0], px[1], px[2]]
        } else {
            [px[0]; 3]
        };
        if rgb.iter().any(|&v| v < 200) {
            inked += 1;
        }
        colours.insert(rgb);
    }
    let total = (info.width * info.height) as usize;
    // A page of text, tables and coloured letters: far more than 2 % of the
    // pixels are ink, in far more than 50 colours. A blank or failed render
    // is one colour and no ink.
    assert!(
        inked * 50 > total,
        "only {inked} of {total} pixels are inked"
    );
    assert!(
        colours.len() > 50,
        "only {} colours in the screenshot",
        colours.len()
    );
}
