#!/usr/bin/env node
// The command examples in the README and docs/*.md, produced from real runs so they cannot go stale.
//
// An example is a fenced block right after a marker comment:
//
//   <!-- example keep="1-3,8-" run="{bin} run scenarios/cango.toml --report {tmp}/r.html" -->
//   ```
//   $ bash scripts/run.sh
//   ...output...
//   ```
//
// The block's first lines are the command as the reader types it ("$ ", continued by a trailing
// backslash). The command that runs is `run` when given, else the shown command with `build/hashpivot`
// replaced by --bin; {bin} is the binary, {tmp} a fresh directory (runs record into {tmp}'s store,
// never the user's). `keep` picks output lines (1-based ranges, "8-" to the end); a gap becomes an
// indented "...". `mask` is a regular expression whose matches are ignored by --check; seconds
// ("12.3 s") and thread counts ("2 threads", all cores by default) always are. `check="no"` leaves
// a block out of --check, which then does not run it either (its output depends on the machine's
// speed, or it takes too long for the check); --write regenerates it like any other.
//
// Figures quoted in prose are generated the same way. A source names a command that prints JSON:
//
//   <!-- figures name="cango" run="{bin} peers scenarios/cango.toml:hold ... --json --no-record" -->
//
// or a command whose text output an example block of the same call shows (run once for both, so the
// prose quotes the very run the block prints; check="no" when it depends on the machine's speed,
// as a block's does):
//
//   <!-- figures name="bench" text="{bin} bench scenarios/cango.toml --threads 2" check="no" -->
//
// and a figure is the text right before a comment giving its source, a JavaScript expression over
// the source's JSON (or, for a text source, `num(/regex/)`: the number its first group matches in
// the output) and a format (the table kFigureFormats below):
//
//   holding defaults on 17%<!-- fig cango: firm("hold").p_default | %0 --> of paths
//
// (in a table row, `\|` instead of `|`, which would end the cell).
//
// The expression sees `j` (the JSON), `firm(name)` (the peers entry of the strategy or firm `name`),
// `vs(a, b)` (a's paired NPV difference against b: mean, ci95, p_better), `values(field, ...names)`
// (the field of every firm but those named) and `defaults(stress)` (how many firms default in the
// peers' stress market of that name). --check fails when a figure's text differs from its formatted
// value; --write replaces it. A source runs once per call.
//
//   node scripts/docs-examples.mjs --bin build/hashpivot --write   # regenerate every example
//   node scripts/docs-examples.mjs --bin build/hashpivot --check   # exit 1 when one differs
//   ... [FILE.md ...]                                               # only these files
import { execSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(new URL("..", import.meta.url).pathname);
// What differs from machine to machine: seconds taken and the thread count (all cores by default).
const kMachineMasks = [String.raw`\d+(\.\d+)? s\b`, String.raw`\b\d+ threads?\b`];

function parseArgs(argv) {
  const args = { bin: join(root, "build/hashpivot"), mode: "", files: [] };
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === "--bin") args.bin = resolve(argv[++i]);
    else if (argv[i] === "--write" || argv[i] === "--check") args.mode = argv[i].slice(2);
    else args.files.push(resolve(argv[i]));
  }
  if (!args.mode) {
    console.error("usage: docs-examples.mjs [--bin BINARY] --write|--check [FILE.md ...]");
    process.exit(2);
  }
  if (args.files.length === 0) {
    args.files = [join(root, "README.md"), ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => join(root, "docs", f))];
  }
  return args;
}

function attributes(marker) {
  const attrs = {};
  for (const m of marker.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) attrs[m[1]] = m[2].replace(/\\"/g, '"');
  return attrs;
}

// [{first, last}] 1-based inclusive; last = Infinity for "N-".
function ranges(keep) {
  if (!keep) return [{ first: 1, last: Infinity }];
  return keep.split(",").map((part) => {
    const [a, b] = part.split("-");
    const first = Number(a);
    const last = b === undefined ? first : b === "" ? Infinity : Number(b);
    if (!Number.isInteger(first) || !(last >= first)) throw new Error(`bad keep range "${part}"`);
    return { first, last };
  });
}

function select(lines, keep) {
  const out = [];
  let next = 1;
  for (const { first, last } of ranges(keep)) {
    if (first > next) out.push("  ...");
    out.push(...lines.slice(first - 1, Math.min(last, lines.length)));
    next = last + 1;
  }
  if (next <= lines.length) out.push("  ...");
  return out;
}

// The shown command: "$ " lines and their backslash continuations at the top of the block.
function shownCommand(body) {
  const lines = [];
  if (!body[0]?.startsWith("$ ")) return lines;
  for (const line of body) {
    lines.push(line);
    if (!line.trimEnd().endsWith("\\")) break;
  }
  return lines;
}

// The output lines of `run` ({bin}: the binary, {tmp}: a fresh directory), once per call for a
// command without {tmp}: an example block and a text figures source of the same command share it.
const textOutputs = new Map();
function runText(run, bin) {
  const cached = !run.includes("{tmp}");
  if (cached && textOutputs.has(run)) return textOutputs.get(run);
  const tmp = mkdtempSync(join(tmpdir(), "hashpivot-docs-"));
  try {
    const cmd = run.replaceAll("{bin}", bin).replaceAll("{tmp}", tmp);
    const output = execSync(`(${cmd}) 2>&1`, {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, HASHPIVOT_DB: join(tmp, "store.sqlite") },
      maxBuffer: 64 * 1024 * 1024,
    });
    const lines = output.replace(/\n$/, "").split("\n");
    if (cached) textOutputs.set(run, lines);
    return lines;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function runExample(attrs, command, bin) {
  const typed = command.map((l) => l.replace(/^\$ /, "").replace(/\\\s*$/, "")).join(" ").replace(/\s+#.*$/, "");
  return runText(attrs.run ?? typed.replace(/\bbuild\/hashpivot\b/g, "{bin}"), bin);
}

function masked(lines, attrs) {
  const patterns = [...kMachineMasks, ...(attrs.mask ? [attrs.mask] : [])].map((p) => new RegExp(p, "g"));
  return lines.map((line) => patterns.reduce((l, re) => l.replace(re, "<masked>"), line));
}

// Each format: how a value is written, and the shape of the text it replaces (anchored at the end of
// the prose before the comment).
const withCommas = (x) => Math.round(x).toLocaleString("en-US");
const kWords = ["none", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];
const kOrdinals = ["", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
  "eleventh", "twelfth"];
const signed = (x, text) => `${x >= 0 ? "+" : "-"}${text}`;
const kFigureFormats = {
  "%0": { write: (v) => `${(100 * v).toFixed(0)}%`, shape: /\d+%$/ },
  "%1": { write: (v) => `${(100 * v).toFixed(1)}%`, shape: /\d+\.\d%$/ },
  "%2": { write: (v) => `${(100 * v).toFixed(2)}%`, shape: /\d+\.\d\d%$/ },
  "$M0": { write: (v) => `$${(v / 1e6).toFixed(0)}M`, shape: /\$\d+M$/ },
  "$M1": { write: (v) => `$${(v / 1e6).toFixed(1)}M`, shape: /\$\d+\.\dM$/ },
  "+$M0": { write: (v) => signed(v, `$${Math.abs(v / 1e6).toFixed(0)}M`), shape: /[+-]\$\d+M$/ },
  "$2": { write: (v) => `$${v.toFixed(2)}`, shape: /\$\d+\.\d\d$/ },
  "$,100": { write: (v) => `$${withCommas(Math.round(v / 100) * 100)}`, shape: /\$[\d,]+$/ },
  "$,1000": { write: (v) => `$${withCommas(Math.round(v / 1000) * 1000)}`, shape: /\$[\d,]+$/ },
  "$0": { write: (v) => `$${v.toFixed(0)}`, shape: /\$\d+$/ },
  "M0": { write: (v) => `${(v / 1e6).toFixed(0)}M`, shape: /\d+M$/ },
  "word": { write: (v) => kWords[v], shape: new RegExp(`\\b(${kWords.slice(1).join("|")})$`) },
  "ordinal": { write: (v) => kOrdinals[v], shape: new RegExp(`\\b(${kOrdinals.slice(1).join("|")})$`) },
  "0": { write: (v) => v.toFixed(0), shape: /\d+$/ },
  "1": { write: (v) => v.toFixed(1), shape: /\d+\.\d$/ },
  "2": { write: (v) => v.toFixed(2), shape: /\d+\.\d\d$/ },
};

// name -> run command of the sources in `lines` (<!-- figures name="..." run="..." -->).
function figureSources(lines, file) {
  const sources = new Map();
  for (const [k, line] of lines.entries()) {
    const marker = line.match(/^<!-- figures\b(.*)-->\s*$/);
    if (!marker) continue;
    const { name, run, text, check } = attributes(marker[1]);
    if (!name || !(run || text)) throw new Error(`${file}:${k + 1}: a figures source needs name="..." and run="..." or text="..."`);
    sources.set(name, { run, text, check });
  }
  return sources;
}

const sourceOutputs = new Map();  // run command -> its parsed JSON, once per call
function sourceJson(run, bin) {
  if (!sourceOutputs.has(run)) {
    const cmd = run.replaceAll("{bin}", bin);
    sourceOutputs.set(run, JSON.parse(execSync(cmd, { cwd: root, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 })));
  }
  return sourceOutputs.get(run);
}

// A text source's figure: num(/regex/) is the number the first group of `regex` matches in its output.
function evaluateTextFigure(lines, expression) {
  const num = (re) => {
    const found = lines.map((l) => l.match(re)).find((m) => m);
    if (!found) throw new Error(`no line matches ${re}`);
    return Number(found[1].replaceAll(",", ""));
  };
  return new Function("num", `return (${expression});`)(num);
}

function evaluateFigure(json, expression) {
  const firms = json.firms ?? [];
  const firm = (name) => {
    const found = firms.find((f) => f.name === name || f.name.endsWith(`:${name}`));
    if (!found) throw new Error(`no firm "${name}"`);
    return found;
  };
  const vs = (a, b) => {
    const found = firm(a).npv_vs_firm_usd.find((d) => d.against === firm(b).name);
    if (!found) throw new Error(`no paired difference of "${a}" against "${b}"`);
    return found;
  };
  const values = (field, ...except) =>
    firms.filter((f) => !except.some((name) => f.name === name || f.name.endsWith(`:${name}`))).map((f) => f[field]);
  const defaults = (stress) => {
    const found = (json.stress ?? []).find((st) => st.name === stress);
    if (!found) throw new Error(`no stress market "${stress}"`);
    return found.firms.filter((f) => f.defaulted).length;
  };
  return new Function("j", "firm", "vs", "values", "defaults", `return (${expression});`)(json, firm, vs, values, defaults);
}

// The prose line with its figures checked (stale) or rewritten (returned). A figure is the run of
// non-space text right before its comment, matched by its format's shape at its end.
function processFigures(line, where, sources, args, stale) {
  // In a table row the separator is written "\|", so the table keeps its cells.
  return line.replace(/(\S*?)(<!-- fig (\w+): (.*?) \\?\| (\S+) -->)/g, (all, text, comment, name, expression, format) => {
    if (!sources.has(name)) throw new Error(`${where}: no figures source "${name}" in this file`);
    const spec = kFigureFormats[format];
    if (!spec) throw new Error(`${where}: unknown figure format "${format}"`);
    const source = sources.get(name);
    if (args.mode === "check" && source.check === "no") return all;
    const value = source.text
      ? evaluateTextFigure(runText(source.text, args.bin), expression)
      : evaluateFigure(sourceJson(source.run, args.bin), expression);
    if (typeof value !== "number" || !Number.isFinite(value)) throw new Error(`${where}: ${expression} is not a number`);
    const want = spec.write(value);
    if (want === undefined) throw new Error(`${where}: ${expression} = ${value} has no ${format} form`);
    const have = text.match(spec.shape)?.[0];
    if (args.mode === "check") {
      if (have !== want) stale.push(`${where}: figure "${have ?? "(none)"}" differs from ${expression} = ${want}`);
      return all;
    }
    if (have === undefined) throw new Error(`${where}: no figure of format ${format} before "${comment}"`);
    return text.slice(0, text.length - have.length) + want + comment;
  });
}

function processFile(file, args) {
  const lines = readFileSync(file, "utf8").split("\n");
  const sources = figureSources(lines, file);
  const out = [];
  const stale = [];
  let fenced = false;
  for (let i = 0; i < lines.length; ++i) {
    if (lines[i].startsWith("```")) fenced = !fenced;
    const figures = !fenced && lines[i].includes("<!-- fig ");
    out.push(figures ? processFigures(lines[i], `${file}:${i + 1}`, sources, args, stale) : lines[i]);
    const marker = lines[i].match(/^<!-- example\b(.*)-->\s*$/);
    if (!marker || !lines[i + 1]?.startsWith("```")) continue;
    const attrs = attributes(marker[1]);
    const fence = i + 1;
    let end = fence + 1;
    while (end < lines.length && !lines[end].startsWith("```")) ++end;
    const body = lines.slice(fence + 1, end);
    const command = shownCommand(body);
    if (command.length === 0) throw new Error(`${file}:${fence + 2}: an example block starts with "$ COMMAND"`);
    if (args.mode === "check" && attrs.check === "no") {
      out.push(...lines.slice(fence, end + 1));
      i = end;
      continue;
    }
    const generated = [...command, ...select(runExample(attrs, command, args.bin), attrs.keep)];
    if (args.mode === "check" && attrs.check !== "no") {
      const want = masked(generated, attrs);
      const have = masked(body, attrs);
      const at = want.findIndex((l, k) => l !== have[k]);
      if (at >= 0 || want.length !== have.length) {
        const k = at >= 0 ? at : Math.min(want.length, have.length);
        stale.push(`${file}:${fence + 2 + k}: example differs from what "${command[0].slice(2)}" prints\n  docs:    ${body[k] ?? "(nothing)"}\n  program: ${generated[k] ?? "(nothing)"}`);
      }
    }
    out.push(lines[fence], ...generated, lines[end]);
    i = end;
  }
  if (args.mode === "write") writeFileSync(file, out.join("\n"));
  return stale;
}

const args = parseArgs(process.argv.slice(2));
let stale = [];
for (const file of args.files) stale = stale.concat(processFile(file, args));
if (stale.length > 0) {
  console.error(stale.join("\n"));
  console.error(`${stale.length} example(s) or figure(s) went stale: regenerate with node scripts/docs-examples.mjs --write`);
  process.exit(1);
}
console.log(`docs-examples: ${args.mode === "write" ? "wrote" : "checked"} ${args.files.length} file(s)`);
