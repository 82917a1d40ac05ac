// How a case is shown (not what it is): the image's brightness, contrast and
// gamma, which overlays are on, and the zoom and pan of the canvas. Plain
// settings objects are replaced whole, so a component can only change them
// through these methods. A case opens centred on the detected disc (or the
// whole image, if that is what the reader chose last) at the zoom the reader
// used last; overlays and zoom are kept in ReviewPreferences between cases.
import { fitView, focusView, panBy, zoomAt, type ViewState } from '../canvas/view-transform';
import type { PixelRect } from '../editor/geometry';
import type { ReviewPreferences } from './review-preferences.svelte';

export type HeatmapChoice = 'none' | 'od' | 'oc' | 'fovea';

export interface DisplaySettings {
  readonly brightness: number;
  readonly contrast: number;
  readonly gamma: number;
}

export interface OverlaySettings {
  /** The model's disc and cup contours (dashed). */
  readonly model: boolean;
  /** The expert's disc and cup contours (solid). */
  readonly expert: boolean;
  /** Translucent fill of the expert's disc and cup. */
  readonly fill: boolean;
  readonly fovea: boolean;
  readonly heatmap: HeatmapChoice;
  readonly heatmapOpacity: number;
}

export const DEFAULT_DISPLAY: DisplaySettings = { brightness: 1, contrast: 1, gamma: 1 };
const DEFAULT_OVERLAYS: OverlaySettings = { model: true, expert: true, fill: true, fovea: true, heatmap: 'none', heatmapOpacity: 0.5 };

export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

export class CaseViewSettings {
  readonly #imageSize: () => ImageSize | null;
  readonly #disc: () => PixelRect | null;
  readonly #preferences: ReviewPreferences | null;
  #display = $state.raw<DisplaySettings>(DEFAULT_DISPLAY);
  #overlays = $state.raw<OverlaySettings>(DEFAULT_OVERLAYS);
  #view = $state.raw<ViewState | null>(null);
  #viewport = $state.raw<ImageSize>({ width: 0, height: 0 });
  #zoomMode: 'disc' | 'fit' = 'disc';

  /**
   * `imageSize`: the size of the image shown, null before it is known; `disc`:
   * the detected disc's box, null when none; `preferences`: where the reader's
   * zoom and overlays are kept (null: defaults, nothing kept).
   */
  constructor(imageSize: () => ImageSize | null, disc: () => PixelRect | null = () => null, preferences: ReviewPreferences | null = null) {
    this.#imageSize = imageSize;
    this.#disc = disc;
    this.#preferences = preferences;
    if (preferences) this.#overlays = preferences.value.overlays;
  }

  /** Whether the view was last set around the disc ('disc') or the whole image ('fit'). */
  get zoomMode(): 'disc' | 'fit' {
    return this.#zoomMode;
  }

  get display(): DisplaySettings {
    return this.#display;
  }

  get overlays(): OverlaySettings {
    return this.#overlays;
  }

  /** Zoom and pan of the canvas, null until the viewport and the image are known. */
  get view(): ViewState | null {
    return this.#view;
  }

  get viewport(): ImageSize {
    return this.#viewport;
  }

  setDisplay(key: keyof DisplaySettings, value: number): void {
    this.#display = { ...this.#display, [key]: value };
  }

  resetDisplay(): void {
    this.#display = DEFAULT_DISPLAY;
  }

  setOverlay<K extends keyof OverlaySettings>(key: K, value: OverlaySettings[K]): void {
    this.#overlays = { ...this.#overlays, [key]: value };
    this.#preferences?.update({ overlays: this.#overlays });
  }

  setViewport(width: number, height: number): void {
    const first = this.#viewport.width === 0;
    this.#viewport = { width, height };
    if (first || this.#view === null) this.open();
  }

  /** The view a case opens with: the reader's last choice (disc or whole image) at the reader's last zoom. */
  open(): void {
    const zoom = this.#preferences?.value.zoom ?? { mode: 'disc' as const, factor: 1 };
    const base = this.#baseView(zoom.mode);
    if (!base) return;
    this.#zoomMode = base.mode;
    const { width, height } = this.#viewport;
    this.#view = zoom.factor === 1 ? base.view : zoomAt(base.view, width / 2, height / 2, zoom.factor);
  }

  /** The whole image in the viewport. */
  fit(): void {
    this.#setBase('fit');
  }

  /** Centred on the detected disc (the whole image when there is none). */
  focusDisc(): void {
    this.#setBase('disc');
  }

  /** Zooms about a point of the viewport (its centre by default). */
  zoomBy(factor: number, screenX = this.#viewport.width / 2, screenY = this.#viewport.height / 2): void {
    if (!this.#view) return;
    this.#view = zoomAt(this.#view, screenX, screenY, factor);
    const base = this.#baseView(this.#zoomMode);
    if (base && this.#preferences) this.#preferences.update({ zoom: { mode: this.#zoomMode, factor: this.#view.scale / base.view.scale } });
  }

  #setBase(mode: 'disc' | 'fit'): void {
    const base = this.#baseView(mode);
    if (!base) return;
    this.#view = base.view;
    this.#zoomMode = mode;
    this.#preferences?.update({ zoom: { mode, factor: 1 } });
  }

  #baseView(mode: 'disc' | 'fit'): { view: ViewState; mode: 'disc' | 'fit' } | null {
    const image = this.#imageSize();
    const { width, height } = this.#viewport;
    if (!image || width === 0) return null;
    const disc = mode === 'disc' ? this.#disc() : null;
    // Without a detected disc the whole image is shown, but the reader's choice of 'disc' is kept for the next case.
    if (disc) return { view: focusView(disc, image.width, image.height, width, height), mode: 'disc' };
    return { view: fitView(image.width, image.height, width, height), mode };
  }

  panBy(dx: number, dy: number): void {
    if (this.#view) this.#view = panBy(this.#view, dx, dy);
  }
}
