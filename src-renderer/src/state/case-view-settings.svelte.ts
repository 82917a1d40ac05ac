// How a case is shown (not what it is): the image's brightness, contrast and
// gamma, which overlays are on, and the zoom and pan of the canvas. Plain
// settings objects are replaced whole, so a component can only change them
// through these methods.
import { fitView, panBy, zoomAt, type ViewState } from '../canvas/view-transform';

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
  #display = $state.raw<DisplaySettings>(DEFAULT_DISPLAY);
  #overlays = $state.raw<OverlaySettings>(DEFAULT_OVERLAYS);
  #view = $state.raw<ViewState | null>(null);
  #viewport = $state.raw<ImageSize>({ width: 0, height: 0 });

  /** `imageSize`: the size of the image shown, null before it is known. */
  constructor(imageSize: () => ImageSize | null) {
    this.#imageSize = imageSize;
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
  }

  setViewport(width: number, height: number): void {
    const first = this.#viewport.width === 0;
    this.#viewport = { width, height };
    if (first || this.#view === null) this.fit();
  }

  /** The whole image in the viewport. */
  fit(): void {
    const image = this.#imageSize();
    if (!image || this.#viewport.width === 0) return;
    this.#view = fitView(image.width, image.height, this.#viewport.width, this.#viewport.height);
  }

  /** Zooms about a point of the viewport (its centre by default). */
  zoomBy(factor: number, screenX = this.#viewport.width / 2, screenY = this.#viewport.height / 2): void {
    if (this.#view) this.#view = zoomAt(this.#view, screenX, screenY, factor);
  }

  panBy(dx: number, dy: number): void {
    if (this.#view) this.#view = panBy(this.#view, dx, dy);
  }
}
