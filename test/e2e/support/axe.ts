// axe-core in the page, for the accessibility checks of the e2e suite.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** The serious and critical violations on the page, one line each. */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated over the DevTools protocol: the app's Content-Security-Policy (script-src 'self') refuses a <script> tag.
  await page.evaluate(fs.readFileSync(AXE_SCRIPT, 'utf8'));
  return page.evaluate(async () => {
    type Result = { violations: { id: string; impact: string | null; help: string; nodes: { target: string[]; failureSummary?: string }[] }[] };
    const axe = (globalThis as unknown as { axe: { run(options: object): Promise<Result> } }).axe;
    const result = await axe.run({ resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .flatMap((v) => v.nodes.map((n) => `${v.impact} ${v.id} (${v.help}): ${n.target.join(' ')} ${n.failureSummary ?? ''}`));
  });
}
