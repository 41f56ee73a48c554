// Screenshots the Temporal Web UI's workflow list with herald's search-attribute columns, for
// docs/ (`node --import tsx scripts/docs/screenshot-temporal-ui.ts [--out FILE] [--query Q]`).
// Needs Chromium (Debian package `chromium`, or CHROMIUM_PATH) and a stack with runs in it.
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { loadDevEnvFile } from '../../config/env';

loadDevEnvFile();
const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'docs/temporal-ui-runs.png' },
    query: { type: 'string' },
  },
});
const ui = process.env.TEMPORAL_UI_URL ?? 'http://localhost:8233';
const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 2000, height: 1000 } });
  const query = values.query ? `?query=${encodeURIComponent(values.query)}` : '';
  const url = `${ui}/namespaces/${namespace}/workflows${query}`;
  await page.goto(url, { waitUntil: 'networkidle' });
  // Column set: drop Run ID and End, add herald's search attributes (the UI keeps this per browser).
  await page.click('[data-testid="workflows-summary-table-configuration-button"]');
  for (const column of ['Run ID', 'End'])
    await page.click(`[data-testid="orderable-list-item-${column}-remove-button"]`);
  for (const column of ['HeraldGroup', 'HeraldSeverity', 'HeraldRunKind', 'HeraldAlertState']) {
    await page.click(`[data-testid="orderable-list-item-${column}-add-button"]`);
  }
  await page.click('[data-testid="drawer-close-button"]');
  await page.click('[aria-label="Collapse saved views"]').catch(() => {});
  await page.waitForTimeout(1500);
  await page.screenshot({ path: values.out! });
  console.log(`wrote ${values.out}`);
} finally {
  await browser.close();
}
