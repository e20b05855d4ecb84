//! SVG by Graphviz's `dot`, with a time limit so a pathological graph cannot
//! hang a report run.

use std::fmt;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long `dot` may take. Views are kept under [`super::READABLE_NODES`]
/// boxes, which Graphviz lays out in well under a second.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// Why no SVG came out.
#[derive(Debug)]
pub enum SvgError {
    /// The `dot` program is not installed (not on `PATH`).
    NotInstalled { program: String },
    /// `dot` ran longer than the time limit and was stopped.
    TimedOut { after: Duration },
    /// `dot` rejected the graph or failed; its own message.
    Failed { status: String, stderr: String },
    /// Starting `dot` or talking to it failed.
    Io(std::io::Error),
}

impl fmt::Display for SvgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SvgError::NotInstalled { program } => write!(
                f,
                "Graphviz's `{program}` program was not found, so no SVG was made. Install Graphviz \
                 (Debian/Ubuntu: `apt-get install graphviz`; macOS: `brew install graphviz`; \
                 Windows: `winget install graphviz`; or https://graphviz.org/download/) and run \
                 again; the DOT file can also be rendered later with `dot -Tsvg FILE.dot`"
            ),
            SvgError::TimedOut { after } => write!(
                f,
                "Graphviz's `dot` took longer than {} s and was stopped; render the DOT file by hand \
                 with `dot -Tsvg FILE.dot`",
                after.as_secs()
            ),
            SvgError::Failed { status, stderr } => {
                write!(f, "Graphviz's `dot` failed ({status}): {}", stderr.trim())
            }
            SvgError::Io(e) => write!(f, "could not run Graphviz's `dot`: {e}"),
        }
    }
}

impl std::error::Error for SvgError {}

/// Renders DOT text to SVG with `dot -Tsvg` from `PATH`.
pub fn svg(dot: &str) -> Result<String, SvgError> {
    svg_with("dot", dot, TIMEOUT)
}

/// Renders DOT text to SVG with the given Graphviz program and time limit.
pub fn svg_with(program: &str, dot: &str, timeout: Duration) -> Result<String, SvgError> {
    let mut child = Command::new(program)
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => SvgError::NotInstalled {
                program: program.to_string(),
            },
            _ => SvgError::Io(e),
        })?;
    // Feed and drain on threads so neither pipe can fill up and block `dot`.
    let input = dot.as_bytes().to_vec();
    let mut stdin = child.stdin.take();
    let writer = std::thread::spawn(move || {
        if let Some(pipe) = stdin.as_mut() {
            // A `dot` that exits early closes its end; its status says why.
            let _ = pipe.write_all(&input);
        }
    });
    let mut stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(pipe) = stdout.as_mut() {
            let _ = pipe.read_to_end(&mut buf);
        }
        buf
    });
    let mut stderr = child.stderr.take();
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(pipe) = stderr.as_mut() {
            let _ = pipe.read_to_end(&mut buf);
        }
        buf
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait().map_err(SvgError::Io)? {
            Some(status) => break status,
            None if start.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(SvgError::TimedOut { after: timeout });
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    let _ = writer.join();
    let out = reader.join().unwrap_or_default();
    let err = err_reader.join().unwrap_or_default();
    if !status.success() {
        return Err(SvgError::Failed {
            status: status.to_string(),
            stderr: String::from_utf8_lossy(&err).into_owned(),
        });
    }
    String::from_utf8(out).map_err(|e| SvgError::Failed {
        status: status.to_string(),
        stderr: format!("output is not UTF-8: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_program_says_how_to_install_graphviz() {
        let err = svg_with("reachmap-no-such-dot", "digraph {}", TIMEOUT).unwrap_err();
        assert!(matches!(err, SvgError::NotInstalled { .. }));
        let message = err.to_string();
        assert!(message.contains("apt-get install graphviz"), "{message}");
        assert!(message.contains("graphviz.org/download"), "{message}");
    }

    #[cfg(unix)]
    #[test]
    fn a_program_that_hangs_is_stopped() {
        use std::os::unix::fs::PermissionsExt;
        // A stand-in for `dot` that sleeps far past the limit: the limit, not
        // the program, ends the run however slow the machine. `exec` makes
        // the sleep itself the child, so stopping it leaves nothing behind.
        let dir = tempfile::tempdir().expect("temp dir");
        let fake = dir.path().join("dot");
        std::fs::write(&fake, "#!/bin/sh\nexec sleep 600\n").expect("write");
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let program = fake.to_str().expect("utf-8 path");
        // Another test thread forking while the script was open for writing
        // makes exec fail with "text file busy" (ETXTBSY, 26) for a moment.
        let mut attempts = 0;
        let err = loop {
            let err = svg_with(program, "digraph {}", Duration::from_millis(300)).unwrap_err();
            match &err {
                SvgError::Io(e) if e.raw_os_error() == Some(26) && attempts < 20 => {
                    attempts += 1;
                    std::thread::sleep(Duration::from_millis(50));
                }
                _ => break err,
            }
        };
        assert!(matches!(err, SvgError::TimedOut { .. }), "{err}");
    }

    #[test]
    fn a_graph_dot_rejects_reports_dot_s_message() {
        if Command::new("dot").arg("-V").output().is_err() {
            return;
        }
        let err = svg("digraph { a -> }").unwrap_err();
        assert!(matches!(err, SvgError::Failed { .. }), "{err}");
        assert!(err.to_string().contains("syntax error"), "{err}");
    }
}
