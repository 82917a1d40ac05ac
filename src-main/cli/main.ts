// glaucoma-studio: the headless commands over the same core the app uses.
// Heavy work runs in the job process; this process parses, shows progress and
// prints results. Exit codes: 0 done, 1 failed (the message says why), 2 usage.
import { ConfigError, InputError } from '../core/errors';
import { formatHelp, parseCommandArgs, UsageError, type CommandSpec, type ParsedOptions } from './args';
import { benchCommand, runBench } from './commands/bench';
import { ensembleCommand, runEnsemble } from './commands/ensemble';
import { evaluateCommand, runEvaluate } from './commands/evaluate';
import { finetuneCommand, runFinetuneCommand } from './commands/finetune';
import { fitDecisionCommand, runFitDecision } from './commands/fit-decision';
import { runSetExposure, setExposureCommand } from './commands/set-exposure';
import { runSetDomain, setDomainCommand } from './commands/set-domain';
import { runSetShapePrior, setShapePriorCommand } from './commands/set-shape-prior';
import { runSetStageFusion, setStageFusionCommand } from './commands/set-stage-fusion';
import { experimentCommand, runExperimentCommand } from './commands/experiment';
import { infoCommand, runInfo } from './commands/info';
import { runScreen, screenCommand } from './commands/screen';
import { runSynth, synthCommand } from './commands/synth';
import { runTrain, trainCommand } from './commands/train';
import { queueCommand, runQueueCommand } from './commands/queue';
import { runWorker, workerCommand } from './commands/worker';
import { JobFailedError } from './run-job';

interface Command {
  readonly spec: CommandSpec;
  readonly run: (options: ParsedOptions, positionals: string[]) => Promise<number>;
}

const COMMANDS: readonly Command[] = [
  { spec: screenCommand, run: runScreen },
  { spec: trainCommand, run: runTrain },
  { spec: finetuneCommand, run: runFinetuneCommand },
  { spec: evaluateCommand, run: runEvaluate },
  { spec: fitDecisionCommand, run: runFitDecision },
  { spec: setExposureCommand, run: runSetExposure },
  { spec: setStageFusionCommand, run: runSetStageFusion },
  { spec: setShapePriorCommand, run: runSetShapePrior },
  { spec: setDomainCommand, run: runSetDomain },
  { spec: ensembleCommand, run: runEnsemble },
  { spec: experimentCommand, run: runExperimentCommand },
  { spec: synthCommand, run: runSynth },
  { spec: benchCommand, run: runBench },
  { spec: infoCommand, run: runInfo },
  { spec: workerCommand, run: runWorker },
  { spec: queueCommand, run: runQueueCommand },
];

const VERSION = '0.1.0';

function topHelp(): string {
  return [
    'glaucoma-studio: screen colour fundus photographs for glaucoma (optic disc, cup, fovea, vCDR) and train the model.',
    'Research software, not for clinical use.',
    '',
    'Usage: glaucoma-studio <command> [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.spec.name.padEnd(12)} ${c.spec.summary}`),
    '',
    'Run glaucoma-studio <command> --help for its options.',
    '',
  ].join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(topHelp());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.spec.name === name);
  if (!command) {
    process.stderr.write(`unknown command "${name}"\n\n${topHelp()}`);
    return 2;
  }
  try {
    const { options, positionals, help } = parseCommandArgs(command.spec, rest);
    if (help) {
      process.stdout.write(formatHelp(command.spec));
      return 0;
    }
    return await command.run(options, positionals);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n`);
      return 2;
    }
    if (error instanceof InputError || error instanceof ConfigError || error instanceof JobFailedError) {
      process.stderr.write(`error: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
