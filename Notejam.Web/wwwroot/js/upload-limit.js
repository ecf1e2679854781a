// Refuses a file over the import limit before it is sent, with the same words the server would use.
(function () {
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    input.addEventListener("change", function () {
      var max = Number(input.getAttribute("data-max-bytes"));
      var file = input.files && input.files[0];
      input.setCustomValidity(file && file.size > max
        ? "This file is " + (file.size / 1048576).toFixed(1) + " MB; an import takes at most " + Math.round(max / 1048576) + " MB."
        : "");
      input.reportValidity();
    });
  });
})();
