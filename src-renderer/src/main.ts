// Entry point: builds the transport and the app state once and hands them to
// the component tree through context (no module-level singletons).
import { mount } from 'svelte';
import App from './App.svelte';
import { AppState } from './state/app.svelte';
import { createTransport } from './transport';
import './app.css';

const target = document.getElementById('app')!;

/** localStorage, or null where the browser refuses it (the preferences then last one session). */
function localStorageOrNull(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

try {
  const app = new AppState(createTransport(window), { storage: localStorageOrNull(), window });
  mount(App, { target, props: { app } });
  void app.start();
} catch (error) {
  // Without a transport there is nothing to show but why.
  target.textContent = error instanceof Error ? error.message : String(error);
  target.setAttribute('role', 'alert');
  target.className = 'fatal';
}
