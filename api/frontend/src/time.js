// Windows are UTC: the billing period is the calendar month, the day and hour are UTC too.
const pad = (n) => String(n).padStart(2, '0');

export function utcMonth(d = new Date()) {
  return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1);
}

export function monthStart(month) {
  return month + '-01T00:00:00Z';
}

export function nextMonthStart(month) {
  const [y, m] = month.split('-').map((x) => parseInt(x, 10));
  return m === 12 ? (y + 1) + '-01-01T00:00:00Z' : y + '-' + pad(m + 1) + '-01T00:00:00Z';
}

export function previousMonths(month, n) {
  const out = [month];
  let [y, m] = month.split('-').map((x) => parseInt(x, 10));
  for (let i = 0; i < n; i++) {
    m -= 1;
    if (m === 0) { m = 12; y -= 1; }
    out.push(y + '-' + pad(m));
  }
  return out;
}

export function todayStart(d = new Date()) {
  return d.toISOString().slice(0, 10) + 'T00:00:00Z';
}

export function tomorrowStart(d = new Date()) {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1));
  return t.toISOString().slice(0, 10) + 'T00:00:00Z';
}

export function nowSeconds() {
  return new Date().toISOString().slice(0, 19) + 'Z';
}

/** How long ago an ISO-8601 instant was, for a person: "3 s ago", "4 min ago", "2 h ago", "5 d ago" (a clock ahead of ours: "just now"). */
export function ago(iso, now = Date.now()) {
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (!(s > 0)) return 'just now';
  if (s < 120) return s + ' s ago';
  if (s < 7200) return Math.round(s / 60) + ' min ago';
  if (s < 172800) return Math.round(s / 3600) + ' h ago';
  return Math.round(s / 86400) + ' d ago';
}
