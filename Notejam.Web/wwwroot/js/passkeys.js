// Passkeys: the browser's own prompt (navigator.credentials) for the forms marked data-passkey. The server (the API,
// through the site) begins each ceremony and checks the answer; this script only carries the options to the browser and
// the browser's answer back, in the form's two hidden fields. Where the browser has no passkeys, the forms stay hidden
// and the site works with passwords as before.
(function () {
  "use strict";
  var credentials = window.PublicKeyCredential;
  if (!credentials || !credentials.parseCreationOptionsFromJSON || !credentials.parseRequestOptionsFromJSON || !navigator.credentials) {
    return;
  }

  // The ceremony the server began: its id and the options, asked for with the form's antiforgery token.
  function begin(form, url) {
    var body = new URLSearchParams();
    body.set("__RequestVerificationToken", form.elements.__RequestVerificationToken.value);
    return fetch(url || form.getAttribute("data-passkey-options"), { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 429) {
          throw new Error("Too many passkey prompts from here. Wait a while, then try again.");
        }
        // A session that ended meanwhile is sent to the sign-in page, which is HTML: reloading shows it.
        if (!response.ok || (response.headers.get("Content-Type") || "").indexOf("json") < 0) {
          throw new Error("The passkey prompt could not begin. Reload the page and try again.");
        }
        return response.json();
      });
  }

  function send(form, ceremony, credential) {
    form.elements.PasskeyCeremony.value = ceremony;
    form.elements.PasskeyCredential.value = JSON.stringify(credential.toJSON());
    form.submit();
  }

  function show(form, error) {
    var out = form.querySelector(".passkey-error");
    if (error && error.name === "AbortError") {
      return;
    }
    out.textContent = error && error.name === "NotAllowedError"
      ? "The passkey prompt was closed or timed out. Try again."
      : error && error.name === "InvalidStateError"
        ? "This device already holds a passkey for this account."
        : (error && error.message) || "The passkey could not be used. Try again.";
    out.hidden = false;
  }

  // Conditional UI: the browser offers its passkeys in the email field's autofill; one request at a time, so the button
  // below aborts it before asking on its own.
  var pending = null;

  // An account without a password proves itself with a passkey it has before it adds another (data-passkey-confirm).
  function confirm(form) {
    var url = form.getAttribute("data-passkey-confirm");
    if (!url) {
      return Promise.resolve();
    }
    return begin(form, url).then(function (begun) {
      return navigator.credentials.get({ publicKey: credentials.parseRequestOptionsFromJSON(begun.options) })
        .then(function (credential) {
          form.elements.ConfirmCeremony.value = begun.ceremony;
          form.elements.ConfirmCredential.value = JSON.stringify(credential.toJSON());
        });
    });
  }

  function ask(form, conditional) {
    var create = form.getAttribute("data-passkey") === "create";
    return (create ? confirm(form) : Promise.resolve()).then(function () { return begin(form); }).then(function (begun) {
      if (create) {
        return navigator.credentials.create({ publicKey: credentials.parseCreationOptionsFromJSON(begun.options) })
          .then(function (credential) { send(form, begun.ceremony, credential); });
      }
      if (pending) {
        pending.abort();
      }
      pending = new AbortController();
      var request = { publicKey: credentials.parseRequestOptionsFromJSON(begun.options), signal: pending.signal };
      if (conditional) {
        request.mediation = "conditional";
      }
      return navigator.credentials.get(request).then(function (credential) {
        if (credential) {
          send(form, begun.ceremony, credential);
        }
      });
    });
  }

  document.querySelectorAll("form[data-passkey]").forEach(function (form) {
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      form.querySelector(".passkey-error").hidden = true;
      ask(form, false).catch(function (error) { show(form, error); });
    });
    if (form.hasAttribute("data-passkey-conditional") && credentials.isConditionalMediationAvailable) {
      credentials.isConditionalMediationAvailable().then(function (available) {
        if (available) {
          return ask(form, true);
        }
      }).catch(function () {
        // Autofill is a convenience: the button still works.
      });
    }
  });
})();
