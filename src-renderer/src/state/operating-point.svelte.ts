// The app's operating point as the renderer shows and changes it: the setting
// with the active model's choices (threshold, expected sensitivity and
// specificity with their intervals), a value being previewed, and applying it.
// Main re-decides every unsigned decision; views reload on the
// 'operating-point' event, which also reloads this.
import type { Api, OperatingPointSetting } from '../../../src-main/core/contract/contract';

/** What the state needs of AppState: the API and a way to show failures. */
export interface OperatingPointHost {
  readonly api: Api;
  attempt<T>(what: string, action: () => Promise<T>): Promise<T | null>;
  notify(kind: 'error' | 'info' | 'success', message: string): void;
}

export class OperatingPointState {
  readonly #host: OperatingPointHost;
  #setting = $state.raw<OperatingPointSetting | null>(null);
  #applying = $state(false);
  #preview: number | undefined;

  constructor(host: OperatingPointHost) {
    this.#host = host;
  }

  get setting(): OperatingPointSetting | null {
    return this.#setting;
  }
  get applying(): boolean {
    return this.#applying;
  }
  /** The target specificity decisions are made at now: the setting, else the active model's default. */
  get current(): number | null {
    return this.#setting?.targetSpecificity ?? this.#setting?.packageDefault ?? null;
  }

  async load(): Promise<void> {
    const setting = await this.#host.attempt('Could not read the operating point', () => this.#host.api['settings.operatingPoint'](this.#preview === undefined ? {} : { preview: this.#preview }));
    if (setting) this.#setting = setting;
  }

  /** Shows a value among the choices, with its threshold and expected figures, before it is applied. */
  async preview(targetSpecificity: number): Promise<void> {
    this.#preview = targetSpecificity;
    await this.load();
  }

  async apply(targetSpecificity: number): Promise<boolean> {
    this.#applying = true;
    try {
      const done = await this.#host.attempt('Could not change the operating point', () => this.#host.api['settings.setOperatingPoint']({ targetSpecificity }));
      if (!done) return false;
      this.#preview = undefined;
      this.#setting = done.setting;
      this.#host.notify(
        'success',
        done.redecided === 0
          ? `Operating point: ${Math.round(targetSpecificity * 100)} % target specificity.`
          : `Operating point: ${Math.round(targetSpecificity * 100)} % target specificity. ${done.redecided} result${done.redecided === 1 ? '' : 's'} decided again, ${done.changedDecisions} decision${done.changedDecisions === 1 ? '' : 's'} changed; signed approvals unchanged.`,
      );
      return true;
    } finally {
      this.#applying = false;
    }
  }
}
