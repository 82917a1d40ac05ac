// Ordering and filtering of the review queue. Sorting happens here, on the
// loaded list, so a click on a column header answers at once; cases without a
// value (not screened yet, unreadable) always go last, whatever the order.
import type { CaseSummary, ReviewStatus } from '../../../src-main/core/contract/contract';
import { shownAssessment } from '../review/assessment';

export type QueueSortKey = 'probability' | 'vcdr' | 'uncertainty' | 'status' | 'name';
export type SortOrder = 'asc' | 'desc';
export type QueueFilter = ReviewStatus | 'all' | 'problems';

/** Work still to do first: unreviewed, then corrected, then the finished ones. */
const STATUS_RANK: Record<ReviewStatus, number> = { unreviewed: 0, corrected: 1, approved: 2, ungradable: 3 };

const names = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** The glaucoma probability the queue shows: the signed one of an approved case, else the expert's corrected one, else the model's. */
export function currentProbability(c: CaseSummary): number | null {
  return shownAssessment(c).probability;
}

/** The vCDR the queue shows, chosen the same way. */
export function currentVcdr(c: CaseSummary): number | null {
  return shownAssessment(c).vcdr;
}

function sortValue(c: CaseSummary, key: QueueSortKey): number | null {
  switch (key) {
    case 'probability':
      return currentProbability(c);
    case 'vcdr':
      return currentVcdr(c);
    case 'uncertainty':
      return c.prediction?.uncertainty ?? null;
    case 'status':
      return STATUS_RANK[c.status];
    case 'name':
      return 0;
  }
}

/** A new array sorted by `key` in `order`; ties (and `name`) by natural file-name order. */
export function sortCases(cases: readonly CaseSummary[], key: QueueSortKey, order: SortOrder): CaseSummary[] {
  const sign = order === 'asc' ? 1 : -1;
  return [...cases].sort((a, b) => {
    if (key === 'name') return sign * names.compare(a.name, b.name);
    const va = sortValue(a, key);
    const vb = sortValue(b, key);
    if (va === null || vb === null) {
      if (va !== vb) return va === null ? 1 : -1;
    } else if (va !== vb) {
      return sign * (va - vb);
    }
    return names.compare(a.name, b.name);
  });
}

export function filterCases(cases: readonly CaseSummary[], filter: QueueFilter): CaseSummary[] {
  if (filter === 'all') return [...cases];
  if (filter === 'problems') return cases.filter((c) => c.problem !== null);
  return cases.filter((c) => c.status === filter);
}

/** Which order a column starts in when first clicked: largest risk first, names A to Z. */
export function defaultOrder(key: QueueSortKey): SortOrder {
  return key === 'name' || key === 'status' ? 'asc' : 'desc';
}
