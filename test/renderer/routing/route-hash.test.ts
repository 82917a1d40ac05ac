import { describe, expect, it } from 'vitest';
import { hashForRoute, routeFromHash, sameRoute } from '../../../src-renderer/src/routing/route-hash';

describe('the route in the URL fragment', () => {
  it('round-trips every view and keeps the token', () => {
    const routes = [{ view: 'library' }, { view: 'study', studyId: 's1' }, { view: 'case', studyId: 's1', caseId: 'c 9/x' }, { view: 'training' }] as const;
    for (const route of routes) {
      const hash = hashForRoute(route, '#token=abc123');
      expect(new URLSearchParams(hash.slice(1)).get('token')).toBe('abc123');
      expect(routeFromHash(hash)).toEqual(route);
    }
  });

  it('replaces the previous route and answers the library for a missing or broken one', () => {
    const hash = hashForRoute({ view: 'study', studyId: 's2' }, hashForRoute({ view: 'case', studyId: 's1', caseId: 'c1' }, '#token=t'));
    expect(routeFromHash(hash)).toEqual({ view: 'study', studyId: 's2' });
    expect(hash).not.toContain('case=');
    expect(routeFromHash('#token=t')).toEqual({ view: 'library' });
    expect(routeFromHash('#view=case&study=s1')).toEqual({ view: 'study', studyId: 's1' });
    expect(routeFromHash('#view=study')).toEqual({ view: 'library' });
    expect(routeFromHash('')).toEqual({ view: 'library' });
    expect(sameRoute({ view: 'study', studyId: 'a' }, { view: 'study', studyId: 'a' })).toBe(true);
    expect(sameRoute({ view: 'study', studyId: 'a' }, { view: 'study', studyId: 'b' })).toBe(false);
  });
});
