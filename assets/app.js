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
});
