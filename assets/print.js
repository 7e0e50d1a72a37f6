// The handout's Print button (kept out of the page: the CSP allows no inline script).
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("print");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
});
