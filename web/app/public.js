// The public transparency page (/public, no sign-in): per service the median time to decision, the share decided
// within the published time and satisfaction, in Arabic or English, with the same figures as open-data CSV.
'use strict';

const el = N.el;
// The period of the figures: central's /api/public answers for the last 365 local days (central/front/web_api.cpp).
const PUBLIC_DAYS = 365;

async function render() {
  document.body.dataset.ready = '';
  document.title = N.tr('web.public.title');
  document.getElementById('app-title').textContent = N.tr('web.app.name');
  document.getElementById('staff-link').textContent = N.tr('web.public.login');
  const main = document.getElementById('main');
  main.replaceChildren();
  const res = await fetch('/api/public');
  const rows = res.ok ? await res.json() : [];
  main.append(el('section', {class: 'card'},
    el('h2', {text: N.tr('web.public.title')}),
    el('p', {id: 'public-intro', text: N.tr('web.public.intro') + ' ' + N.tr('web.public.period', {n: PUBLIC_DAYS})}),
    rows.length === 0 ? el('p', {text: N.tr('web.empty')}) : el('div', {class: 'table-wrap'}, el('table', {id: 'public-table'},
      el('thead', {}, el('tr', {}, ['web.public.service', 'web.public.applications', 'web.public.median', 'web.public.published',
        'web.public.within', 'web.public.satisfaction', 'web.public.ratings'].map(k => el('th', {scope: 'col', text: N.tr(k)})))),
      el('tbody', {}, rows.map(r => el('tr', {},
        el('th', {scope: 'row', text: N.lang === 'ar' ? r.name_ar : r.name_en}),
        el('td', {text: N.num(r.applications)}),
        el('td', {text: r.median_decision_hours === null ? N.tr('web.public.no_value') : N.duration(r.median_decision_hours * 3600000)}),
        el('td', {text: r.published_days === 0 ? N.tr('web.public.same_day') : N.days(r.published_days)}),
        el('td', {text: N.pct(r.within_published_share)}),
        el('td', {text: N.num(r.satisfaction_average, 2)}),
        el('td', {text: N.num(r.ratings)}))))))),
    el('p', {}, el('a', {class: 'csv', id: 'open-data', href: '/public.csv', download: 'nafitha-open-data.csv', text: N.tr('web.public.csv')})));
  document.body.dataset.ready = 'public';
}

async function boot() {
  await N.loadText();
  N.setupLanguage(render);
  await render();
}

boot();
