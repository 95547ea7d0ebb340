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
    if (args) for (const [k, v] of Object.entries(args)) s = s.split('{' + k + '}').join(String(v));
    return s;
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
  pct(v) {
    if (v === null || v === undefined) return '—';
    return new Intl.NumberFormat(N.locale(), {style: 'percent', maximumFractionDigits: 1}).format(v);
  },
  money(minor) {
    if (minor === null || minor === undefined) return '—';
    return new Intl.NumberFormat(N.locale(), {style: 'currency', currency: 'SYP', maximumFractionDigits: 0}).format(minor / 100);
  },
  hours(ms) {
    if (ms === null || ms === undefined) return '—';
    const h = ms / 3600000;
    if (h >= 48) return N.tr('web.unit.days', {value: N.num(h / 24, 1)});
    return N.tr('web.unit.hours', {value: N.num(h, 1)});
  },
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
