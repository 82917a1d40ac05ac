// The route in the address's fragment, so a reload (or a bookmark) opens the
// same view: "#view=case&study=s1&case=c9". Other fragment parameters (the
// browser mode's #token=...) are kept as they are. Pure, unit-tested.
export type Route =
  | { readonly view: 'library' }
  | { readonly view: 'study'; readonly studyId: string }
  | { readonly view: 'case'; readonly studyId: string; readonly caseId: string }
  | { readonly view: 'training' };

const ROUTE_KEYS = ['view', 'study', 'case'] as const;

/** The route a fragment names; the library when it names none (or names one badly). */
export function routeFromHash(hash: string): Route {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const study = params.get('study');
  const kase = params.get('case');
  switch (params.get('view')) {
    case 'study':
      return study ? { view: 'study', studyId: study } : { view: 'library' };
    case 'case':
      return study && kase ? { view: 'case', studyId: study, caseId: kase } : study ? { view: 'study', studyId: study } : { view: 'library' };
    case 'training':
      return { view: 'training' };
    default:
      return { view: 'library' };
  }
}

/** The fragment for a route, keeping the other parameters of `current` (the token). */
export function hashForRoute(route: Route, current: string): string {
  const params = new URLSearchParams(current.replace(/^#/, ''));
  for (const key of ROUTE_KEYS) params.delete(key);
  params.set('view', route.view);
  if (route.view === 'study' || route.view === 'case') params.set('study', route.studyId);
  if (route.view === 'case') params.set('case', route.caseId);
  return `#${params.toString()}`;
}

export function sameRoute(a: Route, b: Route): boolean {
  return hashForRoute(a, '') === hashForRoute(b, '');
}
