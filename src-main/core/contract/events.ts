// Change notifications for the renderer: the job manager and the handlers emit
// AppEvents; Electron forwards them over IPC, the bridge over Server-Sent Events.
import type { AppEvent } from './contract';

export type AppEventListener = (event: AppEvent) => void;

export interface AppEventSink {
  emit(event: AppEvent): void;
}

export class AppEventBus implements AppEventSink {
  readonly #listeners = new Set<AppEventListener>();

  emit(event: AppEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch {
        // A failing subscriber (a closed window, a dropped SSE client) must not stop the others.
      }
    }
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: AppEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }
}
