//! Writing files the user asked for: whole or not at all, and never over an
//! existing file unless the user said `--force`.

use std::io::Write;
use std::path::Path;

/// Writes `text` to `path` through a temporary file in the same directory,
/// so a failure leaves any previous file intact. Without `force`, an
/// existing file is an error (checked atomically by the final rename).
pub fn write_file(path: &Path, text: &str, force: bool) -> Result<(), String> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".reachmap-");
    // A temporary file is private (0600); the file the user asked for gets
    // the usual mode, which the umask then narrows.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut temp = builder
        .tempfile_in(dir)
        .map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
    temp.write_all(text.as_bytes())
        .and_then(|_| temp.flush())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let result = if force {
        temp.persist(path).map(|_| ())
    } else {
        temp.persist_noclobber(path).map(|_| ())
    };
    result.map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            exists_message(path)
        } else {
            format!("cannot write {}: {}", path.display(), e.error)
        }
    })
}

/// What to say when a file is in the way.
pub fn exists_message(path: &Path) -> String {
    format!(
        "{} already exists; pass --force to overwrite it",
        path.display()
    )
}
