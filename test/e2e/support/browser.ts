// Debian's Chromium driven by playwright-core (no browser download). Missing
// Chromium skips the suite locally and fails it under CI.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { isCI } from '../../helpers/shared-data';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '..', '..', '..', 'test-output', 'e2e');

export function hasChromium(): boolean {
  if (fs.existsSync(CHROMIUM_PATH)) return true;
  if (isCI) throw new Error(`Chromium missing under CI: ${CHROMIUM_PATH} (apt-get install -y chromium)`);
  return false;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A page at a fixed clinical-workstation size, with console errors collected (a test asserts there were none). */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; consoleErrors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(url);
  return { page, consoleErrors };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Waits until the study view says screening is complete; fails at once with the UI's message if screening failed. */
export async function waitForScreening(page: Page, timeoutMs: number): Promise<void> {
  const done = page.getByText('Every readable image has a prediction from the active model.');
  const failed = page.getByText(/^The last screening failed/);
  await done.or(failed).first().waitFor({ timeout: timeoutMs });
  if ((await failed.count()) > 0) throw new Error(`screening failed in the UI: ${await failed.first().textContent()}`);
}
