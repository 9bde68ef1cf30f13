// The Scenario page: a scenario file from --scenarios as a form of its keys (units from the keys'
// suffixes, docs from docs/scenario.md), each edit validated by the server with the CLI's reader and
// an error shown beside its field; save as TOML (the text with its comments, only values changed);
// start a run.
import { h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';
import { api, postJson, download } from './api.js';
import { parseFields, displayValue, rawValue, setField, unitOf, choicesOf } from './toml_fields.js';

const html = htm.bind(h);
const docs = HASHPIVOT_FIELD_DOCS;  // eslint-disable-line no-undef -- defined by web/build.mjs
const VALIDATE_DELAY_MS = 250;
// The page's scenario outlives a visit to another page.
export const kept = { path: '', text: '', paths: 500 };

/// The field an error is about: the one on the error's line, else the one its key names.
function errorField(fields, check) {
  if (!check || check.ok) return null;
  if (check.line) {
    const onLine = fields.find((f) => f.line + 1 === check.line);
    if (onLine) return onLine;
  }
  const name = check.field || '';
  return fields.find((f) => f.path === name) || fields.find((f) => f.docId === name) ||
    fields.find((f) => f.path.replace(/\[\d+\]/g, '') === name.replace(/\[\d+\]/g, '')) || null;
}

function FieldRow({ field, error, onChange }) {
  const doc = docs[field.docId] || docs[`${field.table}.${field.key}`] || {};
  const choices = choicesOf(doc.type);
  const value = displayValue(field.raw);
  const change = (e) => onChange(field, e.target.value);
  const input = choices && choices.includes(value)
    ? html`<select name=${field.path} value=${value} onChange=${change}>${choices.map((c) => html`<option value=${c}>${c}</option>`)}</select>`
    : html`<input name=${field.path} value=${value} onInput=${change} />`;
  return html`<div class=${'row' + (error ? ' invalid' : '')} data-field=${field.path}>
    <label title=${doc.type || ''}>${field.key}</label>${input}<span class="unit">${unitOf(field.key)}</span>
    ${error ? html`<span class="field-error" role="alert">${error}</span>` : html`<span class="doc">${doc.doc || ''}</span>`}
  </div>`;
}

export function ScenarioPage() {
  const [files, setFiles] = useState([]);
  const [path, setPath] = useState(kept.path);
  const [text, setText] = useState(kept.text);
  const [paths, setPaths] = useState(kept.paths);
  const [check, setCheck] = useState(null);
  const [message, setMessage] = useState('');
  const timer = useRef(null);
  Object.assign(kept, { path, text, paths });

  const validate = (scenarioText, scenarioPath) => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      postJson('/api/validate', { scenario_toml: scenarioText, scenario_path: scenarioPath })
        .then(setCheck).catch((e) => setCheck({ ok: false, error: e.message, field: e.body && e.body.field }));
    }, VALIDATE_DELAY_MS);
  };
  useEffect(() => {
    api('/api/scenarios').then((r) => setFiles(r.scenarios)).catch((e) => setMessage(e.message));
    if (kept.text) validate(kept.text, kept.path);  // back from another page: the kept text again
  }, []);
  const load = async (file) => {
    setPath(file);
    if (!file) return;
    const r = await api('/api/scenario?path=' + encodeURIComponent(file));
    setText(r.scenario_toml);
    validate(r.scenario_toml, file);
  };
  const onChange = (field, typed) => {
    const next = setField(text, field, rawValue(field.raw, typed));
    setText(next);
    validate(next, path);
  };
  const run = async () => {
    try {
      const r = await postJson('/api/runs', { scenario_toml: text, scenario_path: path, paths: Number(paths) });
      location.hash = '#/run/' + r.run_id;
    } catch (e) {
      setCheck({ ok: false, error: e.message, field: e.body && e.body.field, line: e.body && e.body.line });
    }
  };

  const fields = text ? parseFields(text) : [];
  const bad = errorField(fields, check);
  const groups = [];
  for (const f of fields) {
    const last = groups[groups.length - 1];
    if (last && last.name === f.tablePath) last.fields.push(f);
    else groups.push({ name: f.tablePath, fields: [f] });
  }
  const status = !check ? '' : check.ok
    ? html`<span class="ok" data-testid="valid">valid: ${check.name}${check.warnings.length ? ` (${check.warnings.length} warnings)` : ''}</span>`
    : html`<span class="error" data-testid="invalid">${bad ? `invalid: ${bad.path}` : check.error}</span>`;
  return html`<h2>Scenario</h2>
    <div class="toolbar">
      <select data-testid="scenario-file" value=${path} onChange=${(e) => load(e.target.value)}>
        <option value="">choose a scenario...</option>
        ${files.map((f) => html`<option value=${f}>${f}</option>`)}
      </select>
      <label>paths <input type="number" min="1" data-testid="paths" value=${paths} onInput=${(e) => setPaths(e.target.value)} style="width:90px" /></label>
      <button data-testid="run" disabled=${!text || !check || !check.ok} onClick=${run}>Run</button>
      <button data-testid="save" disabled=${!text} onClick=${() => download((path.split('/').pop() || 'scenario.toml'), text, 'application/toml')}>Save TOML</button>
      ${status} ${message && html`<span class="error">${message}</span>`}
    </div>
    ${groups.map((g) => html`<section><h3>${g.name ? `[${g.name}]` : 'top level'}</h3>
      ${g.fields.map((f) => html`<${FieldRow} key=${f.path + ':' + f.line} field=${f} error=${bad === f ? check.error : ''} onChange=${onChange} />`)}
    </section>`)}`;
}
