// What the case editor needs from the application's state (AppState gives
// it): the API, who the user is, and messages for the user. Typed here, apart
// from AppState, so the editor's state classes can be tested with a fake.
import type { Api, Output } from '../../../src-main/core/contract/contract';

export interface EditorApp {
  readonly api: Api;
  readonly info: Output<'app.info'> | null;
  notify(kind: 'error' | 'info' | 'success', message: string): void;
  /** Runs a call, showing its error to the user; null when it failed. */
  attempt<T>(what: string, action: () => Promise<T>): Promise<T | null>;
}
