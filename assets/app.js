// Small improvements on pages that work without JavaScript.
'use strict';
document.addEventListener('DOMContentLoaded', function () {
  // The filter form applies a choice at once; its button stays for
  // keyboard users and for browsers without JavaScript.
  var form = document.querySelector('form.filters');
  if (form) {
    form.querySelectorAll('select').forEach(function (s) {
      s.addEventListener('change', function () { form.submit(); });
    });
  }

  // The need form shows the fields of the chosen kind only (all of them
  // stay without JavaScript; the server ignores the others).
  document.querySelectorAll('form.need-form').forEach(function (f) {
    var kind = f.querySelector('select[data-kind]');
    if (!kind) return;
    var show = function () {
      f.querySelectorAll('fieldset.kinds').forEach(function (fs) {
        var on = fs.getAttribute('data-kinds').split(' ').indexOf(kind.value) >= 0;
        fs.hidden = !on;
        fs.disabled = !on;
      });
    };
    kind.addEventListener('change', show);
    show();
  });
});
