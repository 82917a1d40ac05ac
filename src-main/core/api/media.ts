// The images the renderer shows, by the contract's media paths: the case's
// photograph and the model's heat maps. Shared by the bridge (HTTP) and
// Electron's custom protocol. Paths never name files: a case id and a model id
// are looked up in the store, so a request cannot reach any other file.
// Browsers cannot show BMP or TIFF: those are converted to PNG on the way.
import fs from 'node:fs';
import { jpegExifOrientation } from '../data/exif-orientation';
import { sniffImageFormat, SNIFF_BYTES, type ImageCodec } from '../data/image-codec';
import { errorMessage, InputError } from '../errors';
import { encodePng } from '../report/png';
import type { Store } from '../store/store';

export interface MediaResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: Uint8Array;
}

const BROWSER_TYPES: Readonly<Record<string, string>> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif' };

const text = (status: number, message: string): MediaResponse => ({ status, contentType: 'text/plain; charset=utf-8', body: new TextEncoder().encode(message) });

/** A file as the browser can show it: as stored, or converted to PNG. */
async function imageResponse(codec: ImageCodec, file: string): Promise<MediaResponse> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await fs.promises.readFile(file));
  } catch {
    return text(404, `${file}: not found`);
  }
  const format = sniffImageFormat(bytes.subarray(0, SNIFF_BYTES));
  // A turned JPEG goes out as PNG already turned, as the codec reads it (one orientation rule).
  const turned = format === 'jpeg' && jpegExifOrientation(bytes) !== 1;
  if (format && BROWSER_TYPES[format] && !turned) return { status: 200, contentType: BROWSER_TYPES[format]!, body: bytes };
  try {
    const rgb = await codec.readRgb(file);
    return { status: 200, contentType: 'image/png', body: encodePng(rgb, 1) };
  } catch (error) {
    return text(422, error instanceof InputError ? error.message : `${file}: ${errorMessage(error)}`);
  }
}

/**
 * Answers a media path (pathname + query of mediaPath's URLs):
 * /media/case/<caseId>/image and /media/case/<caseId>/heatmap/<od|oc|fovea>?model=<modelId>.
 */
export async function resolveMedia(deps: { store: Store; codec: ImageCodec }, pathname: string, query: URLSearchParams): Promise<MediaResponse> {
  const parts = pathname.split('/').filter((p) => p !== '');
  let decoded: string[];
  try {
    decoded = parts.map((p) => decodeURIComponent(p));
  } catch {
    return text(400, 'malformed media path');
  }
  if (decoded[0] !== 'media' || decoded[1] !== 'case' || decoded.length < 4) return text(404, 'unknown media path');
  const caseRow = deps.store.cases.get(decoded[2]!);
  if (!caseRow) return text(404, `case ${decoded[2]} not found`);
  if (decoded[3] === 'image' && decoded.length === 4) return imageResponse(deps.codec, caseRow.file);
  if (decoded[3] === 'heatmap' && decoded.length === 5) {
    const task = decoded[4];
    const modelId = query.get('model');
    if (task !== 'od' && task !== 'oc' && task !== 'fovea') return text(404, `no heat map for '${task}'`);
    if (!modelId) return text(400, 'the heat map path needs ?model=<model version>');
    const prediction = deps.store.predictions.get(caseRow.id, modelId);
    const file = prediction?.heatmaps[task] ?? null;
    if (!file) return text(404, `no ${task} heat map for this case from model ${modelId}`);
    return imageResponse(deps.codec, file);
  }
  return text(404, 'unknown media path');
}
