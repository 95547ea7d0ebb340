// Shared by the dashboard (app.js) and the public page (public.js): translations from central (/api/i18n, built
// from assets/i18n/{ar,en}), the language switch (Arabic first, right to left), number and date formatting, a
// small DOM builder that never parses data as HTML, and fetch with the CSRF token.
'use strict';

const N = {
  lang: localStorage.getItem('nafitha.lang') === 'en' ? 'en' : 'ar',
  t: {},
  names: null,
  csrf: '',

  async loadText() {
    const r = await fetch('/api/i18n?lang=' + N.lang);
    N.t = await r.json();
    document.documentElement.lang = N.lang;
    document.documentElement.dir = N.lang === 'ar' ? 'rtl' : 'ltr';
  },

  tr(key, args) {
    let s = N.t[key] !== undefined ? N.t[key] : key;
    if (args) {
      s = N.plural(s, args);
      for (const [k, v] of Object.entries(args)) s = s.split('{' + k + '}').join(String(v));
    }
    return s;
  },

  // ICU-style plural messages, as in assets/i18n and central's locale/: "{n, plural, =0 {…} one {# …} other {# …}}".
  // The branch is chosen by Intl.PluralRules for the page's language (Arabic: zero, one, two, few, many, other) on
  // the number as it is shown (args.digits fraction digits at most), and # is that number in the page's digits.
  plural(pattern, args) {
    let out = '';
    let i = 0;
    for (;;) {
      const m = /\{\s*(\w+)\s*,\s*plural\s*,/g;
      m.lastIndex = i;
      const hit = m.exec(pattern);
      if (!hit || !(hit[1] in args)) { out += pattern.slice(i); return out; }
      out += pattern.slice(i, hit.index);
      // The branches: selector {text}, up to the plural's closing brace.
      const branches = {};
      let j = m.lastIndex;
      for (;;) {
        while (j < pattern.length && /\s/.test(pattern[j])) j++;
        if (pattern[j] === '}' || j >= pattern.length) { j++; break; }
        const sel = /^[=\w]+/.exec(pattern.slice(j))[0];
        j += sel.length;
        while (/\s/.test(pattern[j])) j++;
        let depth = 0;
        const start = j + 1;
        for (; j < pattern.length; j++) {
          if (pattern[j] === '{') depth++;
          else if (pattern[j] === '}' && --depth === 0) break;
        }
        branches[sel] = pattern.slice(start, j);
        j++;
      }
      const v = Number(args[hit[1]]);
      const digits = args.digits === undefined ? 0 : args.digits;
      const category = new Intl.PluralRules(N.locale(), {maximumFractionDigits: digits}).select(v);
      const text = branches['=' + v] !== undefined ? branches['=' + v] : (branches[category] !== undefined ? branches[category] : branches.other);
      out += (text || '').split('#').join(N.num(v, digits));
      i = j;
    }
  },

  // The name of a catalogue item (governorate, district, centre, entity, service) in the page's language.
  name(kind, code) {
    const item = N.names && N.names[kind] && N.names[kind][code];
    return item && item.name && item.name[N.lang] ? item.name[N.lang] : code;
  },

  locale() { return N.lang === 'ar' ? 'ar-SY' : 'en-GB'; },
  num(v, digits) {
    if (v === null || v === undefined) return '—';
    return new Intl.NumberFormat(N.locale(), {maximumFractionDigits: digits === undefined ? 0 : digits}).format(v);
  },
  // Digits inside a code-like label ("2026-12", "2026-W49") in the page's digits, without grouping.
  digits(text) {
    const f = new Intl.NumberFormat(N.locale(), {useGrouping: false});
    return String(text).replace(/[0-9]+/g, d => f.format(Number(d)).padStart(d.length, f.format(0)));
  },
  pct(v) {
    if (v === null || v === undefined) return '—';
    return new Intl.NumberFormat(N.locale(), {style: 'percent', maximumFractionDigits: 1}).format(v);
  },
  money(minor) {
    if (minor === null || minor === undefined) return '—';
    return new Intl.NumberFormat(N.locale(), {style: 'currency', currency: 'SYP', maximumFractionDigits: 0}).format(minor / 100);
  },
  // A duration in milliseconds in the unit that reads best: ms under a second, then seconds, minutes, hours, days.
  duration(ms) {
    if (ms === null || ms === undefined) return '—';
    if (Math.abs(ms) < 1000) return N.tr('web.unit.ms', {n: ms, digits: 0});
    if (Math.abs(ms) < 60000) return N.tr('web.unit.seconds', {n: ms / 1000, digits: 1});
    if (Math.abs(ms) < 3600000) return N.tr('web.unit.minutes', {n: ms / 60000, digits: 0});
    return N.hours(ms);
  },
  hours(ms) {
    if (ms === null || ms === undefined) return '—';
    const h = ms / 3600000;
    if (h >= 48) return N.days(h / 24, 1);
    return N.tr('web.unit.hours', {n: h, digits: 1});
  },
  // A number of days with its plural form (Arabic: يوم واحد، يومان، ٧ أيام، ١١ يومًا).
  days(n, digits) { return N.tr('web.unit.days', {n, digits: digits || 0}); },
  date(iso) {
    if (!iso) return '—';
    return new Intl.DateTimeFormat(N.locale(), {dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Damascus'}).format(new Date(iso));
  },

  // el('div', {class: 'x', onclick: f}, child, 'text', ...)
  el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (k === 'text') e.textContent = v;
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  },

  async api(path, options) {
    const o = Object.assign({credentials: 'same-origin', headers: {}}, options || {});
    if (o.method && o.method !== 'GET') {
      o.headers['Content-Type'] = 'application/json';
      o.headers['X-CSRF-Token'] = N.csrf;
    }
    const r = await fetch(path, o);
    let body = null;
    try { body = await r.json(); } catch (e) { body = null; }
    return {ok: r.ok, status: r.status, body};
  },

  errorText(res) {
    const code = res.body && res.body.error;
    return code ? N.tr(code) : N.tr('error.web.bad_request');
  },

  setupLanguage(rerender) {
    const b = document.getElementById('lang-switch');
    const label = () => { b.textContent = N.tr('web.lang.switch'); b.lang = N.lang === 'ar' ? 'en' : 'ar'; };
    label();
    b.addEventListener('click', async () => {
      N.lang = N.lang === 'ar' ? 'en' : 'ar';
      localStorage.setItem('nafitha.lang', N.lang);
      await N.loadText();
      label();
      rerender();
    });
  },
};
