import fs from 'node:fs';
import { decisionSentences, describeReading, PAPER_RULE_SENTENCE, readManifest } from '../../core/model/package';
import type { CommandSpec, ParsedOptions } from '../args';
import { defaultModelDir } from '../paths';
import { BACKEND_OPTION, backendOf } from './common';
import { forkLauncher } from '../../platform/fork-launcher';
import { describeBackend } from '../../core/backend';

export const infoCommand: CommandSpec = {
  name: 'info',
  summary: 'show the TensorFlow backend this machine gets and the default model, with how it reads photographs, its decision rule, operating point and field of view',
  usage: 'glaucoma-studio info [--backend B]',
  options: { ...BACKEND_OPTION },
};

export async function runInfo(options: ParsedOptions): Promise<number> {
  const dir = defaultModelDir();
  if (fs.existsSync(dir)) {
    const m = readManifest(dir);
    process.stdout.write(`default model: ${m.name} (${m.id}) in ${dir}\n  trained tasks: ${m.trainedTasks.join(', ')}\n  data: ${m.dataCard.source}; ${m.dataCard.intendedUse}\n`);
    process.stdout.write(`  reading:\n${describeReading(m.preprocessing).map((l) => `    ${l}\n`).join('')}`);
    // The rule, its cross-validated AUC, its operating point and where it decides: what a screening result rests on.
    const s = m.decision ? decisionSentences(m.decision) : null;
    const decision = s ? [s.rule, s.auc, s.operatingPoint, ...(s.domain ? [s.domain] : [])] : [PAPER_RULE_SENTENCE];
    process.stdout.write(`  decision:\n${decision.map((l) => `    ${l}\n`).join('')}`);
  } else {
    process.stdout.write(`default model: none at ${dir}\n`);
  }
  const backend = backendOf(options);
  const channel = forkLauncher(undefined, { env: backend === 'auto' ? {} : { GLAUCOMA_STUDIO_BACKEND: backend } }).launch();
  return new Promise((resolve) => {
    channel.onExit((code) => resolve(code === 0 ? 0 : 1));
    channel.onMessage((m) => {
      if (m.type !== 'ready') return;
      process.stdout.write(`backend: ${describeBackend(m.backend)}\n`);
      for (const why of m.backend.skipped) process.stdout.write(`  skipped: ${why}\n`);
      channel.send({ type: 'shutdown' });
    });
  });
}
