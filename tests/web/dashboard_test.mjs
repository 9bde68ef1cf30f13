// The dashboard of `hashpivot serve`, driven in Debian's Chromium through playwright-core:
//   node tests/web/dashboard_test.mjs HASHPIVOT_BINARY REPOSITORY_ROOT OUTPUT_DIR
// Starts a server on a free port with a new store, then: loads the Cango scenario, makes a field
// invalid and sees the error beside it, fixes it, saves it (the file as it was), runs it (few
// paths) and sees its progress, every chart drawn with data; runs it again with a changed power
// price; cancels a long run; finds the two recorded runs in the runs list (filtered), opens one,
// compares the two (the changed key in the inputs diff), deletes one; on the what-if page a slider
// reruns the scenario and the numbers change; the study page draws a strategy's sensitivity
// tornado, the optimizer's declared and optimum points and a site's real-option boundaries; a peer run
// recorded by `hashpivot peers` shows its firms ranked as the command ranked them. Fails on any console error. Screenshots go to
// OUTPUT_DIR. Exits 77 (skipped) without Chromium or playwright-core.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import assert from 'node:assert/strict';
import { rerunDone as waitForRerun, slide as slideTo, startServer } from './dashboard_driver.mjs';

const SKIP = 77;
const [binary, root, outDir] = process.argv.slice(2);
const chromiumPath = process.env.HASHPIVOT_CHROMIUM || '/usr/bin/chromium';
if (!existsSync(chromiumPath)) {
  console.log(`skipped: no Chromium at ${chromiumPath} (apt-get install chromium, or set HASHPIVOT_CHROMIUM)`);
  process.exit(SKIP);
}
let chromium;
try {
  ({ chromium } = createRequire(resolve(root, 'web/package.json'))('playwright-core'));
} catch {
  console.log('skipped: web/node_modules/playwright-core is missing (scripts/setup.sh runs npm ci in web/)');
  process.exit(SKIP);
}
mkdirSync(outDir, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'hashpivot-web-'));
const RUN_PATHS = 300;
const TIMEOUT_MS = 30000;

const { server, url } = await startServer(binary, root, join(work, 'store.sqlite'));
const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
const problems = [];
let step = 'start';
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(TIMEOUT_MS);
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()} at ${m.location().url}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => d.accept());
  const shot = (name) => page.screenshot({ path: join(outDir, `${name}.png`), fullPage: true });

  step = 'load the Cango scenario';
  await page.goto(url);
  await page.selectOption('[data-testid=scenario-file]', 'scenarios/cango.toml');
  await page.waitForSelector('[data-testid=valid]');
  const horizon = page.locator('input[name="scenario.horizon_years"]');
  assert.equal(await horizon.inputValue(), '5');
  const unit = await page.locator('[data-field="sites[1].power_price_usd_per_mwh"] .unit').textContent();
  assert.equal(unit, '$/MWh');
  // A keyword is a choice among the values docs/scenario.md lists, and each key shows its doc.
  const models = await page.locator('select[name="market.btc_price_model"] option').allTextContents();
  assert.deepEqual(models, ['gbm', 'jump_diffusion', 'regime_switching', 'block_bootstrap']);
  assert.match(await page.locator('[data-field="market.btc_price_usd"] .doc').textContent(), /BTC price at the start date/);

  step = 'an invalid field shows its error beside it';
  await horizon.fill('50');
  const error = page.locator('[data-field="scenario.horizon_years"] .field-error');
  await error.waitFor();
  assert.match(await error.textContent(), /horizon_years: expected a number in \[1, 10\], got 50/);
  assert.equal(await page.locator('[data-testid=run]').isDisabled(), true);
  await shot('scenario-invalid');

  step = 'fix it, save it, run it';
  await horizon.fill('5');
  await page.waitForSelector('[data-testid=valid]');
  assert.equal(await error.count(), 0);
  // Saved: the file as loaded (comments kept), only the edited value changed, and back as it was.
  const [saved] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=save]')]);
  const savedText = readFileSync(await saved.path(), 'utf8');
  assert.equal(saved.suggestedFilename(), 'cango.toml');
  assert.equal(savedText, readFileSync(join(root, 'scenarios/cango.toml'), 'utf8'));
  await page.fill('[data-testid=paths]', String(RUN_PATHS));
  await page.click('[data-testid=run]');
  await page.waitForURL(/#\/run\/job-1$/);
  // The first event is the run's state while it waits or runs: progress shows before the result.
  await page.waitForSelector('[data-testid=progress], [data-testid=done]');
  const sawProgress = await page.locator('[data-testid=progress]').count() > 0;
  await page.waitForSelector('[data-testid=done]');
  await page.waitForSelector('[data-testid=charts] .chart');
  const strategies = await page.locator('[data-testid=strategies] thead th').count() - 1;
  assert.ok(strategies >= 2, 'the comparison table has the strategies');
  const charts = await page.locator('[data-testid=charts] .chart').evaluateAll((boxes) => boxes.map((b) => [b.dataset.title, b.dataset.points, b.dataset.scale]));
  assert.equal(charts.length, 2 + 2 * strategies + 2, 'default, cost, two fans per strategy, BTC price, hashprice');
  for (const [title, points] of charts) assert.equal(points, 'yes', `chart "${title}" has data`);
  assert.ok(charts.some(([title]) => /hashcost/.test(title)), 'the hashprice chart has the hashcost lines');
  // The strategies ranked as `hashpivot peers` ranks firms: one row each, ranks 1..N.
  const ranks = await page.locator('[data-testid=ranking] tbody tr td:first-child').allTextContents();
  assert.deepEqual(ranks, Array.from({ length: strategies }, (_, i) => String(i + 1)));
  await shot('run');
  await page.screenshot({ path: join(outDir, 'run-top.png') });  // the viewport: for the README

  step = 'a second run with another power price';
  await page.click('header a[href="#/scenario"]');
  const price = page.locator('input[name="sites[1].power_price_usd_per_mwh"]');
  await price.fill('64.64');
  await page.waitForSelector('[data-testid=valid]');
  await page.click('[data-testid=run]');
  await page.waitForURL(/#\/run\/job-2$/);
  await page.waitForSelector('[data-testid=done]');

  step = 'a long run is cancelled (and not recorded)';
  await page.click('header a[href="#/scenario"]');
  await page.fill('[data-testid=paths]', '1000000');
  await page.click('[data-testid=run]');
  await page.waitForURL(/#\/run\/job-3$/);
  await page.click('[data-testid=cancel]');
  await page.waitForSelector('[data-testid=cancelled]');
  await page.click('header a[href="#/scenario"]');
  await page.fill('[data-testid=paths]', String(RUN_PATHS));

  step = 'the runs list: filter, open, compare, delete';
  await page.click('header a[href="#/runs"]');
  const rows = page.locator('[data-testid=runs] tbody tr');
  await rows.nth(1).waitFor();
  assert.equal(await rows.count(), 2);
  await page.fill('[data-testid=filter]', 'no such scenario');
  assert.equal(await rows.count(), 0);
  await page.fill('[data-testid=filter]', 'cango');
  assert.equal(await rows.count(), 2);
  await page.click('[data-testid=runs] tr[data-run="1"] a');
  await page.waitForSelector('[data-testid=run-summary]');
  await page.waitForSelector('[data-testid=charts] .chart');
  await page.click('header a[href="#/runs"]');
  await rows.nth(1).waitFor();
  await page.check('tr[data-run="1"] input[type=checkbox]');
  await page.check('tr[data-run="2"] input[type=checkbox]');
  await page.click('[data-testid=compare]');
  await page.waitForSelector('[data-testid=inputs-diff]');
  const diff = await page.locator('[data-testid=inputs-diff] tbody tr').allTextContents();
  assert.deepEqual(diff, ['sites[1].power_price_usd_per_mwh54.6464.64']);
  const compared = page.locator('[data-testid=side-by-side] tbody tr');
  assert.equal(await compared.count(), strategies);
  // Another power price: every strategy's EBITDA differs between A and B.
  for (const row of await compared.all()) {
    const cells = await row.locator('td').allTextContents();
    assert.notEqual(cells[9], cells[10], `EBITDA differs for ${cells[0]}`);
  }
  await shot('compare');
  await page.click('header a[href="#/runs"]');
  await rows.nth(1).waitFor();
  await page.click('tr[data-run="2"] [data-testid=delete]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=runs] tbody tr').length === 1);

  step = 'what-if: a slider reruns and the numbers change';
  await page.click('header a[href="#/whatif"]');
  const results = page.locator('[data-testid=whatif-results] tbody');
  await results.waitFor();
  await page.waitForSelector('[data-testid=whatif-results] ~ [data-testid=charts] .chart[data-points=yes]');
  const before = await results.textContent();
  assert.match(before, /\(SE\)/);
  const slide = (id, value) => slideTo(page, id, value);
  const rerunDone = (text) => waitForRerun(page, text);
  await slide('power-price', 30);
  assert.equal(await page.locator('[data-testid=power-price-value]').textContent(), '+30 $/MWh');
  await rerunDone(before);
  // A drift Cango does not state: the slider starts at the calibration's, says so, and moved adds
  // the key under [market], and the figures move. The reference is the calibration file Cango names
  // (two regimes: the drifts weighted by the chain's stationary probabilities).
  const afterPower = await results.textContent();
  const calibration = readFileSync(join(root, 'data/calibration/halving_2024_market.toml'), 'utf8');
  const calibrated = (table, key) =>
    Number(calibration.split(`[${table}]\n`)[1].match(new RegExp(`^${key} = (\\S+)$`, 'm'))[1]);
  const regimes = 'market.btc_price.regime_switching';
  const leaveBull = 1 - calibrated(regimes, 'p_stay_bull_daily');
  const leaveBear = 1 - calibrated(regimes, 'p_stay_bear_daily');
  const bull = leaveBear / (leaveBull + leaveBear);
  const drift = bull * calibrated(regimes, 'bull_mu_annual') + (1 - bull) * calibrated(regimes, 'bear_mu_annual');
  const shown = (id, prefix) => page.waitForFunction(([testId, start]) =>
    document.querySelector(`[data-testid=${testId}-value]`).textContent.startsWith(start), [id, prefix]);
  await shown('btc-drift', 'calibrated: ');
  assert.equal(await page.locator('[data-testid=btc-drift-value]').textContent(),
    `calibrated: mu ${drift >= 0 ? '+' : ''}${drift.toFixed(2)} a year`);
  const thumbNear = async (id, value) => {
    const thumb = Number(await page.$eval(`#${id}`, (input) => input.value));
    assert.ok(Math.abs(thumb - value) <= 0.025 + 1e-9, `${id} thumb ${thumb}, calibrated ${value}`);  // step 0.05
  };
  await thumbNear('btc-drift', drift);
  await slide('btc-drift', -0.5);
  assert.equal(await page.locator('[data-testid=btc-drift-value]').textContent(), 'mu -0.50 a year');
  // Cango's network is margin-driven, which refuses a hashrate drift: no slider to set one; its growth
  // is the share of its fleet it orders when mining pays, which the scenario leaves to the calibration.
  assert.equal(await page.locator('#hashrate-drift').count(), 0);
  assert.match(await page.locator('[data-testid=hashrate-note]').textContent(), /margin-driven/);
  await rerunDone(afterPower);
  const share = calibrated('market.hashrate.margin_driven', 'supply_share_per_year');
  assert.equal(await page.locator('[data-testid=network-supply-value]').textContent(),
    `calibrated: ${share.toFixed(2)} of the fleet a year`);
  await thumbNear('network-supply', share);
  const beforeSupply = await results.textContent();
  await slide('network-supply', 0.1);
  assert.equal(await page.locator('[data-testid=network-supply-value]').textContent(), '0.10 of the fleet a year');
  await rerunDone(beforeSupply);
  assert.equal(await page.locator('[data-testid=whatif-status] .error').count(), 0);
  assert.ok(await page.locator('#pivot-date').count() === 1, 'Cango schedules its pivot: a date slider');
  // Variance reduction is on by default and says what it gained; off, the same paths rerun plain.
  assert.ok(await page.isChecked('#variance-reduction'));
  const reducedStatus = await page.locator('[data-testid=whatif-status]').textContent();
  const gain = reducedStatus.match(/variance reduction: mean NPV SE at least (\d+\.\d)x smaller/);
  assert.ok(gain && Number(gain[1]) >= 1, reducedStatus);
  const reducedResults = await results.textContent();
  await page.uncheck('#variance-reduction');
  await rerunDone(reducedResults);
  assert.doesNotMatch(await page.locator('[data-testid=whatif-status]').textContent(), /variance reduction/);
  const whatifStatus = await page.locator('[data-testid=whatif-status]').textContent();
  await shot('whatif');

  step = 'study: the sensitivity tornado of one strategy';
  await page.click('header a[href="#/study"]');
  await page.selectOption('[data-testid=study-strategy]', 'hold');
  await page.fill('[data-testid=study-paths]', '100');
  await page.click('[data-testid=study-run]');
  const tornado = page.locator('[data-testid=tornado][data-strategy=hold] tr');
  await tornado.first().waitFor();
  assert.ok(await tornado.count() >= 3, 'the tornado has a bar per input');
  const widths = await page.locator('[data-testid=tornado] .bar').evaluateAll((bars) => bars.map((b) => b.getBoundingClientRect().width));
  assert.ok(widths.some((w) => w > 10), 'the widest input draws a bar');
  await shot('study');

  step = 'study: the optimizer on a strategy with search ranges, declared against optimum';
  await page.selectOption('[data-testid=optimize-strategy]', 'sell_4451_repay_ai');
  await page.click('[data-testid=optimize-run]');
  const points = page.locator('[data-testid=optimizer] tr');
  await points.first().waitFor();
  assert.equal(await points.count(), 4, 'declared and optimum, in and out of sample');
  const optimumBars = await page.locator('[data-testid=optimizer] .bar').evaluateAll((bars) => bars.map((b) => b.getBoundingClientRect().width));
  assert.ok(optimumBars.every((w) => w > 10), `each point draws its bar: ${optimumBars}`);
  assert.match(await page.locator('[data-testid=optimizer]').textContent(), /\(SE\)/);
  await page.locator('[data-testid=optimizer]').scrollIntoViewIfNeeded();
  await shot('study-optimizer');

  step = 'study: a site\'s real options, the boundaries by month as a chart';
  await page.selectOption('[data-testid=options-site]', 'georgia');
  await page.click('[data-testid=options-run]');
  await page.waitForSelector('[data-testid=options-charts] .chart[data-points=yes]');
  assert.match(await page.locator('[data-testid=options-values]').textContent(), /option to convert .*\(SE\)/);
  await page.locator('[data-testid=options-charts]').scrollIntoViewIfNeeded();
  await shot('study-options');

  step = 'a peer run recorded by the command line: its page ranks the firms';
  const peers = spawnSync(binary, ['peers', join(root, 'scenarios/peers/riot.toml'), join(root, 'scenarios/peers/iren.toml'),
                                   join(root, 'scenarios/cango.toml'), '--paths', '200', '--threads', '1', '--json',
                                   '--db', join(work, 'store.sqlite')], { encoding: 'utf8' });
  assert.equal(peers.status, 0, peers.stderr);
  const peerRun = JSON.parse(peers.stdout);
  await page.goto(new URL(`#/run/${peerRun.run_id}`, url).href);
  await page.waitForSelector('[data-testid=ranking] tbody tr');
  const ranked = await page.locator('[data-testid=ranking] tbody tr').evaluateAll(
    (rows) => rows.map((row) => [...row.querySelectorAll('td')].slice(0, 2).map((td) => td.textContent)));
  const expected = peerRun.firms.map((f) => [String(f.rank), f.firm]).sort((a, b) => Number(a[0]) - Number(b[0]));
  assert.deepEqual(ranked, expected, 'the dashboard ranks the firms as the command did');
  await page.waitForSelector('[data-testid=charts] .chart[data-points=yes]');
  await shot('peers');

  assert.deepEqual(problems, []);
  console.log(`dashboard: ${charts.length} charts drawn with data, ${strategies} strategies, progress ${sawProgress ? 'seen' : 'not seen (the run was done first)'}; what-if reruns: ${reducedStatus} (reduced), ${whatifStatus} (plain); screenshots in ${outDir}`);
} catch (e) {
  console.error(`dashboard test failed at "${step}": ${e.message}`);
  if (problems.length) console.error(problems.join('\n'));
  process.exitCode = 1;
} finally {
  await browser.close();
  server.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
