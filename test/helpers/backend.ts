// Tests run on the fastest backend that loads here (native TensorFlow in CI,
// where .ci/run builds it), so they exercise the kernels users run.
import { selectBackend, type BackendInfo } from '../../src-main/platform/tf-backend';

export async function useTestBackend(): Promise<BackendInfo> {
  return selectBackend(process.env.GLAUCOMA_STUDIO_BACKEND ? undefined : 'auto');
}
