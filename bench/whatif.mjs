// The dashboard's What-if, timed as a user waits on it: starts `hashpivot serve` on a free port with a
// fresh store, loads a scenario in Debian's Chromium (playwright-core, installed by scripts/setup.sh
// in web/), opens the What-if page and moves the power-price slider RERUNS times, printing for each
// the time from the slider's release to the redrawn figures, and the page's own status line (the
// rerun's seconds from the request to the record and charts read). A benchmark, not a test: it
// prints, it asserts nothing (docs/speed.md, "The dashboard's What-if").
//
//   node bench/whatif.mjs build/hashpivot [SCENARIO] [RERUNS]     # default scenarios/cango.toml, 4
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { rerunDone, slide, startServer } from '../tests/web/dashboard_driver.mjs';

const root = resolve(new URL('..', import.meta.url).pathname);
const [binary, scenario = 'scenarios/cango.toml', rerunsText = '4'] = process.argv.slice(2);
const reruns = Number(rerunsText);
const chromiumPath = process.env.HASHPIVOT_CHROMIUM || '/usr/bin/chromium';
if (!binary || !Number.isInteger(reruns) || reruns < 1 || !existsSync(chromiumPath)) {
  console.error('usage: node bench/whatif.mjs HASHPIVOT_BINARY [SCENARIO] [RERUNS]  (needs Chromium at /usr/bin/chromium '
    + 'or $HASHPIVOT_CHROMIUM, and web/node_modules)');
  process.exit(2);
}
const { chromium } = createRequire(join(root, 'web/package.json'))('playwright-core');
const TIMEOUT_MS = 120000;

const work = mkdtempSync(join(tmpdir(), 'hashpivot-whatif-'));
const { server, url } = await startServer(resolve(binary), root, join(work, 'store.sqlite'));
const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(TIMEOUT_MS);
  await page.goto(url);
  await page.selectOption('[data-testid=scenario-file]', scenario);
  await page.waitForSelector('[data-testid=valid]');
  await page.click('header a[href="#/whatif"]');
  await page.waitForSelector('[data-testid=whatif-results] ~ [data-testid=charts] .chart[data-points=yes]');
  const status = () => page.locator('[data-testid=whatif-status]').textContent();
  console.log(`${scenario}: What-if reruns in Chromium (first: ${await status()})`);
  const shown = [];
  for (let i = 0; i < reruns; ++i) {
    const before = await page.locator('[data-testid=whatif-results] tbody').textContent();
    const start = Date.now();
    await slide(page, 'power-price', 5 * (i + 1));
    await rerunDone(page, before);
    shown.push((Date.now() - start) / 1000);
    console.log(`  rerun ${i + 1}: figures shown ${shown[i].toFixed(2)} s after the release (${await status()})`);
  }
  shown.sort((a, b) => a - b);
  console.log(`  least ${shown[0].toFixed(2)} s, median ${shown[Math.floor((shown.length - 1) / 2)].toFixed(2)} s`);
} finally {
  await browser.close();
  server.kill();
  rmSync(work, { recursive: true, force: true });
}
