// The dashboard of `hashpivot serve` (docs/serve.md): a small single-page app on hash routes.
//   #/scenario       load, edit (validated by the server's reader), save and run a scenario
//   #/run/ID         a run's progress (server-sent events), then its results and charts
//   #/whatif         sliders over the loaded scenario, rerun at a few paths on the same seed
//   #/study          the sensitivity tornado of the loaded scenario
//   #/runs           the store's runs: filter, open, compare two, export, delete
//   #/compare/A/B    two runs side by side: the inputs that differ and the results
import { h, render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import htm from 'htm';
import { ScenarioPage } from './scenario_page.js';
import { RunPage } from './run_page.js';
import { RunsPage, ComparePage } from './runs_page.js';
import { WhatIfPage } from './whatif_page.js';
import { StudyPage } from './study_page.js';

const html = htm.bind(h);

function useRoute() {
  const [hash, setHash] = useState(location.hash || '#/scenario');
  useEffect(() => {
    const changed = () => setHash(location.hash || '#/scenario');
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return hash.slice(2).split('/');
}

function App() {
  const [page, a, b] = useRoute();
  const link = (name, label) => html`<a href="#/${name}" class=${page === name ? 'active' : ''}>${label}</a>`;
  let body;
  if (page === 'run' && a) body = html`<${RunPage} key=${a} id=${a} />`;
  else if (page === 'runs') body = html`<${RunsPage} />`;
  else if (page === 'whatif') body = html`<${WhatIfPage} />`;
  else if (page === 'study') body = html`<${StudyPage} />`;
  else if (page === 'compare' && a && b) body = html`<${ComparePage} key=${a + '/' + b} a=${a} b=${b} />`;
  else body = html`<${ScenarioPage} />`;
  return html`<header><strong>hashpivot</strong>${link('scenario', 'Scenario')}${link('whatif', 'What-if')}${link('study', 'Study')}${link('runs', 'Runs')}</header>
    <main>${body}</main>`;
}

render(html`<${App} />`, document.getElementById('app'));
