// Typed context: the app state is built once in main.ts and handed down, never
// imported as a module-level singleton.
import { createContext } from 'svelte';
import type { AppState } from './app.svelte';

export const [getAppState, setAppState] = createContext<AppState>();
