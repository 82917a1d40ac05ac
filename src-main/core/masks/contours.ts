// Outlines of mask components, for overlays and polygon export.
import type { BinaryMask, Point } from '../types';
import { type Connectivity, labelComponents } from './components';

/**
 * Outer boundary of each connected component as a closed polygon (the first
 * vertex is not repeated at the end), in component order (raster order of each
 * component's first pixel). Holes are not traced.
 *
 * Convention: pixel-corner ("crack") boundaries. With pixel centres at integer
 * coordinates (types.ts), pixel (x, y) covers [x-0.5, x+0.5] x [y-0.5, y+0.5],
 * so every vertex has half-integer coordinates and the polygon runs along the
 * pixel edges between the component and everything else. Only corners are kept
 * (no collinear vertices): a w x h rectangle gives 4 vertices. Orientation:
 * clockwise on screen (y down), starting at the top-left corner of the
 * component's first pixel and heading right.
 *
 * Why corners and not pixel centres: the polygon then encloses exactly the
 * component's pixels, so polygonToMask(contour) gives the component back
 * (holes filled) and a one-pixel component still has an outline with area.
 *
 * With connectivity 8, components touching only diagonally are one component
 * and their outline passes twice through the shared corner.
 */
export function traceContours(mask: BinaryMask, connectivity: Connectivity = 8): Point[][] {
  const { width, height, labels, count, sizes, firstPixel } = labelComponents(mask, connectivity);
  const contours: Point[][] = [];
  for (let k = 1; k <= count; k++) {
    const inside = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < width && y < height && labels[y * width + x] === k;
    const start = firstPixel[k]!;
    const sx = start % width;
    const sy = (start - sx) / width;
    contours.push(traceOne(inside, sx, sy, connectivity, 4 * sizes[k]!));
  }
  return contours;
}

// Directions: 0 = east (+x), 1 = south (+y), 2 = west, 3 = north.
const DX = [1, 0, -1, 0] as const;
const DY = [0, 1, 0, -1] as const;

/**
 * Crack following with the component on the right-hand side. At each corner the
 * two pixels ahead decide the turn: left-ahead inside -> turn left (for
 * 4-connectivity only if right-ahead is inside too), else right-ahead inside ->
 * straight, else turn right.
 */
function traceOne(
  inside: (x: number, y: number) => boolean,
  sx: number,
  sy: number,
  connectivity: Connectivity,
  maxEdges: number,
): Point[] {
  const points: Point[] = [{ x: sx - 0.5, y: sy - 0.5 }];
  let cx = sx;
  let cy = sy;
  let d = 0;
  // Each pixel edge is walked at most once, so a component of n pixels has at
  // most 4n edges; the bound only turns a logic error into an exception.
  for (let edges = 0; edges < maxEdges; edges++) {
    cx += DX[d]!;
    cy += DY[d]!;
    // Pixels ahead of corner (cx, cy) for heading d: [left-ahead, right-ahead].
    let leftAhead: boolean;
    let rightAhead: boolean;
    switch (d) {
      case 0:
        leftAhead = inside(cx, cy - 1);
        rightAhead = inside(cx, cy);
        break;
      case 1:
        leftAhead = inside(cx, cy);
        rightAhead = inside(cx - 1, cy);
        break;
      case 2:
        leftAhead = inside(cx - 1, cy);
        rightAhead = inside(cx - 1, cy - 1);
        break;
      default:
        leftAhead = inside(cx - 1, cy - 1);
        rightAhead = inside(cx, cy - 1);
        break;
    }
    let next: number;
    if (leftAhead && (connectivity === 8 || rightAhead)) next = (d + 3) % 4;
    else if (rightAhead) next = d;
    else next = (d + 1) % 4;
    if (cx === sx && cy === sy && next === 0) return points;
    if (next !== d) points.push({ x: cx - 0.5, y: cy - 0.5 });
    d = next;
  }
  throw new Error('traceContours: boundary did not close (internal error)');
}
