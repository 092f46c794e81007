// The advisor page's small script. The page works without it; with it,
// forms are sent with fetch so a token kept for this tab (sessionStorage)
// goes in an Authorization header rather than the body, the answer
// replaces the page without a reload, a shared link is answered once the
// token is known, and "Copy as Markdown" copies the review section.
(function () {
  "use strict";
  var tokenKey = "advise.token";

  function storedToken() {
    try { return sessionStorage.getItem(tokenKey) || ""; } catch (e) { return ""; }
  }
  function storeToken(t) {
    try { if (t) { sessionStorage.setItem(tokenKey, t); } else { sessionStorage.removeItem(tokenKey); } } catch (e) { /* storage off: the field is asked again */ }
  }
  function say(text) {
    var s = document.getElementById("status");
    if (s) { s.textContent = text; }
  }

  function send(form, submitter) {
    var data = new FormData(form, submitter);
    var typed = data.get("token");
    data.delete("token");
    if (typed) { storeToken(String(typed)); }
    var token = storedToken();
    var headers = { "Accept": "text/html" };
    if (token) { headers["Authorization"] = "Bearer " + token; }
    var body = data;
    if (form.enctype !== "multipart/form-data") {
      body = new URLSearchParams();
      data.forEach(function (v, k) { body.append(k, String(v)); });
    }
    say("…");
    fetch(form.action, { method: "POST", body: body, headers: headers, credentials: "same-origin" })
      .then(function (resp) {
        if (resp.status === 401) { storeToken(""); }
        var type = resp.headers.get("Content-Type") || "";
        return resp.text().then(function (text) {
          if (type.indexOf("text/html") !== 0) {
            var detail = text;
            try { detail = JSON.parse(text).detail || text; } catch (e) { /* not a problem document */ }
            say(resp.status + ": " + detail);
            return;
          }
          show(text);
        });
      })
      .catch(function (err) { say(String(err)); });
  }

  function show(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    document.title = doc.title;
    document.documentElement.lang = doc.documentElement.lang;
    document.body.replaceWith(doc.body);
    var share = document.getElementById("share");
    if (share && window.history && history.replaceState) {
      history.replaceState(null, "", share.getAttribute("href"));
    }
    init();
    var target = document.getElementById("form-errors") || document.getElementById("upload-error") ||
      document.getElementById("answer") || document.getElementById("portfolio-result");
    if (target) { target.focus(); }
  }

  function copy(button) {
    var area = document.getElementById(button.getAttribute("data-copy"));
    if (!area) { return; }
    var done = function () { say(button.getAttribute("data-copied") || "Copied."); };
    var fallback = function () {
      area.closest("details").open = true;
      area.select();
      if (document.execCommand("copy")) { done(); }
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(area.value).then(done, fallback);
    } else {
      fallback();
    }
  }

  function init() {
    var forms = document.querySelectorAll("form.js-submit");
    var token = storedToken();
    for (var i = 0; i < forms.length; i++) {
      (function (form) {
        form.addEventListener("submit", function (ev) {
          ev.preventDefault();
          send(form, ev.submitter);
        });
        var field = form.querySelector("input[name=token]");
        if (field && token) { field.placeholder = "••••••"; }
        if (token && form.getAttribute("data-autosubmit") === "true") {
          send(form, null);
        }
      })(forms[i]);
    }
    var buttons = document.querySelectorAll("button[data-copy]");
    for (var j = 0; j < buttons.length; j++) {
      (function (b) {
        b.hidden = false;
        b.addEventListener("click", function () { copy(b); });
      })(buttons[j]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
