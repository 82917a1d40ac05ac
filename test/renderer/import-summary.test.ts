import { describe, expect, it } from 'vitest';
import { describeImport, formatWhen } from '../../src-renderer/src/format';

describe('describeImport', () => {
  it('counts unreadable images among those imported and skipped files apart, so the numbers add up', () => {
    const problems = [{ kind: 'unreadable' as const }, { kind: 'unreadable' as const }, { kind: 'unreadable' as const }, { kind: 'skipped' as const }, { kind: 'skipped' as const }];
    const d = describeImport(10, problems);
    expect(d).toEqual({ unreadable: 3, skipped: 2, text: '10 images imported, 3 of them unreadable; 2 other files skipped (not images)' });
    expect(describeImport(1, []).text).toBe('1 image imported');
    expect(describeImport(2, [{ kind: 'skipped' }]).text).toBe('2 images imported; 1 other file skipped (not an image)');
  });
});

describe('formatWhen', () => {
  it('says "today" for today and a date otherwise; an unreadable value is shown as it is', () => {
    const now = new Date('2026-03-04T15:00:00');
    expect(formatWhen(new Date('2026-03-04T09:05:00').toISOString(), now)).toMatch(/^today, /);
    expect(formatWhen('2025-01-02T10:00:00Z', now)).toMatch(/2025/);
    expect(formatWhen('not a date', now)).toBe('not a date');
  });
});
