// The dashboard, the entities compared and the back office (index.html). Everything the user reads comes from
// central's JSON API within the user's scope (enforced by central); every string from the translations.
'use strict';

const el = N.el;
const S = {
  me: null,
  tab: 'dashboard',
  from: '',
  to: '',
  period: 'month',
  drillMode: 'place',    // place: governorate > district > centre > terminal; entity: entity > service
  filters: [],           // [[dimension, value], ...] chosen while drilling down
  appStatus: 'open',
  drillMetric: 'applications', // the indicator the drill-down charts (any definition)
  charts: [],
};
const LEVELS = {place: ['governorate', 'district', 'centre', 'terminal'], entity: ['entity', 'service']};
const NAME_KIND = {governorate: 'governorates', district: 'districts', centre: 'centres', entity: 'entities', service: 'services'};
const CARDS = ['applications', 'decided', 'decision_median_ms', 'backlog', 'satisfaction_average', 'fees_collected_minor',
               'share_kiosk', 'collection_rate'];
const COLUMNS = ['applications', 'decided', 'decision_median_ms', 'decision_p90_ms', 'backlog', 'satisfaction_average',
                 'fees_collected_minor'];

// A date in the centres' local calendar (central counts local days, Asia/Damascus unless a centre says otherwise):
// between local and UTC midnight the UTC date is still yesterday's, and today's applications would be left out.
const LOCAL_DAY = new Intl.DateTimeFormat('en-CA', {timeZone: 'Asia/Damascus', year: 'numeric', month: '2-digit', day: '2-digit'});
function today(offsetDays) {
  return LOCAL_DAY.format(new Date(Date.now() + (offsetDays || 0) * 86400000));
}

function unitOf(id) {
  const d = (S.defs || []).find(x => x.id === id);
  return d ? d.unit : 'count';
}

function fmt(id, v) {
  switch (unitOf(id)) {
    case 'ms': return N.duration(v);
    case 'share': return N.pct(v);
    case 'minor': return N.money(v);
    case 'rating': return N.num(v, 2);
    case 'minutes': return v === null || v === undefined ? '—' : N.tr('web.unit.minutes', {n: v, digits: 0});
    case 'days': return v === null || v === undefined ? '—' : N.days(v, 1);
    default: return N.num(v);
  }
}

function dimValue(dim, v) {
  if (dim === 'channel') return N.tr('web.channel.' + v);
  if (NAME_KIND[dim]) return N.name(NAME_KIND[dim], v);
  return v;
}

function query(extra) {
  const p = new URLSearchParams();
  if (S.from) p.set('from', S.from);
  if (S.to) p.set('to', S.to);
  for (const [k, v] of Object.entries(extra || {})) if (v) p.set(k, v);
  return p;
}

function destroyCharts() {
  for (const c of S.charts) c.destroy();
  S.charts = [];
}

function chartDefaults() {
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.locale = N.locale();
  Chart.defaults.animation = false;
}

function csvLink(path, params) {
  const p = new URLSearchParams(params);
  p.set('format', 'csv');
  return el('a', {class: 'csv', href: path + '?' + p.toString(), download: 'nafitha.csv', text: N.tr('web.export.csv')});
}

// ---- Sign-in ----

function renderLogin(message) {
  document.title = N.tr('web.app.title');
  document.getElementById('app-title').textContent = N.tr('web.app.title');
  const main = document.getElementById('main');
  main.replaceChildren();
  const error = el('p', {class: 'error', role: 'alert', id: 'login-error', text: message || ''});
  const form = el('form', {class: 'card login', id: 'login-form'},
    el('h2', {text: N.tr('web.login.title')}),
    el('label', {for: 'login-name', text: N.tr('web.login.name')}),
    el('input', {id: 'login-name', name: 'name', autocomplete: 'username', required: true, dir: 'ltr'}),
    el('label', {for: 'login-password', text: N.tr('web.login.password')}),
    el('input', {id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true, dir: 'ltr'}),
    el('button', {type: 'submit', id: 'login-submit', text: N.tr('web.login.submit')}),
    error,
    el('p', {}, el('a', {href: '/public', text: N.tr('web.tab.public')})));
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    const res = await N.api('/api/login', {method: 'POST', body: JSON.stringify({
      name: form.elements.name.value, password: form.elements.password.value})});
    if (!res.ok) {
      error.textContent = N.errorText(res);
      return;
    }
    S.me = res.body;
    N.csrf = res.body.csrf;
    await start();
  });
  main.append(form);
  document.getElementById('logout').hidden = true;
  document.getElementById('who').textContent = '';
  document.getElementById('tabs').replaceChildren();
  document.body.dataset.ready = 'login';
}

// ---- Frame ----

function renderFrame() {
  document.title = N.tr('web.app.title');
  document.getElementById('app-title').textContent = N.tr('web.app.title');
  const tabs = ['dashboard', 'entities'];
  if (S.me.role === 'entity' || S.me.role === 'centre') tabs.push('backoffice');
  const nav = document.getElementById('tabs');
  nav.replaceChildren(...tabs.map(t => el('button', {
    type: 'button', id: 'tab-' + t, class: t === S.tab ? 'tab active' : 'tab', 'aria-pressed': t === S.tab ? 'true' : 'false',
    text: N.tr('web.tab.' + t), onclick: () => { S.tab = t; render(); }})),
    el('a', {class: 'tab', href: '/public', text: N.tr('web.tab.public')}));
  const scope = S.me.role === 'entity' ? ' — ' + N.name('entities', S.me.entity)
              : S.me.role === 'centre' ? ' — ' + N.name('centres', S.me.centre) : '';
  document.getElementById('who').textContent = S.me.name + ' (' + N.tr('web.user.role.' + S.me.role) + scope + ')';
  const logout = document.getElementById('logout');
  logout.hidden = false;
  logout.textContent = N.tr('web.logout');
}

function periodControls(onApply) {
  const from = el('input', {type: 'date', id: 'from', value: S.from, 'aria-label': N.tr('web.period.from')});
  const to = el('input', {type: 'date', id: 'to', value: S.to, 'aria-label': N.tr('web.period.to')});
  const by = el('select', {id: 'period-by', 'aria-label': N.tr('web.period.by')},
    ['day', 'week', 'month', 'quarter', 'year'].map(p => el('option', {value: p, selected: p === S.period, text: N.tr('web.period.' + p)})));
  return el('form', {class: 'controls', onsubmit: ev => {
      ev.preventDefault();
      S.from = from.value; S.to = to.value; S.period = by.value;
      onApply();
    }},
    el('label', {for: 'from', text: N.tr('web.period.from')}), from,
    el('label', {for: 'to', text: N.tr('web.period.to')}), to,
    el('label', {for: 'period-by', text: N.tr('web.period.by')}), by,
    el('button', {type: 'submit', id: 'apply', text: N.tr('web.period.apply')}));
}

// ---- Dashboard ----

async function renderDashboard(main) {
  main.append(periodControls(render));
  const cards = el('section', {class: 'cards', id: 'cards', 'aria-label': N.tr('web.tab.dashboard')});
  const chartBox = el('section', {class: 'card chart'}, el('h2', {text: N.tr('web.chart.applications_by_period')}),
    el('div', {class: 'chart-wrap'}, el('canvas', {id: 'chart-period', role: 'img', 'aria-label': N.tr('web.chart.applications_by_period')})));
  const drill = el('section', {class: 'card', id: 'drill'});
  const all = el('section', {class: 'card', id: 'all-indicators'}, el('h2', {text: N.tr('web.all.title')}));
  // Terminals' states now (not for an entity's users: a terminal serves every entity), the survey reasons ranked,
  // and the money: cash differences from the drawers' Z reports by centre (not split by entity), cost per
  // transaction where costs are given (by entity; a centre's users: their centre's).
  const role = S.me.role;
  const terminalsBox = role === 'entity' ? null : el('section', {class: 'card', id: 'terminals'}, el('h2', {text: N.tr('web.terminals.title')}));
  const reasonsBox = el('section', {class: 'card', id: 'reasons'}, el('h2', {text: N.tr('web.reasons.title')}));
  const money = el('section', {class: 'card', id: 'money'}, el('h2', {text: N.tr('web.money.title')}));
  main.append(cards, chartBox, drill, el('div', {class: 'side-by-side'}, terminalsBox, reasonsBox), money, all);

  const [total, byPeriod, byCentre, byEntity, terminals] = await Promise.all([
    N.api('/api/indicators?' + query()),
    N.api('/api/indicators?' + query({by: S.period})),
    role === 'entity' ? null : N.api('/api/indicators?' + query({by: 'centre'})),
    role === 'centre' ? null : N.api('/api/indicators?' + query({by: 'entity'})),
    role === 'entity' ? null : N.api('/api/terminals'),
  ]);
  if (!total.ok) { handleError(total); return; }
  const row = total.body[0] || {};
  cards.replaceChildren(...CARDS.map(id => el('div', {class: 'metric', 'data-indicator': id},
    el('span', {class: 'metric-name', text: N.tr('indicator.' + id)}),
    el('span', {class: 'metric-value', text: fmt(id, row[id] === undefined ? null : row[id])}))));
  all.append(allIndicators(row), csvLink('/api/indicators', query()));
  if (terminalsBox) terminalsBox.append(...terminalStates(terminals));
  reasonsBox.append(topReasons(row));
  if (byCentre) {
    money.append(el('h3', {text: N.tr('web.money.cash')}));
    money.append(byCentre.ok && byCentre.body.length
      ? table('cash-table', ['centre', 'z_reports', 'z_reports_with_difference', 'cash_difference_minor', 'cash_difference_abs_minor',
                             'cost_per_transaction_minor'], byCentre.body, null)
      : el('p', {text: N.tr('web.empty')}));
    money.append(csvLink('/api/indicators', query({by: 'centre'})));
  }
  if (byEntity) {
    money.append(el('h3', {text: N.tr('web.money.cost')}));
    money.append(byEntity.ok && byEntity.body.length
      ? table('cost-table', ['entity', 'applications', 'cost_per_transaction_minor'], byEntity.body, null)
      : el('p', {text: N.tr('web.empty')}));
    money.append(csvLink('/api/indicators', query({by: 'entity'})));
  }
  money.append(el('p', {class: 'hint', text: N.tr('web.money.hint')}));
  if (byPeriod.ok) {
    const rows = byPeriod.body;
    S.charts.push(new Chart(document.getElementById('chart-period'), {
      type: 'bar',
      data: {labels: rows.map(r => N.digits(r[S.period])),
             datasets: [{label: N.tr('indicator.applications_kiosk'), data: rows.map(r => r.applications_kiosk), backgroundColor: '#0b6e4f'},
                        {label: N.tr('indicator.applications_counter'), data: rows.map(r => r.applications_counter), backgroundColor: '#c08a1e'}]},
      options: {maintainAspectRatio: false, scales: {x: {stacked: true, reverse: N.lang === 'ar'},
                                                    y: {stacked: true, position: N.lang === 'ar' ? 'right' : 'left', beginAtZero: true,
                                                        ticks: {precision: 0, callback: v => N.num(v)}}},
                plugins: {legend: {rtl: N.lang === 'ar'}, tooltip: {rtl: N.lang === 'ar'}}},
    }));
  }
  await renderDrill(drill);
}

async function renderDrill(box) {
  const levels = LEVELS[S.drillMode];
  const depth = Math.min(S.filters.length, levels.length - 1);
  const dim = levels[depth];
  const params = {by: dim};
  for (const [d, v] of S.filters) params['f.' + d] = v;
  const res = await N.api('/api/indicators?' + query(params));
  box.replaceChildren();
  box.append(el('h2', {text: N.tr('web.drill.title')}));
  box.append(el('div', {class: 'modes', role: 'group'},
    ['place', 'entity'].map(m => el('button', {type: 'button', id: 'drill-mode-' + m, class: m === S.drillMode ? 'tab active' : 'tab',
      'aria-pressed': m === S.drillMode ? 'true' : 'false',
      text: N.tr(m === 'place' ? 'web.drill.by_place' : 'web.drill.by_entity'),
      onclick: () => { S.drillMode = m; S.filters = []; render(); }}))));
  const crumbs = [el('button', {type: 'button', class: 'crumb', id: 'crumb-all', text: N.tr('web.drill.all'),
                                onclick: () => { S.filters = []; render(); }})];
  S.filters.forEach(([d, v], i) => crumbs.push(' › ', el('button', {type: 'button', class: 'crumb', id: 'crumb-' + d,
    text: N.tr('web.dim.' + d) + ': ' + dimValue(d, v), onclick: () => { S.filters = S.filters.slice(0, i + 1); render(); }})));
  box.append(el('nav', {class: 'crumbs', 'aria-label': N.tr('web.drill.title')}, crumbs));
  if (!res.ok) { box.append(el('p', {class: 'error', text: N.errorText(res)})); return; }
  const rows = res.body;
  if (!rows.length) { box.append(el('p', {text: N.tr('web.empty')})); return; }
  const canDrill = depth < levels.length - 1;
  box.append(el('p', {class: 'hint', text: canDrill ? N.tr('web.drill.hint') : ''}));
  const metricIds = (S.defs || []).map(d => d.id);
  const metric = metricIds.includes(S.drillMetric) ? S.drillMetric : 'applications';
  const pick = el('select', {id: 'drill-metric', onchange: ev => { S.drillMetric = ev.target.value; render(); }},
    metricIds.map(id => el('option', {value: id, selected: id === metric, text: N.tr('indicator.' + id)})));
  box.append(el('div', {class: 'controls'}, el('label', {for: 'drill-metric', text: N.tr('web.drill.metric')}), pick));
  const canvas = el('canvas', {id: 'chart-drill', role: 'img', 'aria-label': N.tr('web.chart.drill', {metric: N.tr('indicator.' + metric), level: N.tr('web.dim.' + dim)})});
  box.append(el('div', {class: 'chart-wrap short'}, canvas));
  const columns = COLUMNS.includes(metric) ? COLUMNS : [...COLUMNS, metric];
  box.append(table('drill-table', [dim, ...columns], rows, (r) => canDrill ? () => {
    S.filters = [...S.filters, [dim, r[dim]]]; render(); } : null));
  box.append(csvLink('/api/indicators', query(params)));
  const rtl = N.lang === 'ar';
  S.charts.push(new Chart(canvas, {
    type: 'bar',
    data: {labels: rows.map(r => dimValue(dim, r[dim])),
           datasets: [{label: N.tr('indicator.' + metric), backgroundColor: '#0b6e4f',
                       data: rows.map(r => (r[metric] === undefined ? null : r[metric]))}]},
    options: {maintainAspectRatio: false,
              scales: {x: {reverse: rtl}, y: {position: rtl ? 'right' : 'left', beginAtZero: true,
                                                  ticks: {precision: unitOf(metric) === 'count' ? 0 : undefined, callback: v => fmt(metric, v)}}},
              plugins: {legend: {rtl}, tooltip: {rtl, callbacks: {label: c => fmt(metric, c.raw)}}}},
  }));
}

// The terminals' states now: how many in each, then a row per terminal (its centre, state, last exchange with
// central, entries waiting to be sent, why it is out of service).
const STATES = ['online', 'sending', 'offline', 'broken', 'unknown'];
function terminalStates(res) {
  if (!res.ok) return [el('p', {class: 'error', text: N.errorText(res)})];
  const rows = res.body.slice().sort((a, b) => STATES.indexOf(a.state) - STATES.indexOf(b.state) || a.terminal.localeCompare(b.terminal));
  const counts = STATES.filter(st => rows.some(r => r.state === st))
    .map(st => el('span', {class: 'state state-' + st, 'data-state': st},
                   N.tr('central.terminal.state.' + st) + ': ' + N.num(rows.filter(r => r.state === st).length)));
  const head = el('tr', {}, ['web.dim.terminal', 'web.dim.centre', 'web.terminals.state', 'web.terminals.last', 'web.terminals.pending']
    .map(k => el('th', {scope: 'col', text: N.tr(k)})));
  const body = rows.map(r => el('tr', {'data-terminal': r.terminal, 'data-state': r.state},
    el('th', {scope: 'row'}, el('bdi', {dir: 'ltr', text: r.terminal})),
    el('td', {text: N.name('centres', r.centre)}),
    el('td', {}, el('span', {class: 'state state-' + r.state, text: N.tr('central.terminal.state.' + r.state)})),
    el('td', {text: N.date(r.last_exchange)}),
    el('td', {text: N.num(r.pending)})));
  return [el('p', {class: 'states', id: 'terminal-summary'}, counts),
          rows.length ? el('div', {class: 'table-wrap'}, el('table', {id: 'terminals-table'}, el('thead', {}, head), el('tbody', {}, body)))
                      : el('p', {text: N.tr('web.empty')}),
          csvLink('/api/terminals', {})];
}

// The reasons citizens named in their surveys, most named first (the reason_<code>_share indicators of the
// definitions: surveys naming it over the surveys with a rating).
function topReasons(row) {
  const ranked = (S.defs || []).map(d => d.id.match(/^reason_(.+)_share$/)).filter(m => m)
    .map(m => ({code: m[1], id: m[0], share: row[m[0]]}))
    .filter(r => r.share !== null && r.share !== undefined)
    .sort((a, b) => b.share - a.share || a.code.localeCompare(b.code));
  if (!ranked.length || ranked.every(r => r.share === 0)) return el('p', {text: N.tr('web.empty')});
  const head = el('tr', {}, ['web.rank', 'web.reasons.reason', 'web.reasons.share'].map(k => el('th', {scope: 'col', text: N.tr(k)})));
  const body = ranked.map((r, i) => el('tr', {'data-reason': r.code},
    el('th', {scope: 'row', text: N.num(i + 1)}),
    el('td', {text: N.tr('ui.survey.reason.' + r.code)}),
    el('td', {text: N.pct(r.share)})));
  return el('div', {class: 'table-wrap'}, el('table', {id: 'reasons-table'}, el('thead', {}, head), el('tbody', {}, body)));
}

// Every indicator of the definitions (the built-in set and whatever central was given), in their order, with its
// value over the period formatted by its unit (null: no value), its target and which direction is better.
function allIndicators(row) {
  const head = el('tr', {}, ['web.all.indicator', 'web.all.value', 'web.all.target', 'web.all.direction']
    .map(k => el('th', {scope: 'col', text: N.tr(k)})));
  const body = (S.defs || []).map(d => el('tr', {'data-indicator': d.id},
    el('th', {scope: 'row', text: N.tr('indicator.' + d.id)}),
    el('td', {text: fmt(d.id, row[d.id] === undefined ? null : row[d.id])}),
    el('td', {text: d.target === undefined ? '' : fmt(d.id, d.target)}),
    el('td', {text: N.tr('web.direction.' + (d.direction || 'none'))})));
  return el('div', {class: 'table-wrap'}, el('table', {id: 'all-table'}, el('thead', {}, head), el('tbody', {}, body)));
}

function table(id, columns, rows, drillFor) {
  const head = el('tr', {}, columns.map(c => el('th', {scope: 'col', text: N.tr(NAME_KIND[c] || c === 'terminal' || c === 'channel' || c === 'rank' ? (c === 'rank' ? 'web.rank' : 'web.dim.' + c) : 'indicator.' + c)})));
  const body = rows.map(r => el('tr', {}, columns.map((c, i) => {
    if (i === 0) {
      const label = c === 'rank' ? N.num(r.rank) : dimValue(c, r[c]);
      const go = drillFor ? drillFor(r) : null;
      return el('th', {scope: 'row'}, go ? el('button', {type: 'button', class: 'link', 'data-drill': r[c], onclick: go, text: label}) : label);
    }
    return el('td', {text: NAME_KIND[c] ? dimValue(c, r[c]) : fmt(c, r[c] === undefined ? null : r[c])});
  })));
  return el('div', {class: 'table-wrap'}, el('table', {id}, el('thead', {}, head), el('tbody', {}, body)));
}

// ---- Entities compared ----

async function renderEntities(main) {
  main.append(periodControls(render));
  const res = await N.api('/api/indicators?' + query({by: 'entity'}));
  if (!res.ok) { handleError(res); return; }
  const rows = res.body.slice().sort((a, b) => (b.applications || 0) - (a.applications || 0));
  rows.forEach((r, i) => { r.rank = i + 1; });
  const names = rows.map(r => N.name('entities', r.entity));
  const box1 = el('section', {class: 'card chart'}, el('h2', {text: N.tr('web.chart.entities_applications')}),
    el('div', {class: 'chart-wrap'}, el('canvas', {id: 'chart-entities', role: 'img', 'aria-label': N.tr('web.chart.entities_applications')})));
  const box2 = el('section', {class: 'card chart'}, el('h2', {text: N.tr('web.chart.entities_decision')}),
    el('div', {class: 'chart-wrap'}, el('canvas', {id: 'chart-entities-decision', role: 'img', 'aria-label': N.tr('web.chart.entities_decision')})));
  const side = el('div', {class: 'side-by-side'}, box1, box2);
  const list = el('section', {class: 'card'}, el('h2', {text: N.tr('web.tab.entities')}),
    rows.length ? table('entities-table', ['rank', 'entity', ...COLUMNS], rows, null) : el('p', {text: N.tr('web.empty')}),
    csvLink('/api/indicators', query({by: 'entity'})));
  main.append(side, list);
  const rtl = N.lang === 'ar';
  const bar = (canvas, label, data, colour) => new Chart(document.getElementById(canvas), {
    type: 'bar', data: {labels: names, datasets: [{label, data, backgroundColor: colour}]},
    options: {indexAxis: 'y', maintainAspectRatio: false, scales: {x: {reverse: rtl}, y: {position: rtl ? 'right' : 'left'}},
              plugins: {legend: {display: false}, tooltip: {rtl}}}});
  S.charts.push(bar('chart-entities', N.tr('indicator.applications'), rows.map(r => r.applications), '#0b6e4f'));
  S.charts.push(bar('chart-entities-decision', N.tr('web.chart.entities_decision'),
    rows.map(r => r.decision_median_ms === null ? null : Math.round(r.decision_median_ms / 36000) / 100), '#1f5f99'));
}

// ---- Back office ----

async function renderBackoffice(main) {
  const status = el('select', {id: 'app-status', 'aria-label': N.tr('web.apps.filter'), onchange: ev => { S.appStatus = ev.target.value; render(); }},
    ['open', 'approved', 'rejected', 'ready', 'delivered', ''].map(s => el('option', {value: s, selected: s === S.appStatus,
      text: s ? N.tr('web.status.' + s) : N.tr('web.drill.all')})));
  const list = el('section', {class: 'card', id: 'apps'}, el('h2', {text: N.tr('web.apps.title')}),
    el('div', {class: 'controls'}, el('label', {for: 'app-status', text: N.tr('web.apps.filter')}), status));
  const detail = el('section', {class: 'card', id: 'app-detail', hidden: true});
  main.append(el('div', {class: 'side-by-side'}, list, detail));
  const res = await N.api('/api/applications?status=' + encodeURIComponent(S.appStatus));
  if (!res.ok) { list.append(el('p', {class: 'error', text: N.errorText(res)})); return; }
  if (!res.body.length) { list.append(el('p', {text: N.tr('web.apps.none')})); return; }
  const rows = res.body.map(a => el('tr', {},
    el('th', {scope: 'row'}, el('button', {type: 'button', class: 'link', 'data-reference': a.reference,
      onclick: () => openApplication(detail, a.terminal, a.reference)}, el('bdi', {dir: 'ltr', class: 'ref', text: a.reference}))),
    el('td', {text: N.name('services', a.service)}),
    el('td', {text: N.name('centres', a.centre)}),
    el('td', {text: N.tr('web.status.' + a.status)}),
    el('td', {text: N.date(a.submitted)})));
  list.append(el('div', {class: 'table-wrap'}, el('table', {id: 'apps-table'},
    el('thead', {}, el('tr', {}, ['web.apps.reference', 'web.dim.service', 'web.dim.centre', 'web.apps.status', 'web.apps.submitted']
      .map(k => el('th', {scope: 'col', text: N.tr(k)})))),
    el('tbody', {}, rows))));
  list.append(csvLink('/api/applications', {status: S.appStatus}));
}

async function openApplication(box, terminal, reference) {
  const res = await N.api('/api/application?terminal=' + encodeURIComponent(terminal) + '&reference=' + encodeURIComponent(reference));
  box.hidden = false;
  box.replaceChildren(el('h2', {}, N.tr('web.app.detail') + ' ', el('bdi', {dir: 'ltr', class: 'ref', text: reference})));
  if (!res.ok) { box.append(el('p', {class: 'error', role: 'alert', text: N.errorText(res)})); return; }
  const a = res.body;
  const dl = el('dl', {class: 'facts'},
    [['web.dim.service', N.name('services', a.service)], ['web.dim.entity', N.name('entities', a.entity)],
     ['web.dim.centre', N.name('centres', a.centre)], ['web.dim.terminal', el('bdi', {dir: 'ltr', text: a.terminal})],
     ['web.app.channel', N.tr('web.channel.' + a.channel)], ['web.apps.submitted', N.date(a.submitted)],
     ['web.apps.status', N.tr('web.status.' + a.status)], ['web.app.fee', N.money(a.fee_minor)], ['web.app.paid', N.money(a.paid_minor)],
     ['web.app.exemption', a.exemption || '—']].map(([k, v]) => [el('dt', {text: N.tr(k)}), el('dd', {}, v)]));
  box.append(dl, el('p', {class: 'hint', text: N.tr('web.app.form_values_note')}));
  box.append(el('h3', {text: N.tr('web.app.history')}),
    el('ol', {class: 'history'}, a.history.map(h => el('li', {},
      N.tr('web.status.' + h.status) + ' — ' + N.date(h.time) + (h.actor ? ' — ' + N.tr('web.app.actor') + ' ' + actor(h.actor) : '')))));
  if (S.me.role === 'entity') box.append(decisionForm(a, box));
}

function actor(a) {
  if (a === 'kiosk' || a === 'central') return N.tr('web.actor.' + a);
  const staff = /^staff:(\d+)$/.exec(a);
  return staff ? N.tr('web.actor.staff', {value: N.num(Number(staff[1]))}) : a;
}

function decisionForm(a, box) {
  const choices = [];
  if (a.status === 'submitted' || a.status === 'paid' || a.status === 'in_review') choices.push(['approved', 'web.decide.approve'], ['rejected', 'web.decide.reject']);
  if (a.status === 'approved') choices.push(['ready', 'web.decide.ready']);
  if (!choices.length) return el('div');
  const message = el('p', {role: 'status', id: 'decide-message'});
  const reason = el('select', {id: 'decide-reason', name: 'reason'});
  const note = el('textarea', {id: 'decide-note', name: 'note', maxlength: '500', rows: '3'});
  const reasonRow = el('div', {class: 'field'}, el('label', {for: 'decide-reason', text: N.tr('web.decide.reason')}), reason);
  const fillReasons = (decision) => {
    const list = S.reasons.filter(r => r.decision === decision);
    reasonRow.hidden = list.length === 0;
    reason.replaceChildren(el('option', {value: '', text: N.tr('web.decide.choose_reason')}),
      ...list.map(r => el('option', {value: r.code, text: N.tr('decision.reason.' + r.code)})));
  };
  const radios = el('fieldset', {class: 'choices'}, el('legend', {text: N.tr('web.decide.title')}),
    choices.map(([v, k], i) => el('label', {}, el('input', {type: 'radio', name: 'status', value: v, id: 'decide-' + v, checked: i === 0,
      onchange: () => fillReasons(v)}), ' ', N.tr(k))));
  fillReasons(choices[0][0]);
  const form = el('form', {class: 'decide', id: 'decide-form'}, radios, reasonRow,
    el('div', {class: 'field'}, el('label', {for: 'decide-note', text: N.tr('web.decide.note')}), note),
    el('button', {type: 'submit', id: 'decide-submit', text: N.tr('web.decide.submit')}), message);
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    const status = form.elements.status.value;
    const res = await N.api('/api/decide', {method: 'POST', body: JSON.stringify({
      terminal: a.terminal, reference: a.reference, status, reason: reason.value, note: note.value})});
    if (!res.ok) { message.className = 'error'; message.textContent = N.errorText(res); return; }
    message.className = 'ok';
    message.textContent = N.tr('web.decide.done');
    document.body.dataset.decided = a.reference;
  });
  return form;
}

function handleError(res) {
  if (res.status === 401) { renderLogin(N.errorText(res)); return; }
  const main = document.getElementById('main');
  main.append(el('p', {class: 'error', role: 'alert', text: N.errorText(res)}));
}

async function render() {
  destroyCharts();
  document.body.dataset.ready = '';
  const main = document.getElementById('main');
  main.replaceChildren();
  renderFrame();
  chartDefaults();
  if (S.tab === 'entities') await renderEntities(main);
  else if (S.tab === 'backoffice') await renderBackoffice(main);
  else await renderDashboard(main);
  document.body.dataset.ready = S.tab;
}

async function start() {
  const defs = await N.api('/api/definitions');
  if (!defs.ok) { renderLogin(); return; }
  S.defs = defs.body.indicators;
  S.reasons = defs.body.reasons;
  if (!S.from) { S.from = today(-365); S.to = today(0); }
  await render();
}

async function boot() {
  await N.loadText();
  const names = await fetch('/api/names');
  N.names = await names.json();
  N.setupLanguage(() => S.me ? render() : renderLogin());
  document.getElementById('logout').addEventListener('click', async () => {
    await N.api('/api/logout', {method: 'POST', body: '{}'});
    S.me = null;
    N.csrf = '';
    destroyCharts();
    renderLogin();
  });
  const me = await N.api('/api/me');
  if (!me.ok) { renderLogin(); return; }
  S.me = me.body;
  N.csrf = me.body.csrf;
  await start();
}

boot();
