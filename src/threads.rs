//! Two pieces of work at once: one on the calling thread, one on a second.

/// Runs `mine` on this thread and `theirs` meanwhile on a second one, and
/// returns both results. A panic on the second thread is raised again here.
pub(crate) fn alongside<A, B: Send>(
    mine: impl FnOnce() -> A,
    theirs: impl FnOnce() -> B + Send,
) -> (A, B) {
    std::thread::scope(|scope| {
        let theirs = scope.spawn(theirs);
        let mine = mine();
        let theirs = theirs
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (mine, theirs)
    })
}
