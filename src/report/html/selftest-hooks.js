// Only under #selftest: collect what would otherwise go unseen in a
// headless browser (script errors, console errors, blocked fetches).
if (location.hash === "#selftest") {
  (function () {
    var problems = [];
    window.reachmapProblems = problems;
    function note(text) {
      problems.push(text);
      document.documentElement.setAttribute("data-problems", problems.join(" | "));
    }
    window.addEventListener("error", function (e) {
      note("script error: " + e.message + " (line " + e.lineno + ")");
    });
    document.addEventListener("securitypolicyviolation", function (e) {
      note("blocked by the content security policy: " + e.violatedDirective + " " + e.blockedURI);
    });
    var error = console.error;
    console.error = function () {
      note("console.error: " + Array.prototype.join.call(arguments, " "));
      return error.apply(console, arguments);
    };
  })();
}
