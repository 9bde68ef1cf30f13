// What the dashboard's browser test and its What-if benchmark (bench/whatif.mjs) both do to the page.
import { spawn } from 'node:child_process';

/// Starts `hashpivot serve` on a free port with the store `db` over the scenarios under `root`;
/// resolves to { server, url } once it prints its address.
export function startServer(binary, root, db) {
  const server = spawn(binary, ['serve', '--port', '0', '--db', db, '--scenarios', root],
                       { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const line = /^(http:\/\/\S+)\n/.exec(out);
      if (line) resolve({ server, url: line[1] });
    });
    server.on('exit', (code) => reject(new Error(`hashpivot serve exited with ${code}`)));
  });
}

/// Moves the range input `#id` to `value` and releases it (the input and change events a drag ends with).
export function slide(page, id, value) {
  return page.$eval(`#${id}`, (input, v) => {
    input.value = String(v);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, value);
}

/// Resolves when the What-if's results differ from `previous` (their text before a rerun) and
/// nothing is running.
export function rerunDone(page, previous) {
  return page.waitForFunction((before) => {
    const body = document.querySelector('[data-testid=whatif-results] tbody');
    return body && body.textContent !== before
      && !/running/.test(document.querySelector('[data-testid=whatif-status]').textContent);
  }, previous);
}
