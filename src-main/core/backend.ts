// What the core knows about TensorFlow backends: their names and how the chosen
// one is described. Loading them is platform/tf-backend.ts's job (native modules).
import { z } from 'zod';

export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendChoice = BackendName | 'auto';

export const BackendInfoSchema = z.object({
  /** Which of our backends runs: native GPU, native CPU, wasm or pure JS. */
  name: z.enum(BACKEND_NAMES),
  /** The device the kernels run on, in words ("CUDA GPU", "AMD EPYC x2"). */
  device: z.string(),
  /** tfjs version, and for native backends the TensorFlow C library version. */
  tfjsVersion: z.string(),
  nativeVersion: z.string().optional(),
  /** Why faster backends were passed over, for the log and the UI. */
  skipped: z.array(z.string()),
});
export type BackendInfo = Readonly<z.infer<typeof BackendInfoSchema>>;

/** Environment variable that forces a backend (same values as --backend). */
export const BACKEND_ENV = 'GLAUCOMA_STUDIO_BACKEND';

export function parseBackendChoice(value: string | undefined, source: string): BackendChoice {
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(`${source}: unknown backend "${value}" (use auto, ${BACKEND_NAMES.join(', ')})`);
}

/** One line for logs and the CLI: "tensorflow on AMD EPYC x2 (tfjs 4.22.0, TensorFlow 2.21.0)". */
export function describeBackend(info: BackendInfo): string {
  const native = info.nativeVersion ? `, TensorFlow ${info.nativeVersion}` : '';
  return `${info.name} on ${info.device} (tfjs ${info.tfjsVersion}${native})`;
}
