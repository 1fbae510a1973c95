/**
 * Screenshot the local dashboard for the README (docs/dashboard.png), in headless Debian Chromium.
 * Usage: tsx scripts/screenshot-dashboard.ts [--dashboard .local/dashboard/index.html] [--out docs/dashboard.png]
 * Run `npm start` first so the dashboard exists.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openDashboardPage } from '../local/browser';

const { values } = parseArgs({
  options: {
    dashboard: { type: 'string', default: '.local/dashboard/index.html' },
    out: { type: 'string', default: 'docs/dashboard.png' },
  },
});
const html = resolve(values.dashboard!);
if (!existsSync(html)) throw new Error(`no dashboard at ${html}: run \`npm start\` first`);
const session = await openDashboardPage(html);
try {
  if (session.consoleErrors.length) throw new Error(`console errors: ${session.consoleErrors.join('; ')}`);
  await session.page.screenshot({ path: resolve(values.out!), fullPage: true });
  process.stdout.write(`Screenshot: ${resolve(values.out!)}\n`);
} finally {
  await session.close();
}
