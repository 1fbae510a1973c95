/**
 * Headless Chromium for the dashboard test and screenshot: Debian's `chromium` driven by playwright-core
 * (the Playwright browser download does not work on the project machine).
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's package; macOS, snap or Chrome users point FDL_CHROMIUM at theirs. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** The browser to drive: FDL_CHROMIUM when set, else CHROMIUM_PATH. */
export const chromiumPath = (env: Readonly<Record<string, string | undefined>> = process.env) =>
  env.FDL_CHROMIUM || CHROMIUM_PATH;

export interface DashboardPage {
  readonly browser: Browser;
  readonly page: Page;
  /** console.error messages and uncaught page errors. */
  readonly consoleErrors: string[];
  close(): Promise<void>;
}

/** Open a dashboard file and wait until every chart has finished embedding (or failed). */
export async function openDashboardPage(
  htmlPath: string,
  viewport = { width: 1400, height: 900 },
): Promise<DashboardPage> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath))
    throw new Error(
      `no Chromium at ${executablePath}: install it (apt-get install chromium) or set FDL_CHROMIUM to a Chromium/Chrome executable`,
    );
  const browser = await chromium.launch({
    executablePath,
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
    const page = await browser.newPage({ viewport });
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.goto(pathToFileURL(htmlPath).href);
    // Charts without rows never render; the others flip `rendered` when vega-embed resolves.
    await page.waitForFunction(
      () => {
        const charts = (
          window as unknown as { __fdlCharts?: Record<string, { rows: number; rendered: boolean }> }
        ).__fdlCharts;
        return !!charts && Object.values(charts).every((c) => c.rows === 0 || c.rendered);
      },
      undefined,
      { timeout: 20_000 },
    );
    return { browser, page, consoleErrors, close: () => browser.close() };
  } catch (err) {
    await browser.close();
    throw err;
  }
}
