// Reading a job process's output: line by line, without TensorFlow's start-up
// noise. Shared by the Node fork launcher and the Electron utilityProcess launcher.

/** Lines TensorFlow's C++ runtime prints at start-up; noise for our users. */
export const TF_NOISE = /^(WARNING: All log messages before absl|I0000 |W0000 |.*oneDNN custom operations are on|.*cpu_feature_guard|To enable the following instructions)/;

/** Calls `onLine` with each complete, non-empty, non-noise line of a stream; the last partial line when it ends. */
export function eachOutputLine(stream: NodeJS.ReadableStream | null | undefined, onLine: (line: string) => void): void {
  if (!stream) return;
  let buffered = '';
  const emit = (line: string): void => {
    if (line.trim() !== '' && !TF_NOISE.test(line)) onLine(line);
  };
  stream.on('data', (chunk: Buffer | string) => {
    buffered += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const lines = buffered.split(/\r?\n/);
    buffered = lines.pop() ?? '';
    for (const line of lines) emit(line);
  });
  stream.on('end', () => {
    emit(buffered);
    buffered = '';
  });
}
