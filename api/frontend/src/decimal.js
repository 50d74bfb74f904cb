// Exact decimal arithmetic on the API's decimal strings (BigInt scaled integers): amounts are
// never turned into JS numbers for anything a person reads.

/** "12.345" -> {v: 12345n, s: 3} */
export function parse(text) {
  const t = String(text ?? '0').trim();
  const neg = t.startsWith('-');
  const body = neg || t.startsWith('+') ? t.slice(1) : t;
  const [i, f = ''] = body.split('.');
  const v = BigInt((i || '0') + f);
  return { v: neg ? -v : v, s: f.length };
}

function align(a, b) {
  const s = Math.max(a.s, b.s);
  return [a.v * 10n ** BigInt(s - a.s), b.v * 10n ** BigInt(s - b.s), s];
}

export function format({ v, s }) {
  const neg = v < 0n;
  let digits = (neg ? -v : v).toString().padStart(s + 1, '0');
  let out = s === 0 ? digits : digits.slice(0, digits.length - s) + '.' + digits.slice(digits.length - s);
  if (s > 0) out = out.replace(/0+$/, '').replace(/\.$/, '');
  return (neg && out !== '0' ? '-' : '') + out;
}

export function add(a, b) {
  const [x, y, s] = align(parse(a), parse(b));
  return format({ v: x + y, s });
}

export function compare(a, b) {
  const [x, y] = align(parse(a), parse(b));
  return x < y ? -1 : x > y ? 1 : 0;
}

/** part / whole as a percentage with one decimal, e.g. "37.5 %" (exact, truncated toward zero). */
export function share(part, whole) {
  const [x, y] = align(parse(part), parse(whole));
  if (y === 0n) return '–';
  const tenths = (x * 1000n) / y;
  return format({ v: tenths, s: 1 }) + ' %';
}
