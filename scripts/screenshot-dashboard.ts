/**
 * Screenshot the local dashboard for the README (docs/dashboard.png), in headless Chromium
 * (FDL_CHROMIUM overrides its path, see local/browser.ts). Run `npm start` first so the dashboard exists.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { runScript } from '../cli/kit/script';
import { ConfigError } from '../lambdas/core/errors';
import { openDashboardPage } from '../local/browser';

const USAGE = `Usage: npx tsx scripts/screenshot-dashboard.ts [--dashboard FILE] [--out FILE]

Opens the dashboard in headless Chromium and saves a full-page screenshot.

Flags:
  --dashboard FILE   dashboard HTML   [default: .local/dashboard/index.html]
  --out FILE         PNG to write     [default: docs/dashboard.png]

Environment:
  FDL_CHROMIUM       Chromium/Chrome executable   [default: /usr/bin/chromium]`;

process.exitCode = await runScript({
  name: 'scripts/screenshot-dashboard.ts',
  usage: USAGE,
  flags: { dashboard: { type: 'string' }, out: { type: 'string' } },
  async main(values, _positionals, io) {
    const html = resolve(values.dashboard ?? '.local/dashboard/index.html');
    const out = resolve(values.out ?? 'docs/dashboard.png');
    if (!existsSync(html)) throw new ConfigError(`no dashboard at ${html}: run \`npm start\` first`);
    const session = await openDashboardPage(html);
    try {
      if (session.consoleErrors.length)
        throw new Error(`console errors: ${session.consoleErrors.join('; ')}`);
      await session.page.screenshot({ path: out, fullPage: true });
      io.out(`Screenshot: ${out}`);
    } finally {
      await session.close();
    }
    return 0;
  },
});
