// The scenario's TOML as form fields, edited in place: each single-line `key = value` is a field
// (its table; its path as the reader names it in errors, "sites[1].power_price_usd_per_mwh" for the
// first site; its raw value); writing a field back replaces only that value on its line, so
// comments, order and the rest of the text are kept.
// Multi-line arrays and tables are left to the text.

// The value and the comment after it ("  # ..."), '#' inside strings not counting.
function splitComment(rest) {
  let quote = null;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') {
      let start = i;
      while (start > 0 && /\s/.test(rest[start - 1])) start--;
      return { value: rest.slice(0, start), comment: rest.slice(start) };
    }
  }
  return { value: rest.replace(/\s+$/, ''), comment: '' };
}

// Brackets opened and not closed on a line (outside strings): > 0 while a multi-line value goes on.
function depth(text) {
  let d = 0;
  let quote = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') break;
    else if (c === '[' || c === '{') d++;
    else if (c === ']' || c === '}') d--;
  }
  return d;
}

/// The fields and the table headers (`[table]`, each `[[name]]` occurrence) with their lines.
export function parseFields(text) {
  return scan(text).fields;
}

function scan(text) {
  const fields = [];
  const tables = [];
  const counts = {};
  let table = '';
  let tablePath = '';
  let open = 0;
  // A sub-table belongs to its parent's latest element: [[strategies.sales]] after the second
  // [[strategies]] is "strategies[2].sales[1]", as the reader names its keys (from 1).
  const latest = {};
  const within = (name) => {
    const dot = name.lastIndexOf('.');
    if (dot < 0) return name;
    const parent = name.slice(0, dot);
    return `${latest[parent] || within(parent)}${name.slice(dot)}`;
  };
  text.split('\n').forEach((line, index) => {
    if (open > 0) { open += depth(line); return; }
    const trimmed = line.trim();
    let m = /^\[\[\s*([A-Za-z0-9_.]+)\s*\]\]/.exec(trimmed);
    if (m) {
      table = m[1];
      const base = within(table);
      counts[base] = (counts[base] ?? 0) + 1;  // from 1, as the reader numbers them
      tablePath = `${base}[${counts[base]}]`;
      latest[table] = tablePath;
      tables.push({ line: index, table, tablePath });
      return;
    }
    m = /^\[\s*([A-Za-z0-9_.]+)\s*\]/.exec(trimmed);
    if (m) {
      table = m[1]; tablePath = within(table); latest[table] = tablePath;
      tables.push({ line: index, table, tablePath });
      return;
    }
    m = /^(\s*)([A-Za-z0-9_]+)(\s*=\s*)(.*)$/.exec(line);
    if (!m) return;
    const { value, comment } = splitComment(m[4]);
    const d = depth(value);
    if (d > 0) { open = d; return; }
    fields.push({
      line: index, table, tablePath, key: m[2],
      path: tablePath ? `${tablePath}.${m[2]}` : m[2],
      docId: table ? `${table}.${m[2]}` : m[2],
      prefix: m[1] + m[2] + m[3], raw: value.trim(), comment,
    });
  });
  return { fields, tables };
}

/// What the input shows: a string without its quotes, anything else as written.
export function displayValue(raw) {
  if (/^"([^"\\]|\\.)*"$/.test(raw)) {
    try { return JSON.parse(raw); } catch { return raw; }
  }
  if (/^'[^']*'$/.test(raw)) return raw.slice(1, -1);
  return raw;
}

/// The TOML for what was typed into a field that held `raw`: strings stay strings.
export function rawValue(oldRaw, typed) {
  if (/^["']/.test(oldRaw)) return JSON.stringify(typed);
  return typed.trim() === '' ? '""' : typed.trim();
}

export function setField(text, field, raw) {
  const lines = text.split('\n');
  lines[field.line] = field.prefix + raw + field.comment;
  return lines.join('\n');
}

/// The text with `key = raw` in the table named `tablePath` ("market", "strategies[2]"): the value
/// replaced when the key is there, else a line added under the table's header (its `[table]` line,
/// or that element's `[[name]]` line). Null when the text has no such table.
export function setKey(text, tablePath, key, raw) {
  const { fields, tables } = scan(text);
  const field = fields.find((f) => f.tablePath === tablePath && f.key === key);
  if (field) return setField(text, field, raw);
  const header = tables.find((t) => t.tablePath === tablePath);
  if (!header) return null;
  const lines = text.split('\n');
  lines.splice(header.line + 1, 0, `${key} = ${raw}`);
  return lines.join('\n');
}

/// The unit a key's suffix states (docs/scenario.md's naming rule), longest suffix first.
const UNITS = [
  ['_usd_per_mwh', '$/MWh'], ['_usd_per_kw_month', '$/kW/month'], ['_usd_per_mw_year', '$/MW/year'],
  ['_usd_per_year', '$/year'], ['_usd_per_ph_day', '$/PH/day'], ['_usd_per_block', '$/block'],
  ['_usd_per_mw', '$/MW'], ['_usd_per_btc', '$/BTC'], ['_usd_per_share', '$/share'],
  ['_btc_per_block', 'BTC/block'], ['_usd', '$'], ['_btc', 'BTC'], ['_mw', 'MW'], ['_mwh', 'MWh'],
  ['_kw', 'kW'], ['_ehs', 'EH/s'], ['_th', 'TH/s'], ['_w', 'W'], ['_years', 'years'], ['_months', 'months'],
  ['_days', 'days'], ['_hours', 'hours'], ['_hours_per_year', 'h/year'], ['_annual', 'per year'],
  ['_unix', 'unix s'], ['_fraction', 'fraction'], ['_rate', 'fraction'],
];
export function unitOf(key) {
  let best = null;
  for (const [suffix, unit] of UNITS)
    if (key.endsWith(suffix) && (!best || suffix.length > best[0].length)) best = [suffix, unit];
  if (key === 'btc') return 'BTC';
  return best ? best[1] : '';
}

/// The values a keyword field may take, from its docs' type ("`gbm` | `jump_diffusion` (default)").
export function choicesOf(type) {
  if (!type || !type.includes('|')) return null;
  const names = [...type.matchAll(/`([a-z_0-9]+)`/g)].map((m) => m[1]);
  return names.length >= 2 ? names : null;
}
