// What every dataset reader produces: a list of samples, each an image file
// with whatever annotations its dataset has (label, fovea, disc/cup masks), and
// the non-fatal problems met on the way (a missing mask, an unlabelled image).
// Masks are referenced, not loaded: readSampleMasks loads them on demand.
import path from 'node:path';
import { InputError } from '../errors';
import { consensusMask } from '../masks/threshold';
import { decodeMaskAuto } from '../masks/refuge-mask';
import type { BinaryMask, GreyImage, Point, Size } from '../types';
import type { ImageCodec } from './image-codec';

export type MaskSource =
  /** 0 cup, 128 rim, 255 background (BMP or PNG); other conventions are detected by decodeMaskAuto. */
  | { kind: 'refuge'; file: string }
  /** Drishti-GS1 soft maps (0/64/128/191/255 = 0-4 experts); the mask is consensus >= minValue. */
  | { kind: 'soft'; odFile: string; ocFile: string; minValue: number };

export type Split = 'train' | 'validation' | 'test';

export type DatasetKind = 'refuge' | 'drishti-gs1' | 'roi' | 'folder' | 'manifest';

export interface Sample {
  /** Unique within the dataset, e.g. 'g0001', 'V0001', 'drishtiGS_002', 'Domain1/test/ROIs/g0001'. */
  id: string;
  /** Absolute path. */
  imageFile: string;
  dataset: DatasetKind;
  split?: Split;
  /** 1 = glaucoma, 0 = normal; absent = unknown. */
  glaucoma?: 0 | 1;
  /** Fovea centre in original pixels. */
  fovea?: Point;
  masks?: MaskSource;
  /** Disc centre in original pixels (Drishti-GS1's diskCenter.txt, which stores "row col", converted to x, y). */
  discCenter?: Point;
}

/** A non-fatal issue with one file or part, reported beside the samples. */
export interface DataProblem {
  readonly file: string;
  readonly problem: string;
}

export interface Dataset {
  name: string;
  root: string;
  samples: Sample[];
  problems: DataProblem[];
}

export interface SampleMasks {
  /** Optic disc, including the cup. */
  readonly od: BinaryMask;
  readonly oc: BinaryMask;
  /**
   * The experts' agreement on the cup, where the dataset records it: per pixel the share
   * of the experts who drew it cup, 0-255 (Drishti-GS1's soft map as stored, 0/64/128/191/255
   * for 0-4 of four). Absent for one-cup masks (REFUGE-style).
   */
  readonly cupAgreement?: GreyImage;
  readonly warnings: string[];
}

function checkSameSize(maskFile: string, mask: Size, imageFile: string, image: Size): void {
  if (mask.width !== image.width || mask.height !== image.height) {
    throw new InputError(
      maskFile,
      `mask is ${mask.width}x${mask.height} but its image ${path.basename(imageFile)} is ${image.width}x${image.height}; masks must be at image size`,
    );
  }
}

/**
 * Loads a sample's disc and cup masks at image size. REFUGE-style files go through
 * decodeMaskAuto (0/128/255, 0/1/2 labels, JPEG-damaged), soft maps through consensusMask.
 * Throws InputError naming the mask file when a mask does not match its image's size,
 * or the image file when the sample has no masks.
 */
export async function readSampleMasks(sample: Sample, codec: ImageCodec): Promise<SampleMasks> {
  const masks = sample.masks;
  if (!masks) throw new InputError(sample.imageFile, 'this sample has no disc/cup masks');
  const imageSize = await codec.probe(sample.imageFile);
  switch (masks.kind) {
    case 'refuge': {
      const grey = await codec.readGrey(masks.file);
      checkSameSize(masks.file, grey, sample.imageFile, imageSize);
      const decoded = decodeMaskAuto(grey, masks.file);
      return { od: decoded.od, oc: decoded.oc, warnings: [...decoded.warnings] };
    }
    case 'soft': {
      const [odSoft, ocSoft] = await Promise.all([codec.readGrey(masks.odFile), codec.readGrey(masks.ocFile)]);
      checkSameSize(masks.odFile, odSoft, sample.imageFile, imageSize);
      checkSameSize(masks.ocFile, ocSoft, sample.imageFile, imageSize);
      return { od: consensusMask(odSoft, masks.minValue), oc: consensusMask(ocSoft, masks.minValue), cupAgreement: ocSoft, warnings: [] };
    }
  }
}
