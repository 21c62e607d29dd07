// The layout check of tests/e2e/test_form_layout.py: a list of what is out of place.
() => {
  document.querySelectorAll('main details').forEach(d => { d.open = true; });
  const problems = [];
  const box = el => el.getBoundingClientRect();
  const shown = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const hiddenVisually = el => { const r = box(el); return r.width <= 2 && r.height <= 2; };
  const name = el => `${el.tagName.toLowerCase()}[${el.type || ''}] #${el.id || el.name}`;
  const labelOf = el => (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`)) || el.closest('label');
  const r = b => `(${Math.round(b.left)},${Math.round(b.top)} ${Math.round(b.width)}x${Math.round(b.height)})`;
  const main = document.querySelector('main');
  for (const el of main.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden' || el.readOnly || !shown(el)) continue;
    const compact = el.closest('.inline, .inline-form');
    if (!el.closest('.field') && !compact) problems.push(`${name(el)} is not inside a .field wrapper`);
    const label = labelOf(el);
    if (!label) { problems.push(`${name(el)} has no label`); continue; }
    const c = box(el), l = box(label);
    if (el.type === 'radio' || el.type === 'checkbox') {
      if (hiddenVisually(el)) {
        if (!(c.left >= l.left - 2 && c.right <= l.right + 2 && c.top >= l.top - 2 && c.bottom <= l.bottom + 2))
          problems.push(`${name(el)}: hidden chip control ${r(c)} is not inside its label ${r(l)}`);
        continue;
      }
      const sameLine = c.top < l.bottom && l.top < c.bottom;
      const leftOf = c.right <= l.left + 1;
      const gap = l.left - c.right;
      if (!sameLine || !leftOf || gap > MAX_GAP)
        problems.push(`${name(el)} ${r(c)} is not just left of its label "${label.textContent.trim()}" ${r(l)}`);
      continue;
    }
    if (hiddenVisually(label)) continue;  // a visually hidden label: nothing to line up with
    if (compact && l.right <= c.left + 1 && c.top < l.bottom && l.top < c.bottom) continue;  // row form
    const field = el.closest('.field');
    let between = 0;
    if (field) for (const p of field.querySelectorAll(':scope > .hint, :scope > .error')) between += box(p).height + 8;
    if (!(l.bottom <= c.top + 1) || Math.abs(l.left - c.left) > 4 || c.top - l.bottom > between + 24)
      problems.push(`${name(el)} ${r(c)} is not directly below its label "${label.textContent.trim()}" ${r(l)}`);
  }
  return problems;
}
