import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { ApiError, clearToken, get, put, setToken, takeTokenFromUrl, token } from './api.js';
import { add, compare, share } from './decimal.js';
import { ago, monthStart, nextMonthStart, nowSeconds, previousMonths, todayStart, tomorrowStart, utcMonth } from './time.js';

const REFRESH_MS = 5000; // while any window in view is OPEN
const KINDS = ['distributor', 'partner', 'tenant', 'subscription'];
const PLURAL = { distributor: 'distributors', partner: 'partners', tenant: 'tenants', subscription: 'subscriptions' };
const CHILD = { distributor: 'partner', partner: 'tenant', tenant: 'subscription' };
const PARENT_FIELD = { partner: 'distributorId', tenant: 'partnerId', subscription: 'tenantId' };

const main = document.getElementById('main');
let me = null;
let view = null; // {kind, id, timer, charts, lastUpdated, sort}

// ---------- small DOM helpers ----------
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const badge = (status) => h('span', { class: 'badge ' + String(status).toLowerCase(), 'data-status': status }, status);
/**
 * When a window's values were last written by the pipeline (the API's updatedAt): "written 3 s ago", the exact
 * time in the element's datetime and title; refreshWritten() keeps the wording current between refreshes.
 */
const written = (updatedAt) => updatedAt
  ? h('time', { class: 'written hint', datetime: updatedAt, title: 'values last written ' + updatedAt.replace('T', ' ') },
    'written ' + ago(updatedAt))
  : null;
function refreshWritten() {
  document.querySelectorAll('time.written').forEach((t) => { t.textContent = 'written ' + ago(t.getAttribute('datetime')); });
}
const section = (id, title, ...body) => h('section', { id, class: 'card', 'aria-labelledby': id + '-h' },
  h('h2', { id: id + '-h' }, title), ...body);

function errorBox(e) {
  return h('p', { class: 'error', role: 'alert' }, e instanceof ApiError ? e.message : String(e));
}

// ---------- sign in ----------
function signIn(message) {
  stopView();
  document.getElementById('search').hidden = true;
  document.getElementById('signout').hidden = true;
  document.getElementById('whoami').textContent = '';
  const input = h('textarea', { id: 'signin-token', rows: 4, required: true, 'aria-describedby': 'signin-help' });
  const form = h('form', { id: 'signin', class: 'card narrow', onsubmit: (ev) => {
    ev.preventDefault();
    setToken(input.value);
    start();
  } },
  h('h2', {}, 'Sign in'),
  message ? h('p', { class: 'error', role: 'alert' }, message) : null,
  h('label', { for: 'signin-token' }, 'Access token'),
  input,
  h('p', { id: 'signin-help', class: 'hint' }, 'Paste a token (infra/bin/run prints one per role, with a ready sign-in link). It is kept for this browser tab only.'),
  h('button', { id: 'signin-submit', type: 'submit' }, 'Sign in'));
  main.replaceChildren(form);
  input.focus();
}

window.addEventListener('cms-unauthorized', () => {
  clearToken();
  signIn('Your token was refused (missing, expired or not valid here). Sign in again.');
});

document.getElementById('signout').addEventListener('click', () => {
  clearToken();
  signIn();
});

document.getElementById('search').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const id = document.getElementById('search-id').value.trim();
  if (id) location.hash = '#/' + document.getElementById('search-kind').value + '/' + encodeURIComponent(id);
});

let starts = 0;

async function start() {
  const mine = ++starts; // a newer sign-in (another link) wins over one still waiting for the API
  takeTokenFromUrl();
  if (!token()) return signIn();
  let who;
  try {
    who = await get('/v1/me');
  } catch (e) {
    if (mine === starts && !(e instanceof ApiError && e.status === 401)) signIn('Could not reach the API: ' + e.message);
    return;
  }
  if (mine !== starts) return;
  me = who;
  // /v1/me names the user, its role (admin or viewer) and its node's level; the forms follow the level
  me.layer = me.level === 'platform' ? 'platform-admin' : me.level;
  me.writes = me.role === 'admin';
  document.getElementById('whoami').textContent =
    'Signed in as ' + me.user + ' (' + me.role + ', ' + me.level + (me.org ? ' ' + me.org : '') + ')';
  document.getElementById('search').hidden = false;
  document.getElementById('signout').hidden = false;
  route();
}

let resizeTimer = null;
window.addEventListener('resize', () => {
  // the charts are drawn at the width they have: draw them again at the new one
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => { if (view && view.data) renderData(view); }, 150);
});

window.addEventListener('hashchange', () => {
  // a sign-in link opened in a tab that already shows the page is a same-document navigation
  if (/(?:^#|&)token=/.test(location.hash)) start();
  else if (me && token()) route();
});

function route() {
  const m = location.hash.match(/^#\/(distributor|partner|tenant|subscription)\/([^/]+)$/);
  if (m) return showNode(m[1], decodeURIComponent(m[2]));
  if (!me.scope.all) {
    location.hash = '#/' + me.scope.level.toLowerCase() + '/' + encodeURIComponent(me.scope.id);
    return;
  }
  showHome();
}

function stopView() {
  if (view) {
    clearInterval(view.timer);
    clearInterval(view.ticker);
    (view.charts || []).forEach((c) => c.destroy());
  }
  view = null;
}

// ---------- platform home (no single root node to show) ----------
function showHome() {
  stopView();
  main.replaceChildren(
    section('home', 'Platform',
      h('p', {}, 'The platform reaches every distributor. Open one by id with the search above (kind distributor), e.g. the demo ids infra/bin/run prints.')),
    ...[adminSection(null, null)].filter(Boolean));
  main.focus();
}

// ---------- a node ----------
async function showNode(kind, id) {
  stopView();
  view = { kind, id, charts: [], lastUpdated: null, sort: { key: 'spend', dir: -1 } };
  const mine = view;
  main.replaceChildren(h('p', { class: 'hint', role: 'status' }, 'Loading ' + kind + ' ' + id + ' …'));
  let node;
  try {
    node = await get('/v1/' + PLURAL[kind] + '/' + encodeURIComponent(id));
  } catch (e) {
    if (view !== mine) return;
    main.replaceChildren(section('missing', 'Not found', e instanceof ApiError && e.status === 404
      ? h('p', { role: 'alert' }, 'No ' + kind + ' "' + id + '" in your part of the channel.') : errorBox(e)));
    return;
  }
  const crumbs = await breadcrumbs(kind, node);
  if (view !== mine) return;
  view.node = node;
  const updated = h('span', { id: 'updated-ago', class: 'hint', 'aria-live': 'off' }, '');
  main.replaceChildren(
    h('nav', { 'aria-label': 'Breadcrumbs', class: 'crumbs' }, h('ol', {}, crumbs)),
    h('div', { class: 'title' },
      h('h2', { id: 'node-title', 'data-kind': kind, 'data-id': id }, kind + ' ', h('strong', {}, id),
        node.name ? ' — ' + node.name : ''), badge(node.status), updated),
    h('div', { id: 'data' }),
    billingSection(kind, id),
    // replaceChildren writes a null as the text "null": a node without administration has no section
    ...[adminSection(kind, node)].filter(Boolean));
  main.focus();
  await refresh(mine);
  view.timer = setInterval(() => {
    if (document.visibilityState === 'visible' && view === mine && mine.anyOpen !== false) refresh(mine);
  }, REFRESH_MS);
  view.ticker = setInterval(() => {
    if (mine.lastUpdated) {
      const s = Math.round((Date.now() - mine.lastUpdated) / 1000);
      updated.textContent = 'updated ' + s + ' s ago' + (mine.anyOpen ? ' · refreshing every ' + REFRESH_MS / 1000 + ' s' : ' · all FINAL');
    }
    refreshWritten();
  }, 1000);
}

async function breadcrumbs(kind, node) {
  const chain = [{ kind, id: node.id }];
  let k = kind, n = node;
  while (PARENT_FIELD[k] && n[PARENT_FIELD[k]]) {
    const pk = KINDS[KINDS.indexOf(k) - 1];
    const pid = n[PARENT_FIELD[k]];
    chain.unshift({ kind: pk, id: pid });
    try { n = await get('/v1/' + PLURAL[pk] + '/' + encodeURIComponent(pid)); } catch { break; }
    k = pk;
  }
  if (me.scope.all) chain.unshift({ home: true });
  return chain.map((c, i) => h('li', {}, i === chain.length - 1
    ? h('span', { 'aria-current': 'page' }, c.kind + ' ' + c.id)
    : h('a', { href: c.home ? '#/' : '#/' + c.kind + '/' + encodeURIComponent(c.id) }, c.home ? 'platform' : c.kind + ' ' + c.id)));
}

function usageUrl(kind, id, granularity, from, to, breakdown) {
  return '/v1/usage/' + kind + '/' + encodeURIComponent(id) + '?granularity=' + granularity + '&from=' + from + '&to=' + to
    + (breakdown ? '&breakdown=' + breakdown : '');
}

async function refresh(mine) {
  const { kind, id } = mine;
  const month = utcMonth();
  const from = monthStart(month), to = nextMonthStart(month);
  const hasChildren = kind !== 'subscription';
  try {
    const [monthly, hourly, daily, children] = await Promise.all([
      get(usageUrl(kind, id, 'MONTH', from, to, hasChildren ? 'meter,child' : 'meter')),
      get(usageUrl(kind, id, 'HOUR', todayStart(), tomorrowStart())),
      get(usageUrl(kind, id, 'DAY', from, to, hasChildren ? 'child' : null)),
      hasChildren ? get('/v1/' + PLURAL[kind] + '/' + encodeURIComponent(id) + '/children') : Promise.resolve(null),
    ]);
    if (view !== mine) return;
    const windows = [...monthly.windows, ...hourly.windows, ...daily.windows];
    mine.anyOpen = windows.length === 0 || windows.some((w) => w.status === 'OPEN');
    mine.lastUpdated = Date.now();
    mine.data = { monthly, hourly, daily, children };
    renderData(mine);
  } catch (e) {
    if (view !== mine) return;
    document.getElementById('data').replaceChildren(errorBox(e));
  }
}

function renderData(mine) {
  const { monthly, hourly, daily, children } = mine.data;
  mine.charts.forEach((c) => c.destroy());
  mine.charts = [];
  const container = document.getElementById('data');
  const month = monthly.windows[0];
  // The charts are drawn a frame after their sections are in place: until then the refreshed data is shorter
  // and everything below it (the billing close, its download buttons) moved up under the reader's pointer.
  // Hold the old height until the charts are drawn (the frame callback below is queued after theirs).
  container.style.minHeight = container.offsetHeight + 'px';
  container.replaceChildren(
    section('month', 'This month (' + utcMonth() + ')', monthCard(month)),
    h('div', { class: 'charts' },
      chartSection(mine, 'today', 'Today by hour (UTC)', hourly, 'hour'),
      chartSection(mine, 'days', 'This month by day', daily, 'day')),
    children ? childrenSection(mine, children, month, daily) : null,
    metersSection(month));
  requestAnimationFrame(() => { container.style.minHeight = ''; });
}

function monthCard(w) {
  if (!w) return h('p', { class: 'hint', id: 'month-empty' }, 'No usage yet this month.');
  return h('div', {},
    h('p', { id: 'month-window' }, 'Window ', badge(w.status), ' · ', String(w.eventCount), ' events',
      w.updatedAt ? ' · ' : null, written(w.updatedAt)),
    h('table', { class: 'amounts', id: 'month-amounts' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Currency'), h('th', { scope: 'col' }, 'Spend'),
        h('th', { scope: 'col' }, 'Partner commission'), h('th', { scope: 'col' }, 'Distributor commission'),
        h('th', { scope: 'col' }, 'Late adjustments'))),
      h('tbody', {}, w.amounts.map((a) => h('tr', { 'data-currency': a.currency },
        h('th', { scope: 'row' }, a.currency),
        h('td', { class: 'num', 'data-testid': 'month-amount' }, a.amount),
        h('td', { class: 'num', 'data-testid': 'month-partner' }, a.partnerCommission),
        h('td', { class: 'num', 'data-testid': 'month-distributor' }, a.distributorCommission),
        h('td', { class: 'num' }, a.adjustmentCount + ' · ' + a.adjustmentAmount))))));
}

function chartSection(mine, id, title, usage, unit) {
  const windows = usage.windows;
  const currencies = [...new Set(windows.flatMap((w) => w.amounts.map((a) => a.currency)))].sort();
  const open = windows.filter((w) => w.status === 'OPEN').length;
  const plot = h('div', { class: 'plot', role: 'img',
    'aria-label': title + ': ' + windows.length + ' windows with usage' });
  const body = section(id, title,
    h('p', { class: 'hint' }, windows.length + ' windows: ', badge('OPEN'), ' ' + open + ' · ', badge('FINAL'), ' ' + (windows.length - open)),
    windows.length ? plot : h('p', { class: 'hint' }, 'No usage in this range yet.'),
    h('details', {}, h('summary', {}, 'Windows'),
      h('table', { class: 'windows' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, unit === 'hour' ? 'Hour' : 'Day'), h('th', { scope: 'col' }, 'Status'),
          h('th', { scope: 'col' }, 'Spend'), h('th', { scope: 'col' }, 'Last written'))),
        h('tbody', {}, windows.map((w) => h('tr', {},
          h('td', {}, unit === 'hour' ? w.start.slice(11, 16) : w.start.slice(0, 10)), h('td', {}, badge(w.status)),
          h('td', { class: 'num' }, w.amounts.map((a) => a.amount + ' ' + a.currency).join(' · ')),
          h('td', {}, written(w.updatedAt))))))));
  if (windows.length) {
    // Number() here only sizes the bars; every amount a person reads stays the API's string
    const xs = windows.map((w) => Date.parse(w.start) / 1000);
    const series = currencies.map((c) => windows.map((w) => {
      const a = w.amounts.find((x) => x.currency === c);
      return a ? Number(a.amount) : null;
    }));
    requestAnimationFrame(() => {
      if (view !== mine || !plot.isConnected) return;
      const width = Math.max(240, plot.clientWidth);
      const chart = new uPlot({
        width, height: 180,
        series: [{}, ...currencies.map((c, i) => ({
          label: c, stroke: ['#2563eb', '#d97706', '#059669'][i % 3], fill: ['#2563eb55', '#d9770655', '#05966955'][i % 3],
          paths: uPlot.paths.bars({ size: [0.8, 40] }), points: { show: false },
        }))],
        axes: [{}, { size: 70 }],
        // the whole day or month on the x axis, bars from zero
        scales: { x: { time: true, range: [Date.parse(usage.from) / 1000, Date.parse(usage.to) / 1000] },
          y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      }, [xs, ...series], plot);
      mine.charts.push(chart);
    });
  }
  return body;
}

function sparkline(points) {
  // geometry only: Number() sizes the line, the amounts shown stay strings
  const w = 90, hgt = 24;
  const ys = points.map((p) => Number(p));
  const max = Math.max(...ys, 0) || 1;
  const step = ys.length > 1 ? w / (ys.length - 1) : 0;
  const d = ys.map((y, i) => (i * step).toFixed(1) + ',' + (hgt - (y / max) * (hgt - 2) - 1).toFixed(1)).join(' ');
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('width', w); svg.setAttribute('height', hgt); svg.setAttribute('aria-hidden', 'true');
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  line.setAttribute('points', ys.length === 1 ? '0,' + d.split(',')[1] + ' ' + w + ',' + d.split(',')[1] : d);
  line.setAttribute('fill', 'none'); line.setAttribute('stroke', 'currentColor'); line.setAttribute('stroke-width', '1.5');
  svg.append(line);
  return svg;
}

function childrenSection(mine, children, month, daily) {
  const childKind = CHILD[mine.kind];
  const byChild = month ? month.byChild || [] : [];
  const totals = {};
  (month ? month.amounts : []).forEach((a) => { totals[a.currency] = a.amount; });
  const days = daily.windows;
  const rows = children.children.map((c) => {
    const spend = byChild.filter((b) => b.childId === c.id);
    const first = spend[0];
    const series = first ? days.map((w) => ((w.byChild || []).find((b) => b.childId === c.id && b.currency === first.currency) || { amount: '0' }).amount) : [];
    const last = series.length ? series[series.length - 1] : '0';
    const before = series.length > 1 ? series[series.length - 2] : '0';
    return { node: c, spend, first, series, trend: series.length > 1 ? compare(last, before) : 0 };
  });
  const { key, dir } = mine.sort;
  rows.sort((a, b) => {
    let r;
    if (key === 'id') r = a.node.id.localeCompare(b.node.id);
    else if (key === 'status') r = a.node.status.localeCompare(b.node.status);
    else if (key === 'trend') r = a.trend - b.trend;
    else r = compare(a.first ? a.first.amount : '0', b.first ? b.first.amount : '0'); // spend and share order alike
    return r * dir || a.node.id.localeCompare(b.node.id);
  });
  const header = (k, label) => h('th', { scope: 'col', 'aria-sort': key === k ? (dir > 0 ? 'ascending' : 'descending') : 'none' },
    h('button', { type: 'button', class: 'sort', 'data-sort': k, onclick: () => {
      mine.sort = { key: k, dir: key === k ? -dir : (k === 'id' ? 1 : -1) };
      renderData(mine);
      document.querySelector('button[data-sort="' + k + '"]').focus();
    } }, label, key === k ? (dir > 0 ? ' ▲' : ' ▼') : ''));
  return section('children', (childKind === 'subscription' ? 'Subscriptions' : childKind[0].toUpperCase() + childKind.slice(1) + 's') + ' (' + rows.length + ')',
    rows.length === 0 ? h('p', { class: 'hint' }, 'None yet.') :
      h('div', { class: 'scroll' }, h('table', { class: 'children', id: 'children-table' },
        h('thead', {}, h('tr', {}, header('id', 'Id'), header('status', 'Status'), header('spend', 'Spend this month'),
          header('share', 'Share'), header('trend', 'Trend (day)'), h('th', { scope: 'col' }, 'By day'))),
        h('tbody', {}, rows.map((r) => h('tr', { 'data-child': r.node.id },
          h('th', { scope: 'row' }, h('a', { href: '#/' + childKind + '/' + encodeURIComponent(r.node.id) }, r.node.id),
            r.node.name ? h('span', { class: 'hint' }, ' ' + r.node.name) : null),
          h('td', {}, badge(r.node.status)),
          h('td', { class: 'num spend' }, r.spend.length ? r.spend.map((s) => h('div', { 'data-currency': s.currency }, s.amount + ' ' + s.currency)) : '0'),
          h('td', { class: 'num' }, r.spend.map((s) => h('div', {}, totals[s.currency] ? share(s.amount, totals[s.currency]) : '–'))),
          h('td', { class: 'trend', 'aria-label': r.trend > 0 ? 'up' : r.trend < 0 ? 'down' : 'flat' }, r.trend > 0 ? '▲' : r.trend < 0 ? '▼' : '–'),
          h('td', { class: 'spark' }, r.series.length ? sparkline(r.series) : '')))))));
}

function metersSection(month) {
  const meters = month ? month.byMeter || [] : [];
  return section('meters', 'By meter this month', meters.length === 0 ? h('p', { class: 'hint' }, 'No usage yet.') :
    h('div', { class: 'scroll' }, h('table', { id: 'meters-table' },
      h('thead', {}, h('tr', {}, ['Meter', 'Currency', 'Status', 'Events', 'Quantity', 'Spend', 'Last written']
        .map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, meters.map((m) => h('tr', { 'data-meter': m.meterId },
        h('th', { scope: 'row' }, m.meterId), h('td', {}, m.currency), h('td', {}, badge(m.status)),
        h('td', { class: 'num' }, String(m.eventCount)), h('td', { class: 'num' }, m.quantity), h('td', { class: 'num' }, m.amount),
        h('td', {}, written(m.updatedAt))))))));
}

// ---------- billing close ----------
function csvCell(v) {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

function download(name, rows) {
  const blob = new Blob([rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n'], { type: 'text/csv' });
  const a = h('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  // The browser reads the blob after the click returns, later still on a busy machine: revoking it
  // within a second lost the download under load, so the URL lives for a minute.
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 60000);
}

function billingSection(kind, id) {
  const periods = previousMonths(utcMonth(), 3);
  const select = h('select', { id: 'period-select' }, periods.map((p, i) => h('option', { value: p, selected: i === 1 }, p)));
  const out = h('div', { id: 'billing-body' });
  const load = async () => {
    const p = select.value;
    out.replaceChildren(h('p', { class: 'hint' }, 'Loading ' + p + ' …'));
    try {
      const period = await get('/v1/periods/' + p);
      const parts = [h('p', { id: 'period-status' }, 'Period ' + p + ' ', badge(period.status),
        ' · watermark ' + (period.watermark || 'none yet') + (period.finalAt ? ' · final at ' + period.finalAt : ''))];
      if (kind === 'tenant') parts.push(await statementPart(id, p));
      if (kind === 'partner' || kind === 'distributor') parts.push(await commissionPart(kind, id, p));
      out.replaceChildren(...parts);
    } catch (e) {
      out.replaceChildren(errorBox(e));
    }
  };
  select.addEventListener('change', load);
  setTimeout(load, 0);
  return section('billing', 'Billing close',
    h('label', { for: 'period-select' }, 'Period '), select, out);
}

async function statementPart(tenantId, p) {
  try {
    const st = await get('/v1/statements/' + encodeURIComponent(tenantId) + '?period=' + p);
    const rows = [['subscriptionId', 'meterId', 'currency', 'eventCount', 'quantity', 'amount', 'unroundedAmount'],
      ...st.lines.map((l) => [l.subscriptionId, l.meterId, l.currency, l.eventCount, l.quantity, l.amount, l.unroundedAmount]),
      ...st.totals.map((t) => ['TOTAL', '', t.currency, '', '', t.amount, ''])];
    return h('div', { id: 'statement' },
      h('h3', {}, 'Statement ', badge(st.status)),
      st.updatedAt ? h('p', { class: 'hint' }, 'Values ', written(st.updatedAt)) : null,
      h('div', { class: 'scroll' }, h('table', { id: 'statement-table' },
        h('thead', {}, h('tr', {}, rows[0].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, st.lines.map((l) => h('tr', {}, [l.subscriptionId, l.meterId, l.currency, l.eventCount, l.quantity, l.amount, l.unroundedAmount]
          .map((v, i) => h(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row' } : { class: i > 2 ? 'num' : null }, String(v)))))),
        h('tfoot', {}, st.totals.map((t) => h('tr', { 'data-currency': t.currency },
          h('th', { scope: 'row', colspan: 5 }, 'Total ' + t.currency), h('td', { class: 'num', 'data-testid': 'statement-total' }, t.amount), h('td', {})))))),
      h('button', { type: 'button', id: 'download-statement', onclick: () => download('statement-' + tenantId + '-' + p + '.csv', rows) }, 'Download CSV'));
  } catch (e) {
    return h('div', { id: 'statement' }, h('h3', {}, 'Statement'), e instanceof ApiError && e.status === 409
      ? h('p', { class: 'hint', role: 'status' }, e.message) : errorBox(e));
  }
}

async function commissionPart(kind, id, p) {
  const c = await get('/v1/commissions/' + kind + '/' + encodeURIComponent(id) + '?period=' + p);
  const rows = [['childId', 'currency', 'amount', 'commission'],
    ...c.children.map((x) => [x.childId, x.currency, x.amount, x.commission]),
    ...c.totals.map((t) => ['TOTAL', t.currency, t.amount, t.commission])];
  return h('div', { id: 'commission' },
    h('h3', {}, 'Commission statement ', badge(c.status)),
    c.updatedAt ? h('p', { class: 'hint' }, 'Values ', written(c.updatedAt)) : null,
    h('div', { class: 'scroll' }, h('table', { id: 'commission-table' },
      h('thead', {}, h('tr', {}, ['Child', 'Currency', 'Earned on', 'Commission'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, c.children.map((x) => h('tr', {}, h('th', { scope: 'row' }, x.childId), h('td', {}, x.currency),
        h('td', { class: 'num' }, x.amount), h('td', { class: 'num' }, x.commission)))),
      h('tfoot', {}, c.totals.map((t) => h('tr', { 'data-currency': t.currency }, h('th', { scope: 'row', colspan: 2 }, 'Total ' + t.currency),
        h('td', { class: 'num' }, t.amount), h('td', { class: 'num', 'data-testid': 'commission-total' }, t.commission)))))),
    c.status === 'FINAL'
      ? h('button', { type: 'button', id: 'download-commission', onclick: () => download('commission-' + kind + '-' + id + '-' + p + '.csv', rows) }, 'Download CSV')
      : h('p', { class: 'hint' }, 'The statement can be downloaded once the period is FINAL.'));
}

// ---------- administration ----------
/** Who may onboard the layer below this node, and assign plans (the API decides; this only hides what it would refuse). */
function mayOnboard(kind) {
  if (!me.writes) return false;
  if (me.layer === 'platform-admin') return true;
  if (me.layer === 'tenant') return false;
  if (me.layer === 'partner') return kind === 'partner' || kind === 'tenant';
  return kind !== 'subscription';
}

function mayAssignPlan(kind, node) {
  if (!me.writes) return false;
  if (me.layer === 'platform-admin') return kind === 'distributor' || kind === 'partner';
  return kind === 'partner' && (me.layer === 'distributor' || (me.layer === 'partner' && me.org === node.id));
}

function field(form, name, label, attrs = {}) {
  const id = form + '-' + name;
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    h('input', { id, name, 'aria-describedby': id + '-error', ...attrs }),
    h('p', { id: id + '-error', class: 'field-error', 'data-for': name, 'aria-live': 'polite' }));
}

function showProblems(form, e) {
  form.querySelectorAll('.field-error').forEach((p) => { p.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach((i) => i.removeAttribute('aria-invalid'));
  const general = form.querySelector('.form-error');
  general.textContent = '';
  let first = null;
  let any = false;
  for (const p of e instanceof ApiError ? e.problems() : [{ field: null, text: String(e) }]) {
    if (!p.text) continue;
    any = true;
    const base = p.field ? p.field.split(/[.[]/)[0] : null;
    const slot = base && form.querySelector('.field-error[data-for="' + base + '"]');
    if (slot) {
      slot.textContent = p.text;
      const input = form.querySelector('[name="' + base + '"]');
      input.setAttribute('aria-invalid', 'true');
      first = first || input;
    } else {
      general.textContent += (general.textContent ? '; ' : '') + p.text;
    }
  }
  if (any) (first || general).focus();
}

function adminSection(kind, node) {
  const parts = [];
  const childKind = kind ? CHILD[kind] : 'distributor';
  if (childKind && (kind ? mayOnboard(kind) : me.writes && me.layer === 'platform-admin')) parts.push(onboardForm(kind, node, childKind));
  if (kind && mayAssignPlan(kind, node)) parts.push(planForm(kind, node));
  if (!parts.length) return null;
  return section('admin', 'Administration', ...parts);
}

function onboardForm(kind, node, childKind) {
  const f = 'onboard';
  const status = h('p', { class: 'ok', role: 'status' });
  const form = h('form', { id: 'onboard-form', novalidate: true },
    h('h3', {}, 'Onboard a ' + childKind + (node ? ' under ' + node.id : '')),
    field(f, 'id', 'Id', { required: true, autocomplete: 'off' }),
    field(f, 'name', 'Name'),
    field(f, 'effectiveFrom', 'Effective from (ISO-8601 UTC)', { value: nowSeconds() }),
    childKind === 'subscription' ? field(f, 'priceBookId', 'Price book id') : null,
    h('p', { class: 'error form-error', tabindex: '-1', 'aria-live': 'polite' }),
    h('button', { type: 'submit', id: 'onboard-submit' }, 'Onboard'), status);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    status.textContent = '';
    const v = (n) => { const i = form.querySelector('[name="' + n + '"]'); return i && i.value.trim() !== '' ? i.value.trim() : undefined; };
    const body = { name: v('name'), effectiveFrom: v('effectiveFrom') };
    if (node) body[PARENT_FIELD[childKind]] = node.id;
    if (childKind === 'subscription') body.priceBookId = v('priceBookId');
    const id = v('id') || '';
    try {
      if (!id) throw new ApiError(400, 'id: is required');
      const r = await put('/v1/' + PLURAL[childKind] + '/' + encodeURIComponent(id), body);
      showProblems(form, new ApiError(0, ''));
      status.textContent = childKind + ' ' + r.id + ' saved.';
      if (view) refresh(view);
    } catch (e) {
      showProblems(form, e);
    }
  });
  return form;
}

function planForm(kind, node) {
  const f = 'plan';
  const status = h('p', { class: 'ok', role: 'status' });
  const inherit = h('input', { type: 'checkbox', id: 'plan-inherit', name: 'inherit' });
  const form = h('form', { id: 'plan-form', novalidate: true },
    h('h3', {}, 'Commission plan of ' + kind + ' ' + node.id),
    h('p', { class: 'hint' }, 'Now: ' + (node.commissionPlanId === null ? 'inherits' : node.commissionPlanId || 'a plan you cannot read')),
    field(f, 'planId', 'Plan id', { autocomplete: 'off' }),
    h('div', { class: 'field check' }, inherit, h('label', { for: 'plan-inherit' }, 'Inherit instead')),
    field(f, 'effectiveFrom', 'Effective from (ISO-8601 UTC)', { value: nowSeconds() }),
    h('p', { class: 'error form-error', tabindex: '-1', 'aria-live': 'polite' }),
    h('button', { type: 'submit', id: 'plan-submit' }, 'Assign'), status);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    status.textContent = '';
    const planId = form.querySelector('[name="planId"]').value.trim();
    const body = { effectiveFrom: form.querySelector('[name="effectiveFrom"]').value.trim() || undefined };
    if (inherit.checked) body.inherit = true; else body.planId = planId || undefined;
    try {
      const r = await put('/v1/' + PLURAL[kind] + '/' + encodeURIComponent(node.id) + '/commission-plan', body);
      showProblems(form, new ApiError(0, ''));
      status.textContent = 'Plan now ' + (r.commissionPlanId === null ? 'inherited' : r.commissionPlanId) + '.';
    } catch (e) {
      showProblems(form, e);
    }
  });
  return form;
}

start();
