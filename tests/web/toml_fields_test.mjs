// web/src/toml_fields.js against hand-written TOML: the fields and their paths (numbered from 1, as
// the scenario reader names them in its errors), an edit that changes one value and keeps every
// comment, multi-line values left alone, units from key suffixes and keyword choices from docs.
//   node tests/web/toml_fields_test.mjs REPOSITORY_ROOT
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = process.argv[2];
const { parseFields, setField, setKey, displayValue, rawValue, unitOf, choicesOf } =
  await import(pathToFileURL(resolve(root, 'web/src/toml_fields.js')).href);

const text = [
  '# a scenario',
  '[scenario]',
  'name = "Test # not a comment"   # the name',
  'horizon_years = 5',
  'prices = [',
  '  1, 2,',
  ']',
  '[[sites]]',
  "name = 'a'",
  '[[sites]]',
  'name = "b"',
  'power_price_usd_per_mwh = 54.6   # all-in',
  '[sites.conversion]',
  'pivot_mw = 15',
  '[[strategies]]',
  'name = "hold"',
  '[[strategies]]',
  'name = "sell"',
  '[[strategies.sales]]',
  'btc = 10',
  '[[strategies.sales]]',
  'btc = 20',
].join('\n');

const fields = parseFields(text);
assert.deepEqual(fields.map((f) => f.path), [
  'scenario.name', 'scenario.horizon_years', 'sites[1].name', 'sites[2].name', 'sites[2].power_price_usd_per_mwh',
  'sites[2].conversion.pivot_mw', 'strategies[1].name', 'strategies[2].name', 'strategies[2].sales[1].btc',
  'strategies[2].sales[2].btc',
]);
const byPath = Object.fromEntries(fields.map((f) => [f.path, f]));
assert.equal(byPath['sites[2].conversion.pivot_mw'].docId, 'sites.conversion.pivot_mw');
assert.equal(byPath['strategies[2].sales[2].btc'].line, 21);
assert.equal(displayValue(byPath['scenario.name'].raw), 'Test # not a comment');
assert.equal(displayValue(byPath['sites[1].name'].raw), 'a');

// One value changes; the comments, the multi-line array and every other line stay as they were.
const price = byPath['sites[2].power_price_usd_per_mwh'];
const edited = setField(text, price, rawValue(price.raw, '64.6'));
const before = text.split('\n');
const after = edited.split('\n');
assert.equal(after[price.line], 'power_price_usd_per_mwh = 64.6   # all-in');
assert.deepEqual(after.filter((_, i) => i !== price.line), before.filter((_, i) => i !== price.line));
const name = byPath['scenario.name'];
assert.equal(setField(text, name, rawValue(name.raw, 'He said "hi"')).split('\n')[2],
             'name = "He said \\"hi\\""   # the name');

// setKey: a present key is replaced in place; an absent one is added under its table's header
// (an array-of-tables element's own [[name]] line), every other line kept; no such table: null.
assert.equal(setKey(text, 'scenario', 'horizon_years', '7').split('\n')[3], 'horizon_years = 7');
const added = setKey(text, 'strategies[2]', 'pivot_mw', '12');
assert.deepEqual(added.split('\n').slice(16, 19), ['[[strategies]]', 'pivot_mw = 12', 'name = "sell"']);
assert.equal(added.split('\n').length, before.length + 1);
const addedFields = parseFields(added);
assert.equal(addedFields.find((f) => f.path === 'strategies[2].pivot_mw').raw, '12');
assert.equal(addedFields.find((f) => f.path === 'strategies[2].sales[2].btc').raw, '20');
const underSub = setKey(text, 'sites[2].conversion', 'lead_time_months', '3').split('\n');
assert.deepEqual(underSub.slice(12, 15), ['[sites.conversion]', 'lead_time_months = 3', 'pivot_mw = 15']);
assert.equal(setKey(text, 'market', 'btc_price_drift_annual', '0.1'), null);

assert.equal(unitOf('power_price_usd_per_mwh'), '$/MWh');
assert.equal(unitOf('capacity_mw'), 'MW');
// A price per unit is not the unit: the longest suffix wins.
assert.equal(unitOf('capex_usd_per_mw'), '$/MW');
assert.equal(unitOf('strike_usd_per_btc'), '$/BTC');
assert.equal(unitOf('conversion_price_usd_per_share'), '$/share');
assert.equal(unitOf('lease_usd_per_mw_year'), '$/MW/year');
assert.equal(unitOf('network_hashrate_ehs'), 'EH/s');
assert.equal(unitOf('name'), '');
assert.deepEqual(choicesOf('`fixed` (default) | `index` | `pass_through`'), ['fixed', 'index', 'pass_through']);
assert.equal(choicesOf('string'), null);
console.log(`toml_fields: ${fields.length} fields, paths and edits as expected`);
