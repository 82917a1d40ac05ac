// `screen --queue URL`: the same screening spread over the queue's workers,
// with one progress bar and ETA over all of them (src-main/queue/screen.ts).
import { JobFailedError } from '../run-job';
import { num, type ParsedOptions } from '../args';
import { ProgressBar } from '../progress';
import { screenFolderOnQueue } from '../../queue/screen';
import { queueTargetOf } from './queue-options';
import { resultsLine, screeningLine } from './screen-summary';
import type { DecisionSettings } from '../../core/infer/assessment';
import { screeningCounts } from '../../core/infer/screen-folder';

export async function runScreenOnQueue(url: string, options: ParsedOptions, job: { folder: string; outDir: string; modelDir: string; tta: boolean; overlays: boolean; decision: DecisionSettings }): Promise<number> {
  const target = queueTargetOf(url, options);
  const bar = new ProgressBar();
  const abort = new AbortController();
  const onSigint = (): void => {
    bar.log('stopping here; the queued photographs go on being screened by the workers; run the same command again to gather them');
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    bar.log(`queue: ${target.display}`);
    const result = await screenFolderOnQueue({
      target,
      ...job,
      attempts: num(options, 'attempts'),
      signal: abort.signal,
      log: (line) => bar.log(line),
      onProgress: (done, total, etaS, message) => bar.update(done, total, message, etaS),
    });
    bar.end();
    for (const p of result.problems) process.stderr.write(`not screened: ${p.file}: ${p.problem}\n`);
    const counts = screeningCounts(result.images);
    const unreadable = result.problems.length - result.failedJobs.length;
    process.stdout.write(
      `${screeningLine(counts, unreadable, result.resumed ? `, ${result.resumed} from an earlier run` : '')}; ${counts.msPerImage.toFixed(0)} ms per image on the workers; ${result.seconds.toFixed(1)} s in all\n${resultsLine(job.outDir)}\n`,
    );
    if (result.failedJobs.length) throw new JobFailedError(`${result.failedJobs.length} photograph(s) failed on the queue (see glaucoma-studio queue status); fix the cause and run the same command again`);
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
    bar.end();
  }
}
