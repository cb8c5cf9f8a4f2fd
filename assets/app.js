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

  // A long list of choices (the need form's children: a school has
  // hundreds) gets a box above it that keeps the options holding what is
  // typed.  Without JavaScript the list is whole, in pinyin order.
  document.querySelectorAll('select[data-filter]').forEach(function (s) {
    var box = document.createElement('input');
    box.type = 'search';
    box.placeholder = s.getAttribute('data-filter');
    box.setAttribute('aria-label', s.getAttribute('data-filter'));
    box.className = 'select-filter';
    // Before the label, not in it: the label names the list alone.
    var at = s.closest('label') || s;
    at.parentNode.insertBefore(box, at);
    box.addEventListener('input', function () {
      var q = box.value.trim().toLowerCase();
      var first = null;
      Array.prototype.forEach.call(s.options, function (o) {
        var on = !q || !o.value || o.text.toLowerCase().indexOf(q) >= 0;
        o.hidden = !on;
        if (on && o.value && !first) first = o;
      });
      if (q && first && (s.selectedIndex < 0 || s.options[s.selectedIndex].hidden)) s.value = first.value;
    });
  });

  // A copyable block (where to take a pledge: the address, the account,
  // the reference code) gets a button that copies it.  Without
  // JavaScript the button stays hidden and the block is plain text that
  // selects at a tap.
  var selectAll = function (el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  };
  document.querySelectorAll('button.copy[data-copy]').forEach(function (b) {
    var src = document.getElementById(b.getAttribute('data-copy'));
    if (!src) return;
    var label = b.textContent;
    var done = function () {
      b.textContent = b.getAttribute('data-done');
      setTimeout(function () { b.textContent = label; }, 2000);
    };
    var fallback = function () {
      selectAll(src);
      try { if (document.execCommand('copy')) done(); } catch (e) { /* selected */ }
    };
    b.hidden = false;
    b.addEventListener('click', function () {
      var text = src.textContent;
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, fallback);
      } else {
        fallback();
      }
    });
  });
  // A refused form's message (form-error.html) goes beside the field it
  // is about, which is marked invalid and described by it, and gets the
  // focus: on a long page the field may be far below the form's top.
  // Without JavaScript the message stays at the top of the form.
  var err = document.getElementById('form-error');
  var name = err && err.getAttribute('data-field');
  if (name) {
    var sel = '[name="' + name.replace(/[^a-z0-9_]/g, '') + '"]';
    var field = document.querySelector('form[action="' + location.pathname + '"] ' + sel) ||
      document.querySelector('form ' + sel);
    if (field && field.type !== 'hidden') {
      var at = field.closest('label') || field;
      at.insertAdjacentElement('afterend', err);
      field.setAttribute('aria-invalid', 'true');
      field.setAttribute('aria-describedby', ((field.getAttribute('aria-describedby') || '') +
        ' form-error').trim());
      field.focus();
    }
  }
  // A form that succeeded said so (done= in the address, layout.html);
  // the address loses it, so that reloading or sharing the page does not
  // say it again.
  if (document.getElementById('done') && window.history.replaceState) {
    var url = new URL(location.href);
    url.searchParams.delete('done');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }

  // A certificate's print button: without JavaScript the browser's own
  // print does the same (the page has print styles).
  document.querySelectorAll('button[data-print]').forEach(function (b) {
    b.hidden = false;
    b.addEventListener('click', function () { window.print(); });
  });
});
